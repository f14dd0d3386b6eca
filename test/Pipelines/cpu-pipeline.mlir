// The registered pipeline takes the example (memref form) and a tensor-form
// function all the way to the LLVM dialect, with the tile loop on OpenMP.
// RUN: skipattn-opt %examples/gqa_causal_skip.mlir --skipattn-cpu-pipeline | FileCheck %s
// RUN: skipattn-opt %s --skipattn-cpu-pipeline='block-q=16 block-kv=32 pack-gqa=true skip-unit=2' | FileCheck %s --check-prefix=TENSOR
// RUN: skipattn-opt %s --skipattn-cpu-pipeline='to-llvm=false' | FileCheck %s --check-prefix=LOOPS

// CHECK: llvm.func @attention
// CHECK: omp.parallel
// CHECK: omp.wsloop
// CHECK: llvm.intr.stacksave
// CHECK: llvm.atomicrmw add
// CHECK: llvm.intr.fma
// CHECK: llvm.intr.stackrestore
// CHECK-NOT: skipattn.
// CHECK-NOT: scf.
// CHECK-NOT: memref.

// TENSOR: llvm.func @tensor_form
// TENSOR-NOT: skipattn.
// TENSOR: omp.wsloop

// LOOPS-LABEL: func.func @tensor_form
// LOOPS-SAME: memref<1x8x1x64xbf16>
// LOOPS: scf.parallel
// LOOPS-NOT: skipattn.
func.func @tensor_form(%q: tensor<1x8x1x64xbf16>, %k: tensor<1x2x512x64xbf16>,
                       %v: tensor<1x2x512x64xbf16>, %o: tensor<1x8x1x64xbf16>)
    -> tensor<1x8x1x64xbf16> {
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x8x1x64xbf16>, tensor<1x2x512x64xbf16>, tensor<1x2x512x64xbf16>)
      outs(%o : tensor<1x8x1x64xbf16>)
      {skip = #skipattn.skip<threshold_scale_factor = 50.0, min_keep_blocks = 2>}
      -> tensor<1x8x1x64xbf16>
  return %r : tensor<1x8x1x64xbf16>
}
