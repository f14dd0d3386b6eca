// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule))' | FileCheck %s

// D = 128: two math warpgroups and a load warpgroup that gives them its
// registers, 128-key blocks, two-stage rings; the tiling skipattn-tile will
// use is recorded next to it. P.V(n - 1) overlaps block n's softmax
// (overlap).
// CHECK-LABEL: func.func @d128
// CHECK: skipattn.attention
// CHECK-SAME: skipattn.tiling = #skipattn.tiling<block_q = 128, block_kv = 128, heads_per_tile = 1, skip_unit = 0>
// CHECK-SAME: skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 24>], overlap = true, tma_store = true>
func.func @d128(%q: memref<1x2x300x128xbf16>, %k: memref<1x2x700x128xbf16>,
                %v: memref<1x2x700x128xbf16>, %o: memref<1x2x300x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x300x128xbf16>, memref<1x2x700x128xbf16>, memref<1x2x700x128xbf16>)
      outs(%o : memref<1x2x300x128xbf16>)
  return
}

// -----

// Dense causal prefill at D = 128 runs the loop without the overlap on
// 192-key blocks; with skip decisions the blocks stay 128 keys.
// CHECK-LABEL: func.func @d128_causal
// CHECK: skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 192, head_dim = 128, stages = 2
// CHECK-NOT: overlap
// CHECK-SAME: tma_store = true>
func.func @d128_causal(%q: memref<1x2x300x128xbf16>, %k: memref<1x2x700x128xbf16>,
                       %v: memref<1x2x700x128xbf16>, %o: memref<1x2x300x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x300x128xbf16>, memref<1x2x700x128xbf16>, memref<1x2x700x128xbf16>)
      outs(%o : memref<1x2x300x128xbf16>) {causal}
  return
}

// -----

// CHECK-LABEL: func.func @d128_causal_skipping
// CHECK: skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2
func.func @d128_causal_skipping(%q: memref<1x2x300x128xbf16>, %k: memref<1x2x700x128xbf16>,
                                %v: memref<1x2x700x128xbf16>, %o: memref<1x2x300x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x300x128xbf16>, memref<1x2x700x128xbf16>, memref<1x2x700x128xbf16>)
      outs(%o : memref<1x2x300x128xbf16>)
      {causal, skip = #skipattn.skip<threshold_scale_factor = 1.0e2, min_keep_blocks = 1>}
  return
}

// -----

// D = 256: the 64x256 accumulator takes half the registers, so KV blocks
// are 64 keys.
// CHECK-LABEL: func.func @d256
// CHECK: skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 64, head_dim = 256, stages = 2
func.func @d256(%q: memref<1x2x300x256xf16>, %k: memref<1x2x700x256xf16>,
                %v: memref<1x2x700x256xf16>, %o: memref<1x2x300x256xf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x300x256xf16>, memref<1x2x700x256xf16>, memref<1x2x700x256xf16>)
      outs(%o : memref<1x2x300x256xf16>)
  return
}

// -----

// A hand-written schedule wins (here: a three-stage ring of 64-key blocks)
// and the tiling follows it.
// CHECK-LABEL: func.func @hand
// CHECK: skipattn.tiling = #skipattn.tiling<block_q = 64, block_kv = 64
// CHECK-SAME: block_q = 64, block_kv = 64, head_dim = 64, stages = 3
func.func @hand(%q: memref<1x2x300x64xbf16>, %k: memref<1x2x700x64xbf16>,
                %v: memref<1x2x700x64xbf16>, %o: memref<1x2x300x64xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x300x64xbf16>, memref<1x2x700x64xbf16>, memref<1x2x700x64xbf16>)
      outs(%o : memref<1x2x300x64xbf16>)
      {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 3, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>}
  return
}

// -----

func.func @f32(%q: memref<1x2x128x64xf32>, %k: memref<1x2x256x64xf32>,
               %v: memref<1x2x256x64xf32>, %o: memref<1x2x128x64xf32>) {
  // expected-error @+1 {{GPU kernels take f16 or bf16 inputs}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x128x64xf32>, memref<1x2x256x64xf32>, memref<1x2x256x64xf32>)
      outs(%o : memref<1x2x128x64xf32>)
  return
}

// -----

func.func @d96(%q: memref<1x2x128x96xbf16>, %k: memref<1x2x256x96xbf16>,
               %v: memref<1x2x256x96xbf16>, %o: memref<1x2x128x96xbf16>) {
  // expected-error @+1 {{the sm_90a kernel supports head_dim 64, 128 and 256 (and up to 576 with V inside K), not 96}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x128x96xbf16>, memref<1x2x256x96xbf16>, memref<1x2x256x96xbf16>)
      outs(%o : memref<1x2x128x96xbf16>)
  return
}

// -----

func.func @dv(%q: memref<1x2x128x128xbf16>, %k: memref<1x2x256x128xbf16>,
              %v: memref<1x2x256x64xbf16>, %o: memref<1x2x128x64xbf16>) {
  // expected-error @+1 {{the sm_90a kernel needs value_dim == head_dim}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x128x128xbf16>, memref<1x2x256x128xbf16>, memref<1x2x256x64xbf16>)
      outs(%o : memref<1x2x128x64xbf16>)
  return
}

