// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(gpu.module(convert-skipattn-gpu-to-nvvm))' | FileCheck %s

// Input: the kernel level of a causal, ragged, skipping attention with LSE
// and statistics (convert-skipattn-to-skipattn-gpu, then canonicalize and
// cse). Each op family has one lowering: rings to nvgpu mbarriers and TMA
// (one load per 64-column box), Q.K^T to nvvm.wgmma with shared operands,
// the skip vote to bar.red.and.pred on the warpgroup's named barrier, P.V to
// the register-A wgmma (inline PTX), under the keep guard only, the epilogue
// to packed stores, LSE stores and two atomics.
// CHECK-LABEL: gpu.func @attn
// CHECK-SAME: skipattn.tma_params = array<i32: 0, 1, 2>
// CHECK-NOT: skipattn_gpu.
// CHECK: gpu.block_id  x
// CHECK: nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>>
// CHECK: nvgpu.mbarrier.init
// CHECK: gpu.barrier
// CHECK: nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = 4>
// CHECK-COUNT-4: nvgpu.mbarrier.init
// CHECK: gpu.barrier
// CHECK: nvgpu.mbarrier.arrive.expect_tx %{{.*}}[%{{.*}}], %{{.*}}, predicate = %{{.*}}
// CHECK: builtin.unrealized_conversion_cast %arg0 : !llvm.ptr to !nvgpu.tensormap.descriptor<tensor = memref<1x1x128x64xbf16, 3>, swizzle = swizzle_128b, l2promo = none, oob = zero, interleave = none>
// CHECK-COUNT-2: nvgpu.tma.async.load
// CHECK: nvgpu.mbarrier.try_wait.parity
// CHECK: scf.for {{.*}} -> (vector<2xf32>, vector<2xf32>, !llvm.struct<(f32, f32
// CHECK:   nvgpu.mbarrier.try_wait.parity
// CHECK:   nvvm.wgmma.fence.aligned
// CHECK-COUNT-8: nvvm.wgmma.mma_async
// CHECK:   nvvm.wgmma.commit.group.sync.aligned
// CHECK:   nvvm.wgmma.wait.group.sync.aligned 0
// CHECK:   scf.if
// CHECK:   nvvm.shfl.sync bfly
// CHECK:   llvm.inline_asm has_side_effects asm_dialect = att "{ .reg .pred p, q; setp.ne.b32 p, $1, 0; bar.red.and.pred q, $2, 128, p; selp.b32 $0, 1, 0, q; }"
// The input's guard is `scf.if %skip { keep the state } else { update }`.
// CHECK:   scf.if %{{.*}} -> (vector<2xf32>, vector<2xf32>, !llvm.struct<(f32
// CHECK-NOT: wgmma
// CHECK:   } else {
// CHECK:     llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f32"
// CHECK:     nvgpu.mbarrier.try_wait.parity
// CHECK:     nvvm.wgmma.fence.aligned
// CHECK-COUNT-8: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// CHECK:     nvvm.wgmma.commit.group.sync.aligned
// CHECK:     nvvm.wgmma.wait.group.sync.aligned 0
// CHECK:   }
// CHECK:   gpu.barrier
// CHECK:   scf.if
// CHECK:     nvgpu.mbarrier.try_wait.parity
// CHECK:     nvgpu.mbarrier.arrive.expect_tx
// CHECK:     nvgpu.tma.async.load
// CHECK: nvgpu.mbarrier.try_wait.parity
// CHECK: nvgpu.mbarrier.try_wait.parity
// CHECK: llvm.atomicrmw add
// CHECK: llvm.atomicrmw add
// CHECK-COUNT-16: llvm.store %{{.*}}, %{{.*}} : i32, !llvm.ptr<1>
// CHECK: math.log2
// CHECK: llvm.store %{{.*}}, %{{.*}} : f32, !llvm.ptr<1>
// CHECK: gpu.return

