// Decode with gated V voting one block ahead of its use (vote_ahead, the
// schedule option `vote-ahead=1`): iteration n computes block n's scores,
// decides and votes on it, so that the load role's V warp may start block
// n's V at once; then it waits for block n - 1's V (under n >= 1) and adds
// P(n - 1).V(n - 1) with the probabilities the loop carried; then it
// applies block n's softmax (the rescale of O includes block n - 1). The
// last iteration also uses its own block's V. The protocol verifier accepts the V
// ring's waits and releases lagging its votes by one block (and rejects
// the variants in verify-protocol-votes.mlir). It assembles for sm_90a
// without spills.
// REQUIRES: ptxas
// RUN: skipattn-opt %s --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(skipattn-gpu-select-schedule{vote-ahead=1},skipattn-tile,skipattn-insert-skip-predicates{skip-unit=64},canonicalize,cse),convert-skipattn-to-skipattn-gpu,gpu.module(canonicalize,cse,skipattn-gpu-verify-protocol))' | FileCheck %s --check-prefix=KERNEL
// RUN: skipattn-opt %s --skipattn-hopper-pipeline='format=isa toolkit=%cuda_toolkit vote-ahead=1' -o %t.mlir
// RUN: %python %test_inputs/extract_ptx.py %t.mlir %t.ptx
// RUN: %cuda_toolkit/bin/ptxas -arch=sm_90a -v %t.ptx -o %t.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not=C7508 --implicit-check-not=warning

// KERNEL: gate_v = true
// KERNEL-SAME: vote_ahead = true
// KERNEL: skipattn_gpu.warp_role <name = "math"
// KERNEL: scf.for %[[N:.*]] = %c0 to %[[NB:.*]] step %c1 iter_args({{.*}}, %[[PREVP:.*]] = %{{.*}}, %[[PREVK:.*]] = %false)
// KERNEL: skipattn_gpu.ring.wait %{{.*}}[%[[N]]], "k"
// KERNEL: %[[SKIP:.*]] = skipattn_gpu.skip_vote
// KERNEL: skipattn_gpu.ring.vote %[[V:.*]][%[[N]]], %[[KEEP:.*]] :
// KERNEL: scf.if %{{.*}} -> (!skipattn_gpu.acc<64x128xf32>)
// KERNEL: %[[PREV:.*]] = arith.subi %[[N]], %c1
// KERNEL: scf.if %[[PREVK]]
// KERNEL: skipattn_gpu.ring.wait %[[V]][%[[PREV]]], "v"
// KERNEL: skipattn_gpu.mma %[[PREVP]]
// KERNEL: skipattn_gpu.ring.release %[[V]][%[[PREV]]]
// KERNEL: skipattn_gpu.online_update
// KERNEL: %[[LASTB:.*]] = arith.subi %[[NB]], %c1
// KERNEL: %[[ISLAST:.*]] = arith.cmpi eq, %[[N]], %[[LASTB]]
// KERNEL: scf.if %[[ISLAST]]
// KERNEL: skipattn_gpu.ring.wait %[[V]][%[[N]]], "v"
// KERNEL: skipattn_gpu.ring.release %[[V]][%[[N]]]
// KERNEL: scf.yield {{.*}}, %[[KEEP]]

// PTXAS: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads

func.func @attn(%q: tensor<4x32x1x128xbf16>, %k: tensor<4x8x32768x128xbf16>,
                %v: tensor<4x8x32768x128xbf16>, %o: tensor<4x32x1x128xbf16>)
    -> tensor<4x32x1x128xbf16> {
  %r = skipattn.attention ins(%q, %k, %v : tensor<4x32x1x128xbf16>, tensor<4x8x32768x128xbf16>, tensor<4x8x32768x128xbf16>)
      outs(%o : tensor<4x32x1x128xbf16>)
      {skip = #skipattn.skip<threshold_scale_factor = 1.0e2, min_keep_blocks = 1>}
      -> tensor<4x32x1x128xbf16>
  return %r : tensor<4x32x1x128xbf16>
}
