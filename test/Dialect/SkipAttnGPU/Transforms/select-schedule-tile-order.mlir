// RUN: skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule{head-group=-1}))' | FileCheck %s
// RUN: skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule))' | FileCheck %s --check-prefix=OFF
// RUN: skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule{head-group=3}))' | FileCheck %s --check-prefix=ASKED
// RUN: skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule{chip=sm_100a head-group=-1}))' | FileCheck %s --check-prefix=SM100

// Asked for groups sized to L2 (head-group=-1), causal prefill takes its
// tiles longest first over groups of (batch, head) pairs whose K and V fit
// 24 MiB: at 16384 keys of D = 128 in bf16 a KV head holds 8 MiB, so a
// group is 3 KV heads, i.e. 12 query heads of GQA 4. Asked for groups of
// 3, the group is that; by default each head's tiles stay in a row.
// CHECK-LABEL: func.func @causal_long
// CHECK: tma_store = true, head_group = 12>
// OFF-LABEL: func.func @causal_long
// OFF-NOT: head_group
// ASKED-LABEL: func.func @causal_long
// ASKED: head_group = 3>
// SM100-LABEL: func.func @causal_long
// SM100: mma = tcgen05
// SM100-SAME: head_group = 12>
func.func @causal_long(%q: memref<2x16x16384x128xbf16>, %k: memref<2x4x16384x128xbf16>,
                       %v: memref<2x4x16384x128xbf16>, %o: memref<2x16x16384x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<2x16x16384x128xbf16>, memref<2x4x16384x128xbf16>, memref<2x4x16384x128xbf16>)
      outs(%o : memref<2x16x16384x128xbf16>) {causal}
  return
}

// -----

// A group larger than the grid's pairs is all of them: the whole grid
// longest first.
// CHECK-LABEL: func.func @causal_short
// CHECK: head_group = 8>
func.func @causal_short(%q: memref<2x4x2048x64xf16>, %k: memref<2x4x2048x64xf16>,
                        %v: memref<2x4x2048x64xf16>, %o: memref<2x4x2048x64xf16>) {
  skipattn.attention ins(%q, %k, %v : memref<2x4x2048x64xf16>, memref<2x4x2048x64xf16>, memref<2x4x2048x64xf16>)
      outs(%o : memref<2x4x2048x64xf16>) {causal}
  return
}

// -----

// Without a causal mask every tile of a head walks the same blocks: even
// asked for groups sized to L2, each head's tiles stay in a row. A decode
// has one query tile per head: nothing to order.
// CHECK-LABEL: func.func @full
// CHECK-NOT: head_group
// CHECK-LABEL: func.func @decode
// CHECK-NOT: head_group
// CHECK: return
func.func @full(%q: memref<2x16x4096x128xbf16>, %k: memref<2x16x4096x128xbf16>,
                %v: memref<2x16x4096x128xbf16>, %o: memref<2x16x4096x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<2x16x4096x128xbf16>, memref<2x16x4096x128xbf16>, memref<2x16x4096x128xbf16>)
      outs(%o : memref<2x16x4096x128xbf16>)
  return
}

func.func @decode(%q: memref<4x32x1x128xbf16>, %k: memref<4x8x8192x128xbf16>,
                  %v: memref<4x8x8192x128xbf16>, %o: memref<4x32x1x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<4x32x1x128xbf16>, memref<4x8x8192x128xbf16>, memref<4x8x8192x128xbf16>)
      outs(%o : memref<4x32x1x128xbf16>) {causal}
  return
}