module attributes {gpu.container_module, skipattn_gpu.launch = [#skipattn_gpu.launch<kernel = "attn", grid = [3, 4, 2], block = [256, 1, 1], smem = 164864, params = [#skipattn_gpu.param<tma_q>, #skipattn_gpu.param<tma_k>, #skipattn_gpu.param<tma_v>, #skipattn_gpu.param<out>, #skipattn_gpu.param<kv_lens>, #skipattn_gpu.param<lse>, #skipattn_gpu.param<stats>], box_q = [64, 128, 1], box_kv = [64, 128]>]} {
  gpu.module @skipattn_kernels {
    gpu.func @attn(%arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: !llvm.ptr, %arg3: !llvm.ptr<1>, %arg4: !llvm.ptr<1>, %arg5: !llvm.ptr<1>, %arg6: !llvm.ptr<1>) kernel attributes {nvvm.maxntid = array<i32: 256, 1, 1>, skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>]>} {
      %cst = arith.constant 0.000000e+00 : f32
      %c4 = arith.constant 4 : index
      %c2 = arith.constant 2 : index
      %c1 = arith.constant 1 : index
      %c0 = arith.constant 0 : index
      %c128 = arith.constant 128 : index
      %c1000 = arith.constant 1000 : index
      %c300 = arith.constant 300 : index
      %cst_0 = arith.constant 1.000000e+02 : f64
      %cst_1 = arith.constant 1.000000e+00 : f64
      %cst_2 = arith.constant 0.000000e+00 : f64
      %cst_3 = arith.constant 0xFF800000 : f32
      %c64 = arith.constant 64 : index
      %true = arith.constant true
      %batch, %head, %q_tile = skipattn_gpu.tile_id {q_tiles = 3 : i64} : index, index, index
      %0 = skipattn_gpu.ring.create {offset = 0 : i64} : <1 x ["q"] of <128x128xbf16>>
      %1 = skipattn_gpu.ring.create {offset = 32768 : i64} : <2 x ["k", "v"] of <128x128xbf16>>
      skipattn_gpu.warp_role <name = "math", first_warp = 0, num_warps = 8, max_nreg = 0> {
        %2 = skipattn_gpu.elect
        %3 = skipattn_gpu.warpgroup_id : index
        %4 = arith.muli %3, %c64 : index
        %5 = arith.divui %head, %c2 : index
        %6 = arith.muli %q_tile, %c128 : index
        %7 = arith.index_cast %batch : index to i64
        %8 = llvm.getelementptr %arg4[%7] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, i32
        %9 = llvm.load %8 invariant : !llvm.ptr<1> -> i32
        %10 = arith.index_cast %9 : i32 to index
        %11 = arith.maxsi %10, %c0 : index
        %12 = arith.minsi %11, %c1000 : index
        skipattn_gpu.ring.put %0[%c0], "q" if %2 bytes(32768) {
        ^bb0(%arg7: !skipattn_gpu.smem<128x128xbf16>):
          skipattn_gpu.tma_load %arg0[%6, %head, %batch] into %arg7 : !llvm.ptr, <128x128xbf16>
        } : <1 x ["q"] of <128x128xbf16>>
        %13 = arith.addi %6, %c128 : index
        %14 = arith.minsi %13, %c300 : index
        %15 = arith.addi %14, %12 : index
        %16 = arith.subi %15, %c300 : index
        %17 = arith.maxsi %16, %c0 : index
        %18 = arith.minsi %17, %12 : index
        %19 = arith.ceildivui %18, %c128 : index
        %20 = arith.index_castui %12 : index to i64
        %21 = arith.uitofp %20 : i64 to f64
        %22 = arith.divf %cst_0, %21 : f64
        %23 = arith.cmpf ogt, %22, %cst_2 : f64
        %24 = arith.cmpf olt, %22, %cst_1 : f64
        %25 = arith.andi %24, %23 : i1
        %26 = arith.truncf %22 : f64 to f32
        %27 = math.log2 %26 : f32
        %28 = arith.select %25, %27, %cst_3 : f32
        %29 = arith.cmpi sgt, %19, %c0 : index
        %30 = arith.andi %2, %29 : i1
        skipattn_gpu.ring.put %1[%c0], "k" if %30 bytes(32768) {
        ^bb0(%arg7: !skipattn_gpu.smem<128x128xbf16>):
          skipattn_gpu.tma_load %arg1[%c0, %5, %batch] into %arg7 : !llvm.ptr, <128x128xbf16>
        } : <2 x ["k", "v"] of <128x128xbf16>>
        skipattn_gpu.ring.put %1[%c0], "v" if %30 bytes(32768) {
        ^bb0(%arg7: !skipattn_gpu.smem<128x128xbf16>):
          skipattn_gpu.tma_load %arg2[%c0, %5, %batch] into %arg7 : !llvm.ptr, <128x128xbf16>
        } : <2 x ["k", "v"] of <128x128xbf16>>
        %31 = arith.cmpi sgt, %19, %c1 : index
        %32 = arith.andi %2, %31 : i1
        skipattn_gpu.ring.put %1[%c1], "k" if %32 bytes(32768) {
        ^bb0(%arg7: !skipattn_gpu.smem<128x128xbf16>):
          skipattn_gpu.tma_load %arg1[%c128, %5, %batch] into %arg7 : !llvm.ptr, <128x128xbf16>
        } : <2 x ["k", "v"] of <128x128xbf16>>
        skipattn_gpu.ring.put %1[%c1], "v" if %32 bytes(32768) {
        ^bb0(%arg7: !skipattn_gpu.smem<128x128xbf16>):
          skipattn_gpu.tma_load %arg2[%c128, %5, %batch] into %arg7 : !llvm.ptr, <128x128xbf16>
        } : <2 x ["k", "v"] of <128x128xbf16>>
        %33 = skipattn_gpu.ring.wait %0[%c0], "q" : <1 x ["q"] of <128x128xbf16>> -> <128x128xbf16>
        %34 = skipattn_gpu.subtile %33[%4] : <128x128xbf16> -> <64x128xbf16, pitch = 128>
        %35 = arith.addi %6, %4 : index
        %36 = skipattn_gpu.row_limits %35, %12 {causal, q_len = 300 : i64} : <64xi32>
        %37 = skipattn_gpu.splat %cst_3 : !skipattn_gpu.rows<64xf32>
        %38 = skipattn_gpu.splat %cst : !skipattn_gpu.rows<64xf32, partial>
        %39 = skipattn_gpu.splat %cst : !skipattn_gpu.acc<64x128xf32>
        %40:5 = scf.for %arg7 = %c0 to %19 step %c1 iter_args(%arg8 = %37, %arg9 = %38, %arg10 = %39, %arg11 = %c0, %arg12 = %c0) -> (!skipattn_gpu.rows<64xf32>, !skipattn_gpu.rows<64xf32, partial>, !skipattn_gpu.acc<64x128xf32>, index, index) {
          %43 = arith.muli %arg7, %c128 : index
          %44 = skipattn_gpu.ring.wait %1[%arg7], "k" : <2 x ["k", "v"] of <128x128xbf16>> -> <128x128xbf16>
          %45 = skipattn_gpu.mma %34, %44 {b_major = #skipattn_gpu.major<k>} : !skipattn_gpu.smem<64x128xbf16, pitch = 128>, <128x128xbf16> -> <64x128xf32>
          %46 = skipattn_gpu.mma_wait %45 {pending = 0 : i64} : <64x128xf32>
          %47 = skipattn_gpu.mask %46, %36, %43 : <64x128xf32>, <64xi32>
          %48 = arith.cmpi uge, %arg7, %c1 : index
          %49 = arith.andi %48, %25 : i1
          %50 = skipattn_gpu.row_max %47 {scale = 0.127517432 : f32} : <64x128xf32> -> <64xf32>
          %51 = skipattn_gpu.skip_vote %50, %arg8 log2_lambda(%28) : <64xf32>
          %52 = arith.andi %49, %51 : i1
          %53 = arith.addi %arg11, %c1 : index
          %54 = arith.extui %52 : i1 to i64
          %55 = arith.index_cast %54 : i64 to index
          %56 = arith.addi %arg12, %55 : index
          %57:3 = scf.if %52 -> (!skipattn_gpu.rows<64xf32>, !skipattn_gpu.rows<64xf32, partial>, !skipattn_gpu.acc<64x128xf32>) {
            scf.yield %arg8, %arg9, %arg10 : !skipattn_gpu.rows<64xf32>, !skipattn_gpu.rows<64xf32, partial>, !skipattn_gpu.acc<64x128xf32>
          } else {
            %new_row_max, %new_row_sum, %new_acc, %probs = skipattn_gpu.online_update %47, %50 state(%arg8, %arg9, %arg10) {scale = 0.127517432 : f32} : <64x128xf32>, <64xf32>, <64xf32, partial>, <64x128xf32> -> <64x128xbf16>
            %61 = skipattn_gpu.ring.wait %1[%arg7], "v" : <2 x ["k", "v"] of <128x128xbf16>> -> <128x128xbf16>
            %62 = skipattn_gpu.mma %probs, %61 acc(%new_acc : !skipattn_gpu.acc<64x128xf32>) {b_major = #skipattn_gpu.major<mn>} : !skipattn_gpu.operand<64x128xbf16>, <128x128xbf16> -> <64x128xf32>
            %63 = skipattn_gpu.mma_wait %62 {pending = 0 : i64} : <64x128xf32>
            scf.yield %new_row_max, %new_row_sum, %63 : !skipattn_gpu.rows<64xf32>, !skipattn_gpu.rows<64xf32, partial>, !skipattn_gpu.acc<64x128xf32>
          }
          skipattn_gpu.ring.release %1[%arg7] : <2 x ["k", "v"] of <128x128xbf16>>
          %58 = arith.addi %arg7, %c2 : index
          %59 = arith.cmpi slt, %58, %19 : index
          %60 = arith.andi %2, %59 : i1
          scf.if %60 {
            %61 = skipattn_gpu.ring.wait %1[%arg7], "v" : <2 x ["k", "v"] of <128x128xbf16>> -> <128x128xbf16>
            %62 = arith.muli %58, %c128 : index
            skipattn_gpu.ring.put %1[%58], "k" if %true bytes(32768) {
            ^bb0(%arg13: !skipattn_gpu.smem<128x128xbf16>):
              skipattn_gpu.tma_load %arg1[%62, %5, %batch] into %arg13 : !llvm.ptr, <128x128xbf16>
            } : <2 x ["k", "v"] of <128x128xbf16>>
            skipattn_gpu.ring.put %1[%58], "v" if %true bytes(32768) {
            ^bb0(%arg13: !skipattn_gpu.smem<128x128xbf16>):
              skipattn_gpu.tma_load %arg2[%62, %5, %batch] into %arg13 : !llvm.ptr, <128x128xbf16>
            } : <2 x ["k", "v"] of <128x128xbf16>>
          }
          scf.yield %57#0, %57#1, %57#2, %53, %56 : !skipattn_gpu.rows<64xf32>, !skipattn_gpu.rows<64xf32, partial>, !skipattn_gpu.acc<64x128xf32>, index, index
        }
        skipattn_gpu.ring.drain %1[%19], "v" if %2 : <2 x ["k", "v"] of <128x128xbf16>>
        %41 = arith.muli %batch, %c4 : index
        %42 = arith.addi %41, %head : index
        skipattn_gpu.add_stats %40#3, %40#4 into %arg6[%42] : !llvm.ptr<1>
        skipattn_gpu.store_tile %40#2, %40#1 into %arg3[%batch, %head, %35] {element_type = bf16, q_len = 300 : i64, strides = array<i64: 153600, 38400, 128>} : <64x128xf32>, <64xf32, partial>, !llvm.ptr<1>
        skipattn_gpu.store_lse %40#0, %40#1 into %arg5[%42, %35] {q_len = 300 : i64} : <64xf32>, <64xf32, partial>, !llvm.ptr<1>
      }
      gpu.return
    }
  }
}

// -----

// Several roles: each runs its region on its own warps and resizes its
// register file (setmaxnreg) on entry; elect and warpgroup ids count from
// the role's first warp.
// CHECK-LABEL: gpu.func @roles
// CHECK: %[[TID:.*]] = gpu.thread_id  x
// CHECK: arith.cmpi sge, %{{.*}}, %c0_i32
// CHECK: arith.cmpi slt, %{{.*}}, %c8_i32
// CHECK: scf.if
// CHECK:   nvvm.setmaxregister  increase 240
// CHECK:   arith.shrui %{{.*}}, %c7_i32
// CHECK: arith.cmpi sge, %{{.*}}, %c8_i32
// CHECK: arith.cmpi slt, %{{.*}}, %c12_i32
// CHECK: scf.if
// CHECK:   nvvm.setmaxregister  decrease 24
// CHECK:   arith.subi %{{.*}}, %c256_i32
// CHECK:   arith.cmpi eq, %{{.*}}, %c0_i32
gpu.module @k {
  gpu.func @roles(%out: !llvm.ptr<1>) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 24>]>} {
    skipattn_gpu.warp_role <name = "math", first_warp = 0, num_warps = 8, max_nreg = 240> {
      %wg = skipattn_gpu.warpgroup_id : index
      %i = arith.index_cast %wg : index to i64
      %p = llvm.getelementptr %out[%i] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, i64
      llvm.store %i, %p : i64, !llvm.ptr<1>
    }
    skipattn_gpu.warp_role <name = "load", first_warp = 8, num_warps = 4, max_nreg = 24> {
      %e = skipattn_gpu.elect
      scf.if %e {
        %c9 = llvm.mlir.constant(9 : i64) : i64
        %p = llvm.getelementptr %out[%c9] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, i64
        llvm.store %c9, %p : i64, !llvm.ptr<1>
      }
    }
    gpu.return
  }
}