// -----

func.func @wrongdim(%q: memref<1x2x128x64xbf16>, %k: memref<1x2x256x64xbf16>,
                    %v: memref<1x2x256x64xbf16>, %o: memref<1x2x128x64xbf16>) {
  // expected-error @+1 {{the schedule is for head_dim 128, the attention has 64}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x128x64xbf16>, memref<1x2x256x64xbf16>, memref<1x2x256x64xbf16>)
      outs(%o : memref<1x2x128x64xbf16>)
      {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>]>}
  return
}

// -----

func.func @bkv(%q: memref<1x2x128x64xbf16>, %k: memref<1x2x256x64xbf16>,
               %v: memref<1x2x256x64xbf16>, %o: memref<1x2x128x64xbf16>) {
  // expected-error @+1 {{block_kv must be a multiple of 16 in [64, 256], got 32}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x128x64xbf16>, memref<1x2x256x64xbf16>, memref<1x2x256x64xbf16>)
      outs(%o : memref<1x2x128x64xbf16>)
      {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 32, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>]>}
  return
}

// -----

func.func @regs(%q: memref<1x2x128x256xbf16>, %k: memref<1x2x256x256xbf16>,
                %v: memref<1x2x256x256xbf16>, %o: memref<1x2x128x256xbf16>) {
  // expected-error @+1 {{a 64x256 accumulator with 128-key blocks does not fit the math role's 255 registers; use smaller KV blocks}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x128x256xbf16>, memref<1x2x256x256xbf16>, memref<1x2x256x256xbf16>)
      outs(%o : memref<1x2x128x256xbf16>)
      {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 256, stages = 1, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>]>}
  return
}

// -----

func.func @smem(%q: memref<1x2x128x128xbf16>, %k: memref<1x2x256x128xbf16>,
                %v: memref<1x2x256x128xbf16>, %o: memref<1x2x128x128xbf16>) {
  // expected-error @+1 {{the schedule needs 295936 bytes of shared memory; sm_90a has 232448}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x128x128xbf16>, memref<1x2x256x128xbf16>, memref<1x2x256x128xbf16>)
      outs(%o : memref<1x2x128x128xbf16>)
      {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 4, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>]>}
  return
}

// -----

func.func @roles(%q: memref<1x2x128x128xbf16>, %k: memref<1x2x256x128xbf16>,
                 %v: memref<1x2x256x128xbf16>, %o: memref<1x2x128x128xbf16>) {
  // expected-error @+1 {{the sm_90a lowering builds the roles 'math' and optionally one 'load'; got 'epilogue'}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x128x128xbf16>, memref<1x2x256x128xbf16>, memref<1x2x256x128xbf16>)
      outs(%o : memref<1x2x128x128xbf16>)
      {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>, #skipattn_gpu.role<name = "epilogue", first_warp = 8, num_warps = 4, max_nreg = 0>]>}
  return
}

// -----

func.func @budget(%q: memref<1x2x128x128xbf16>, %k: memref<1x2x256x128xbf16>,
                  %v: memref<1x2x256x128xbf16>, %o: memref<1x2x128x128xbf16>) {
  // expected-error @+1 {{role registers (67584) exceed the 65536 of an SM}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x128x128xbf16>, memref<1x2x256x128xbf16>, memref<1x2x256x128xbf16>)
      outs(%o : memref<1x2x128x128xbf16>)
      {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 248>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 32>]>}
  return
}

// -----

func.func @loadplace(%q: memref<1x2x128x128xbf16>, %k: memref<1x2x256x128xbf16>,
                     %v: memref<1x2x256x128xbf16>, %o: memref<1x2x128x128xbf16>) {
  // expected-error @+1 {{the math role starts at warp 0}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x128x128xbf16>, memref<1x2x256x128xbf16>, memref<1x2x256x128xbf16>)
      outs(%o : memref<1x2x128x128xbf16>)
      {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "load", first_warp = 0, num_warps = 4, max_nreg = 24>, #skipattn_gpu.role<name = "math", first_warp = 4, num_warps = 8, max_nreg = 240>]>}
  return
}

// -----

func.func @tensor(%q: tensor<1x2x128x64xbf16>, %k: tensor<1x2x256x64xbf16>,
                  %v: tensor<1x2x256x64xbf16>, %o: tensor<1x2x128x64xbf16>) -> tensor<1x2x128x64xbf16> {
  // expected-error @+1 {{schedule selection expects the memref form}}
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x2x128x64xbf16>, tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>)
      outs(%o : tensor<1x2x128x64xbf16>) -> tensor<1x2x128x64xbf16>
  return %r : tensor<1x2x128x64xbf16>
}

// -----

