// The kernel level refuses the overlap on a body with skip decisions (the
// selection never picks it there; a schedule written on the op is only
// verified): the probabilities would reach the next iteration through a
// branch while P.V(n - 1) still reads their registers.
// RUN: skipattn-opt %s --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule,skipattn-tile,skipattn-insert-skip-predicates{skip-unit=64},canonicalize,cse),convert-skipattn-to-skipattn-gpu)'

func.func @attn(%q: memref<1x2x512x128xbf16>, %k: memref<1x2x512x128xbf16>,
                %v: memref<1x2x512x128xbf16>, %o: memref<1x2x512x128xbf16>) {
  // expected-error @+1 {{overlap is for dense bodies: a skip decision would carry the probabilities through a branch, where ptxas does not keep P.V(n - 1)'s operand registers apart}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x512x128xbf16>, memref<1x2x512x128xbf16>, memref<1x2x512x128xbf16>)
      outs(%o : memref<1x2x512x128xbf16>)
      {skip = #skipattn.skip<threshold_scale_factor = 1.0e2, min_keep_blocks = 1>,
       skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 24>], overlap = true>}
  return
}
