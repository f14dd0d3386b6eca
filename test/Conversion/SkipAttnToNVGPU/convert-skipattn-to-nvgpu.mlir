// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=128 block-kv=128},skipattn-insert-skip-predicates{skip-unit=64},canonicalize,cse),convert-skipattn-to-nvgpu)' | FileCheck %s

// Skipping, causal, ragged, with LSE and statistics: one kernel per function,
// TMA ring on mbarriers, wgmma for both products, the warpgroup vote, and the
// P.V wgmma inside the guard that a skip bypasses.
// CHECK-LABEL: module attributes {gpu.container_module, skipattn.launch = {block = array<i64: 256, 1, 1>, box_kv = array<i64: 64, 128>, box_q = array<i64: 64, 128>, grid = array<i64: 3, 4, 2>, kernel = "attn", params = ["tma:q", "tma:k", "tma:v", "ptr:out", "ptr:kv_lens", "ptr:lse", "ptr:stats"], smem = 164864 : i64}}
// CHECK-NOT: func.func
// CHECK: gpu.module @skipattn_kernels
// CHECK: gpu.func @attn(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr<1>, %{{.*}}: !llvm.ptr<1>, %{{.*}}: !llvm.ptr<1>, %{{.*}}: !llvm.ptr<1>) kernel attributes {nvvm.maxntid = array<i32: 256, 1, 1>, skipattn.tma_params = array<i32: 0, 1, 2>}
// CHECK: builtin.unrealized_conversion_cast %{{.*}} : !llvm.ptr to !nvgpu.tensormap.descriptor<tensor = memref<1x128x64xbf16, 3>, swizzle = swizzle_128b
// CHECK: nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = 5>
// CHECK: nvgpu.mbarrier.init
// CHECK: gpu.dynamic_shared_memory
// CHECK: nvgpu.mbarrier.arrive.expect_tx
// CHECK: nvgpu.tma.async.load
// CHECK: nvgpu.mbarrier.try_wait.parity
// CHECK: scf.for
// CHECK:   nvgpu.mbarrier.try_wait.parity
// CHECK:   nvvm.wgmma.fence.aligned
// CHECK-COUNT-8: nvvm.wgmma.mma_async
// CHECK:   nvvm.wgmma.commit.group.sync.aligned
// CHECK:   nvvm.wgmma.wait.group.sync.aligned 0
// CHECK:   scf.if
// CHECK:   nvvm.shfl.sync bfly
// CHECK:   math.exp2
// CHECK:   llvm.inline_asm has_side_effects asm_dialect = att "{ .reg .pred p, q; setp.ne.b32 p, $1, 0; bar.red.and.pred q, $2, 128, p;
// CHECK:   %[[KEEP:.*]] = arith.xori %{{.*}}, %true
// CHECK:   scf.if %[[KEEP]]
// CHECK:     math.fma
// CHECK:     nvgpu.mbarrier.try_wait.parity
// CHECK:     nvvm.wgmma.fence.aligned
// CHECK-COUNT-8: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// CHECK:     nvvm.wgmma.commit.group.sync.aligned
// CHECK:   } else {
// CHECK-NOT: wgmma
// CHECK:   }
// CHECK:   gpu.barrier
// CHECK:   nvgpu.tma.async.load
// CHECK: math.log2
// CHECK: llvm.atomicrmw add
// CHECK: gpu.return
func.func @attn(%q: memref<2x4x300x128xbf16>, %k: memref<2x2x1000x128xbf16>,
                %v: memref<2x2x1000x128xbf16>, %lens: memref<2xi32>, %o: memref<2x4x300x128xbf16>,
                %lse: memref<2x4x300xf32>, %st: memref<2x4x2xi64>) {
  skipattn.attention ins(%q, %k, %v : memref<2x4x300x128xbf16>, memref<2x2x1000x128xbf16>, memref<2x2x1000x128xbf16>)
      kv_lens(%lens : memref<2xi32>)
      outs(%o : memref<2x4x300x128xbf16>) lse(%lse : memref<2x4x300xf32>) stats(%st : memref<2x4x2xi64>)
      {causal, skip = #skipattn.skip<threshold_scale_factor = 1.0e2, min_keep_blocks = 1>}
  return
}

// -----

// Runtime per-head factors: one more pointer parameter, read at
// b * 0 + h * 1 (the view's strides) before the KV loop; the vote stays.
// CHECK-LABEL: kernel = "runtime"
// CHECK-SAME: params = ["tma:q", "tma:k", "tma:v", "ptr:out", "ptr:skip_factors"]
// CHECK: gpu.func @runtime(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr<1>, %[[F:.*]]: !llvm.ptr<1>)
// CHECK: %[[FP:.*]] = llvm.getelementptr %[[F]][%{{.*}}] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, f32
// CHECK: llvm.load %[[FP]] : !llvm.ptr<1> -> f32
// CHECK: bar.red.and.pred
func.func @runtime(%q: memref<1x2x128x64xf16>, %k: memref<1x2x256x64xf16>,
                   %v: memref<1x2x256x64xf16>, %f: memref<1x2xf32, strided<[0, 1]>>,
                   %o: memref<1x2x128x64xf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x128x64xf16>, memref<1x2x256x64xf16>, memref<1x2x256x64xf16>)
      skip_factors(%f : memref<1x2xf32, strided<[0, 1]>>) outs(%o : memref<1x2x128x64xf16>)
      {skip = #skipattn.skip<threshold_scale_factor = 0.0, min_keep_blocks = 1>}
  return
}

// -----

// Dense: no predicate, no vote; D = 64 gives m64n64 P.V.
// CHECK-LABEL: kernel = "dense"
// CHECK: gpu.func @dense
// CHECK-NOT: bar.red.and.pred
// CHECK: wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16
// CHECK-NOT: bar.red.and.pred
// CHECK: gpu.return
func.func @dense(%q: memref<1x2x128x64xf16>, %k: memref<1x2x256x64xf16>,
                 %v: memref<1x2x256x64xf16>, %o: memref<1x2x128x64xf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x128x64xf16>, memref<1x2x256x64xf16>, memref<1x2x256x64xf16>)
      outs(%o : memref<1x2x128x64xf16>)
  return
}

// -----

// expected-error @+1 {{the Hopper lowering needs f16 or bf16 inputs}}
func.func @f32(%q: memref<1x2x128x64xf32>, %k: memref<1x2x256x64xf32>,
               %v: memref<1x2x256x64xf32>, %o: memref<1x2x128x64xf32>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x128x64xf32>, memref<1x2x256x64xf32>, memref<1x2x256x64xf32>)
      outs(%o : memref<1x2x128x64xf32>)
  return
}

// -----

// expected-error @+1 {{the Hopper lowering supports head_dim 64 and 128, not 96}}
func.func @d96(%q: memref<1x2x128x96xbf16>, %k: memref<1x2x256x96xbf16>,
               %v: memref<1x2x256x96xbf16>, %o: memref<1x2x128x96xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x128x96xbf16>, memref<1x2x256x96xbf16>, memref<1x2x256x96xbf16>)
      outs(%o : memref<1x2x128x96xbf16>)
  return
}
