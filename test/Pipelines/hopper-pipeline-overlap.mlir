// Dense causal prefill with intra-warpgroup overlap (the schedule option
// `overlap`, asked for here; the default for non-causal prefill): iteration n first rescales O by block
// n - 1's factors, issues Q.K^T(n), then (under n >= 1) P(n - 1).V(n - 1)
// with the probabilities the loop carried, and waits for the scores alone
// (pending = 1); block n's mask and row_update (f32 probabilities) come
// before that P.V's wait in the IR (ptxas moves the wait to the start of
// their basic block, docs/hopper.md); after it the probabilities are
// packed (to_operand) into the registers the P.V read. V's waits and
// releases lag one block; the last iteration completes its own block; the
// load role fills K and V from two warps. The protocol verifier accepts
// the lagged V ring (verify-protocol-lagged.mlir rejects broken
// variants). It assembles for sm_90a without spills, and the SASS keeps
// the wgmma asynchronous: P.V(n - 1) is still in flight at the wait for
// the scores (DEPBAR.LE gsb0, 0x1), which ptxas drops silently (waiting
// after every HGMMA) when the pipeline is ill-formed, e.g. when registers
// are written between Q.K^T(n)'s issue and P.V(n - 1)'s. The probabilities
// are packed two per F2FP.PACK_AB, not by F2F on the exponentials' pipe.
// REQUIRES: ptxas
// RUN: skipattn-opt %s --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(skipattn-gpu-select-schedule{overlap=1},skipattn-tile,skipattn-insert-skip-predicates{skip-unit=64},canonicalize,cse),convert-skipattn-to-skipattn-gpu,gpu.module(canonicalize,cse,skipattn-gpu-verify-protocol))' | FileCheck %s --check-prefix=KERNEL
// RUN: skipattn-opt %s --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(skipattn-gpu-select-schedule{pingpong=true overlap=1},skipattn-tile,skipattn-insert-skip-predicates{skip-unit=64},canonicalize,cse),convert-skipattn-to-skipattn-gpu,gpu.module(canonicalize,cse,skipattn-gpu-verify-protocol))' | FileCheck %s --check-prefix=PP
// RUN: skipattn-opt %s --skipattn-hopper-pipeline='format=isa toolkit=%cuda_toolkit overlap=1' -o %t.mlir
// RUN: %python %test_inputs/extract_ptx.py %t.mlir %t.ptx
// RUN: %cuda_toolkit/bin/ptxas -arch=sm_90a -v %t.ptx -o %t.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not=C7508 --implicit-check-not=warning
// RUN: %if cuobjdump %{ %cuobjdump -sass %t.cubin | FileCheck %s --check-prefix=SASS %}

