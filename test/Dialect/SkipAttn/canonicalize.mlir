// RUN: skipattn-opt %s --canonicalize --split-input-file | FileCheck %s

// A skip configuration with factor 0 is dense attention: it disappears.
// CHECK-LABEL: func @dense_factor
// CHECK: skipattn.attention
// CHECK-NOT: skip =
// CHECK-SAME: causal
func.func @dense_factor(%q: memref<1x2x8x64xf32>, %k: memref<1x2x8x64xf32>,
                        %v: memref<1x2x8x64xf32>, %o: memref<1x2x8x64xf32>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x8x64xf32>, memref<1x2x8x64xf32>, memref<1x2x8x64xf32>)
      outs(%o : memref<1x2x8x64xf32>)
      {causal, skip = #skipattn.skip<threshold_scale_factor = 0.0, min_keep_blocks = 1>}
  return
}

// -----

// A non-zero factor stays.
// CHECK-LABEL: func @kept_factor
// CHECK: skip = #skipattn.skip<threshold_scale_factor = 1.000000e-30, min_keep_blocks = 0>
func.func @kept_factor(%q: memref<1x2x8x64xf32>, %k: memref<1x2x8x64xf32>,
                       %v: memref<1x2x8x64xf32>, %o: memref<1x2x8x64xf32>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x8x64xf32>, memref<1x2x8x64xf32>, memref<1x2x8x64xf32>)
      outs(%o : memref<1x2x8x64xf32>)
      {skip = #skipattn.skip<threshold_scale_factor = 1.0e-30, min_keep_blocks = 0>}
  return
}

// -----

// The tensor form without uses is pure and is erased; the memref form is not.
// CHECK-LABEL: func @dead_tensor
// CHECK-NOT: skipattn.attention
func.func @dead_tensor(%q: tensor<1x2x8x64xf32>, %k: tensor<1x2x8x64xf32>,
                       %v: tensor<1x2x8x64xf32>, %o: tensor<1x2x8x64xf32>) {
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x2x8x64xf32>, tensor<1x2x8x64xf32>, tensor<1x2x8x64xf32>)
      outs(%o : tensor<1x2x8x64xf32>) -> tensor<1x2x8x64xf32>
  return
}
