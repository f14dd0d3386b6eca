// The conditional rescale (rescale-threshold=8): the math loop carries
// each row's exponent base after the counters; online_update (sm_90a) or
// row_update (sm_100a, where it spares the correction warpgroup O's
// tensor-memory round trip: its factors are 1) takes
// and returns it, the skip vote still compares against the true running
// maximum, and the log-sum-exp is stored relative to the base. Both
// kernels assemble without spills.
// REQUIRES: ptxas
// RUN: skipattn-opt %s --skipattn-hopper-pipeline='rescale-threshold=8' --mlir-print-ir-after=convert-skipattn-to-skipattn-gpu -o /dev/null 2>&1 | FileCheck %s --check-prefix=KL
// RUN: skipattn-opt %s --skipattn-hopper-pipeline='format=isa toolkit=%cuda_toolkit rescale-threshold=8' -o %t.mlir
// RUN: %python %test_inputs/extract_ptx.py %t.mlir %t.ptx
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx
// RUN: %cuda_toolkit/bin/ptxas -arch=sm_90a -v %t.ptx -o %t.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not=C7508 --implicit-check-not=warning
// RUN: skipattn-opt %s --skipattn-blackwell-pipeline='rescale-threshold=8' --mlir-print-ir-after=skipattn-gpu-verify-protocol -o /dev/null 2>&1 | FileCheck %s --check-prefix=TC
// RUN: skipattn-opt %s --skipattn-blackwell-pipeline='format=isa toolkit=%cuda_toolkit rescale-threshold=8' -o %t.tc.mlir
// RUN: %python %test_inputs/extract_ptx.py %t.tc.mlir %t.tc.ptx
// RUN: %cuda_toolkit/bin/ptxas -arch=sm_100a -v %t.tc.ptx -o %t.tc.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not=C7508 --implicit-check-not=warning

// KL: rescale_threshold = 8
// KL: scf.for {{.*}} iter_args(%[[M:[a-z0-9_]+]] = {{[^,]*}}, %[[L:[a-z0-9_]+]] = {{[^,]*}}, %[[O:[a-z0-9_]+]] = {{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %[[MU:[a-z0-9_]+]] = 
// KL: skipattn_gpu.skip_vote %{{.*}}, %[[M]]
// KL: skipattn_gpu.online_update {{.*}} state(%[[M]], %[[L]], %[[O]]) base(%[[MU]] : !skipattn_gpu.rows<64xf32>) {rescale_threshold = 8 : i64
// KL: skipattn_gpu.store_lse %[[RES:.*]]#5, %[[RES]]#1

// PTX: vote.sync.any.pred
// PTXAS: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads

// TC: mma = tcgen05
// TC-SAME: rescale_threshold = 8
// TC: skipattn_gpu.warp_role <name = "correction"
// TC: skipattn_gpu.tmem.scale
// TC: skipattn_gpu.warp_role <name = "math"
// TC: skipattn_gpu.skip_vote %{{.*}}, %[[TM:[a-z0-9_]+]] log2_lambda
// TC: skipattn_gpu.row_update {{.*}} state(%[[TM]], %{{[a-z0-9_]+}}) base(%{{[a-z0-9_]+}} : !skipattn_gpu.rows<128xf32>) {rescale_threshold = 8 : i64
// TC: skipattn_gpu.tmem.store %{{.*}} : !skipattn_gpu.rows<128xf32>, <512>
// TC: skipattn_gpu.store_lse %[[R:[0-9]+]]#4, %[[R]]#1

func.func @attn(%q: tensor<2x8x1000x128xbf16>, %k: tensor<2x2x3000x128xbf16>,
                %v: tensor<2x2x3000x128xbf16>, %lens: tensor<2xi32>,
                %o: tensor<2x8x1000x128xbf16>, %lse: tensor<2x8x1000xf32>,
                %st: tensor<2x8x2xi64>)
    -> (tensor<2x8x1000x128xbf16>, tensor<2x8x1000xf32>, tensor<2x8x2xi64>) {
  %r:3 = skipattn.attention ins(%q, %k, %v : tensor<2x8x1000x128xbf16>, tensor<2x2x3000x128xbf16>, tensor<2x2x3000x128xbf16>)
      kv_lens(%lens : tensor<2xi32>) outs(%o : tensor<2x8x1000x128xbf16>)
      lse(%lse : tensor<2x8x1000xf32>) stats(%st : tensor<2x8x2xi64>)
      {causal, skip = #skipattn.skip<threshold_scale_factor = 1.0e3, min_keep_blocks = 1>}
      -> tensor<2x8x1000x128xbf16>, tensor<2x8x1000xf32>, tensor<2x8x2xi64>
  return %r#0, %r#1, %r#2 : tensor<2x8x1000x128xbf16>, tensor<2x8x1000xf32>, tensor<2x8x2xi64>
}