func.func @nregalone(%q: memref<1x2x128x128xbf16>, %k: memref<1x2x256x128xbf16>,
                    %v: memref<1x2x256x128xbf16>, %o: memref<1x2x128x128xbf16>) {
  // expected-error @+1 {{max_nreg is for schedules with a load role}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x128x128xbf16>, memref<1x2x256x128xbf16>, memref<1x2x256x128xbf16>)
      outs(%o : memref<1x2x128x128xbf16>)
      {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>]>}
  return
}

// -----

func.func @loadafter(%q: memref<1x2x128x128xbf16>, %k: memref<1x2x256x128xbf16>,
                    %v: memref<1x2x256x128xbf16>, %o: memref<1x2x128x128xbf16>) {
  // expected-error @+1 {{the load role is one warpgroup after the math warps}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x128x128xbf16>, memref<1x2x256x128xbf16>, memref<1x2x256x128xbf16>)
      outs(%o : memref<1x2x128x128xbf16>)
      {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 8, max_nreg = 24>]>}
  return
}

// -----

func.func @loadnreg(%q: memref<1x2x128x128xbf16>, %k: memref<1x2x256x128xbf16>,
                   %v: memref<1x2x256x128xbf16>, %o: memref<1x2x128x128xbf16>) {
  // expected-error @+1 {{a load role needs max_nreg on both roles}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x128x128xbf16>, memref<1x2x256x128xbf16>, memref<1x2x256x128xbf16>)
      outs(%o : memref<1x2x128x128xbf16>)
      {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 24>]>}
  return
}

// -----

func.func @heads_divide(%q: memref<1x6x1x64xbf16>, %k: memref<1x2x512x64xbf16>,
    %v: memref<1x2x512x64xbf16>, %o: memref<1x6x1x64xbf16>) {
  // expected-error @+1 {{packed heads (2) must divide the 3 query heads of a KV head}}
  skipattn.attention ins(%q, %k, %v : memref<1x6x1x64xbf16>, memref<1x2x512x64xbf16>, memref<1x2x512x64xbf16>)
      outs(%o : memref<1x6x1x64xbf16>)
      {skip = #skipattn.skip<threshold_scale_factor = 1.0e2, min_keep_blocks = 1>, skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], heads = 2>}
  return
}

// -----

func.func @per_head_factors(%q: memref<1x8x1x64xbf16>, %k: memref<1x2x512x64xbf16>,
    %v: memref<1x2x512x64xbf16>, %o: memref<1x8x1x64xbf16>, %f: memref<1x8xf32>) {
  // expected-error @+1 {{per-head skip factors need one head per skip unit; packed heads share one}}
  skipattn.attention ins(%q, %k, %v : memref<1x8x1x64xbf16>, memref<1x2x512x64xbf16>, memref<1x2x512x64xbf16>) skip_factors(%f : memref<1x8xf32>)
      outs(%o : memref<1x8x1x64xbf16>)
      {skip = #skipattn.skip<threshold_scale_factor = 0.0, min_keep_blocks = 1>, skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], heads = 4>}
  return
}

// -----

func.func @gate_dense(%q: memref<1x8x1x64xbf16>, %k: memref<1x2x512x64xbf16>,
    %v: memref<1x2x512x64xbf16>, %o: memref<1x8x1x64xbf16>) {
  // expected-error @+1 {{gate_v waits for skip votes; a dense kernel casts none}}
  skipattn.attention ins(%q, %k, %v : memref<1x8x1x64xbf16>, memref<1x2x512x64xbf16>, memref<1x2x512x64xbf16>)
      outs(%o : memref<1x8x1x64xbf16>)
      {skip = #skipattn.skip<threshold_scale_factor = 0.0, min_keep_blocks = 1>, skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], gate_v = true>}
  return
}

// -----

// Two CTAs per SM share its shared memory and registers.
func.func @two_ctas_smem(%q: memref<1x8x1x128xbf16>, %k: memref<1x2x4096x128xbf16>,
                         %v: memref<1x2x4096x128xbf16>, %o: memref<1x8x1x128xbf16>) {
  // expected-error @+1 {{2 CTAs of 148480 bytes of shared memory (and 1024 reserved each) do not fit an SM's 233472}}
  skipattn.attention ins(%q, %k, %v : memref<1x8x1x128xbf16>, memref<1x2x4096x128xbf16>, memref<1x2x4096x128xbf16>)
      outs(%o : memref<1x8x1x128xbf16>)
      {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 232>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], heads = 4, ctas_per_sm = 2>}
  return
}

// -----

func.func @two_ctas_registers(%q: memref<1x8x1x128xbf16>, %k: memref<1x2x4096x128xbf16>,
                              %v: memref<1x2x4096x128xbf16>, %o: memref<1x8x1x128xbf16>) {
  // expected-error @+1 {{role registers (67584 for 2 CTAs per SM) exceed the 65536 of an SM}}
  skipattn.attention ins(%q, %k, %v : memref<1x8x1x128xbf16>, memref<1x2x4096x128xbf16>, memref<1x2x4096x128xbf16>)
      outs(%o : memref<1x8x1x128xbf16>)
      {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 24>], heads = 4, ctas_per_sm = 2>}
  return
}
