// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule{overlap=1}))'

// Asked for with skip decisions: the probabilities would pass through a
// branch while P.V(n - 1) reads them, which ptxas does not keep apart.
func.func @skipping(%q: memref<1x2x300x128xbf16>, %k: memref<1x2x700x128xbf16>,
                    %v: memref<1x2x700x128xbf16>, %o: memref<1x2x300x128xbf16>) {
  // expected-error @+1 {{overlap needs dense attention (no skip decisions) on the warp-specialized schedule without gated V, the conditional rescale or V inside K}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x300x128xbf16>, memref<1x2x700x128xbf16>, memref<1x2x700x128xbf16>)
      outs(%o : memref<1x2x300x128xbf16>)
      {skip = #skipattn.skip<threshold_scale_factor = 1.0e2, min_keep_blocks = 1>}
  return
}

// -----

// The schedule attribute itself: the overlap needs a load role and none of
// gated V, the conditional rescale, a value split or V inside K.
// expected-error @+1 {{overlap needs the wgmma schedule with a load role, without gated V, the conditional rescale, a value split or V inside K}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 24>], gate_v = true, overlap = true>} { return }

// -----

// expected-error @+1 {{overlap needs the wgmma schedule with a load role}}
func.func @f() attributes {a = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>], overlap = true>} { return }