// -----

// A release across roles would need empty barriers, which this lowering
// does not build: it fails instead of synchronising the wrong threads.
gpu.module @k {
  gpu.func @release() kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 24>]>} {
    %c0 = arith.constant 0 : index
    %r = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<1 x ["q"] of !skipattn_gpu.smem<64x64xbf16>>
    skipattn_gpu.warp_role <name = "math", first_warp = 0, num_warps = 8, max_nreg = 240> {
      // expected-error @+1 {{failed to legalize operation 'skipattn_gpu.ring.release'}}
      skipattn_gpu.ring.release %r[%c0] : !skipattn_gpu.ring<1 x ["q"] of !skipattn_gpu.smem<64x64xbf16>>
    }
    gpu.return
  }
}

// -----

// The softmax's fragment ops: the mask compares each column's constant
// offset in the thread's fragment with the row's room (limit - kv_start -
// column), so nothing per column outlives the block; row maxima reduce as
// a tree; row_update may leave the probabilities f32, and to_operand packs
// each pair with one cvt.rn.bf16x2.f32.
// CHECK-LABEL: gpu.func @fragments
// CHECK: scf.if
// CHECK: %[[R0:.*]] = arith.subi %{{.*}}, %{{.*}} : i32
// CHECK-NEXT: %[[ROOM0:.*]] = arith.subi %[[R0]], %{{.*}} : i32
// CHECK-NEXT: %[[R1:.*]] = arith.subi %{{.*}}, %{{.*}} : i32
// CHECK-NEXT: %[[ROOM1:.*]] = arith.subi %[[R1]], %{{.*}} : i32
// CHECK: arith.cmpi slt, %c0_i32{{.*}}, %[[ROOM0]] : i32
// CHECK: arith.cmpi slt, %c1_i32{{.*}}, %[[ROOM0]] : i32
// CHECK: arith.cmpi slt, %c0_i32{{.*}}, %[[ROOM1]] : i32
// CHECK: arith.cmpi slt, %c57_i32{{.*}}, %[[ROOM1]] : i32
// CHECK: } else {
// CHECK-COUNT-15: arith.maxnumf
// CHECK: nvvm.shfl.sync bfly
// CHECK-COUNT-34: llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f32"
// CHECK-NOT: arith.truncf
// CHECK-COUNT-16: nvvm.convert.f32x2.to.bf16x2 {{.*}} {rnd = #nvvm.fp_rnd_mode<rn>} : vector<2xbf16>
// CHECK-NOT: nvvm.convert.f32x2.to.bf16x2
// CHECK: gpu.return
gpu.module @k {
  gpu.func @fragments(%x: f32, %first: index, %len: index, %kv0: index) kernel {
    %zero = arith.constant 0.0 : f32
    %ninf = arith.constant 0xFF800000 : f32
    %s = skipattn_gpu.splat %x : !skipattn_gpu.acc<64x64xf32>
    %lim = skipattn_gpu.row_limits %first, %len {causal, q_len = 4096 : i64} : !skipattn_gpu.rows<64xi32>
    %m = skipattn_gpu.splat %ninf : !skipattn_gpu.rows<64xf32>
    %l = skipattn_gpu.splat %zero : !skipattn_gpu.rows<64xf32, partial>
    %s1 = skipattn_gpu.mask %s, %lim, %kv0 : !skipattn_gpu.acc<64x64xf32>, !skipattn_gpu.rows<64xi32>
    %bm = skipattn_gpu.row_max %s1 {scale = 0.5 : f32} : !skipattn_gpu.acc<64x64xf32> -> !skipattn_gpu.rows<64xf32>
    %m1, %l1, %f, %e = skipattn_gpu.row_update %s1, %bm state(%m, %l) {scale = 0.5 : f32}
        : !skipattn_gpu.acc<64x64xf32>, !skipattn_gpu.rows<64xf32>, !skipattn_gpu.rows<64xf32, partial>
        -> !skipattn_gpu.acc<64x64xf32>
    %p = skipattn_gpu.to_operand %e : !skipattn_gpu.acc<64x64xf32> -> !skipattn_gpu.operand<64x64xbf16>
    gpu.return
  }
}

