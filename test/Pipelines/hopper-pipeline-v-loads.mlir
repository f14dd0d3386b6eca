// Statistics with V columns ([B, Hq, 4]: decisions, skipped, V loads, V
// loads saved) on sm_90a. A skipping decode gates V on the votes: the load
// role's V warp carries the number of loads its votes left out through its
// block loop and adds it, with the tile's block count, to columns 2 and 3
// of the tile's first head (the thread that ran the loop, not a warpgroup
// leader); the math warpgroup adds its decisions and skips to columns 0
// and 1 of the four. The blocked IR's per-unit V counts are not the
// tile's and are dropped. A dense prefill loads every block's V: the first
// math warpgroup adds the tile's block count to column 2, none saved. The
// decode (the first module) assembles for sm_90a without spills.
// REQUIRES: ptxas
// RUN: skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(skipattn-gpu-select-schedule,skipattn-tile,skipattn-insert-skip-predicates{skip-unit=64},canonicalize,cse),convert-skipattn-to-skipattn-gpu,gpu.module(canonicalize,cse,skipattn-gpu-verify-protocol))' | FileCheck %s --check-prefix=KERNEL
// RUN: skipattn-opt %s --split-input-file --skipattn-hopper-pipeline='format=isa toolkit=%cuda_toolkit' -o %t.mlir
// RUN: %python %test_inputs/extract_ptx.py %t.mlir %t.ptx
// RUN: %cuda_toolkit/bin/ptxas -arch=sm_90a -v %t.ptx -o %t.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not=C7508 --implicit-check-not=warning

// KERNEL-LABEL: gpu.func @decode
// KERNEL-SAME: gate_v = true
// KERNEL: skipattn_gpu.warp_role <name = "load"
// KERNEL: %[[VW:.*]] = skipattn_gpu.elect {warp = 1 : i64}
// KERNEL: scf.if %[[VW]] {
// KERNEL:   %[[SAVED:.*]] = scf.for %{{.*}} = %c0 to %[[NB:.*]] step %c1 iter_args(%[[ACC:.*]] = %c0) -> (index) {
// KERNEL:     %[[KEEP:.*]] = skipattn_gpu.ring.votes
// KERNEL:     skipattn_gpu.ring.complete %{{.*}}, "v" if
// KERNEL:     %[[ONE:.*]] = arith.select %[[KEEP]], %c0, %c1 : index
// KERNEL:     %[[NEXT:.*]] = arith.addi %[[ACC]], %[[ONE]] : index
// KERNEL:     scf.yield %[[NEXT]] : index
// KERNEL:   skipattn_gpu.add_stats %[[NB]], %[[SAVED]] into %{{.*}}[%{{.*}}] {columns = 4 : i64, first = 2 : i64, this_thread} : !llvm.ptr<1>
// KERNEL: skipattn_gpu.warp_role <name = "math"
// KERNEL: skipattn_gpu.add_stats %{{.*}}, %{{.*}} into %{{.*}}[%{{.*}}] {columns = 4 : i64} : !llvm.ptr<1>
// KERNEL-NOT: first = 2
// KERNEL: gpu.return
// PTXAS: Function properties for decode
// PTXAS-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
func.func @decode(%q: tensor<4x32x1x128xbf16>, %k: tensor<4x8x8192x128xbf16>,
                  %v: tensor<4x8x8192x128xbf16>, %o: tensor<4x32x1x128xbf16>,
                  %st: tensor<4x32x4xi64>)
    -> (tensor<4x32x1x128xbf16>, tensor<4x32x4xi64>) {
  %r:2 = skipattn.attention ins(%q, %k, %v : tensor<4x32x1x128xbf16>, tensor<4x8x8192x128xbf16>, tensor<4x8x8192x128xbf16>)
      outs(%o : tensor<4x32x1x128xbf16>) stats(%st : tensor<4x32x4xi64>)
      {skip = #skipattn.skip<threshold_scale_factor = 1.0e2, min_keep_blocks = 1>}
      -> tensor<4x32x1x128xbf16>, tensor<4x32x4xi64>
  return %r#0, %r#1 : tensor<4x32x1x128xbf16>, tensor<4x32x4xi64>
}

// -----

// KERNEL-LABEL: gpu.func @prefill
// KERNEL-NOT: gate_v
// KERNEL: skipattn_gpu.warp_role <name = "load"
// KERNEL-NOT: add_stats
// KERNEL: skipattn_gpu.warp_role <name = "math"
// KERNEL: %[[WG:.*]] = skipattn_gpu.warpgroup_id
// KERNEL: skipattn_gpu.add_stats %{{.*}}, %c0 into %{{.*}}[%[[PLANE:.*]]] {columns = 4 : i64} : !llvm.ptr<1>
// KERNEL: %[[FIRST:.*]] = arith.cmpi eq, %[[WG]], %c0 : index
// KERNEL: scf.if %[[FIRST]] {
// KERNEL:   skipattn_gpu.add_stats %{{.*}}, %c0 into %{{.*}}[%[[PLANE]]] {columns = 4 : i64, first = 2 : i64} : !llvm.ptr<1>
func.func @prefill(%q: tensor<2x4x300x128xbf16>, %k: tensor<2x2x700x128xbf16>,
                   %v: tensor<2x2x700x128xbf16>, %o: tensor<2x4x300x128xbf16>,
                   %st: tensor<2x4x4xi64>)
    -> (tensor<2x4x300x128xbf16>, tensor<2x4x4xi64>) {
  %r:2 = skipattn.attention ins(%q, %k, %v : tensor<2x4x300x128xbf16>, tensor<2x2x700x128xbf16>, tensor<2x2x700x128xbf16>)
      outs(%o : tensor<2x4x300x128xbf16>) stats(%st : tensor<2x4x4xi64>) {causal}
      -> tensor<2x4x300x128xbf16>, tensor<2x4x4xi64>
  return %r#0, %r#1 : tensor<2x4x300x128xbf16>, tensor<2x4x4xi64>
}
