// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(gpu.module(skipattn-legalize-nvvm-kernel-abi))' | FileCheck %s

// The listed parameters become byval grid-constant 128-byte blobs; the others
// and unlisted functions are untouched, and the list itself is dropped.
// CHECK-LABEL: gpu.module @k
// CHECK: llvm.func @kern(%{{.*}}: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant}, %{{.*}}: !llvm.ptr<1>, %{{.*}}: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant})
// CHECK-SAME: attributes {nvvm.kernel}
// CHECK: llvm.func @other(%{{.*}}: !llvm.ptr) {
gpu.module @k {
  llvm.func @kern(%a: !llvm.ptr, %b: !llvm.ptr<1>, %c: !llvm.ptr) attributes {nvvm.kernel, skipattn.tma_params = array<i32: 0, 2>} {
    llvm.return
  }
  llvm.func @other(%a: !llvm.ptr) {
    llvm.return
  }
}

// -----

gpu.module @bad {
  // expected-error @+1 {{skipattn.tma_params names argument 1, which is not a pointer parameter}}
  llvm.func @kern(%a: !llvm.ptr, %b: i32) attributes {nvvm.kernel, skipattn.tma_params = array<i32: 0, 1>} {
    llvm.return
  }
}
