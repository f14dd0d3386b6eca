// sm_100a at D = 64, dense and skipping, non-causal: the same tcgen05
// schedule with a deeper K/V ring (four stages of 16 KiB fit beside Q),
// assembled by ptxas for sm_100a without spills and with the register
// reallocation kept. The dense kernel still gates nothing: every
// warpgroup votes to keep every block.
// REQUIRES: ptxas
// RUN: skipattn-opt %s --skipattn-blackwell-pipeline='format=isa toolkit=%cuda_toolkit' -o %t.mlir
// RUN: %python %test_inputs/extract_ptx.py %t.mlir %t.ptx
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx
// RUN: %cuda_toolkit/bin/ptxas -arch=sm_100a -v %t.ptx -o %t.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not=C7508 --implicit-check-not=warning
// RUN: %if cuobjdump %{ %cuobjdump -sass %t.cubin | FileCheck %s --check-prefix=SASS %}
// RUN: skipattn-opt %s --skipattn-blackwell-pipeline | FileCheck %s --check-prefix=LAUNCH

// LAUNCH: skipattn_gpu.launch = [#skipattn_gpu.launch<kernel = "dense", grid = [8, 4, 1], block = [512, 1, 1], smem = 164880
// LAUNCH-SAME: #skipattn_gpu.launch<kernel = "skipping", grid = [8, 4, 1], block = [512, 1, 1], smem = 164880

// PTX: .target sm_100a
// PTX-DAG: .entry dense(
// PTX-DAG: .entry skipping(
// PTX-DAG: vote.sync.all.pred
// PTX-DAG: tcgen05.mma.cta_group::1.kind::f16

// PTXAS-COUNT-2: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads

// SASS-COUNT-2: USETMAXREG.TRY_ALLOC.CTAPOOL

func.func @dense(%q: tensor<1x4x2048x64xf16>, %k: tensor<1x4x2048x64xf16>,
                 %v: tensor<1x4x2048x64xf16>, %o: tensor<1x4x2048x64xf16>)
    -> tensor<1x4x2048x64xf16> {
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x4x2048x64xf16>, tensor<1x4x2048x64xf16>, tensor<1x4x2048x64xf16>)
      outs(%o : tensor<1x4x2048x64xf16>) -> tensor<1x4x2048x64xf16>
  return %r : tensor<1x4x2048x64xf16>
}

func.func @skipping(%q: tensor<1x4x2048x64xf16>, %k: tensor<1x4x2048x64xf16>,
                    %v: tensor<1x4x2048x64xf16>, %o: tensor<1x4x2048x64xf16>)
    -> tensor<1x4x2048x64xf16> {
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x4x2048x64xf16>, tensor<1x4x2048x64xf16>, tensor<1x4x2048x64xf16>)
      outs(%o : tensor<1x4x2048x64xf16>)
      {skip = #skipattn.skip<threshold_scale_factor = 100.0, min_keep_blocks = 1>}
      -> tensor<1x4x2048x64xf16>
  return %r : tensor<1x4x2048x64xf16>
}
