// RUN: skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule))' | FileCheck %s
// RUN: skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule{tma-store=0}))' | FileCheck %s --check-prefix=OFF
// RUN: skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule{chip=sm_100a}))' | FileCheck %s --check-prefix=SM100

// The TMA-store epilogue is the schedule's choice wherever each CTA owns
// its output tile and a TMA map can store the output: prefill with a
// contiguous output (and a [B, S, H, D] view: whole 16-byte strides).
// Asked off (tma-store=0), no schedule has it.
// CHECK-LABEL: func.func @prefill
// CHECK: tma_store = true>
// OFF-LABEL: func.func @prefill
// OFF-NOT: tma_store
// SM100-LABEL: func.func @prefill
// SM100: mma = tcgen05
// SM100-SAME: tma_store = true>
func.func @prefill(%q: memref<1x2x300x128xbf16>, %k: memref<1x2x700x128xbf16>,
                   %v: memref<1x2x700x128xbf16>, %o: memref<1x2x300x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x300x128xbf16>, memref<1x2x700x128xbf16>, memref<1x2x700x128xbf16>)
      outs(%o : memref<1x2x300x128xbf16>)
  return
}

// -----

// CHECK-LABEL: func.func @bshd_view
// CHECK: tma_store = true>
func.func @bshd_view(%q: memref<1x2x300x128xbf16>, %k: memref<1x2x700x128xbf16>,
                     %v: memref<1x2x700x128xbf16>,
                     %o: memref<1x2x300x128xbf16, strided<[76800, 128, 256, 1]>>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x300x128xbf16>, memref<1x2x700x128xbf16>, memref<1x2x700x128xbf16>)
      outs(%o : memref<1x2x300x128xbf16, strided<[76800, 128, 256, 1]>>)
  return
}

// -----

// Rows 130 elements apart (260 bytes) are not whole 16 bytes: the
// warpgroups store their pairs themselves.
// CHECK-LABEL: func.func @odd_rows
// CHECK-NOT: tma_store
// CHECK: return
func.func @odd_rows(%q: memref<1x2x300x128xbf16>, %k: memref<1x2x700x128xbf16>,
                    %v: memref<1x2x700x128xbf16>,
                    %o: memref<1x2x300x128xbf16, strided<[78000, 39000, 130, 1]>>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x300x128xbf16>, memref<1x2x700x128xbf16>, memref<1x2x700x128xbf16>)
      outs(%o : memref<1x2x300x128xbf16, strided<[78000, 39000, 130, 1]>>)
  return
}

// -----

// Split-KV decode: each split's partial result goes to the f32 workspace
// and is merged, so there is no tile for TMA to store.
// CHECK-LABEL: func.func @split_decode
// CHECK: kv_splits = 16
// CHECK-NOT: tma_store
// CHECK: return
func.func @split_decode(%q: memref<1x32x1x128xbf16>, %k: memref<1x8x131072x128xbf16>,
                        %v: memref<1x8x131072x128xbf16>, %o: memref<1x32x1x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x32x1x128xbf16>, memref<1x8x131072x128xbf16>, memref<1x8x131072x128xbf16>)
      outs(%o : memref<1x32x1x128xbf16>)
  return
}
