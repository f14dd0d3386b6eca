// RUN: skipattn-opt %s --split-input-file --verify-diagnostics --convert-skipattn-to-skipattn-gpu | FileCheck %s

// Input: the blocked IR of skipattn-gpu-select-schedule, skipattn-tile and
// skipattn-insert-skip-predicates{skip-unit=64} (then canonicalize, cse).

// Skipping, causal, ragged, with LSE and statistics. The scalar prologue of
// the tile (KV length, visible blocks, log2(lambda), the enable condition)
// is kept; pack_q becomes a TMA put into the Q ring; the K/V ring gets a
// two-stage prologue; block_scores is a K wait, an MMA and a mask;
// skip_predicate is the warpgroup's skip_vote, combined with min_keep as
// the blocked IR did; the kept update (online_update, V wait, P.V) stays
// under the guard; each iteration releases its stage and the leader refills
// it after waiting for V; the statistics are counted in the loop.
// CHECK-LABEL: module attributes {gpu.container_module, skipattn_gpu.launch = [#skipattn_gpu.launch<kernel = "attn", grid = [3, 4, 2], block = [256, 1, 1], smem = 164864, params = [#skipattn_gpu.param<tma_q>, #skipattn_gpu.param<tma_k>, #skipattn_gpu.param<tma_v>, #skipattn_gpu.param<out>, #skipattn_gpu.param<kv_lens>, #skipattn_gpu.param<lse>, #skipattn_gpu.param<stats>], box_q = [64, 128, 1], box_kv = [64, 128]>]}
// CHECK-NOT: func.func
// CHECK: gpu.func @attn(%[[Q:.*]]: !llvm.ptr, %[[K:.*]]: !llvm.ptr, %[[V:.*]]: !llvm.ptr, %[[O:.*]]: !llvm.ptr<1>, %[[LENS:.*]]: !llvm.ptr<1>, %[[LSE:.*]]: !llvm.ptr<1>, %[[ST:.*]]: !llvm.ptr<1>) kernel
// CHECK-SAME: skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2
// CHECK: %[[B:.*]], %[[H:.*]], %[[T:.*]] = skipattn_gpu.tile_id {q_tiles = 3 : i64}
// CHECK: %[[QR:.*]] = skipattn_gpu.ring.create {offset = 0 : i64} : <1 x ["q"] of <128x128xbf16>>
// CHECK: %[[KV:.*]] = skipattn_gpu.ring.create {offset = 32768 : i64} : <2 x ["k", "v"] of <128x128xbf16>>
// CHECK: skipattn_gpu.warp_role <name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>
// CHECK: %[[LEAD:.*]] = skipattn_gpu.elect
// CHECK: %[[WG:.*]] = skipattn_gpu.warpgroup_id
// CHECK: %[[ROW0:.*]] = arith.muli %[[WG]], %{{.*}} : index
// CHECK: llvm.getelementptr %[[LENS]]
// CHECK: llvm.load %{{.*}} invariant : !llvm.ptr<1> -> i32
// CHECK: skipattn_gpu.ring.put %[[QR]][%{{.*}}], "q" if %[[LEAD]] bytes(32768)
// CHECK: skipattn_gpu.tma_load %[[Q]][%{{.*}}, %[[H]], %[[B]]]
// CHECK: %[[NB:.*]] = arith.ceildivui
// CHECK: math.log2 %{{.*}} : f32
// CHECK: %[[LL:.*]] = arith.select
// CHECK: skipattn_gpu.ring.put %[[KV]][%[[B0:.*]]], "k" if %[[P0:.*]] bytes(32768)
// CHECK: skipattn_gpu.ring.put %[[KV]][%{{.*}}], "v" if %[[P0]] bytes(32768)
// CHECK: skipattn_gpu.ring.put %[[KV]][%{{.*}}], "k" if %[[P1:.*]] bytes(32768)
// CHECK: skipattn_gpu.ring.put %[[KV]][%{{.*}}], "v" if %[[P1]] bytes(32768)
// CHECK: %[[QT:.*]] = skipattn_gpu.ring.wait %[[QR]][%{{.*}}], "q"
// CHECK: %[[QW:.*]] = skipattn_gpu.subtile %[[QT]][%[[ROW0]]] : <128x128xbf16> -> <64x128xbf16, pitch = 128>
// CHECK: %[[LIM:.*]] = skipattn_gpu.row_limits %{{.*}} {causal, q_len = 300 : i64} : <64xi32>
// CHECK: %[[RES:.*]]:5 = scf.for %[[N:.*]] = %{{.*}} to %[[NB]] step %{{.*}} iter_args(%[[M:.*]] = %{{.*}}, %[[L:.*]] = %{{.*}}, %[[ACC:.*]] = %{{.*}}, %[[DEC:.*]] = %{{.*}}, %[[SK:.*]] = %{{.*}}) -> (!skipattn_gpu.rows<64xf32>, !skipattn_gpu.rows<64xf32, partial>, !skipattn_gpu.acc<64x128xf32>, index, index)
// CHECK:   %[[KT:.*]] = skipattn_gpu.ring.wait %[[KV]][%[[N]]], "k"
// CHECK:   %[[S0:.*]] = skipattn_gpu.mma %[[QW]], %[[KT]] {b_major = #skipattn_gpu.major<k>}
// CHECK:   %[[S1:.*]] = skipattn_gpu.mma_wait %[[S0]] {pending = 0 : i64}
// CHECK:   %[[S:.*]] = skipattn_gpu.mask %[[S1]], %[[LIM]]
// CHECK:   %[[PAST:.*]] = arith.cmpi uge, %[[N]], %{{.*}} : index
// CHECK:   %[[MB:.*]] = skipattn_gpu.row_max %[[S]] {scale = 0.127517432 : f32}
// CHECK:   %[[VOTE:.*]] = skipattn_gpu.skip_vote %[[MB]], %[[M]] log2_lambda(%[[LL]])
// CHECK:   %[[SKIP:.*]] = arith.andi %{{.*}}, %[[VOTE]]
// CHECK:   %[[KEEP:.*]] = arith.xori %[[SKIP]], %{{.*}} : i1
// CHECK:   scf.if %[[KEEP]] -> (!skipattn_gpu.rows<64xf32>, !skipattn_gpu.rows<64xf32, partial>, !skipattn_gpu.acc<64x128xf32>)
// CHECK:     %{{.*}}, %{{.*}}, %[[NACC:.*]], %[[P:.*]] = skipattn_gpu.online_update %[[S]], %[[MB]] state(%[[M]], %[[L]], %[[ACC]])
// CHECK:     %[[VT:.*]] = skipattn_gpu.ring.wait %[[KV]][%[[N]]], "v"
// CHECK:     skipattn_gpu.mma %[[P]], %[[VT]] acc(%[[NACC]] : !skipattn_gpu.acc<64x128xf32>) {b_major = #skipattn_gpu.major<mn>} : !skipattn_gpu.operand<64x128xbf16>
// CHECK:     skipattn_gpu.mma_wait
// CHECK:   } else {
// CHECK:     scf.yield %[[M]], %[[L]], %[[ACC]]
// CHECK:   skipattn_gpu.ring.release %[[KV]][%[[N]]]
// CHECK:   %[[NEXT:.*]] = arith.addi %[[N]], %{{.*}} : index
// CHECK:   scf.if
// CHECK:     skipattn_gpu.ring.wait %[[KV]][%[[N]]], "v"
// CHECK:     skipattn_gpu.ring.put %[[KV]][%[[NEXT]]], "k" if %{{.*}} bytes(32768)
// CHECK:     skipattn_gpu.ring.put %[[KV]][%[[NEXT]]], "v" if %{{.*}} bytes(32768)
// CHECK: skipattn_gpu.ring.drain %[[KV]][%[[NB]]], "v" if %[[LEAD]]
// CHECK: skipattn_gpu.add_stats %[[RES]]#3, %[[RES]]#4 into %[[ST]]
// CHECK: skipattn_gpu.store_tile %[[RES]]#2, %[[RES]]#1 into %[[O]][%[[B]], %[[H]], %{{.*}}] {element_type = bf16, q_len = 300 : i64, strides = array<i64: 153600, 38400, 128>}
// CHECK: skipattn_gpu.store_lse %[[RES]]#0, %[[RES]]#1 into %[[LSE]]
// CHECK: gpu.return
func.func @attn(%arg0: memref<2x4x300x128xbf16>, %arg1: memref<2x2x1000x128xbf16>, %arg2: memref<2x2x1000x128xbf16>, %arg3: memref<2xi32>, %arg4: memref<2x4x300x128xbf16>, %arg5: memref<2x4x300xf32>, %arg6: memref<2x4x2xi64>) {
  %true = arith.constant true
  %c1_i64 = arith.constant 1 : i64
  %c64 = arith.constant 64 : index
  %cst = arith.constant 0xFF800000 : f32
  %cst_0 = arith.constant 0.000000e+00 : f64
  %cst_1 = arith.constant 1.000000e+00 : f64
  %cst_2 = arith.constant 1.000000e+02 : f64
  %c300 = arith.constant 300 : index
  %c1000 = arith.constant 1000 : index
  %c128 = arith.constant 128 : index
  %c3 = arith.constant 3 : index
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c0_i64 = arith.constant 0 : i64
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  scf.for %arg7 = %c0 to %c2 step %c1 {
    scf.for %arg8 = %c0 to %c4 step %c1 {
      scf.for %arg9 = %c0 to %c2 step %c1 {
        memref.store %c0_i64, %arg6[%arg7, %arg8, %arg9] : memref<2x4x2xi64>
      }
    }
  }
  scf.parallel (%arg7, %arg8, %arg9) = (%c0, %c0, %c0) to (%c2, %c4, %c3) step (%c1, %c1, %c1) {
    %alloca = memref.alloca() : memref<128x128xf32>
    %alloca_3 = memref.alloca() : memref<128x128xf32>
    %alloca_4 = memref.alloca() : memref<128xf32>
    %alloca_5 = memref.alloca() : memref<128xf32>
    %alloca_6 = memref.alloca() : memref<128x128xf32>
    %0 = arith.divui %arg8, %c2 : index
    %1 = arith.muli %arg9, %c128 : index
    %2 = memref.load %arg3[%arg7] : memref<2xi32>
    %3 = arith.index_cast %2 : i32 to index
    %4 = arith.maxsi %3, %c0 : index
    %5 = arith.minsi %4, %c1000 : index
    skipattn.pack_q %arg0[%arg7, %arg8, %1] into %alloca {heads = 1 : i64, rows_per_head = 128 : i64, scale = 0.0883883461 : f32} : memref<2x4x300x128xbf16>, memref<128x128xf32>
    %6 = arith.addi %1, %c128 : index
    %7 = arith.minsi %6, %c300 : index
    %8 = arith.addi %7, %5 : index
    %9 = arith.subi %8, %c300 : index
    %10 = arith.maxsi %9, %c0 : index
    %11 = arith.minsi %10, %5 : index
    %12 = arith.ceildivui %11, %c128 : index
    %13 = arith.index_castui %5 : index to i64
    %14 = arith.uitofp %13 : i64 to f64
    %15 = arith.divf %cst_2, %14 : f64
    %16 = arith.cmpf ogt, %15, %cst_0 : f64
    %17 = arith.cmpf olt, %15, %cst_1 : f64
    %18 = arith.andi %17, %16 : i1
    %19 = math.log2 %15 : f64
    %20 = arith.truncf %19 : f64 to f32
    %21 = arith.select %18, %20, %cst : f32
    skipattn.blocked_kv %arg10 = %c0 to %12 kv_len(%5) state(%alloca_4, %alloca_5, %alloca_6 : memref<128xf32>, memref<128xf32>, memref<128x128xf32>) stats(%arg6[%arg7, %arg8] : memref<2x4x2xi64>) attributes {skip = #skipattn.skip<threshold_scale_factor = 1.000000e+02, min_keep_blocks = 1>, skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>]>, tiling = #skipattn.tiling<block_q = 128, block_kv = 128, heads_per_tile = 1, skip_unit = 64>} {
      %22 = arith.muli %arg10, %c128 : index
      skipattn.block_scores %alloca, %arg1[%arg7, %0] kv_start(%22) kv_len(%5) q_pos(%1) into %alloca_3 {causal, q_len = 300 : i64, rows_per_head = 128 : i64} : memref<128x128xf32>, memref<2x2x1000x128xbf16>, memref<128x128xf32>
      %23 = arith.cmpi uge, %arg10, %c1 : index
      %24 = arith.andi %23, %18 : i1
      scf.for %arg11 = %c0 to %c128 step %c64 {
        %subview = memref.subview %alloca_3[%arg11, 0] [64, 128] [1, 1] : memref<128x128xf32> to memref<64x128xf32, strided<[128, 1], offset: ?>>
        %subview_7 = memref.subview %alloca_4[%arg11] [64] [1] : memref<128xf32> to memref<64xf32, strided<[1], offset: ?>>
        %subview_8 = memref.subview %alloca_5[%arg11] [64] [1] : memref<128xf32> to memref<64xf32, strided<[1], offset: ?>>
        %subview_9 = memref.subview %alloca_6[%arg11, 0] [64, 128] [1, 1] : memref<128x128xf32> to memref<64x128xf32, strided<[128, 1], offset: ?>>
        %25 = skipattn.skip_predicate %subview, %subview_7 log2_lambda(%21) : memref<64x128xf32, strided<[128, 1], offset: ?>>, memref<64xf32, strided<[1], offset: ?>>
        %26 = arith.andi %24, %25 : i1
        %27 = arith.divui %arg11, %c128 : index
        %28 = arith.addi %arg8, %27 : index
        %29 = memref.atomic_rmw addi %c1_i64, %arg6[%arg7, %28, %c0] : (i64, memref<2x4x2xi64>) -> i64
        %30 = arith.extui %26 : i1 to i64
        %31 = memref.atomic_rmw addi %30, %arg6[%arg7, %28, %c1] : (i64, memref<2x4x2xi64>) -> i64
        %32 = arith.xori %26, %true : i1
        scf.if %32 {
          skipattn.online_softmax %subview, %arg2[%arg7, %0] kv_start(%22) kv_len(%5) state(%subview_7, %subview_8, %subview_9) : memref<64x128xf32, strided<[128, 1], offset: ?>>, memref<2x2x1000x128xbf16>, memref<64xf32, strided<[1], offset: ?>>, memref<64xf32, strided<[1], offset: ?>>, memref<64x128xf32, strided<[128, 1], offset: ?>>
        }
      }
    }
    skipattn.finalize state(%alloca_4, %alloca_5, %alloca_6) into %arg4[%arg7, %arg8, %1] lse(%arg5 : memref<2x4x300xf32>) {rows_per_head = 128 : i64} : memref<128xf32>, memref<128xf32>, memref<128x128xf32>, memref<2x4x300x128xbf16>
    scf.reduce 
  }
  return
}

