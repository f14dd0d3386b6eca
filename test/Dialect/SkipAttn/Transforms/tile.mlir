// RUN: skipattn-opt %s --split-input-file --verify-diagnostics \
// RUN:   --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=32 block-kv=64},cse))' | FileCheck %s
// RUN: skipattn-opt %s --split-input-file --verify-diagnostics \
// RUN:   --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=32 block-kv=64 pack-gqa=true},cse))' | FileCheck %s --check-prefix=PACK
// RUN: skipattn-opt %s --split-input-file --verify-diagnostics \
// RUN:   --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=32 block-kv=64 pad-query-tiles=true},cse))' | FileCheck %s --check-prefix=PAD

// Dense MHA, non-causal: B x Hq x ceil(Sq/32) parallel tiles, every tile
// walks ceil(Skv/64) = 16 blocks; tile sizes are recorded.
// CHECK-LABEL: func @dense
// CHECK: scf.parallel (%[[B:.*]], %[[H:.*]], %[[QT:.*]]) = ({{.*}}) to (%c2, %c4, %c4)
// CHECK: memref.alloca() : memref<32x128xf32>
// CHECK: skipattn.pack_q %{{.*}}[%[[B]], %[[H]], %{{.*}}] into %{{.*}} {heads = 1 : i64, rows_per_head = 32 : i64, scale = 0.0883883461 : f32}
// CHECK: %[[NB:.*]] = arith.ceildivui %c1000, %c64
// CHECK: skipattn.blocked_kv %[[J:.*]] = %{{.*}} to %[[NB]] kv_len(%c1000)
// CHECK-SAME: tiling = #skipattn.tiling<block_q = 32, block_kv = 64, heads_per_tile = 1, skip_unit = 0>
// CHECK-NOT: skip =
// CHECK: skipattn.block_scores
// CHECK-NOT: causal
// CHECK-SAME: q_len = 100
// CHECK: skipattn.online_softmax
// CHECK: skipattn.finalize
// PACK-LABEL: func @dense
// PACK: tiling = #skipattn.tiling<block_q = 32, block_kv = 64, heads_per_tile = 1
func.func @dense(%q: memref<2x4x100x128xf16>, %k: memref<2x4x1000x128xf16>,
                 %v: memref<2x4x1000x128xf16>, %o: memref<2x4x100x128xf16>) {
  skipattn.attention ins(%q, %k, %v : memref<2x4x100x128xf16>, memref<2x4x1000x128xf16>, memref<2x4x1000x128xf16>)
      outs(%o : memref<2x4x100x128xf16>)
  return
}

// -----

// Causal: the tile stops at the block holding its last row's diagonal,
// bottom-right aligned: keys < min(p0 + 32, Sq) + len - Sq.
// CHECK-LABEL: func @causal
// CHECK: scf.parallel
// CHECK: %[[P0:.*]] = arith.muli %{{.*}}, %c32
// CHECK: %[[END:.*]] = arith.addi %[[P0]], %c32
// CHECK: %[[LAST:.*]] = arith.minsi %[[END]], %c64
// CHECK: %[[D:.*]] = arith.addi %[[LAST]], %c128
// CHECK: %[[VIS:.*]] = arith.subi %[[D]], %c64
// CHECK: %[[CL:.*]] = arith.maxsi %[[VIS]], %c0
// CHECK: arith.minsi %[[CL]], %c128
// CHECK: %[[NB:.*]] = arith.ceildivui %{{.*}}, %c64
// CHECK: skipattn.blocked_kv %{{.*}} = %c0 to %[[NB]]
// CHECK: skipattn.block_scores {{.*}} {causal, q_len = 64 : i64, rows_per_head = 32 : i64}
func.func @causal(%q: memref<1x2x64x64xbf16>, %k: memref<1x2x128x64xbf16>,
                  %v: memref<1x2x128x64xbf16>, %o: memref<1x2x64x64xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x64x64xbf16>, memref<1x2x128x64xbf16>, memref<1x2x128x64xbf16>)
      outs(%o : memref<1x2x64x64xbf16>) {causal}
  return
}

// -----

