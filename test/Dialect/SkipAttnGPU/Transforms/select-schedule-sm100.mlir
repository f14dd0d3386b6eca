// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule{chip=sm_100a}))' | FileCheck %s
// RUN: not skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule{chip=sm_100a pingpong=true}))' -o /dev/null 2>&1 | FileCheck %s --check-prefix=REQ

// sm_100a: two 128-row math warpgroups, 128-key blocks, the warp's 32 rows
// as skip unit, a correction warpgroup (O's rescale), a producer
// warpgroup, gated V; the K/V ring takes what Q
// leaves (2 stages at D = 128, 4 at D = 64). Hand-written schedules are
// checked against the chip; sm_90a-only requests are refused.
// CHECK-LABEL: func.func @d128
// CHECK: tiling = #skipattn.tiling<block_q = 256, block_kv = 128
// CHECK: skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 256, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 32
// CHECK-SAME: name = "math", first_warp = 0, num_warps = 8, max_nreg = 208
// CHECK-SAME: name = "correction", first_warp = 8, num_warps = 4, max_nreg = 40
// CHECK-SAME: name = "producer", first_warp = 12, num_warps = 4, max_nreg = 56
// CHECK-SAME: gate_v = true
// REQ: the sm_100a schedule is warp-specialized with V gated on the votes; pingpong, split-KV, two CTAs per SM and ungated V are sm_90a options
func.func @d128(%q: memref<1x2x512x128xbf16>, %k: memref<1x2x1024x128xbf16>,
                %v: memref<1x2x1024x128xbf16>, %o: memref<1x2x512x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x512x128xbf16>, memref<1x2x1024x128xbf16>, memref<1x2x1024x128xbf16>)
      outs(%o : memref<1x2x512x128xbf16>)
  return
}

// -----

// CHECK-LABEL: func.func @d64
// CHECK: head_dim = 64, stages = 4, skip_unit = 32
func.func @d64(%q: memref<1x2x512x64xbf16>, %k: memref<1x2x1024x64xbf16>,
                %v: memref<1x2x1024x64xbf16>, %o: memref<1x2x512x64xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x512x64xbf16>, memref<1x2x1024x64xbf16>, memref<1x2x1024x64xbf16>)
      outs(%o : memref<1x2x512x64xbf16>)
  return
}

// -----

func.func @d256(%q: memref<1x2x512x256xbf16>, %k: memref<1x2x1024x256xbf16>,
                %v: memref<1x2x1024x256xbf16>, %o: memref<1x2x512x256xbf16>) {
  // expected-error @+1 {{the sm_100a kernel supports head_dim 64 and 128 (S and O of two warpgroups in 512 columns of tensor memory), not 256}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x512x256xbf16>, memref<1x2x1024x256xbf16>, memref<1x2x1024x256xbf16>)
      outs(%o : memref<1x2x512x256xbf16>)
  return
}

// -----

func.func @wgmma(%q: memref<1x2x512x128xbf16>, %k: memref<1x2x1024x128xbf16>,
                %v: memref<1x2x1024x128xbf16>, %o: memref<1x2x512x128xbf16>) {
  // expected-error @+1 {{sm_100a kernels use tcgen05 (mma = tcgen05)}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x512x128xbf16>, memref<1x2x1024x128xbf16>, memref<1x2x1024x128xbf16>)
      outs(%o : memref<1x2x512x128xbf16>) {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>]>}
  return
}

// -----

func.func @regs(%q: memref<1x2x512x128xbf16>, %k: memref<1x2x1024x128xbf16>,
                %v: memref<1x2x1024x128xbf16>, %o: memref<1x2x512x128xbf16>) {
  // expected-error @+1 {{the math role needs at least 208 registers (a row of S and of P), the correction and producer roles a budget}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x512x128xbf16>, memref<1x2x1024x128xbf16>, memref<1x2x1024x128xbf16>)
      outs(%o : memref<1x2x512x128xbf16>) {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 256, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 192>, #skipattn_gpu.role<name = "correction", first_warp = 8, num_warps = 4, max_nreg = 40>, #skipattn_gpu.role<name = "producer", first_warp = 12, num_warps = 4, max_nreg = 64>], gate_v = true>}
  return
}

// -----

func.func @over(%q: memref<1x2x512x128xbf16>, %k: memref<1x2x1024x128xbf16>,
                %v: memref<1x2x1024x128xbf16>, %o: memref<1x2x512x128xbf16>) {
  // expected-error @+1 {{role registers (74752) exceed the 65536 of an SM}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x512x128xbf16>, memref<1x2x1024x128xbf16>, memref<1x2x1024x128xbf16>)
      outs(%o : memref<1x2x512x128xbf16>) {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 256, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>, #skipattn_gpu.role<name = "correction", first_warp = 8, num_warps = 4, max_nreg = 40>, #skipattn_gpu.role<name = "producer", first_warp = 12, num_warps = 4, max_nreg = 64>], gate_v = true>}
  return
}

// -----

func.func @extra(%q: memref<1x2x512x128xbf16>, %k: memref<1x2x1024x128xbf16>,
                %v: memref<1x2x1024x128xbf16>, %o: memref<1x2x512x128xbf16>) {
  // expected-error @+1 {{the sm_100a lowering builds the roles 'math', 'correction' and 'producer'; got 'spare'}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x512x128xbf16>, memref<1x2x1024x128xbf16>, memref<1x2x1024x128xbf16>)
      outs(%o : memref<1x2x512x128xbf16>) {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 256, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 224>, #skipattn_gpu.role<name = "producer", first_warp = 8, num_warps = 4, max_nreg = 64>, #skipattn_gpu.role<name = "spare", first_warp = 12, num_warps = 4, max_nreg = 0>], gate_v = true>}
  return
}

// -----

func.func @order(%q: memref<1x2x512x128xbf16>, %k: memref<1x2x1024x128xbf16>,
                %v: memref<1x2x1024x128xbf16>, %o: memref<1x2x512x128xbf16>) {
  // expected-error @+1 {{the math role starts at warp 0, a correction warpgroup follows it and a producer warpgroup follows that}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x512x128xbf16>, memref<1x2x1024x128xbf16>, memref<1x2x1024x128xbf16>)
      outs(%o : memref<1x2x512x128xbf16>) {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 256, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "producer", first_warp = 0, num_warps = 4, max_nreg = 64>, #skipattn_gpu.role<name = "math", first_warp = 4, num_warps = 8, max_nreg = 224>], gate_v = true>}
  return
}