// -----

// The same tile with a load role. The scalars are computed once, before
// the roles; K and V get separate rings whose empty barriers count the two
// math warpgroups. The load role's thread fills Q, then acquires the K and
// V stages of every block of the same loop bounds before filling them (K
// landing then tells a warpgroup that skipped V(n - 2) that V's barrier is
// in block n's phase), and drains V;
// the math warpgroups release K after Q.K^T and V at the end of the
// iteration, on every path. The kernel asks ptxas for one CTA per SM so that
// setmaxnreg is kept. With pingpong, warpgroup 1 passes the turn before the
// loop and warpgroup 0 after it; each iteration passes it once Q.K^T is
// issued and takes it back before P.V, also when the block is skipped.
// CHECK-LABEL: module attributes
// CHECK-SAME: block = [384, 1, 1], smem = 164864
// CHECK: gpu.func @attn_ws(%[[Q:.*]]: !llvm.ptr, %[[K:.*]]: !llvm.ptr, %[[V:.*]]: !llvm.ptr, %[[O:.*]]: !llvm.ptr<1>
// CHECK-SAME: nvvm.maxntid = array<i32: 384, 1, 1>, nvvm.minctasm = 1 : i32
// CHECK: %[[B:.*]], %[[H:.*]], %[[T:.*]] = skipattn_gpu.tile_id {q_tiles = 3 : i64}
// CHECK: %[[QR:.*]] = skipattn_gpu.ring.create {offset = 0 : i64} : <1 x ["q"] of <128x128xbf16>>
// CHECK: %[[KR:.*]] = skipattn_gpu.ring.create {offset = 32768 : i64} : <2 x ["k"] of <128x128xbf16>, consumers = 2>
// CHECK: %[[VR:.*]] = skipattn_gpu.ring.create {offset = 98304 : i64} : <2 x ["v"] of <128x128xbf16>, consumers = 2>
// CHECK: %[[NB:.*]] = arith.ceildivui
// CHECK: skipattn_gpu.warp_role <name = "load", first_warp = 8, num_warps = 4, max_nreg = 24> {
// CHECK:   %[[LEAD:.*]] = skipattn_gpu.elect
// CHECK:   scf.if %[[LEAD]] {
// CHECK:     skipattn_gpu.ring.put %[[QR]][%{{.*}}], "q" if %[[TRUE:.*]] bytes(32768)
// CHECK:     scf.for %[[PN:.*]] = %[[C0:.*]] to %[[NB]] step
// CHECK:       skipattn_gpu.ring.acquire %[[KR]][%[[PN]]] if %[[TRUE]]
// CHECK-NEXT:  skipattn_gpu.ring.acquire %[[VR]][%[[PN]]] if %[[TRUE]]
// CHECK-NEXT:  skipattn_gpu.ring.put %[[KR]][%[[PN]]], "k" if %[[TRUE]] bytes(32768)
// CHECK:         skipattn_gpu.tma_load %[[K]]
// CHECK:       skipattn_gpu.ring.put %[[VR]][%[[PN]]], "v" if %[[TRUE]] bytes(32768)
// CHECK:         skipattn_gpu.tma_load %[[V]]
// CHECK:     skipattn_gpu.ring.drain %[[VR]][%[[NB]]], "v" if %[[TRUE]]
// CHECK: skipattn_gpu.warp_role <name = "math", first_warp = 0, num_warps = 8, max_nreg = 240> {
// CHECK:   %[[WG:.*]] = skipattn_gpu.warpgroup_id
// CHECK-NOT: skipattn_gpu.ring.put
// CHECK:   skipattn_gpu.ring.wait %[[QR]]
// CHECK:   %[[SECOND:.*]] = arith.cmpi eq, %[[WG]], %c1
// CHECK:   skipattn_gpu.turn_pass if %[[SECOND]]
// CHECK-NEXT: skipattn_gpu.turn_take
// CHECK:   %[[RES:.*]]:5 = scf.for %[[N:.*]] = %[[C0]] to %[[NB]] step
// CHECK:     skipattn_gpu.ring.wait %[[KR]][%[[N]]], "k"
// CHECK-NEXT: skipattn_gpu.mma
// CHECK:     skipattn_gpu.turn_pass if %{{.*}}
// CHECK-NEXT: skipattn_gpu.mma_wait
// CHECK-NEXT: skipattn_gpu.ring.release %[[KR]][%[[N]]]
// CHECK:     skipattn_gpu.skip_vote
// CHECK:     scf.if
// CHECK:       skipattn_gpu.online_update
// CHECK-NEXT:  skipattn_gpu.turn_take
// CHECK-NEXT:  skipattn_gpu.ring.wait %[[VR]][%[[N]]], "v"
// CHECK:     } else {
// CHECK-NEXT:  skipattn_gpu.turn_take
// CHECK:     skipattn_gpu.ring.release %[[VR]][%[[N]]]
// CHECK-NEXT: scf.yield
// CHECK:   %[[FIRST:.*]] = arith.cmpi eq, %[[WG]], %c0
// CHECK-NEXT: skipattn_gpu.turn_pass if %[[FIRST]]
// CHECK:   skipattn_gpu.add_stats
// CHECK:   skipattn_gpu.store_tile
func.func @attn_ws(%arg0: memref<2x4x300x128xbf16>, %arg1: memref<2x2x1000x128xbf16>, %arg2: memref<2x2x1000x128xbf16>, %arg3: memref<2xi32>, %arg4: memref<2x4x300x128xbf16>, %arg5: memref<2x4x300xf32>, %arg6: memref<2x4x2xi64>) {
  %true = arith.constant true
  %c1_i64 = arith.constant 1 : i64
  %c64 = arith.constant 64 : index
  %cst = arith.constant 0xFF800000 : f32
  %cst_0 = arith.constant 0.000000e+00 : f64
  %cst_1 = arith.constant 1.000000e+00 : f64
  %cst_2 = arith.constant 1.000000e+02 : f64
  %c300 = arith.constant 300 : index
  %c1000 = arith.constant 1000 : index
  %c128 = arith.constant 128 : index
  %c3 = arith.constant 3 : index
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c0_i64 = arith.constant 0 : i64
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  scf.for %arg7 = %c0 to %c2 step %c1 {
    scf.for %arg8 = %c0 to %c4 step %c1 {
      scf.for %arg9 = %c0 to %c2 step %c1 {
        memref.store %c0_i64, %arg6[%arg7, %arg8, %arg9] : memref<2x4x2xi64>
      }
    }
  }
  scf.parallel (%arg7, %arg8, %arg9) = (%c0, %c0, %c0) to (%c2, %c4, %c3) step (%c1, %c1, %c1) {
    %alloca = memref.alloca() : memref<128x128xf32>
    %alloca_3 = memref.alloca() : memref<128x128xf32>
    %alloca_4 = memref.alloca() : memref<128xf32>
    %alloca_5 = memref.alloca() : memref<128xf32>
    %alloca_6 = memref.alloca() : memref<128x128xf32>
    %0 = arith.divui %arg8, %c2 : index
    %1 = arith.muli %arg9, %c128 : index
    %2 = memref.load %arg3[%arg7] : memref<2xi32>
    %3 = arith.index_cast %2 : i32 to index
    %4 = arith.maxsi %3, %c0 : index
    %5 = arith.minsi %4, %c1000 : index
    skipattn.pack_q %arg0[%arg7, %arg8, %1] into %alloca {heads = 1 : i64, rows_per_head = 128 : i64, scale = 0.0883883461 : f32} : memref<2x4x300x128xbf16>, memref<128x128xf32>
    %6 = arith.addi %1, %c128 : index
    %7 = arith.minsi %6, %c300 : index
    %8 = arith.addi %7, %5 : index
    %9 = arith.subi %8, %c300 : index
    %10 = arith.maxsi %9, %c0 : index
    %11 = arith.minsi %10, %5 : index
    %12 = arith.ceildivui %11, %c128 : index
    %13 = arith.index_castui %5 : index to i64
    %14 = arith.uitofp %13 : i64 to f64
    %15 = arith.divf %cst_2, %14 : f64
    %16 = arith.cmpf ogt, %15, %cst_0 : f64
    %17 = arith.cmpf olt, %15, %cst_1 : f64
    %18 = arith.andi %17, %16 : i1
    %19 = math.log2 %15 : f64
    %20 = arith.truncf %19 : f64 to f32
    %21 = arith.select %18, %20, %cst : f32
    skipattn.blocked_kv %arg10 = %c0 to %12 kv_len(%5) state(%alloca_4, %alloca_5, %alloca_6 : memref<128xf32>, memref<128xf32>, memref<128x128xf32>) stats(%arg6[%arg7, %arg8] : memref<2x4x2xi64>) attributes {skip = #skipattn.skip<threshold_scale_factor = 1.000000e+02, min_keep_blocks = 1>, skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>, #skipattn_gpu.role<name = "load", first_warp = 8, num_warps = 4, max_nreg = 24>], pingpong = true>, tiling = #skipattn.tiling<block_q = 128, block_kv = 128, heads_per_tile = 1, skip_unit = 64>} {
      %22 = arith.muli %arg10, %c128 : index
      skipattn.block_scores %alloca, %arg1[%arg7, %0] kv_start(%22) kv_len(%5) q_pos(%1) into %alloca_3 {causal, q_len = 300 : i64, rows_per_head = 128 : i64} : memref<128x128xf32>, memref<2x2x1000x128xbf16>, memref<128x128xf32>
      %23 = arith.cmpi uge, %arg10, %c1 : index
      %24 = arith.andi %23, %18 : i1
      scf.for %arg11 = %c0 to %c128 step %c64 {
        %subview = memref.subview %alloca_3[%arg11, 0] [64, 128] [1, 1] : memref<128x128xf32> to memref<64x128xf32, strided<[128, 1], offset: ?>>
        %subview_7 = memref.subview %alloca_4[%arg11] [64] [1] : memref<128xf32> to memref<64xf32, strided<[1], offset: ?>>
        %subview_8 = memref.subview %alloca_5[%arg11] [64] [1] : memref<128xf32> to memref<64xf32, strided<[1], offset: ?>>
        %subview_9 = memref.subview %alloca_6[%arg11, 0] [64, 128] [1, 1] : memref<128x128xf32> to memref<64x128xf32, strided<[128, 1], offset: ?>>
        %25 = skipattn.skip_predicate %subview, %subview_7 log2_lambda(%21) : memref<64x128xf32, strided<[128, 1], offset: ?>>, memref<64xf32, strided<[1], offset: ?>>
        %26 = arith.andi %24, %25 : i1
        %27 = arith.divui %arg11, %c128 : index
        %28 = arith.addi %arg8, %27 : index
        %29 = memref.atomic_rmw addi %c1_i64, %arg6[%arg7, %28, %c0] : (i64, memref<2x4x2xi64>) -> i64
        %30 = arith.extui %26 : i1 to i64
        %31 = memref.atomic_rmw addi %30, %arg6[%arg7, %28, %c1] : (i64, memref<2x4x2xi64>) -> i64
        %32 = arith.xori %26, %true : i1
        scf.if %32 {
          skipattn.online_softmax %subview, %arg2[%arg7, %0] kv_start(%22) kv_len(%5) state(%subview_7, %subview_8, %subview_9) : memref<64x128xf32, strided<[128, 1], offset: ?>>, memref<2x2x1000x128xbf16>, memref<64xf32, strided<[1], offset: ?>>, memref<64xf32, strided<[1], offset: ?>>, memref<64x128xf32, strided<[128, 1], offset: ?>>
        }
      }
    }
    skipattn.finalize state(%alloca_4, %alloca_5, %alloca_6) into %arg4[%arg7, %arg8, %1] lse(%arg5 : memref<2x4x300xf32>) {rows_per_head = 128 : i64} : memref<128xf32>, memref<128xf32>, memref<128x128xf32>, memref<2x4x300x128xbf16>
    scf.reduce 
  }
  return
}