// -----

// The TMA-store epilogue: each thread writes its column pairs (wgmma
// fragment: rows g and g + 8, 16 words per row at D = 128) or, with a row
// per thread (tcgen05), 16-byte chunks, into the stage at the chunk place
// the 128-byte swizzle gives (chunk XOR row mod 8); the writes are fenced
// for the async proxy, the warpgroup meets on named barrier 8 + w, and its
// first thread issues one TMA store per 64-column box, commits them and
// waits until they have been read.
// CHECK-LABEL: gpu.func @tma_store
// CHECK: arith.xori
// CHECK-COUNT-32: llvm.store %{{.*}}, %{{.*}} : i32, !llvm.ptr<3>
// CHECK-NEXT: nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK: nvvm.barrier id = %{{.*}} number_of_threads = %c128_i32
// CHECK: scf.if
// CHECK-COUNT-2: nvgpu.tma.async.store
// CHECK: nvvm.cp.async.bulk.commit.group
// CHECK: nvvm.cp.async.bulk.wait_group 0 {read}
// CHECK-COUNT-16: llvm.store %{{.*}}, %{{.*}} {alignment = 16 : i64} : vector<4xi32>, !llvm.ptr<3>
// CHECK: nvvm.fence.proxy
// CHECK: nvgpu.tma.async.store
// CHECK: gpu.return
gpu.module @k {
  gpu.func @tma_store(%d: !llvm.ptr, %x: f32, %i: index) kernel {
    %c0 = arith.constant 0 : index
    %c128 = arith.constant 128 : index
    %a = skipattn_gpu.splat %x : !skipattn_gpu.acc<64x128xf32>
    %l = skipattn_gpu.splat %x : !skipattn_gpu.rows<64xf32, partial>
    %a2 = skipattn_gpu.splat %x : !skipattn_gpu.acc<128x128xf32>
    %l2 = skipattn_gpu.splat %x : !skipattn_gpu.rows<128xf32, partial>
    %q = skipattn_gpu.ring.create {offset = 0} : !skipattn_gpu.ring<1 x ["q"] of !skipattn_gpu.smem<256x128xbf16>>
    %qt = skipattn_gpu.ring.wait %q[%c0], "q" : !skipattn_gpu.ring<1 x ["q"] of !skipattn_gpu.smem<256x128xbf16>> -> !skipattn_gpu.smem<256x128xbf16>
    %s = skipattn_gpu.subtile %qt[%i] : !skipattn_gpu.smem<256x128xbf16> -> !skipattn_gpu.smem<64x128xbf16, pitch = 256>
    %s2 = skipattn_gpu.subtile %qt[%c128] : !skipattn_gpu.smem<256x128xbf16> -> !skipattn_gpu.smem<128x128xbf16, pitch = 256>
    skipattn_gpu.tma_store_tile %a, %l via %s into %d[%i, %i, %i] : !skipattn_gpu.acc<64x128xf32>, !skipattn_gpu.rows<64xf32, partial>, !skipattn_gpu.smem<64x128xbf16, pitch = 256>, !llvm.ptr
    skipattn_gpu.tma_store_tile %a2, %l2 via %s2 into %d[%i, %i, %i] : !skipattn_gpu.acc<128x128xf32>, !skipattn_gpu.rows<128xf32, partial>, !skipattn_gpu.smem<128x128xbf16, pitch = 256>, !llvm.ptr
    gpu.return
  }
}