// KERNEL: overlap = true
// KERNEL: skipattn_gpu.warp_role <name = "load"
// KERNEL: skipattn_gpu.elect{{$}}
// KERNEL: skipattn_gpu.ring.acquire %[[K:.*]][%{{.*}}] if
// KERNEL-NOT: skipattn_gpu.ring.acquire
// KERNEL: skipattn_gpu.elect {warp = 1 : i64}
// KERNEL: skipattn_gpu.ring.acquire %[[V:.*]][%{{.*}}] if
// KERNEL: skipattn_gpu.warp_role <name = "math"
// KERNEL: scf.for %[[N:arg[0-9]+]] = %c0 to %[[NB:[0-9a-z_]+]] step %c1 iter_args({{.*}}, %[[O:arg[0-9]+]] = %{{[0-9]+}}, %[[PREVP:arg[0-9]+]] = %{{[0-9]+}}, %[[PREVF:arg[0-9]+]] = %{{[0-9]+}})
// KERNEL-NEXT: %[[OS:.*]] = skipattn_gpu.scale_rows %[[O]], %[[PREVF]]
// KERNEL: skipattn_gpu.ring.wait %[[K]][%[[N]]], "k"
// KERNEL: %[[S:.*]] = skipattn_gpu.mma
// KERNEL: %[[HAS:.*]] = arith.cmpi uge, %[[N]], %c1
// KERNEL: scf.if %[[HAS]]
// KERNEL: %[[PREV:.*]] = arith.subi %[[N]], %c1
// KERNEL: %[[VT:.*]] = skipattn_gpu.ring.wait %[[V]][%[[PREV]]], "v"
// KERNEL: %[[PV:.*]] = skipattn_gpu.mma %[[PREVP]], %[[VT]] acc(%[[OS]]
// KERNEL: %[[S1:.*]] = skipattn_gpu.mma_wait %[[S]] {pending = 1 : i64}
// KERNEL: scf.yield %[[PV]], %[[S1]]
// KERNEL: skipattn_gpu.mma_wait %[[S]] {pending = 0 : i64}
// KERNEL: skipattn_gpu.ring.release %[[K]][%[[N]]]
// KERNEL: %{{.*}}, %{{.*}}, %[[F:.*]], %[[E:.*]] = skipattn_gpu.row_update {{.*}} -> !skipattn_gpu.acc<64x128xf32>
// KERNEL-NEXT: %[[DONE:.*]] = skipattn_gpu.mma_wait %{{.*}} {pending = 0 : i64}
// KERNEL-NEXT: %[[P:.*]] = skipattn_gpu.to_operand %[[E]]
// KERNEL: scf.if %[[HAS]] {
// KERNEL: skipattn_gpu.ring.release %[[V]][%{{.*}}]
// KERNEL: %[[LASTB:.*]] = arith.subi %[[NB]], %c1
// KERNEL: %[[ISLAST:.*]] = arith.cmpi eq, %[[N]], %[[LASTB]]
// KERNEL: scf.if %[[ISLAST]]
// KERNEL-NEXT: %[[OL:.*]] = skipattn_gpu.scale_rows %[[DONE]], %[[F]]
// KERNEL: skipattn_gpu.ring.wait %[[V]][%[[N]]], "v"
// KERNEL: skipattn_gpu.mma %[[P]], %{{.*}} acc(%[[OL]]
// KERNEL: skipattn_gpu.ring.release %[[V]][%[[N]]]
// KERNEL: scf.yield {{.*}}, %[[P]], %[[F]]

// With pingpong, warpgroup 1 passes before the loop and warpgroup 0 after
// it; in the loop a warpgroup passes the turn once both MMAs are issued
// (before the scores' wait, on both paths) and takes it back once its
// probabilities are packed, for the next iteration's issues.
// PP: pingpong = true, overlap = true
// PP: skipattn_gpu.turn_pass if
// PP-NEXT: skipattn_gpu.turn_take
// PP: scf.for
// PP: skipattn_gpu.mma %{{.*}} acc(
// PP-NEXT: skipattn_gpu.turn_pass if %true
// PP-NEXT: skipattn_gpu.mma_wait %{{.*}} {pending = 1 : i64}
// PP: } else {
// PP-NEXT: skipattn_gpu.turn_pass if %true
// PP-NEXT: skipattn_gpu.mma_wait %{{.*}} {pending = 0 : i64}
// PP: skipattn_gpu.to_operand
// PP-NEXT: skipattn_gpu.turn_take
// PP: skipattn_gpu.turn_pass if

// PTXAS: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads

// Q.K^T(n)'s k-steps and P.V(n - 1)'s issue with no wait between them;
// the first wait leaves P.V in flight.
// SASS: HGMMA.64x128x16.F32.BF16 R{{[0-9]+}}, gdesc[{{.*}}], RZ, !UPT ;
// SASS-NOT: DEPBAR
// SASS: .tnspB, R{{[0-9]+}}, gsb0 ;
// SASS-NOT: DEPBAR
// SASS: WARPGROUP.DEPBAR.LE gsb0, 0x1 ;

func.func @attn(%q: tensor<2x16x4096x128xbf16>, %k: tensor<2x16x4096x128xbf16>,
                %v: tensor<2x16x4096x128xbf16>, %o: tensor<2x16x4096x128xbf16>)
    -> tensor<2x16x4096x128xbf16> {
  %r = skipattn.attention ins(%q, %k, %v : tensor<2x16x4096x128xbf16>, tensor<2x16x4096x128xbf16>, tensor<2x16x4096x128xbf16>)
      outs(%o : tensor<2x16x4096x128xbf16>)
      {causal}
      -> tensor<2x16x4096x128xbf16>
  return %r : tensor<2x16x4096x128xbf16>
}

// Two f32 probabilities per pack instruction; no single conversions.
// SASS-NOT: F2F.BF16.F32
// SASS: F2FP.BF16.F32.PACK_AB