// -----

// Runtime per-head factors: the factor is read from its parameter with the
// view's strides (b * 0 + h * 1) and lambda computed as the blocked IR
// says; the vote stays.
// CHECK-LABEL: skipattn_gpu.launch = [#skipattn_gpu.launch<kernel = "runtime"
// CHECK-SAME: params = [#skipattn_gpu.param<tma_q>, #skipattn_gpu.param<tma_k>, #skipattn_gpu.param<tma_v>, #skipattn_gpu.param<out>, #skipattn_gpu.param<skip_factors>]
// CHECK: gpu.func @runtime(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr<1>, %[[F:.*]]: !llvm.ptr<1>)
// CHECK: scf.for
// CHECK: %[[FP:.*]] = llvm.getelementptr %[[F]][%{{.*}}] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, f32
// CHECK: llvm.load %[[FP]] invariant : !llvm.ptr<1> -> f32
// CHECK: skipattn_gpu.skip_vote
func.func @runtime(%arg0: memref<1x2x128x64xf16>, %arg1: memref<1x2x256x64xf16>, %arg2: memref<1x2x256x64xf16>, %arg3: memref<1x2xf32, strided<[0, 1]>>, %arg4: memref<1x2x128x64xf16>) {
  %cst = arith.constant 2.560000e+02 : f64
  %true = arith.constant true
  %cst_0 = arith.constant 0xFF800000 : f32
  %cst_1 = arith.constant 0.000000e+00 : f64
  %cst_2 = arith.constant 1.000000e+00 : f64
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %c128 = arith.constant 128 : index
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  scf.parallel (%arg5) = (%c0) to (%c2) step (%c1) {
    %alloca = memref.alloca() : memref<128x64xf32>
    %alloca_3 = memref.alloca() : memref<128x128xf32>
    %alloca_4 = memref.alloca() : memref<128xf32>
    %alloca_5 = memref.alloca() : memref<128xf32>
    %alloca_6 = memref.alloca() : memref<128x64xf32>
    skipattn.pack_q %arg0[%c0, %arg5, %c0] into %alloca {heads = 1 : i64, rows_per_head = 128 : i64, scale = 1.250000e-01 : f32} : memref<1x2x128x64xf16>, memref<128x64xf32>
    skipattn.blocked_kv %arg6 = %c0 to %c2 kv_len(%c256) state(%alloca_4, %alloca_5, %alloca_6 : memref<128xf32>, memref<128xf32>, memref<128x64xf32>) skip_factors(%arg3[%c0, %arg5] : memref<1x2xf32, strided<[0, 1]>>) attributes {skip = #skipattn.skip<threshold_scale_factor = 0.000000e+00, min_keep_blocks = 1>, skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>]>, tiling = #skipattn.tiling<block_q = 128, block_kv = 128, heads_per_tile = 1, skip_unit = 64>} {
      %0 = arith.muli %arg6, %c128 : index
      skipattn.block_scores %alloca, %arg1[%c0, %arg5] kv_start(%0) kv_len(%c256) q_pos(%c0) into %alloca_3 {q_len = 128 : i64, rows_per_head = 128 : i64} : memref<128x64xf32>, memref<1x2x256x64xf16>, memref<128x128xf32>
      %1 = arith.cmpi uge, %arg6, %c1 : index
      scf.for %arg7 = %c0 to %c128 step %c64 {
        %subview = memref.subview %alloca_3[%arg7, 0] [64, 128] [1, 1] : memref<128x128xf32> to memref<64x128xf32, strided<[128, 1], offset: ?>>
        %subview_7 = memref.subview %alloca_4[%arg7] [64] [1] : memref<128xf32> to memref<64xf32, strided<[1], offset: ?>>
        %subview_8 = memref.subview %alloca_5[%arg7] [64] [1] : memref<128xf32> to memref<64xf32, strided<[1], offset: ?>>
        %subview_9 = memref.subview %alloca_6[%arg7, 0] [64, 64] [1, 1] : memref<128x64xf32> to memref<64x64xf32, strided<[64, 1], offset: ?>>
        %2 = arith.divui %arg7, %c128 : index
        %3 = arith.addi %arg5, %2 : index
        %4 = memref.load %arg3[%c0, %3] : memref<1x2xf32, strided<[0, 1]>>
        %5 = arith.extf %4 : f32 to f64
        %6 = arith.divf %5, %cst : f64
        %7 = arith.cmpf ogt, %6, %cst_1 : f64
        %8 = arith.cmpf olt, %6, %cst_2 : f64
        %9 = arith.andi %8, %7 : i1
        %10 = math.log2 %6 : f64
        %11 = arith.truncf %10 : f64 to f32
        %12 = arith.select %9, %11, %cst_0 : f32
        %13 = arith.andi %1, %9 : i1
        %14 = skipattn.skip_predicate %subview, %subview_7 log2_lambda(%12) : memref<64x128xf32, strided<[128, 1], offset: ?>>, memref<64xf32, strided<[1], offset: ?>>
        %15 = arith.andi %13, %14 : i1
        %16 = arith.xori %15, %true : i1
        scf.if %16 {
          skipattn.online_softmax %subview, %arg2[%c0, %arg5] kv_start(%0) kv_len(%c256) state(%subview_7, %subview_8, %subview_9) : memref<64x128xf32, strided<[128, 1], offset: ?>>, memref<1x2x256x64xf16>, memref<64xf32, strided<[1], offset: ?>>, memref<64xf32, strided<[1], offset: ?>>, memref<64x64xf32, strided<[64, 1], offset: ?>>
        }
      }
    }
    skipattn.finalize state(%alloca_4, %alloca_5, %alloca_6) into %arg4[%c0, %arg5, %c0] {rows_per_head = 128 : i64} : memref<128xf32>, memref<128xf32>, memref<128x64xf32>, memref<1x2x128x64xf16>
    scf.reduce 
  }
  return
}