// -----

// The hand-over between roles through tensor memory (sm_100a's correction
// warpgroup): one value per row is one 32x32b tcgen05 column (a single i32
// per thread), stored, waited for and fenced; a pipe with arrivals
// initialises its barriers with that many, and pipe.arrive fences the
// warp's tensor-memory accesses, meets the warp and arrives from its first
// lane.
// CHECK-LABEL: gpu.func @handover
// CHECK: nvgpu.mbarrier.init %{{.*}}, %c8{{.*}}, predicate
// CHECK: nvvm.tcgen05.st %{{.*}}, %{{.*}} {shape = #nvvm.tcgen05_ldst_shape<shape_32x32b>} : i32
// CHECK-NEXT: nvvm.tcgen05.wait <store>
// CHECK-NEXT: nvvm.tcgen05.fence <before>
// CHECK: nvvm.tcgen05.fence <before>
// CHECK: nvvm.bar.warp.sync
// CHECK: scf.if
// CHECK-NEXT: nvgpu.mbarrier.arrive
// CHECK: nvgpu.mbarrier.try_wait.parity
// CHECK: nvvm.tcgen05.ld %{{.*}} {shape = #nvvm.tcgen05_ldst_shape<shape_32x32b>} : i32
// CHECK: gpu.return
gpu.module @k {
  gpu.func @handover(%x: f32, %n: index) kernel {
    %c0 = arith.constant 0 : index
    %tm = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<256>
    %p = skipattn_gpu.pipe.create : !skipattn_gpu.pipe<2, arrivals = 8>
    %f = skipattn_gpu.splat %x : !skipattn_gpu.rows<128xf32>
    skipattn_gpu.tmem.store %f into %tm[%c0] : !skipattn_gpu.rows<128xf32>, !skipattn_gpu.tmem<256>
    skipattn_gpu.pipe.arrive %p[%n] : !skipattn_gpu.pipe<2, arrivals = 8>
    skipattn_gpu.pipe.wait %p[%n] : !skipattn_gpu.pipe<2, arrivals = 8>
    %r = skipattn_gpu.tmem.load %tm[%c0] : !skipattn_gpu.tmem<256> -> !skipattn_gpu.rows<128xf32>
    skipattn_gpu.tmem.scale %tm[%c0], %r {cols = 32 : i64} : !skipattn_gpu.tmem<256>, !skipattn_gpu.rows<128xf32>
    gpu.return
  }
}

