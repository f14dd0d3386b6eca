// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule))' | FileCheck %s
// RUN: not skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule{warp-specialize=false}))' -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOWS
// RUN: not skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule{chip=sm_100a}))' -o /dev/null 2>&1 | FileCheck %s --check-prefix=SM100

// V inside K (MLA, 576-wide keys, values their first 512 columns): one row
// block of 64 packed heads, two math warpgroups splitting the value
// columns (232 registers; the load role keeps 40), 64-key blocks in two
// stages, no gated V even when skipping (V is read with K). The
// warp-specialized schedule is needed, and sm_100a has no such schedule.

// CHECK-LABEL: func.func @mla
// CHECK: block_q = 64, block_kv = 64, head_dim = 576, stages = 2, skip_unit = 64
// CHECK-SAME: max_nreg = 232
// CHECK-SAME: max_nreg = 40
// CHECK-NOT: gate_v
// CHECK-SAME: value_dim = 512, value_split = 2, value_in_key = true>
// NOWS: a value split over warpgroups needs the warp-specialized schedule and one CTA per SM
// SM100: the sm_100a kernel has no V-inside-K (MLA) schedule
func.func @mla(%q: memref<2x64x1x576xbf16>, %k: memref<2x1x1024x576xbf16>,
               %v: memref<2x1x1024x512xbf16, strided<[589824, 589824, 576, 1]>>,
               %o: memref<2x64x1x512xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<2x64x1x576xbf16>, memref<2x1x1024x576xbf16>, memref<2x1x1024x512xbf16, strided<[589824, 589824, 576, 1]>>)
      outs(%o : memref<2x64x1x512xbf16>)
      {value_in_key, skip = #skipattn.skip<threshold_scale_factor = 3.0e2, min_keep_blocks = 1>}
  return
}

// -----

// A schedule written on the op must agree with the attention's V.
func.func @not_in_key(%q: memref<1x4x1x128xbf16>, %k: memref<1x1x512x128xbf16>,
                      %v: memref<1x1x512x128xbf16>, %o: memref<1x4x1x128xbf16>) {
  // expected-error @+1 {{the schedule reads V inside K; the attention's V is not inside K}}
  skipattn.attention ins(%q, %k, %v : memref<1x4x1x128xbf16>, memref<1x1x512x128xbf16>, memref<1x1x512x128xbf16>)
      outs(%o : memref<1x4x1x128xbf16>)
      {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 56>], value_in_key = true>}
  return
}

// -----

func.func @other_value_dim(%q: memref<1x16x1x576xbf16>, %k: memref<1x1x512x576xbf16>,
                           %v: memref<1x1x512x512xbf16, strided<[294912, 294912, 576, 1]>>,
                           %o: memref<1x16x1x512xbf16>) {
  // expected-error @+1 {{the schedule is for value_dim 256, the attention has 512}}
  skipattn.attention ins(%q, %k, %v : memref<1x16x1x576xbf16>, memref<1x1x512x576xbf16>, memref<1x1x512x512xbf16, strided<[294912, 294912, 576, 1]>>)
      outs(%o : memref<1x16x1x512xbf16>)
      {value_in_key, skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 64, head_dim = 576, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 4, num_warps = 4, max_nreg = 56>], value_dim = 256, value_in_key = true>}
  return
}