// -----

// Dense, D = 256 (64-key blocks), one KV block: no predicate, no vote, no
// statistics; a 64x256 accumulator.
// CHECK-LABEL: kernel = "dense"
// CHECK-SAME: smem = 197632
// CHECK: gpu.func @dense
// CHECK-NOT: skip_vote
// CHECK: skipattn_gpu.online_update
// CHECK-SAME: -> <64x64xf16>
// CHECK: skipattn_gpu.mma %{{.*}}, %{{.*}} acc(%{{.*}} : !skipattn_gpu.acc<64x256xf32>)
// CHECK-NOT: skip_vote
// CHECK: gpu.return
func.func @dense(%arg0: memref<1x2x100x256xf16>, %arg1: memref<1x2x64x256xf16>, %arg2: memref<1x2x64x256xf16>, %arg3: memref<1x2x100x256xf16>) {
  %c64 = arith.constant 64 : index
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  scf.parallel (%arg4) = (%c0) to (%c2) step (%c1) {
    %alloca = memref.alloca() : memref<128x256xf32>
    %alloca_0 = memref.alloca() : memref<128x64xf32>
    %alloca_1 = memref.alloca() : memref<128xf32>
    %alloca_2 = memref.alloca() : memref<128xf32>
    %alloca_3 = memref.alloca() : memref<128x256xf32>
    skipattn.pack_q %arg0[%c0, %arg4, %c0] into %alloca {heads = 1 : i64, rows_per_head = 128 : i64, scale = 6.250000e-02 : f32} : memref<1x2x100x256xf16>, memref<128x256xf32>
    skipattn.blocked_kv %arg5 = %c0 to %c1 kv_len(%c64) state(%alloca_1, %alloca_2, %alloca_3 : memref<128xf32>, memref<128xf32>, memref<128x256xf32>) attributes {skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 64, head_dim = 256, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>]>, tiling = #skipattn.tiling<block_q = 128, block_kv = 64, heads_per_tile = 1, skip_unit = 0>} {
      %0 = arith.muli %arg5, %c64 : index
      skipattn.block_scores %alloca, %arg1[%c0, %arg4] kv_start(%0) kv_len(%c64) q_pos(%c0) into %alloca_0 {q_len = 100 : i64, rows_per_head = 128 : i64} : memref<128x256xf32>, memref<1x2x64x256xf16>, memref<128x64xf32>
      skipattn.online_softmax %alloca_0, %arg2[%c0, %arg4] kv_start(%0) kv_len(%c64) state(%alloca_1, %alloca_2, %alloca_3) : memref<128x64xf32>, memref<1x2x64x256xf16>, memref<128xf32>, memref<128xf32>, memref<128x256xf32>
    }
    skipattn.finalize state(%alloca_1, %alloca_2, %alloca_3) into %arg3[%c0, %arg4, %c0] {rows_per_head = 128 : i64} : memref<128xf32>, memref<128xf32>, memref<128x256xf32>, memref<1x2x100x256xf16>
    scf.reduce 
  }
  return
}

