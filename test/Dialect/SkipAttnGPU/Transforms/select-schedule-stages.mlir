// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule{stages=3}))' | FileCheck %s
// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule{stages=3 warp-specialize=false}))' | FileCheck %s --check-prefix=ONE
// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule{stages=3 pingpong=true}))' | FileCheck %s --check-prefix=PP

// A requested ring depth replaces the schedule's default ...
// CHECK-LABEL: func.func @d128
// CHECK: block_q = 128, block_kv = 128, head_dim = 128, stages = 3
// CHECK-SAME: #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 24>
// Pingpong is asked for; it needs the load role.
// PP-LABEL: func.func @d128
// PP: max_nreg = 24>], pingpong = true, overlap = true, tma_store = true>
// Without warp specialization the math role is the whole CTA.
// ONE-LABEL: func.func @d128
// ONE: stages = 3, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>], tma_store = true>
func.func @d128(%q: memref<1x2x300x128xbf16>, %k: memref<1x2x700x128xbf16>,
                %v: memref<1x2x700x128xbf16>, %o: memref<1x2x300x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x300x128xbf16>, memref<1x2x700x128xbf16>, memref<1x2x700x128xbf16>)
      outs(%o : memref<1x2x300x128xbf16>)
  return
}

// -----

// ... but not a hand-written schedule's.
// CHECK-LABEL: func.func @hand
// CHECK: block_q = 64, block_kv = 64, head_dim = 64, stages = 4
func.func @hand(%q: memref<1x2x300x64xbf16>, %k: memref<1x2x700x64xbf16>,
                %v: memref<1x2x700x64xbf16>, %o: memref<1x2x300x64xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x300x64xbf16>, memref<1x2x700x64xbf16>, memref<1x2x700x64xbf16>)
      outs(%o : memref<1x2x300x64xbf16>)
      {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 4, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>}
  return
}

// -----

// Three stages of 64x256 K and V tiles do not fit next to Q.
func.func @d256(%q: memref<1x2x300x256xf16>, %k: memref<1x2x700x256xf16>,
                %v: memref<1x2x700x256xf16>, %o: memref<1x2x300x256xf16>) {
  // expected-error @+1 {{the schedule needs 263168 bytes of shared memory; sm_90a has 232448}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x300x256xf16>, memref<1x2x700x256xf16>, memref<1x2x700x256xf16>)
      outs(%o : memref<1x2x300x256xf16>)
  return
}
