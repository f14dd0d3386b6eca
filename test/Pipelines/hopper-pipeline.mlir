// The whole Hopper pipeline down to PTX, then ptxas for sm_90a: the PTX holds
// TMA bulk tensor copies and wgmma, the TMA descriptors are byval parameters,
// and the kernel assembles without register spills. Warp-specialized (the
// default): the roles resize their registers and ptxas keeps setmaxnreg (no
// C7508 warning); the math warps release stages through empty barriers.
// The output map is the fourth grid-constant TMA parameter: each math
// warpgroup stages its rows in Q's shared memory and stores them by TMA.
// With pingpong=true the math warpgroups also take turns (named barriers of
// 256 threads). With warp-specialize=false the math warps' first thread
// loads.
// REQUIRES: ptxas
// RUN: skipattn-opt %s --skipattn-hopper-pipeline='format=isa toolkit=%cuda_toolkit' -o %t.mlir
// RUN: %python %test_inputs/extract_ptx.py %t.mlir %t.ptx
// RUN: FileCheck %s --check-prefixes=PTX,WS < %t.ptx
// RUN: %cuda_toolkit/bin/ptxas -arch=sm_90a -v %t.ptx -o %t.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not=C7508 --implicit-check-not=warning
// RUN: skipattn-opt %s --skipattn-hopper-pipeline | FileCheck %s --check-prefix=NVVM
// RUN: skipattn-opt %s --skipattn-hopper-pipeline='format=isa toolkit=%cuda_toolkit pingpong=true' -o %t2.mlir
// RUN: %python %test_inputs/extract_ptx.py %t2.mlir %t2.ptx
// RUN: FileCheck %s --check-prefixes=PTX,WS,PP < %t2.ptx
// RUN: %cuda_toolkit/bin/ptxas -arch=sm_90a -v %t2.ptx -o %t2.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not=C7508 --implicit-check-not=warning
// RUN: skipattn-opt %s --skipattn-hopper-pipeline='format=isa toolkit=%cuda_toolkit warp-specialize=false' -o %t1.mlir
// RUN: %python %test_inputs/extract_ptx.py %t1.mlir %t1.ptx
// RUN: FileCheck %s --check-prefixes=PTX,ONE < %t1.ptx
// RUN: %cuda_toolkit/bin/ptxas -arch=sm_90a -v %t1.ptx -o %t1.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS

// NVVM: gpu.module @skipattn_kernels [#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx86">]
// NVVM: llvm.func @attn(%arg0: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant}
// NVVM-SAME: %arg3: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant})

// PTX: .target sm_90a
// PTX: .entry attn(
// PTX: .param .align 64 .b8 attn_param_0[128]
// WS: .maxntid 384, 1, 1
// WS: .minnctapersm 1
// ONE: .maxntid 256, 1, 1
// WS-DAG: setmaxnreg.inc.sync.aligned.u32 240
// WS-DAG: setmaxnreg.dec.sync.aligned.u32 24
// WS-DAG: mbarrier.arrive.shared.b64
// PP-DAG: bar.arrive %r{{[0-9]+}}, 256;
// PP-DAG: bar.sync %r{{[0-9]+}}, 256;
// PTX-DAG: cp.async.bulk.tensor.4d.shared::cluster.global{{(.tile)?}}.mbarrier::complete_tx::bytes
// PTX-DAG: mbarrier.try_wait.parity
// PTX-DAG: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// PTX-DAG: bar.red.and.pred
// PTX-DAG: ex2.approx.ftz.f32
// PTX-DAG: fence.proxy.async.shared::cta
// PTX-DAG: cp.async.bulk.tensor.4d.global.shared::cta.tile.bulk_group
// PTX-DAG: cp.async.bulk.wait_group.read 0
// ONE-DAG: bar.sync 0

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