// -----

// No schedule: the kernel level does not choose one itself.
func.func @nosched(%q: memref<1x1x128x64xbf16>, %k: memref<1x1x256x64xbf16>, %v: memref<1x1x256x64xbf16>, %o: memref<1x1x128x64xbf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c256 = arith.constant 256 : index
  scf.parallel (%b, %h, %t) = (%c0, %c0, %c0) to (%c1, %c1, %c1) step (%c1, %c1, %c1) {
    %qt = memref.alloca() : memref<128x64xf32>
    %s = memref.alloca() : memref<128x64xf32>
    %m = memref.alloca() : memref<128xf32>
    %l = memref.alloca() : memref<128xf32>
    %acc = memref.alloca() : memref<128x64xf32>
    skipattn.pack_q %q[%b, %h, %c0] into %qt {heads = 1 : i64, rows_per_head = 128 : i64, scale = 0.125 : f32} : memref<1x1x128x64xbf16>, memref<128x64xf32>
    // expected-error @+1 {{carries no #skipattn_gpu.schedule (run skipattn-gpu-select-schedule before skipattn-tile)}}
    skipattn.blocked_kv %n = %c0 to %c2 kv_len(%c256) state(%m, %l, %acc : memref<128xf32>, memref<128xf32>, memref<128x64xf32>) attributes {tiling = #skipattn.tiling<block_q = 128, block_kv = 128, heads_per_tile = 1, skip_unit = 0>} {
      %j = arith.muli %n, %c1 : index
      skipattn.block_scores %qt, %k[%b, %h] kv_start(%j) kv_len(%c256) q_pos(%c0) into %s {q_len = 128 : i64, rows_per_head = 128 : i64} : memref<128x64xf32>, memref<1x1x256x64xbf16>, memref<128x64xf32>
      skipattn.online_softmax %s, %v[%b, %h] kv_start(%j) kv_len(%c256) state(%m, %l, %acc) : memref<128x64xf32>, memref<1x1x256x64xbf16>, memref<128xf32>, memref<128xf32>, memref<128x64xf32>
    }
    skipattn.finalize state(%m, %l, %acc) into %o[%b, %h, %c0] {rows_per_head = 128 : i64} : memref<128xf32>, memref<128xf32>, memref<128x64xf32>, memref<1x1x128x64xbf16>
    scf.reduce
  }
  return
}