// -----

// Tile order. head_group = 0: head y of sequence z, query tiles from the
// last (q_tiles - 1 - x). head_group = 6: the CTA's start order
// x + 64 (y + heads z) over the tiles, its group of 6 pairs (the last
// group is what remains of gridDim.y x gridDim.z pairs), its rank by length
// (0: the last query tile) and its pair, head fastest.
// CHECK-LABEL: gpu.func @tile_order
// CHECK: %[[X:.*]] = gpu.block_id  x
// CHECK: %[[T0:.*]] = arith.subi %{{.*}}, %[[X]] : index
// CHECK: %[[X1:.*]] = gpu.block_id  x
// CHECK: %[[NY:.*]] = gpu.grid_dim  y
// CHECK: %[[NZ:.*]] = gpu.grid_dim  z
// CHECK: %[[PAIRS:.*]] = arith.muli %[[NY]], %[[NZ]]
// CHECK: %[[Z:.*]] = gpu.block_id  z
// CHECK: %[[YZ:.*]] = arith.muli %[[NY]], %[[Z]]
// CHECK: %[[Y:.*]] = gpu.block_id  y
// CHECK: %[[P:.*]] = arith.addi %[[Y]], %[[YZ]]
// CHECK: %[[PQ:.*]] = arith.muli %{{.*}}, %[[P]]
// CHECK: %[[ORD:.*]] = arith.addi %[[X1]], %[[PQ]]
// CHECK: %[[C384:.*]] = arith.constant 384 : index
// CHECK: %[[G:.*]] = arith.divui %[[ORD]], %[[C384]]
// CHECK: %[[FIRST:.*]] = arith.muli %[[G]], %{{.*}}
// CHECK: %[[F64:.*]] = arith.muli %[[FIRST]], %{{.*}}
// CHECK: %[[IN:.*]] = arith.subi %[[ORD]], %[[F64]]
// CHECK: %[[LEFT:.*]] = arith.subi %[[PAIRS]], %[[FIRST]]
// CHECK: %[[SIZE:.*]] = arith.minui %{{.*}}, %[[LEFT]]
// CHECK: %[[RANK:.*]] = arith.divui %[[IN]], %[[SIZE]]
// CHECK: %[[RS:.*]] = arith.muli %[[RANK]], %[[SIZE]]
// CHECK: %[[J:.*]] = arith.subi %[[IN]], %[[RS]]
// CHECK: %[[PAIR:.*]] = arith.addi %[[FIRST]], %[[J]]
// CHECK: %[[B:.*]] = arith.divui %[[PAIR]], %[[NY]]
// CHECK: %[[BH:.*]] = arith.muli %[[B]], %[[NY]]
// CHECK: %[[H:.*]] = arith.subi %[[PAIR]], %[[BH]]
// CHECK: %[[T:.*]] = arith.subi %{{.*}}, %[[RANK]]
// CHECK: index_cast %[[T0]]
// CHECK: index_cast %[[B]]
// CHECK: index_cast %[[H]]
// CHECK: index_cast %[[T]]
gpu.module @k {
  gpu.func @tile_order(%out: !llvm.ptr<1>) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>]>} {
    %b0, %h0, %t0 = skipattn_gpu.tile_id {q_tiles = 64} : index, index, index
    %b, %h, %t = skipattn_gpu.tile_id {q_tiles = 64, head_group = 6} : index, index, index
    %c0 = llvm.mlir.constant(0 : i64) : i64
    %c1 = llvm.mlir.constant(1 : i64) : i64
    %c2 = llvm.mlir.constant(2 : i64) : i64
    %c3 = llvm.mlir.constant(3 : i64) : i64
    %p0 = llvm.getelementptr %out[%c0] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, i64
    %p1 = llvm.getelementptr %out[%c1] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, i64
    %p2 = llvm.getelementptr %out[%c2] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, i64
    %p3 = llvm.getelementptr %out[%c3] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, i64
    %i0 = arith.index_cast %t0 : index to i64
    %i1 = arith.index_cast %b : index to i64
    %i2 = arith.index_cast %h : index to i64
    %i3 = arith.index_cast %t : index to i64
    llvm.store %i0, %p0 : i64, !llvm.ptr<1>
    llvm.store %i1, %p1 : i64, !llvm.ptr<1>
    llvm.store %i2, %p2 : i64, !llvm.ptr<1>
    llvm.store %i3, %p3 : i64, !llvm.ptr<1>
    gpu.return
  }
}

