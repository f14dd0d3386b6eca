// Decode with gated V voting k blocks ahead of their use (vote_ahead, the
// schedule option `vote-ahead=k`): iteration n computes block n's scores,
// decides and votes on it, so that the load role's V warp may start block
// n's V at once; block n's softmax (row_update) then gives its
// probabilities and factors without touching O; then (under n >= k) it
// waits for block n - k's V, scales O by that block's factors and adds its
// P.V with the probabilities the loop carried. The last iteration also
// completes blocks n - k + 1 .. n, oldest first. The protocol verifier
// accepts the V ring's waits and releases lagging its votes by k blocks
// (and rejects the variants in verify-protocol-votes.mlir). k = 1 and
// k = 2 (the default for this shape: lengths fixed at compile time, D 128)
// assemble for sm_90a without spills; k = 3 needs a fourth stage of the V
// ring, which this decode's shared memory (three stages) lacks.
// REQUIRES: ptxas
// RUN: skipattn-opt %s --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(skipattn-gpu-select-schedule{vote-ahead=1},skipattn-tile,skipattn-insert-skip-predicates{skip-unit=64},canonicalize,cse),convert-skipattn-to-skipattn-gpu,gpu.module(canonicalize,cse,skipattn-gpu-verify-protocol))' | FileCheck %s --check-prefix=KERNEL
// RUN: skipattn-opt %s --skipattn-hopper-pipeline='format=isa toolkit=%cuda_toolkit vote-ahead=1' -o %t.mlir
// RUN: %python %test_inputs/extract_ptx.py %t.mlir %t.ptx
// RUN: %cuda_toolkit/bin/ptxas -arch=sm_90a -v %t.ptx -o %t.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not=C7508 --implicit-check-not=warning
// RUN: skipattn-opt %s --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(skipattn-gpu-select-schedule{vote-ahead=2},skipattn-tile,skipattn-insert-skip-predicates{skip-unit=64},canonicalize,cse),convert-skipattn-to-skipattn-gpu,gpu.module(canonicalize,cse,skipattn-gpu-verify-protocol))' | FileCheck %s --check-prefix=TWO
// RUN: skipattn-opt %s --skipattn-hopper-pipeline='format=isa toolkit=%cuda_toolkit vote-ahead=2' -o %t2.mlir
// RUN: %python %test_inputs/extract_ptx.py %t2.mlir %t2.ptx
// RUN: %cuda_toolkit/bin/ptxas -arch=sm_90a -v %t2.ptx -o %t2.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not=C7508 --implicit-check-not=warning
// RUN: not skipattn-opt %s --skipattn-hopper-pipeline='format=isa toolkit=%cuda_toolkit vote-ahead=3' -o /dev/null 2>&1 | FileCheck %s --check-prefix=DEEP

// KERNEL: gate_v = true
// KERNEL-SAME: vote_ahead = 1
// KERNEL: skipattn_gpu.warp_role <name = "math"
// KERNEL: scf.for %[[N:.*]] = %c0 to %[[NB:.*]] step %c1 iter_args({{.*}}, %[[O:.*]] = %{{.*}}, %[[PREVP:.*]] = %{{.*}}, %[[PREVF:.*]] = %{{.*}}, %[[PREVK:.*]] = %false)
// KERNEL: skipattn_gpu.ring.wait %{{.*}}[%[[N]]], "k"
// KERNEL: %[[SKIP:.*]] = skipattn_gpu.skip_vote
// KERNEL: skipattn_gpu.ring.vote %[[V:.*]][%[[N]]], %[[KEEP:.*]] :
// KERNEL: skipattn_gpu.row_update
// KERNEL: scf.if %{{.*}} -> (!skipattn_gpu.acc<64x128xf32>)
// KERNEL: %[[PREV:.*]] = arith.subi %[[N]], %c1
// KERNEL: scf.if %[[PREVK]]
// KERNEL: skipattn_gpu.ring.wait %[[V]][%[[PREV]]], "v"
// KERNEL: %[[SCALED:.*]] = skipattn_gpu.scale_rows %[[O]], %[[PREVF]]
// KERNEL: skipattn_gpu.mma %[[PREVP]], %{{.*}} acc(%[[SCALED]]
// KERNEL: skipattn_gpu.ring.release %[[V]][%[[PREV]]]
// KERNEL: %[[LASTB:.*]] = arith.subi %[[NB]], %c1
// KERNEL: %[[ISLAST:.*]] = arith.cmpi eq, %[[N]], %[[LASTB]]
// KERNEL: scf.if %[[ISLAST]]
// KERNEL: skipattn_gpu.ring.wait %[[V]][%[[N]]], "v"
// KERNEL: skipattn_gpu.ring.release %[[V]][%[[N]]]
// KERNEL: scf.yield {{.*}}, %[[KEEP]]