// Ragged: each tile reads its sequence's length, clamped into [0, Skv], and
// walks only that many keys.
// CHECK-LABEL: func @ragged
// CHECK: scf.parallel (%[[B:.*]], %{{.*}}, %{{.*}}) =
// CHECK: %[[RAW:.*]] = memref.load %{{.*}}[%[[B]]] : memref<3xi32>
// CHECK: %[[IDX:.*]] = arith.index_cast %[[RAW]] : i32 to index
// CHECK: %[[LO:.*]] = arith.maxsi %[[IDX]], %c0
// CHECK: %[[LEN:.*]] = arith.minsi %[[LO]], %c256
// CHECK: %[[NB:.*]] = arith.ceildivui %[[LEN]], %c64
// CHECK: skipattn.blocked_kv %{{.*}} = %c0 to %[[NB]] kv_len(%[[LEN]])
func.func @ragged(%q: memref<3x2x16x64xf32>, %k: memref<3x2x256x64xf32>,
                  %v: memref<3x2x256x64xf32>, %lens: memref<3xi32>,
                  %o: memref<3x2x16x64xf32>) {
  skipattn.attention ins(%q, %k, %v : memref<3x2x16x64xf32>, memref<3x2x256x64xf32>, memref<3x2x256x64xf32>)
      kv_lens(%lens : memref<3xi32>) outs(%o : memref<3x2x16x64xf32>)
  return
}

// -----

// GQA decode (Sq = 1, 8 query heads over 2 KV heads): unpacked, each tile is
// a single row; packed, the 4 heads of a KV head share one 4-row tile.
// CHECK-LABEL: func @decode_gqa
// CHECK: scf.parallel (%{{.*}}, %[[H:.*]], %{{.*}}) = ({{.*}}) to (%c1, %c8, %c1)
// CHECK: memref.alloca() : memref<1x128xf32>
// CHECK: %[[KVH:.*]] = arith.divui %[[H]], %c4
// CHECK: tiling = #skipattn.tiling<block_q = 1, block_kv = 64, heads_per_tile = 1, skip_unit = 0>
// CHECK: skipattn.block_scores %{{.*}}, %{{.*}}[%{{.*}}, %[[KVH]]]
// PACK-LABEL: func @decode_gqa
// PACK: scf.parallel (%{{.*}}, %[[G:.*]], %{{.*}}) = ({{.*}}) to (%c1, %c2, %c1)
// PACK: memref.alloca() : memref<4x128xf32>
// PACK: %[[H0:.*]] = arith.muli %[[G]], %c4
// PACK: skipattn.pack_q %{{.*}}[%{{.*}}, %[[H0]], %{{.*}}] into %{{.*}} {heads = 4 : i64, rows_per_head = 1 : i64
// PACK: tiling = #skipattn.tiling<block_q = 1, block_kv = 64, heads_per_tile = 4, skip_unit = 0>
// PACK: skipattn.finalize {{.*}} {rows_per_head = 1 : i64}
// With pad-query-tiles (fixed-size GPU tiles) a one-token query still gets a
// full 32-row tile; rows past Sq are padding.
// PAD-LABEL: func @decode_gqa
// PAD: scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) = ({{.*}}) to (%c1, %c8, %c1)
// PAD: memref.alloca() : memref<32x128xf32>
// PAD: skipattn.pack_q {{.*}} {heads = 1 : i64, rows_per_head = 32 : i64
// PAD: tiling = #skipattn.tiling<block_q = 32, block_kv = 64, heads_per_tile = 1, skip_unit = 0>
func.func @decode_gqa(%q: memref<1x8x1x128xf16>, %k: memref<1x2x4096x128xf16>,
                      %v: memref<1x2x4096x128xf16>, %o: memref<1x8x1x128xf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x8x1x128xf16>, memref<1x2x4096x128xf16>, memref<1x2x4096x128xf16>)
      outs(%o : memref<1x8x1x128xf16>)
  return
}

// -----

