// Round trip of every op, through the pretty and the generic printer.
// RUN: skipattn-opt %s | skipattn-opt | FileCheck %s
// RUN: skipattn-opt %s --mlir-print-op-generic | skipattn-opt | FileCheck %s

// CHECK-LABEL: func @attention_tensor
// CHECK: skipattn.attention ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x8x16x64xbf16>, tensor<2x2x32x64xbf16>, tensor<2x2x32x64xbf16>) kv_lens(%{{.*}} : tensor<2xi32>) outs(%{{.*}} : tensor<2x8x16x64xbf16>) lse(%{{.*}} : tensor<2x8x16xf32>) stats(%{{.*}} : tensor<2x8x2xi64>)
// CHECK-SAME: causal
// CHECK-SAME: scale = 1.250000e-01 : f32
// CHECK-SAME: skip = #skipattn.skip<threshold_scale_factor = 1.000000e+03, min_keep_blocks = 2>
// CHECK-SAME: -> tensor<2x8x16x64xbf16>, tensor<2x8x16xf32>, tensor<2x8x2xi64>
func.func @attention_tensor(%q: tensor<2x8x16x64xbf16>, %k: tensor<2x2x32x64xbf16>,
                            %v: tensor<2x2x32x64xbf16>, %lens: tensor<2xi32>,
                            %o: tensor<2x8x16x64xbf16>, %lse: tensor<2x8x16xf32>,
                            %st: tensor<2x8x2xi64>)
    -> (tensor<2x8x16x64xbf16>, tensor<2x8x16xf32>, tensor<2x8x2xi64>) {
  %r:3 = skipattn.attention ins(%q, %k, %v : tensor<2x8x16x64xbf16>, tensor<2x2x32x64xbf16>, tensor<2x2x32x64xbf16>)
      kv_lens(%lens : tensor<2xi32>) outs(%o : tensor<2x8x16x64xbf16>)
      lse(%lse : tensor<2x8x16xf32>) stats(%st : tensor<2x8x2xi64>)
      {causal, scale = 0.125 : f32,
       skip = #skipattn.skip<threshold_scale_factor = 1.0e3, min_keep_blocks = 2>}
      -> tensor<2x8x16x64xbf16>, tensor<2x8x16xf32>, tensor<2x8x2xi64>
  return %r#0, %r#1, %r#2 : tensor<2x8x16x64xbf16>, tensor<2x8x16xf32>, tensor<2x8x2xi64>
}

// CHECK-LABEL: func @attention_memref
// CHECK: skipattn.attention ins(%{{.*}}, %{{.*}}, %{{.*}} : memref<1x4x1x128xf16>, memref<1x1x100x128xf16>, memref<1x1x100x128xf16>) outs(%{{.*}} : memref<1x4x1x128xf16>)
// CHECK-NOT: ->
func.func @attention_memref(%q: memref<1x4x1x128xf16>, %k: memref<1x1x100x128xf16>,
                            %v: memref<1x1x100x128xf16>, %o: memref<1x4x1x128xf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x4x1x128xf16>, memref<1x1x100x128xf16>, memref<1x1x100x128xf16>)
      outs(%o : memref<1x4x1x128xf16>)
  return
}

