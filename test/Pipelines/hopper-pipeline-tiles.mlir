// Tiles asked for instead of chosen: block-q=192 (also the choice for
// D = 64) gives three math warpgroups (512 threads with the load warpgroup;
// registers 160 / 32, whose sum fills the SM's 64K), whose empty barriers
// count three arrivals; block-q=128 block-kv=176 gives two warpgroups with
// m64n176 Q.K^T and a 176-deep P.V. Both assemble for sm_90a without
// spills, and ptxas keeps setmaxnreg.
// REQUIRES: ptxas
// RUN: skipattn-opt %s --skipattn-hopper-pipeline='format=isa toolkit=%cuda_toolkit block-q=192' -o %t.mlir
// RUN: %python %test_inputs/extract_ptx.py %t.mlir %t.ptx
// RUN: FileCheck %s --check-prefix=Q192 < %t.ptx
// RUN: %cuda_toolkit/bin/ptxas -arch=sm_90a -v %t.ptx -o %t.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not=C7508 --implicit-check-not=warning
// RUN: skipattn-opt %s --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(skipattn-gpu-select-schedule{block-q=192},skipattn-tile,skipattn-insert-skip-predicates{skip-unit=64},canonicalize,cse),convert-skipattn-to-skipattn-gpu,gpu.module(canonicalize,cse,skipattn-gpu-verify-protocol))' | FileCheck %s --check-prefix=KERNEL
// RUN: skipattn-opt %s --skipattn-hopper-pipeline='format=isa toolkit=%cuda_toolkit block-q=128 block-kv=176' -o %t2.mlir
// RUN: %python %test_inputs/extract_ptx.py %t2.mlir %t2.ptx
// RUN: FileCheck %s --check-prefix=KV176 < %t2.ptx
// RUN: %cuda_toolkit/bin/ptxas -arch=sm_90a -v %t2.ptx -o %t2.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not=C7508 --implicit-check-not=warning

// KERNEL: skipattn_gpu.launch = [#skipattn_gpu.launch<kernel = "attn", grid = [6, 8, 2], block = [512, 1, 1]
// KERNEL-SAME: box_q = [64, 192, 1], box_kv = [64, 128]
// KERNEL: #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 12, max_nreg = 160>, #skipattn_gpu.role<name = "load", first_warp = 12, num_warps = 4, max_nreg = 32>
// KERNEL: skipattn_gpu.ring.create {offset = 24576 : i64} : <2 x ["k"] of <128x64xf16>, consumers = 3>

// Q192: .maxntid 512, 1, 1
// Q192-DAG: setmaxnreg.inc.sync.aligned.u32 160
// Q192-DAG: setmaxnreg.dec.sync.aligned.u32 32
// Q192-DAG: wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16

// KV176-DAG: wgmma.mma_async.sync.aligned.m64n176k16.f32.f16.f16
// KV176-DAG: setmaxnreg.inc.sync.aligned.u32 240

// PTXAS: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads

func.func @attn(%q: tensor<2x8x1000x64xf16>, %k: tensor<2x2x3000x64xf16>,
                %v: tensor<2x2x3000x64xf16>, %o: tensor<2x8x1000x64xf16>)
    -> tensor<2x8x1000x64xf16> {
  %r = skipattn.attention ins(%q, %k, %v : tensor<2x8x1000x64xf16>, tensor<2x2x3000x64xf16>, tensor<2x2x3000x64xf16>)
      outs(%o : tensor<2x8x1000x64xf16>)
      {causal, skip = #skipattn.skip<threshold_scale_factor = 1.0e3, min_keep_blocks = 1>}
      -> tensor<2x8x1000x64xf16>
  return %r : tensor<2x8x1000x64xf16>
}
