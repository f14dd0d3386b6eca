// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule{ctas-per-sm=2 warp-specialize=false}))'

// Two CTAs per SM are fitted with the load role's and math role's
// register budgets: the one-role schedule has none to halve.
func.func @one_role(%q: memref<1x8x1x128xbf16>, %k: memref<1x2x4096x128xbf16>,
                    %v: memref<1x2x4096x128xbf16>, %o: memref<1x8x1x128xbf16>) {
  // expected-error @+1 {{two CTAs per SM need the warp-specialized schedule of one math warpgroup (decode)}}
  skipattn.attention ins(%q, %k, %v : memref<1x8x1x128xbf16>, memref<1x2x4096x128xbf16>, memref<1x2x4096x128xbf16>)
      outs(%o : memref<1x8x1x128xbf16>)
  return
}