// Runtime factors: a per-sequence [B, Hq] view with a zero head stride,
// kept through both printers on the op and on the loop.
// CHECK-LABEL: func @runtime_factors
// CHECK: skipattn.attention ins({{.*}}) skip_factors(%{{.*}} : memref<2x4xf32, strided<[1, 0]>>) outs(
// CHECK: skipattn.blocked_kv {{.*}} stats(%[[ST:.*]][%[[B:.*]], %[[H:.*]]] : memref<2x4x2xi64>) skip_factors(%{{.*}}[%[[B]], %[[H]]] : memref<2x4xf32, strided<[1, 0]>>)
func.func @runtime_factors(%q: memref<2x4x16x64xf16>, %k: memref<2x2x64x64xf16>,
                           %v: memref<2x2x64x64xf16>, %o: memref<2x4x16x64xf16>,
                           %f: memref<2x4xf32, strided<[1, 0]>>, %st: memref<2x4x2xi64>,
                           %m: memref<32xf32>, %acc: memref<32x64xf32>, %i: index) {
  skipattn.attention ins(%q, %k, %v : memref<2x4x16x64xf16>, memref<2x2x64x64xf16>, memref<2x2x64x64xf16>)
      skip_factors(%f : memref<2x4xf32, strided<[1, 0]>>) outs(%o : memref<2x4x16x64xf16>)
      {skip = #skipattn.skip<threshold_scale_factor = 0.0, min_keep_blocks = 1>}
  skipattn.blocked_kv %j = %i to %i kv_len(%i)
      state(%m, %m, %acc : memref<32xf32>, memref<32xf32>, memref<32x64xf32>)
      stats(%st[%i, %i] : memref<2x4x2xi64>) skip_factors(%f[%i, %i] : memref<2x4xf32, strided<[1, 0]>>)
      attributes {tiling = #skipattn.tiling<block_q = 16, block_kv = 32, heads_per_tile = 2, skip_unit = 16>} {
  }
  return
}

// CHECK-LABEL: func @blocked
// CHECK: skipattn.pack_q %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}] into %{{.*}} {heads = 2 : i64, rows_per_head = 16 : i64, scale = 1.250000e-01 : f32}
// CHECK: skipattn.blocked_kv %[[N:.*]] = %{{.*}} to %{{.*}} kv_len(%{{.*}}) state(%{{.*}}, %{{.*}}, %{{.*}} : memref<32xf32>, memref<32xf32>, memref<32x64xf32>) stats(%{{.*}}[%{{.*}}, %{{.*}}] : memref<1x4x2xi64>)
// CHECK-SAME: tiling = #skipattn.tiling<block_q = 16, block_kv = 32, heads_per_tile = 2, skip_unit = 16>
// CHECK: skipattn.block_scores %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] kv_start(%{{.*}}) kv_len(%{{.*}}) q_pos(%{{.*}}) into %{{.*}} {causal, q_len = 16 : i64, rows_per_head = 16 : i64}
// CHECK: skipattn.skip_predicate %{{.*}}, %{{.*}} log2_lambda(%{{.*}})
// CHECK: skipattn.online_softmax %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] kv_start(%{{.*}}) kv_len(%{{.*}}) state(%{{.*}}, %{{.*}}, %{{.*}})
// CHECK: skipattn.finalize state(%{{.*}}, %{{.*}}, %{{.*}}) into %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}] lse(%{{.*}} : memref<1x4x16xf32>) {rows_per_head = 16 : i64}
func.func @blocked(%q: memref<1x4x16x64xf16>, %k: memref<1x2x64x64xf16>,
                   %v: memref<1x2x64x64xf16>, %o: memref<1x4x16x64xf16>,
                   %lse: memref<1x4x16xf32>, %st: memref<1x4x2xi64>,
                   %qt: memref<32x64xf32>, %s: memref<32x32xf32>,
                   %m: memref<32xf32>, %l: memref<32xf32>, %acc: memref<32x64xf32>,
                   %i: index, %n: index, %len: index, %ll: f32) {
  skipattn.pack_q %q[%i, %i, %i] into %qt {heads = 2 : i64, rows_per_head = 16 : i64, scale = 0.125 : f32}
      : memref<1x4x16x64xf16>, memref<32x64xf32>
  skipattn.blocked_kv %j = %i to %n kv_len(%len)
      state(%m, %l, %acc : memref<32xf32>, memref<32xf32>, memref<32x64xf32>)
      stats(%st[%i, %i] : memref<1x4x2xi64>)
      attributes {tiling = #skipattn.tiling<block_q = 16, block_kv = 32, heads_per_tile = 2, skip_unit = 16>} {
    skipattn.block_scores %qt, %k[%i, %i] kv_start(%j) kv_len(%len) q_pos(%i) into %s
        {causal, q_len = 16 : i64, rows_per_head = 16 : i64}
        : memref<32x64xf32>, memref<1x2x64x64xf16>, memref<32x32xf32>
    %skip = skipattn.skip_predicate %s, %m log2_lambda(%ll) : memref<32x32xf32>, memref<32xf32>
    skipattn.online_softmax %s, %v[%i, %i] kv_start(%j) kv_len(%len) state(%m, %l, %acc)
        : memref<32x32xf32>, memref<1x2x64x64xf16>, memref<32xf32>, memref<32xf32>, memref<32x64xf32>
  }
  skipattn.finalize state(%m, %l, %acc) into %o[%i, %i, %i] lse(%lse : memref<1x4x16xf32>)
      {rows_per_head = 16 : i64} : memref<32xf32>, memref<32xf32>, memref<32x64xf32>, memref<1x4x16x64xf16>
  return
}

// A paged KV cache: 40 pages of 16 keys seen as [P, Hkv, page_size, D]
// (here an NHD cache through its strides), a [B, max_pages] page table.
// CHECK-LABEL: func @paged
// CHECK: skipattn.attention ins({{.*}}) kv_lens(%{{.*}} : memref<2xi32>) page_table(%{{.*}} : memref<2x8xi32>) outs(
func.func @paged(%q: memref<2x8x1x128xbf16>,
    %k: memref<40x2x16x128xbf16, strided<[4096, 128, 256, 1]>>,
    %v: memref<40x2x16x128xbf16, strided<[4096, 128, 256, 1]>>,
    %lens: memref<2xi32>, %table: memref<2x8xi32>,
    %o: memref<2x8x1x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<2x8x1x128xbf16>,
      memref<40x2x16x128xbf16, strided<[4096, 128, 256, 1]>>,
      memref<40x2x16x128xbf16, strided<[4096, 128, 256, 1]>>)
      kv_lens(%lens : memref<2xi32>) page_table(%table : memref<2x8xi32>)
      outs(%o : memref<2x8x1x128xbf16>)
  return
}

// CHECK-LABEL: func @paged_blocks
// CHECK: skipattn.block_scores %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] pages(%{{.*}} : memref<2x8xi32>) kv_start(
// CHECK: skipattn.online_softmax %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] pages(%{{.*}} : memref<2x8xi32>) kv_start(
func.func @paged_blocks(%qt: memref<4x128xf32>, %k: memref<40x2x16x128xbf16>,
    %v: memref<40x2x16x128xbf16>, %t: memref<2x8xi32>, %s: memref<4x64xf32>,
    %m: memref<4xf32>, %l: memref<4xf32>, %acc: memref<4x128xf32>,
    %i: index, %len: index) {
  skipattn.block_scores %qt, %k[%i, %i] pages(%t : memref<2x8xi32>) kv_start(%i) kv_len(%len) q_pos(%i) into %s
      {q_len = 1 : i64, rows_per_head = 1 : i64}
      : memref<4x128xf32>, memref<40x2x16x128xbf16>, memref<4x64xf32>
  skipattn.online_softmax %s, %v[%i, %i] pages(%t : memref<2x8xi32>) kv_start(%i) kv_len(%len) state(%m, %l, %acc)
      : memref<4x64xf32>, memref<40x2x16x128xbf16>, memref<4xf32>, memref<4xf32>, memref<4x128xf32>
  return
}
