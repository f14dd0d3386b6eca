// Head dimension 256: the schedule takes 64-key blocks, Q.K^T is
// m64n64k16 over sixteen K steps and P.V m64n256k16 with a 128-register
// accumulator; ptxas assembles it for sm_90a without spills.
// REQUIRES: ptxas
// RUN: skipattn-opt %s --skipattn-hopper-pipeline='format=isa toolkit=%cuda_toolkit' -o %t.mlir
// RUN: %python %test_inputs/extract_ptx.py %t.mlir %t.ptx
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx
// RUN: %cuda_toolkit/bin/ptxas -arch=sm_90a -v %t.ptx -o %t.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS
// RUN: skipattn-opt %s --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(skipattn-gpu-select-schedule,skipattn-tile,skipattn-insert-skip-predicates{skip-unit=64},canonicalize,cse),convert-skipattn-to-skipattn-gpu)' | FileCheck %s --check-prefix=KERNEL

// KERNEL: skipattn_gpu.launch = [#skipattn_gpu.launch<kernel = "attn", grid = [8, 8, 1], block = [384, 1, 1], smem = 197632
// KERNEL: block_q = 128, block_kv = 64, head_dim = 256, stages = 2
// KERNEL: skipattn_gpu.mma %{{.*}}, %{{.*}} acc(%{{.*}} : !skipattn_gpu.acc<64x256xf32>) {b_major = #skipattn_gpu.major<mn>} : !skipattn_gpu.operand<64x64xf16>

// PTX: .target sm_90a
// PTX-COUNT-16: wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16
// PTX: bar.red.and.pred
// PTX-COUNT-4: wgmma.mma_async.sync.aligned.m64n256k16.f32.f16.f16

// PTXAS: Compiling entry function 'attn' for 'sm_90a'
// PTXAS: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads

func.func @attn(%q: tensor<1x8x1000x256xf16>, %k: tensor<1x2x3000x256xf16>,
                %v: tensor<1x2x3000x256xf16>, %o: tensor<1x8x1000x256xf16>)
    -> tensor<1x8x1000x256xf16> {
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x8x1000x256xf16>, tensor<1x2x3000x256xf16>, tensor<1x2x3000x256xf16>)
      outs(%o : tensor<1x8x1000x256xf16>)
      {causal, skip = #skipattn.skip<threshold_scale_factor = 1.0e3, min_keep_blocks = 1>}
      -> tensor<1x8x1000x256xf16>
  return %r : tensor<1x8x1000x256xf16>
}
