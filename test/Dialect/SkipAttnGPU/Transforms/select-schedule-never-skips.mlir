// RUN: skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule{gate-v=1}))' | FileCheck %s

// A compiled-in factor of at least the KV length gives lambda >= 1 for
// every sequence: nothing can be skipped and the body folds to a dense
// one, so the schedule is the dense one (192-key causal blocks) and V is
// not gated on votes that will never be cast, even when gated V is asked
// for.
// CHECK-LABEL: func.func @never
// CHECK: skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 192
// CHECK-NOT: gate_v
// CHECK: return
func.func @never(%q: memref<1x2x2048x128xbf16>, %k: memref<1x2x2048x128xbf16>,
                 %v: memref<1x2x2048x128xbf16>, %o: memref<1x2x2048x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x2048x128xbf16>, memref<1x2x2048x128xbf16>, memref<1x2x2048x128xbf16>)
      outs(%o : memref<1x2x2048x128xbf16>)
      {causal, skip = #skipattn.skip<threshold_scale_factor = 2.048e3, min_keep_blocks = 1>}
  return
}

// -----

// Below the length it may skip: 128-key blocks with V gated as asked.
// CHECK-LABEL: func.func @may
// CHECK: skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128
// CHECK-SAME: gate_v = true
func.func @may(%q: memref<1x2x2048x128xbf16>, %k: memref<1x2x2048x128xbf16>,
               %v: memref<1x2x2048x128xbf16>, %o: memref<1x2x2048x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x2048x128xbf16>, memref<1x2x2048x128xbf16>, memref<1x2x2048x128xbf16>)
      outs(%o : memref<1x2x2048x128xbf16>)
      {causal, skip = #skipattn.skip<threshold_scale_factor = 2.047e3, min_keep_blocks = 1>}
  return
}
