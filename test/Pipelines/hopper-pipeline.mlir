// The whole Hopper pipeline down to PTX, then ptxas for sm_90a: the PTX holds
// TMA bulk tensor copies and wgmma, the TMA descriptors are byval parameters,
// and the kernel assembles without register spills.
// REQUIRES: ptxas
// RUN: skipattn-opt %s --skipattn-hopper-pipeline='format=isa toolkit=%cuda_toolkit' -o %t.mlir
// RUN: %python %test_inputs/extract_ptx.py %t.mlir %t.ptx
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx
// RUN: %cuda_toolkit/bin/ptxas -arch=sm_90a -v %t.ptx -o %t.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS
// RUN: skipattn-opt %s --skipattn-hopper-pipeline | FileCheck %s --check-prefix=NVVM

// NVVM: gpu.module @skipattn_kernels [#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx86">]
// NVVM: llvm.func @attn(%{{.*}}: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant}

// PTX: .target sm_90a
// PTX: .entry attn(
// PTX: .param .align 64 .b8 attn_param_0[128]
// PTX: cp.async.bulk.tensor.4d.shared::cluster.global.mbarrier::complete_tx::bytes
// PTX: mbarrier.try_wait.parity
// PTX: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// PTX: bar.red.and.pred
// PTX: ex2.approx
// PTX: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16

// PTXAS: Compiling entry function 'attn' for 'sm_90a'
// PTXAS: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads

func.func @attn(%q: tensor<2x8x1024x128xbf16>, %k: tensor<2x2x4096x128xbf16>,
                %v: tensor<2x2x4096x128xbf16>, %o: tensor<2x8x1024x128xbf16>)
    -> tensor<2x8x1024x128xbf16> {
  %r = skipattn.attention ins(%q, %k, %v : tensor<2x8x1024x128xbf16>, tensor<2x2x4096x128xbf16>, tensor<2x2x4096x128xbf16>)
      outs(%o : tensor<2x8x1024x128xbf16>)
      {causal, skip = #skipattn.skip<threshold_scale_factor = 1.0e3, min_keep_blocks = 1>}
      -> tensor<2x8x1024x128xbf16>
  return %r : tensor<2x8x1024x128xbf16>
}