// -----

// The tiling the loop was tiled with must be the schedule's.
func.func @mismatch(%q: memref<1x1x128x64xbf16>, %k: memref<1x1x256x64xbf16>, %v: memref<1x1x256x64xbf16>, %o: memref<1x1x128x64xbf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c256 = arith.constant 256 : index
  scf.parallel (%b, %h, %t) = (%c0, %c0, %c0) to (%c1, %c1, %c1) step (%c1, %c1, %c1) {
    %qt = memref.alloca() : memref<128x64xf32>
    %s = memref.alloca() : memref<128x64xf32>
    %m = memref.alloca() : memref<128xf32>
    %l = memref.alloca() : memref<128xf32>
    %acc = memref.alloca() : memref<128x64xf32>
    skipattn.pack_q %q[%b, %h, %c0] into %qt {heads = 1 : i64, rows_per_head = 128 : i64, scale = 0.125 : f32} : memref<1x1x128x64xbf16>, memref<128x64xf32>
    // expected-error @+1 {{does not match the schedule}}
    skipattn.blocked_kv %n = %c0 to %c4 kv_len(%c256) state(%m, %l, %acc : memref<128xf32>, memref<128xf32>, memref<128x64xf32>) attributes {tiling = #skipattn.tiling<block_q = 128, block_kv = 64, heads_per_tile = 1, skip_unit = 0>, skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>]>} {
      %j = arith.muli %n, %c1 : index
      skipattn.block_scores %qt, %k[%b, %h] kv_start(%j) kv_len(%c256) q_pos(%c0) into %s {q_len = 128 : i64, rows_per_head = 128 : i64} : memref<128x64xf32>, memref<1x1x256x64xbf16>, memref<128x64xf32>
      skipattn.online_softmax %s, %v[%b, %h] kv_start(%j) kv_len(%c256) state(%m, %l, %acc) : memref<128x64xf32>, memref<1x1x256x64xbf16>, memref<128xf32>, memref<128xf32>, memref<128x64xf32>
    }
    skipattn.finalize state(%m, %l, %acc) into %o[%b, %h, %c0] {rows_per_head = 128 : i64} : memref<128xf32>, memref<128xf32>, memref<128x64xf32>, memref<1x1x128x64xbf16>
    scf.reduce
  }
  return
}