// Statistics are zeroed first and handed to the loop with the tile's batch
// and first query head; the skip configuration travels with the loop.
// CHECK-LABEL: func @stats
// CHECK: scf.for
// CHECK: memref.store %c0_i64, %{{.*}} : memref<1x2x2xi64>
// CHECK: scf.parallel (%[[B:.*]], %[[H:.*]], %{{.*}}) =
// CHECK: skipattn.blocked_kv {{.*}} stats(%{{.*}}[%[[B]], %[[H]]] : memref<1x2x2xi64>)
// CHECK-SAME: skip = #skipattn.skip<threshold_scale_factor = 1.000000e+02, min_keep_blocks = 1>
// CHECK: skipattn.finalize {{.*}} lse(%{{.*}} : memref<1x2x64xf32>)
func.func @stats(%q: memref<1x2x64x64xf32>, %k: memref<1x2x64x64xf32>,
                 %v: memref<1x2x64x64xf32>, %o: memref<1x2x64x64xf32>,
                 %lse: memref<1x2x64xf32>, %st: memref<1x2x2xi64>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x64x64xf32>, memref<1x2x64x64xf32>, memref<1x2x64x64xf32>)
      outs(%o : memref<1x2x64x64xf32>) lse(%lse : memref<1x2x64xf32>) stats(%st : memref<1x2x2xi64>)
      {skip = #skipattn.skip<threshold_scale_factor = 100.0, min_keep_blocks = 1>}
  return
}

// -----

// Runtime factors travel to the loop with the tile's batch and first head,
// and the skip configuration (min_keep_blocks) survives with factor 0.
// CHECK-LABEL: func @runtime_factors
// CHECK: scf.parallel (%[[B:.*]], %[[H:.*]], %{{.*}}) =
// CHECK: skipattn.blocked_kv {{.*}} skip_factors(%{{.*}}[%[[B]], %[[H]]] : memref<1x2xf32, strided<[0, 0]>>)
// CHECK-SAME: skip = #skipattn.skip<threshold_scale_factor = 0.000000e+00, min_keep_blocks = 2>
func.func @runtime_factors(%q: memref<1x2x64x64xf32>, %k: memref<1x2x64x64xf32>,
                           %v: memref<1x2x64x64xf32>, %o: memref<1x2x64x64xf32>,
                           %f: memref<1x2xf32, strided<[0, 0]>>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x64x64xf32>, memref<1x2x64x64xf32>, memref<1x2x64x64xf32>)
      skip_factors(%f : memref<1x2xf32, strided<[0, 0]>>) outs(%o : memref<1x2x64x64xf32>)
      {skip = #skipattn.skip<threshold_scale_factor = 0.0, min_keep_blocks = 2>}
  return
}

// -----

func.func @tensor_form(%q: tensor<1x2x8x64xf32>, %o: tensor<1x2x8x64xf32>) -> tensor<1x2x8x64xf32> {
  // expected-error @+1 {{skipattn-tile expects the memref form; run one-shot-bufferize first}}
  %r = skipattn.attention ins(%q, %q, %q : tensor<1x2x8x64xf32>, tensor<1x2x8x64xf32>, tensor<1x2x8x64xf32>)
      outs(%o : tensor<1x2x8x64xf32>) -> tensor<1x2x8x64xf32>
  return %r : tensor<1x2x8x64xf32>
}

// -----

// Paged KV: the tile walks logical positions up to max_pages * page_size
// (8 x 32 = 256 keys, clamped lengths) and hands the page table to the
// block ops, which translate positions into cache rows.
// CHECK-LABEL: func @paged
// CHECK: %[[LEN:.*]] = arith.minsi %{{.*}}, %c256
// CHECK: skipattn.blocked_kv %{{.*}} = %c0 to %{{.*}} kv_len(%[[LEN]])
// CHECK: skipattn.block_scores %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] pages(%{{.*}} : memref<3x8xi32>)
// CHECK: skipattn.online_softmax %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] pages(%{{.*}} : memref<3x8xi32>)
func.func @paged(%q: memref<3x2x16x64xf32>, %k: memref<30x2x32x64xf32>,
                 %v: memref<30x2x32x64xf32>, %lens: memref<3xi32>,
                 %t: memref<3x8xi32>, %o: memref<3x2x16x64xf32>) {
  skipattn.attention ins(%q, %k, %v : memref<3x2x16x64xf32>, memref<30x2x32x64xf32>, memref<30x2x32x64xf32>)
      kv_lens(%lens : memref<3xi32>) page_table(%t : memref<3x8xi32>) outs(%o : memref<3x2x16x64xf32>)
  return
}
