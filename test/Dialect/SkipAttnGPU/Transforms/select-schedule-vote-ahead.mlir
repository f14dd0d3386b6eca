// RUN: skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule))' | FileCheck %s
// RUN: skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule{vote-ahead=1}))' | FileCheck %s --check-prefix=ONE
// RUN: not skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule{vote-ahead=3}))' 2>&1 | FileCheck %s --check-prefix=THREE

// How far a skipping decode votes ahead of its P.V by default: two blocks
// where the math warpgroup's registers hold two carried probability tiles
// (a 64 x 128 accumulator, lengths fixed at compile time); one with lengths
// read at launch or a 64 x 256 accumulator, and none for dense decode
// (no votes) or prefill. A request overrides it; three blocks need a
// fourth stage that these rings lack.

// CHECK-LABEL: func.func @static_lengths
// CHECK: stages = 3
// CHECK-SAME: gate_v = true
// CHECK-SAME: vote_ahead = 2
// ONE-LABEL: func.func @static_lengths
// ONE: vote_ahead = 1
// THREE: vote_ahead needs gated V on wgmma with one math warpgroup (block_q = 64: the decode schedule), more stages than blocks it votes ahead
func.func @static_lengths(%q: memref<4x32x1x128xbf16>, %k: memref<4x8x8192x128xbf16>,
                          %v: memref<4x8x8192x128xbf16>, %o: memref<4x32x1x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<4x32x1x128xbf16>, memref<4x8x8192x128xbf16>, memref<4x8x8192x128xbf16>)
      outs(%o : memref<4x32x1x128xbf16>)
      {skip = #skipattn.skip<threshold_scale_factor = 1.0e2, min_keep_blocks = 1>}
  return
}

// -----

// CHECK-LABEL: func.func @kv_lens
// CHECK: gate_v = true
// CHECK-SAME: vote_ahead = 1
func.func @kv_lens(%q: memref<4x32x1x128xbf16>, %k: memref<4x8x8192x128xbf16>,
                   %v: memref<4x8x8192x128xbf16>, %lens: memref<4xi32>,
                   %o: memref<4x32x1x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<4x32x1x128xbf16>, memref<4x8x8192x128xbf16>, memref<4x8x8192x128xbf16>)
      kv_lens(%lens : memref<4xi32>) outs(%o : memref<4x32x1x128xbf16>)
      {skip = #skipattn.skip<threshold_scale_factor = 1.0e2, min_keep_blocks = 1>}
  return
}

// -----

// CHECK-LABEL: func.func @wide_value
// CHECK: gate_v = true
// CHECK-SAME: vote_ahead = 1
func.func @wide_value(%q: memref<4x32x1x256xbf16>, %k: memref<4x8x8192x256xbf16>,
                      %v: memref<4x8x8192x256xbf16>, %o: memref<4x32x1x256xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<4x32x1x256xbf16>, memref<4x8x8192x256xbf16>, memref<4x8x8192x256xbf16>)
      outs(%o : memref<4x32x1x256xbf16>)
      {skip = #skipattn.skip<threshold_scale_factor = 1.0e2, min_keep_blocks = 1>}
  return
}

// -----

// CHECK-LABEL: func.func @dense_decode
// CHECK-NOT: vote_ahead
// CHECK: return
func.func @dense_decode(%q: memref<4x32x1x128xbf16>, %k: memref<4x8x8192x128xbf16>,
                        %v: memref<4x8x8192x128xbf16>, %o: memref<4x32x1x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<4x32x1x128xbf16>, memref<4x8x8192x128xbf16>, memref<4x8x8192x128xbf16>)
      outs(%o : memref<4x32x1x128xbf16>)
  return
}

// -----

// Left-padded speculative queries (q_lens) and a page table also give each
// row a limit read at launch.
// CHECK-LABEL: func.func @paged_q_lens
// CHECK: gate_v = true
// CHECK-SAME: vote_ahead = 1
func.func @paged_q_lens(%q: memref<4x32x4x128xbf16>,
                        %k: memref<2050x8x16x128xbf16, strided<[16384, 128, 1024, 1]>>,
                        %v: memref<2050x8x16x128xbf16, strided<[16384, 128, 1024, 1]>>,
                        %lens: memref<4xi32>, %table: memref<4x512xi32>,
                        %qlens: memref<4xi32>, %o: memref<4x32x4x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<4x32x4x128xbf16>,
      memref<2050x8x16x128xbf16, strided<[16384, 128, 1024, 1]>>,
      memref<2050x8x16x128xbf16, strided<[16384, 128, 1024, 1]>>)
      kv_lens(%lens : memref<4xi32>) page_table(%table : memref<4x512xi32>)
      q_lens(%qlens : memref<4xi32>) outs(%o : memref<4x32x4x128xbf16>)
      {causal, skip = #skipattn.skip<threshold_scale_factor = 1.0e2, min_keep_blocks = 1>}
  return
}