// -----

// A schedule written on the tiled IR is checked as the selection checks its
// own: this lowering builds a math role and optionally a load role.
func.func @roles(%q: memref<1x1x128x64xbf16>, %k: memref<1x1x256x64xbf16>, %v: memref<1x1x256x64xbf16>, %o: memref<1x1x128x64xbf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c256 = arith.constant 256 : index
  scf.parallel (%b, %h, %t) = (%c0, %c0, %c0) to (%c1, %c1, %c1) step (%c1, %c1, %c1) {
    %qt = memref.alloca() : memref<128x64xf32>
    %s = memref.alloca() : memref<128x64xf32>
    %m = memref.alloca() : memref<128xf32>
    %l = memref.alloca() : memref<128xf32>
    %acc = memref.alloca() : memref<128x64xf32>
    skipattn.pack_q %q[%b, %h, %c0] into %qt {heads = 1 : i64, rows_per_head = 128 : i64, scale = 0.125 : f32} : memref<1x1x128x64xbf16>, memref<128x64xf32>
    // expected-error @+1 {{the sm_90a lowering builds the roles 'math' and optionally one 'load'; got 'epilogue'}}
    skipattn.blocked_kv %n = %c0 to %c4 kv_len(%c256) state(%m, %l, %acc : memref<128xf32>, memref<128xf32>, memref<128x64xf32>) attributes {tiling = #skipattn.tiling<block_q = 128, block_kv = 128, heads_per_tile = 1, skip_unit = 0>, skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 128, head_dim = 64, stages = 2, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 0>, #skipattn_gpu.role<name = "epilogue", first_warp = 8, num_warps = 4, max_nreg = 0>]>} {
      %j = arith.muli %n, %c1 : index
      skipattn.block_scores %qt, %k[%b, %h] kv_start(%j) kv_len(%c256) q_pos(%c0) into %s {q_len = 128 : i64, rows_per_head = 128 : i64} : memref<128x64xf32>, memref<1x1x256x64xbf16>, memref<128x64xf32>
      skipattn.online_softmax %s, %v[%b, %h] kv_start(%j) kv_len(%c256) state(%m, %l, %acc) : memref<128x64xf32>, memref<1x1x256x64xbf16>, memref<128xf32>, memref<128xf32>, memref<128x64xf32>
    }
    skipattn.finalize state(%m, %l, %acc) into %o[%b, %h, %c0] {rows_per_head = 128 : i64} : memref<128xf32>, memref<128xf32>, memref<128x64xf32>, memref<1x1x128x64xbf16>
    scf.reduce
  }
  return
}