// -----

// Statistics with V columns: a warpgroup's decisions go to columns 0 and 1
// of a four-column row (its leader adds them); the gated V warp's loads
// go to columns 2 and 3 from the thread that counted them, unguarded.
// CHECK-LABEL: gpu.func @v_loads
// CHECK: scf.if
// CHECK:   %[[P:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK:   %[[ROW:.*]] = arith.muli %[[P]], %c4_i64{{.*}} : i64
// CHECK:   %[[I0:.*]] = arith.addi %[[ROW]], %c0_i64
// CHECK:   llvm.getelementptr %{{.*}}[%[[I0]]]
// CHECK:   llvm.atomicrmw add
// CHECK:   arith.addi %{{.*}}, %c1_i64
// CHECK:   llvm.atomicrmw add
// CHECK: }
// CHECK-NOT: scf.if
// CHECK: %[[Q:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK: %[[ROW2:.*]] = arith.muli %[[Q]], %c4_i64{{.*}} : i64
// CHECK: %[[I2:.*]] = arith.addi %[[ROW2]], %c2_i64
// CHECK: llvm.getelementptr %{{.*}}[%[[I2]]]
// CHECK: llvm.atomicrmw add
// CHECK: %[[ROW3:.*]] = arith.muli %[[Q]], %c4_i64{{.*}} : i64
// CHECK: %[[I3:.*]] = arith.addi %[[ROW3]], %c3_i64
// CHECK: llvm.getelementptr %{{.*}}[%[[I3]]]
// CHECK: llvm.atomicrmw add
// CHECK: gpu.return
gpu.module @k {
  gpu.func @v_loads(%st: !llvm.ptr<1>, %dec: index, %skips: index, %plane: index) kernel attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 4, max_nreg = 0>]>} {
    skipattn_gpu.add_stats %dec, %skips into %st[%plane] {columns = 4} : !llvm.ptr<1>
    skipattn_gpu.add_stats %dec, %skips into %st[%plane] {columns = 4, first = 2, this_thread} : !llvm.ptr<1>
    gpu.return
  }
}