// Two blocks ahead: the loop carries two blocks' probabilities, factors
// and decisions; block n - 2 is completed under n >= 2, and the last
// iteration completes block n - 1 (under n >= 1) before its own.
// TWO: vote_ahead = 2
// TWO: skipattn_gpu.warp_role <name = "math"
// TWO: scf.for %[[N:.*]] = %c0 to %[[NB:.*]] step %c1 iter_args({{.*}}, %[[P2:.*]] = %{{.*}}, %[[F2:.*]] = %{{.*}}, %[[K2:.*]] = %false, %[[P1:.*]] = %{{.*}}, %[[F1:.*]] = %{{.*}}, %[[K1:.*]] = %false)
// TWO: skipattn_gpu.ring.vote %[[V:.*]][%[[N]]], %[[KEEP:.*]] :
// TWO: skipattn_gpu.row_update
// TWO: %[[HAS2:.*]] = arith.cmpi uge, %[[N]], %c2
// TWO: scf.if %[[HAS2]]
// TWO: %[[OLD:.*]] = arith.subi %[[N]], %c2
// TWO: scf.if %[[K2]]
// TWO: skipattn_gpu.ring.wait %[[V]][%[[OLD]]], "v"
// TWO: skipattn_gpu.scale_rows %{{.*}}, %[[F2]]
// TWO: skipattn_gpu.mma %[[P2]]
// TWO: skipattn_gpu.ring.release %[[V]][%[[OLD]]]
// TWO: scf.if %{{.*}} -> (!skipattn_gpu.acc<64x128xf32>)
// TWO: %[[OLD1:.*]] = arith.subi %[[N]], %c1
// TWO: scf.if %[[K1]]
// TWO: skipattn_gpu.ring.wait %[[V]][%[[OLD1]]], "v"
// TWO: skipattn_gpu.mma %[[P1]]
// TWO: skipattn_gpu.ring.release %[[V]][%[[OLD1]]]
// TWO: skipattn_gpu.ring.wait %[[V]][%[[N]]], "v"
// TWO: skipattn_gpu.ring.release %[[V]][%[[N]]]
// TWO: scf.yield {{.*}}, %[[P1]], %[[F1]], %[[K1]], {{.*}}, %[[KEEP]]

// PTXAS: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads

// DEEP: vote_ahead needs gated V on wgmma with one math warpgroup (block_q = 64: the decode schedule), more stages than blocks it votes ahead

func.func @attn(%q: tensor<4x32x1x128xbf16>, %k: tensor<4x8x32768x128xbf16>,
                %v: tensor<4x8x32768x128xbf16>, %o: tensor<4x32x1x128xbf16>)
    -> tensor<4x32x1x128xbf16> {
  %r = skipattn.attention ins(%q, %k, %v : tensor<4x32x1x128xbf16>, tensor<4x8x32768x128xbf16>, tensor<4x8x32768x128xbf16>)
      outs(%o : tensor<4x32x1x128xbf16>)
      {skip = #skipattn.skip<threshold_scale_factor = 1.0e2, min_keep_blocks = 1>}
      -> tensor<4x32x1x128xbf16>
  return %r : tensor<4x32x1x128xbf16>
}
