// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule{block-q=96}))'

// Requested tiles are checked like chosen ones: query rows come in whole
// math warpgroups of 64.
func.func @rows(%q: memref<1x2x300x128xbf16>, %k: memref<1x2x700x128xbf16>,
                %v: memref<1x2x700x128xbf16>, %o: memref<1x2x300x128xbf16>) {
  // expected-error @+1 {{block_q must be a positive multiple of 64 (one math warpgroup each), got 96}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x300x128xbf16>, memref<1x2x700x128xbf16>, memref<1x2x700x128xbf16>)
      outs(%o : memref<1x2x300x128xbf16>)
  return
}
