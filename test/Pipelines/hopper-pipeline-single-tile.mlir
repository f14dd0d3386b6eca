// One tile (B = Hq = 1, Sq <= block_q): canonicalization removes the
// parallel loop around it, and the kernel level takes the function body as
// the tile; the statistics initialisation there is left to the runtime.
// RUN: skipattn-opt %s --skipattn-hopper-pipeline | FileCheck %s
// RUN: skipattn-opt %s --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(skipattn-gpu-select-schedule,skipattn-tile,skipattn-insert-skip-predicates{skip-unit=64},canonicalize,cse))' | FileCheck %s --check-prefix=TILED

// TILED-NOT: scf.parallel
// TILED: skipattn.blocked_kv

// CHECK: skipattn_gpu.launch = [#skipattn_gpu.launch<kernel = "one", grid = [1, 1, 1], block = [384, 1, 1]
// CHECK-SAME: #skipattn_gpu.param<stats>
// CHECK: llvm.func @one(
// CHECK: bar.red.and.pred
// CHECK: llvm.atomicrmw add
// CHECK-NOT: llvm.store %{{.*}} : i64
// CHECK: llvm.return

func.func @one(%q: tensor<1x1x64x128xbf16>, %k: tensor<1x1x256x128xbf16>,
               %v: tensor<1x1x256x128xbf16>, %o: tensor<1x1x64x128xbf16>,
               %st: tensor<1x1x2xi64>) -> (tensor<1x1x64x128xbf16>, tensor<1x1x2xi64>) {
  %r:2 = skipattn.attention ins(%q, %k, %v : tensor<1x1x64x128xbf16>, tensor<1x1x256x128xbf16>, tensor<1x1x256x128xbf16>)
      outs(%o : tensor<1x1x64x128xbf16>) stats(%st : tensor<1x1x2xi64>)
      {causal, skip = #skipattn.skip<threshold_scale_factor = 1.0e2, min_keep_blocks = 1>}
      -> tensor<1x1x64x128xbf16>, tensor<1x1x2xi64>
  return %r#0, %r#1 : tensor<1x1x64x128xbf16>, tensor<1x1x2xi64>
}
