// Statistics with V columns on sm_100a: V is gated on the votes, so the
// producer's V warp carries the loads both warpgroups' votes left out
// through its loop and adds them, with the tile's block count, to columns
// 2 and 3 from its own thread; each math warp adds its decisions and
// skips to columns 0 and 1 of the four. It assembles without spills.
// REQUIRES: ptxas
// RUN: skipattn-opt %s --skipattn-blackwell-pipeline --mlir-print-ir-after=skipattn-gpu-verify-protocol -o /dev/null 2>&1 | FileCheck %s --check-prefix=KL
// RUN: skipattn-opt %s --skipattn-blackwell-pipeline='format=isa toolkit=%cuda_toolkit' -o %t.mlir
// RUN: %python %test_inputs/extract_ptx.py %t.mlir %t.ptx
// RUN: %cuda_toolkit/bin/ptxas -arch=sm_100a -v %t.ptx -o %t.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not=C7508 --implicit-check-not=warning

// KL: skipattn_gpu.warp_role <name = "producer"
// KL: %[[SAVED:.*]] = scf.for %{{.*}} iter_args(%{{.*}} = %c0) -> (index)
// KL: skipattn_gpu.ring.votes
// KL: skipattn_gpu.add_stats %{{.*}}, %[[SAVED]] into %{{.*}} {columns = 4 : i64, first = 2 : i64, this_thread} : !llvm.ptr<1>
// KL: skipattn_gpu.warp_role <name = "math"
// KL: skipattn_gpu.add_stats %{{.*}}, %{{.*}} into %{{.*}} {columns = 4 : i64, per_warp} : !llvm.ptr<1>
// PTXAS: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
func.func @attn(%q: tensor<2x8x1000x128xbf16>, %k: tensor<2x2x3000x128xbf16>,
                %v: tensor<2x2x3000x128xbf16>, %o: tensor<2x8x1000x128xbf16>,
                %st: tensor<2x8x4xi64>)
    -> (tensor<2x8x1000x128xbf16>, tensor<2x8x4xi64>) {
  %r:2 = skipattn.attention ins(%q, %k, %v : tensor<2x8x1000x128xbf16>, tensor<2x2x3000x128xbf16>, tensor<2x2x3000x128xbf16>)
      outs(%o : tensor<2x8x1000x128xbf16>) stats(%st : tensor<2x8x4xi64>) {causal, skip = #skipattn.skip<threshold_scale_factor = 1.0e2, min_keep_blocks = 1>}
      -> tensor<2x8x1000x128xbf16>, tensor<2x8x4xi64>
  return %r#0, %r#1 : tensor<2x8x1000x128xbf16>, tensor<2x8x4xi64>
}
