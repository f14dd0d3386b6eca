// One KV block (Skv <= block_kv): canonicalization folds the load role's
// and the math role's loops into their single iteration, so the rings'
// acquire, wait and release name the constant block 0, which the protocol
// verifier accepts for blocks below the ring's depth. Sq = 16 is a
// decode shape: the two query heads of a KV head share one warpgroup.
// RUN: skipattn-opt %s --skipattn-hopper-pipeline | FileCheck %s
// RUN: skipattn-opt %s --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(skipattn-gpu-select-schedule,skipattn-tile,skipattn-insert-skip-predicates{skip-unit=64},canonicalize,cse),convert-skipattn-to-skipattn-gpu,gpu.module(canonicalize,cse,skipattn-gpu-verify-protocol))' | FileCheck %s --check-prefix=KERNEL

// KERNEL-NOT: scf.for
// KERNEL: skipattn_gpu.ring.acquire %{{.*}}[%c0]
// KERNEL: skipattn_gpu.ring.release %{{.*}}[%c0]

// CHECK: skipattn_gpu.launch = [#skipattn_gpu.launch<kernel = "one_block", grid = [1, 2, 1], block = [256, 1, 1]
// CHECK-SAME: box_q = [64, 32, 2]
// CHECK: llvm.func @one_block(
// CHECK: llvm.return

func.func @one_block(%q: tensor<1x4x16x64xf16>, %k: tensor<1x2x64x64xf16>,
                     %v: tensor<1x2x64x64xf16>, %o: tensor<1x4x16x64xf16>)
    -> tensor<1x4x16x64xf16> {
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x4x16x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>)
      outs(%o : tensor<1x4x16x64xf16>) -> tensor<1x4x16x64xf16>
  return %r : tensor<1x4x16x64xf16>
}
