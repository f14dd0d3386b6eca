// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule))' | FileCheck %s
// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule{overlap=0}))' | FileCheck %s --check-prefix=OFF

// Intra-warpgroup overlap is the default for dense non-causal prefill
// with two math warpgroups (D = 128 and 256), and `overlap=0` turns it
// off.
// CHECK-LABEL: func.func @dense
// CHECK: block_q = 128, block_kv = 128, head_dim = 128
// CHECK-SAME: overlap = true
// OFF-LABEL: func.func @dense
// OFF-NOT: overlap = true
func.func @dense(%q: memref<1x2x300x128xbf16>, %k: memref<1x2x700x128xbf16>,
                 %v: memref<1x2x700x128xbf16>, %o: memref<1x2x300x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x300x128xbf16>, memref<1x2x700x128xbf16>, memref<1x2x700x128xbf16>)
      outs(%o : memref<1x2x300x128xbf16>)
  return
}

// -----

// Not for causal attention (measured slower), unless asked for.
// CHECK-LABEL: func.func @causal
// CHECK-NOT: overlap = true
// OFF-LABEL: func.func @causal
// OFF-NOT: overlap = true
func.func @causal(%q: memref<1x2x300x128xbf16>, %k: memref<1x2x700x128xbf16>,
                  %v: memref<1x2x700x128xbf16>, %o: memref<1x2x300x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x300x128xbf16>, memref<1x2x700x128xbf16>, memref<1x2x700x128xbf16>)
      outs(%o : memref<1x2x300x128xbf16>) {causal}
  return
}

// -----

// Not with skip decisions, not with D = 64's three math warpgroups (they
// would spill), not for decode.
// CHECK-LABEL: func.func @skipping
// CHECK-NOT: overlap = true
// CHECK-LABEL: func.func @d64
// CHECK-NOT: overlap = true
// CHECK-LABEL: func.func @decode
// CHECK-NOT: overlap = true
func.func @skipping(%q: memref<1x2x300x128xbf16>, %k: memref<1x2x700x128xbf16>,
                    %v: memref<1x2x700x128xbf16>, %o: memref<1x2x300x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x300x128xbf16>, memref<1x2x700x128xbf16>, memref<1x2x700x128xbf16>)
      outs(%o : memref<1x2x300x128xbf16>)
      {skip = #skipattn.skip<threshold_scale_factor = 1.0e2, min_keep_blocks = 1>}
  return
}
func.func @d64(%q: memref<1x2x300x64xbf16>, %k: memref<1x2x700x64xbf16>,
               %v: memref<1x2x700x64xbf16>, %o: memref<1x2x300x64xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x300x64xbf16>, memref<1x2x700x64xbf16>, memref<1x2x700x64xbf16>)
      outs(%o : memref<1x2x300x64xbf16>)
  return
}
func.func @decode(%q: memref<4x32x1x128xbf16>, %k: memref<4x8x4096x128xbf16>,
                  %v: memref<4x8x4096x128xbf16>, %o: memref<4x32x1x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<4x32x1x128xbf16>, memref<4x8x4096x128xbf16>, memref<4x8x4096x128xbf16>)
      outs(%o : memref<4x32x1x128xbf16>)
  return
}
