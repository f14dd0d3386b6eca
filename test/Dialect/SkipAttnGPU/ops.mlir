// Round trip of every type, attribute and op, through the pretty and the
// generic printer.
// RUN: skipattn-opt %s | skipattn-opt | FileCheck %s
// RUN: skipattn-opt %s --mlir-print-op-generic | skipattn-opt | FileCheck %s

// Types and standalone attributes. A pitch equal to the rows is not printed;
// a full row fragment prints no `partial`.
// CHECK-LABEL: func @types
// CHECK-SAME: !skipattn_gpu.smem<64x64xf16>
// CHECK-SAME: !skipattn_gpu.smem<64x128xbf16, pitch = 256>
// CHECK-SAME: !skipattn_gpu.ring<3 x ["k", "v"] of <64x128xbf16>>
// CHECK-SAME: !skipattn_gpu.acc<64x16xf32>
// CHECK-SAME: !skipattn_gpu.operand<64x64xf16>
// CHECK-SAME: !skipattn_gpu.rows<64xi32>
// CHECK-SAME: !skipattn_gpu.rows<64xf32>
// CHECK-SAME: !skipattn_gpu.rows<64xf32, partial>
// CHECK-SAME: attributes {
// CHECK-SAME: a.kind = #skipattn_gpu.mma_kind<wgmma>
// CHECK-SAME: b.major = #skipattn_gpu.major<mn>
// CHECK-SAME: c.param = #skipattn_gpu.param<skip_factors>
// CHECK-SAME: d.role = #skipattn_gpu.role<name = "math", first_warp = 4, num_warps = 4, max_nreg = 0>
func.func @types(%a: !skipattn_gpu.smem<64x64xf16, pitch = 64>,
                 %b: !skipattn_gpu.smem<64x128xbf16, pitch = 256>,
                 %c: !skipattn_gpu.ring<3 x ["k", "v"] of !skipattn_gpu.smem<64x128xbf16>>,
                 %d: !skipattn_gpu.acc<64x16xf32>,
                 %e: !skipattn_gpu.operand<64x64xf16>,
                 %f: !skipattn_gpu.rows<64xi32>,
                 %g: !skipattn_gpu.rows<64xf32>,
                 %h: !skipattn_gpu.rows<64xf32, partial>)
    attributes {a.kind = #skipattn_gpu.mma_kind<wgmma>,
                b.major = #skipattn_gpu.major<mn>,
                c.param = #skipattn_gpu.param<skip_factors>,
                d.role = #skipattn_gpu.role<name = "math", first_warp = 4, num_warps = 4, max_nreg = 0>} {
  return
}

// A kernel with a producer role and two math warpgroups: Q once, K and V
// through a three-stage ring, one KV block of the loop body.
// CHECK-LABEL: module @kernel
// CHECK-SAME: skipattn_gpu.launch = [#skipattn_gpu.launch<kernel = "attn", grid = [8, 8, 2], block = [384, 1, 1], smem = 132096, params = [#skipattn_gpu.param<tma_q>, #skipattn_gpu.param<tma_k>, #skipattn_gpu.param<tma_v>, #skipattn_gpu.param<out>, #skipattn_gpu.param<kv_lens>, #skipattn_gpu.param<lse>, #skipattn_gpu.param<stats>, #skipattn_gpu.param<skip_factors>], box_q = [64, 128, 1], box_kv = [64, 64]>]
// CHECK: gpu.func @attn(%[[TQ:.*]]: !llvm.ptr, %[[TK:.*]]: !llvm.ptr, %[[TV:.*]]: !llvm.ptr, %[[OUT:.*]]: !llvm.ptr<1>, %[[LSE:.*]]: !llvm.ptr<1>, %[[ST:.*]]: !llvm.ptr<1>, %[[N:.*]]: index, %[[KVLEN:.*]]: index, %[[LAMBDA:.*]]: f32)
// CHECK-SAME: kernel
// CHECK-SAME: skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 64, head_dim = 128, stages = 3, skip_unit = 64, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>, #skipattn_gpu.role<name = "producer", first_warp = 8, num_warps = 4, max_nreg = 24>]>
// CHECK: %[[B:.*]], %[[H:.*]], %[[T:.*]] = skipattn_gpu.tile_id {q_tiles = 8 : i64} : index, index, index
// CHECK: %[[Q:.*]] = skipattn_gpu.ring.create {offset = 0 : i64} : <1 x ["q"] of <128x128xbf16>>
// CHECK: %[[KV:.*]] = skipattn_gpu.ring.create {offset = 32768 : i64} : <3 x ["k", "v"] of <64x128xbf16>>
// CHECK: %[[KC:.*]] = skipattn_gpu.ring.create {offset = 131072 : i64} : <2 x ["k"] of <64x128xbf16>, consumers = 2>
// CHECK: skipattn_gpu.warp_role <name = "producer", first_warp = 8, num_warps = 4, max_nreg = 24> {
// CHECK: %[[PE:.*]] = skipattn_gpu.elect
// CHECK: skipattn_gpu.ring.put %[[Q]][%{{.*}}], "q" if %[[PE]] bytes(32768) {
// CHECK-NEXT: ^bb0(%[[QD:.*]]: !skipattn_gpu.smem<128x128xbf16>):
// CHECK-NEXT: skipattn_gpu.tma_load %[[TQ]][%{{.*}}, %{{.*}}, %{{.*}}] into %[[QD]] : !llvm.ptr, <128x128xbf16>
// CHECK-NEXT: } : <1 x ["q"] of <128x128xbf16>>
// CHECK: skipattn_gpu.ring.put %[[KV]][%[[N]]], "k" if %[[PE]] bytes(16384) {
// CHECK-NEXT: ^bb0(%[[KD:.*]]: !skipattn_gpu.smem<64x128xbf16>):
// CHECK-NEXT: skipattn_gpu.tma_load %[[TK]][%{{.*}}, %{{.*}}, %{{.*}}] into %[[KD]] : !llvm.ptr, <64x128xbf16>
// CHECK-NEXT: } : <3 x ["k", "v"] of <64x128xbf16>>
// CHECK: skipattn_gpu.ring.put %[[KV]][%[[N]]], "v" if %[[PE]] bytes(16384) {
// CHECK: skipattn_gpu.tma_load %[[TV]]
// CHECK: skipattn_gpu.ring.acquire %[[KC]][%[[N]]] if %[[PE]] : <2 x ["k"] of <64x128xbf16>, consumers = 2>
// CHECK: skipattn_gpu.warp_role <name = "math", first_warp = 0, num_warps = 8, max_nreg = 240> {
// CHECK: %[[E:.*]] = skipattn_gpu.elect
// CHECK: %[[WG:.*]] = skipattn_gpu.warpgroup_id : index
// CHECK: %[[QT:.*]] = skipattn_gpu.ring.wait %[[Q]][%{{.*}}], "q" : <1 x ["q"] of <128x128xbf16>> -> <128x128xbf16>
// CHECK: %[[QW:.*]] = skipattn_gpu.subtile %[[QT]][%{{.*}}] : <128x128xbf16> -> <64x128xbf16, pitch = 128>
// CHECK: %[[LIM:.*]] = skipattn_gpu.row_limits %[[R:.*]], %[[KVLEN]] {causal, q_len = 1000 : i64} : <64xi32>
// CHECK: skipattn_gpu.row_limits %[[R]], %[[KVLEN]] {q_len = 1000 : i64} : <64xi32>
// CHECK: %[[M0:.*]] = skipattn_gpu.splat %{{.*}} : !skipattn_gpu.rows<64xf32>
// CHECK: %[[L0:.*]] = skipattn_gpu.splat %{{.*}} : !skipattn_gpu.rows<64xf32, partial>
// CHECK: %[[A0:.*]] = skipattn_gpu.splat %{{.*}} : !skipattn_gpu.acc<64x128xf32>
// CHECK: %[[K:.*]] = skipattn_gpu.ring.wait %[[KV]][%[[N]]], "k" : <3 x ["k", "v"] of <64x128xbf16>> -> <64x128xbf16>
// CHECK: %[[S0:.*]] = skipattn_gpu.mma %[[QW]], %[[K]] {b_major = #skipattn_gpu.major<k>} : !skipattn_gpu.smem<64x128xbf16, pitch = 128>, <64x128xbf16> -> <64x64xf32>
// CHECK: %[[S:.*]] = skipattn_gpu.mma_wait %[[S0]] {pending = 0 : i64} : <64x64xf32>
// CHECK: %[[SM:.*]] = skipattn_gpu.mask %[[S]], %[[LIM]], %{{.*}} : <64x64xf32>, <64xi32>
// CHECK: %[[BM:.*]] = skipattn_gpu.row_max %[[SM]] {scale = 5.000000e-01 : f32} : <64x64xf32> -> <64xf32>
// CHECK: %[[SKIP:.*]] = skipattn_gpu.skip_vote %[[BM]], %[[M0]] log2_lambda(%[[LAMBDA]]) : <64xf32>
// CHECK: skipattn_gpu.vote_all %[[SKIP]]
// CHECK: %[[M1:.*]], %[[L1:.*]], %[[A1:.*]], %[[P:.*]] = skipattn_gpu.online_update %[[SM]], %[[BM]] state(%[[M0]], %[[L0]], %[[A0]]) {scale = 5.000000e-01 : f32} : <64x64xf32>, <64xf32>, <64xf32, partial>, <64x128xf32> -> <64x64xbf16>
// CHECK: %[[V:.*]] = skipattn_gpu.ring.wait %[[KV]][%[[N]]], "v" : <3 x ["k", "v"] of <64x128xbf16>> -> <64x128xbf16>
// CHECK: %[[O0:.*]] = skipattn_gpu.mma %[[P]], %[[V]] acc(%[[A1]] : !skipattn_gpu.acc<64x128xf32>) {b_major = #skipattn_gpu.major<mn>} : !skipattn_gpu.operand<64x64xbf16>, <64x128xbf16> -> <64x128xf32>
// CHECK: %[[O:.*]] = skipattn_gpu.mma_wait %[[O0]] {pending = 1 : i64} : <64x128xf32>
// CHECK: skipattn_gpu.ring.release %[[KV]][%[[N]]] : <3 x ["k", "v"] of <64x128xbf16>>
// CHECK: skipattn_gpu.ring.release %[[KC]][%[[N]]] : <2 x ["k"] of <64x128xbf16>, consumers = 2>
// CHECK: skipattn_gpu.ring.drain %[[KV]][%[[N]]], "v" if %[[E]] : <3 x ["k", "v"] of <64x128xbf16>>
// CHECK: skipattn_gpu.store_tile %[[O]], %[[L1]] into %[[OUT]][%{{.*}}, %{{.*}}, %[[R]]] {element_type = bf16, q_len = 1000 : i64, strides = array<i64: 1024000, 128000, 128>} : <64x128xf32>, <64xf32, partial>, !llvm.ptr<1>
// CHECK: skipattn_gpu.store_lse %[[M1]], %[[L1]] into %[[LSE]][%{{.*}}, %[[R]]] {q_len = 1000 : i64} : <64xf32>, <64xf32, partial>, !llvm.ptr<1>
// CHECK: skipattn_gpu.add_stats %{{.*}}, %{{.*}} into %[[ST]][%{{.*}}] : !llvm.ptr<1>
// CHECK: gpu.return
module @kernel attributes {gpu.container_module,
    skipattn_gpu.launch = [#skipattn_gpu.launch<kernel = "attn", grid = [8, 8, 2], block = [384, 1, 1], smem = 132096,
        params = [#skipattn_gpu.param<tma_q>, #skipattn_gpu.param<tma_k>, #skipattn_gpu.param<tma_v>,
                  #skipattn_gpu.param<out>, #skipattn_gpu.param<kv_lens>, #skipattn_gpu.param<lse>,
                  #skipattn_gpu.param<stats>, #skipattn_gpu.param<skip_factors>],
        box_q = [64, 128, 1], box_kv = [64, 64]>]} {
  gpu.module @skipattn_kernels {
    gpu.func @attn(%tq: !llvm.ptr, %tk: !llvm.ptr, %tv: !llvm.ptr, %out: !llvm.ptr<1>,
                   %lse: !llvm.ptr<1>, %stats: !llvm.ptr<1>, %n: index, %kv_len: index,
                   %lambda: f32) kernel attributes {
        skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = wgmma, block_q = 128, block_kv = 64,
            head_dim = 128, stages = 3, skip_unit = 64,
            roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240>,
                     #skipattn_gpu.role<name = "producer", first_warp = 8, num_warps = 4, max_nreg = 24>]>} {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c64 = arith.constant 64 : index
      %ninf = arith.constant 0xFF800000 : f32
      %zero = arith.constant 0.0 : f32
      %b, %h, %t = skipattn_gpu.tile_id {q_tiles = 8} : index, index, index
      %plane = arith.addi %b, %h : index
      %kv_row = arith.muli %n, %c64 : index
      %q = skipattn_gpu.ring.create {offset = 0}
          : !skipattn_gpu.ring<1 x ["q"] of !skipattn_gpu.smem<128x128xbf16>>
      %kv = skipattn_gpu.ring.create {offset = 32768}
          : !skipattn_gpu.ring<3 x ["k", "v"] of !skipattn_gpu.smem<64x128xbf16>>
      %kc = skipattn_gpu.ring.create {offset = 131072}
          : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x128xbf16>, consumers = 2>
      skipattn_gpu.warp_role #skipattn_gpu.role<name = "producer", first_warp = 8, num_warps = 4, max_nreg = 24> {
        %pe = skipattn_gpu.elect
        skipattn_gpu.ring.put %q[%c0], "q" if %pe bytes(32768) {
        ^bb0(%dst: !skipattn_gpu.smem<128x128xbf16>):
          skipattn_gpu.tma_load %tq[%t, %h, %b] into %dst : !llvm.ptr, !skipattn_gpu.smem<128x128xbf16>
        } : !skipattn_gpu.ring<1 x ["q"] of !skipattn_gpu.smem<128x128xbf16>>
        skipattn_gpu.ring.put %kv[%n], "k" if %pe bytes(16384) {
        ^bb0(%dst: !skipattn_gpu.smem<64x128xbf16>):
          skipattn_gpu.tma_load %tk[%kv_row, %h, %b] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x128xbf16>
          skipattn_gpu.yield
        } : !skipattn_gpu.ring<3 x ["k", "v"] of !skipattn_gpu.smem<64x128xbf16>>
        skipattn_gpu.ring.put %kv[%n], "v" if %pe bytes(16384) {
        ^bb0(%dst: !skipattn_gpu.smem<64x128xbf16>):
          skipattn_gpu.tma_load %tv[%kv_row, %h, %b] into %dst : !llvm.ptr, !skipattn_gpu.smem<64x128xbf16>
        } : !skipattn_gpu.ring<3 x ["k", "v"] of !skipattn_gpu.smem<64x128xbf16>>
        skipattn_gpu.ring.acquire %kc[%n] if %pe : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x128xbf16>, consumers = 2>
      }
      skipattn_gpu.warp_role #skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 240> {
        %e = skipattn_gpu.elect
        %wg = skipattn_gpu.warpgroup_id : index
        %r = arith.muli %wg, %c64 : index
        %qt = skipattn_gpu.ring.wait %q[%c0], "q"
            : !skipattn_gpu.ring<1 x ["q"] of !skipattn_gpu.smem<128x128xbf16>> -> !skipattn_gpu.smem<128x128xbf16>
        %qw = skipattn_gpu.subtile %qt[%r]
            : !skipattn_gpu.smem<128x128xbf16> -> !skipattn_gpu.smem<64x128xbf16, pitch = 128>
        %lim = skipattn_gpu.row_limits %r, %kv_len {causal, q_len = 1000} : !skipattn_gpu.rows<64xi32>
        %lim_full = skipattn_gpu.row_limits %r, %kv_len {q_len = 1000} : !skipattn_gpu.rows<64xi32>
        %m0 = skipattn_gpu.splat %ninf : !skipattn_gpu.rows<64xf32>
        %l0 = skipattn_gpu.splat %zero : !skipattn_gpu.rows<64xf32, partial>
        %a0 = skipattn_gpu.splat %zero : !skipattn_gpu.acc<64x128xf32>
        %k = skipattn_gpu.ring.wait %kv[%n], "k"
            : !skipattn_gpu.ring<3 x ["k", "v"] of !skipattn_gpu.smem<64x128xbf16>> -> !skipattn_gpu.smem<64x128xbf16>
        %s0 = skipattn_gpu.mma %qw, %k {b_major = #skipattn_gpu.major<k>}
            : !skipattn_gpu.smem<64x128xbf16, pitch = 128>, !skipattn_gpu.smem<64x128xbf16>
            -> !skipattn_gpu.acc<64x64xf32>
        %s = skipattn_gpu.mma_wait %s0 {pending = 0} : !skipattn_gpu.acc<64x64xf32>
        %sm = skipattn_gpu.mask %s, %lim, %kv_row : !skipattn_gpu.acc<64x64xf32>, !skipattn_gpu.rows<64xi32>
        %bm = skipattn_gpu.row_max %sm {scale = 0.5 : f32}
            : !skipattn_gpu.acc<64x64xf32> -> !skipattn_gpu.rows<64xf32>
        %skip = skipattn_gpu.skip_vote %bm, %m0 log2_lambda(%lambda) : !skipattn_gpu.rows<64xf32>
        %all = skipattn_gpu.vote_all %skip
        %m1, %l1, %a1, %p = skipattn_gpu.online_update %sm, %bm state(%m0, %l0, %a0) {scale = 0.5 : f32}
            : !skipattn_gpu.acc<64x64xf32>, !skipattn_gpu.rows<64xf32>, !skipattn_gpu.rows<64xf32, partial>,
              !skipattn_gpu.acc<64x128xf32> -> !skipattn_gpu.operand<64x64xbf16>
        %v = skipattn_gpu.ring.wait %kv[%n], "v"
            : !skipattn_gpu.ring<3 x ["k", "v"] of !skipattn_gpu.smem<64x128xbf16>> -> !skipattn_gpu.smem<64x128xbf16>
        %o0 = skipattn_gpu.mma %p, %v acc(%a1 : !skipattn_gpu.acc<64x128xf32>) {b_major = #skipattn_gpu.major<mn>}
            : !skipattn_gpu.operand<64x64xbf16>, !skipattn_gpu.smem<64x128xbf16> -> !skipattn_gpu.acc<64x128xf32>
        %o = skipattn_gpu.mma_wait %o0 {pending = 1} : !skipattn_gpu.acc<64x128xf32>
        skipattn_gpu.ring.release %kv[%n] : !skipattn_gpu.ring<3 x ["k", "v"] of !skipattn_gpu.smem<64x128xbf16>>
        skipattn_gpu.ring.release %kc[%n] : !skipattn_gpu.ring<2 x ["k"] of !skipattn_gpu.smem<64x128xbf16>, consumers = 2>
        skipattn_gpu.ring.drain %kv[%n], "v" if %e : !skipattn_gpu.ring<3 x ["k", "v"] of !skipattn_gpu.smem<64x128xbf16>>
        skipattn_gpu.store_tile %o, %l1 into %out[%b, %h, %r] {element_type = bf16, q_len = 1000, strides = array<i64: 1024000, 128000, 128>}
            : !skipattn_gpu.acc<64x128xf32>, !skipattn_gpu.rows<64xf32, partial>, !llvm.ptr<1>
        skipattn_gpu.store_lse %m1, %l1 into %lse[%plane, %r] {q_len = 1000}
            : !skipattn_gpu.rows<64xf32>, !skipattn_gpu.rows<64xf32, partial>, !llvm.ptr<1>
        %skips = arith.extui %all : i1 to i64
        %nskips = arith.index_cast %skips : i64 to index
        skipattn_gpu.add_stats %c1, %nskips into %stats[%plane] : !llvm.ptr<1>
      }
      gpu.return
    }
  }
}

// Intra-warpgroup overlap: P.V(n - 1) issued on one path of an scf.if stays
// in flight past it while row_update computes block n's softmax in f32;
// once it is done the accumulator is scaled and the probabilities packed
// (into the registers that P.V read).
// CHECK-LABEL: func.func @overlap
// CHECK: %[[PEND:.*]]:2 = scf.if
// CHECK: %[[PV:.*]] = skipattn_gpu.mma
// CHECK: %[[S1:.*]] = skipattn_gpu.mma_wait %{{.*}} {pending = 1 : i64} : <64x64xf32>
// CHECK: scf.yield %[[PV]], %[[S1]]
// CHECK: %[[M:.*]], %[[L:.*]], %[[F:.*]], %[[P:.*]] = skipattn_gpu.row_update %[[PEND]]#1, %{{.*}} state(%{{.*}}, %{{.*}}) {scale = 5.000000e-01 : f32} : <64x64xf32>, <64xf32>, <64xf32, partial> -> !skipattn_gpu.acc<64x64xf32>
// CHECK: %[[D:.*]] = skipattn_gpu.mma_wait %[[PEND]]#0 {pending = 0 : i64} : <64x128xf32>
// CHECK: skipattn_gpu.scale_rows %[[D]], %[[F]] : <64x128xf32>, <64xf32>
// CHECK: skipattn_gpu.to_operand %[[P]] : <64x64xf32> -> <64x64xbf16>
func.func @overlap(%q: !skipattn_gpu.smem<64x128xbf16>, %k: !skipattn_gpu.smem<64x128xbf16>,
                   %v: !skipattn_gpu.smem<64x128xbf16>, %p: !skipattn_gpu.operand<64x64xbf16>,
                   %o: !skipattn_gpu.acc<64x128xf32>, %m: !skipattn_gpu.rows<64xf32>,
                   %l: !skipattn_gpu.rows<64xf32, partial>, %bm: !skipattn_gpu.rows<64xf32>,
                   %prev: i1) -> (!skipattn_gpu.acc<64x128xf32>, !skipattn_gpu.operand<64x64xbf16>) {
  %s0 = skipattn_gpu.mma %q, %k {b_major = #skipattn_gpu.major<k>}
      : !skipattn_gpu.smem<64x128xbf16>, !skipattn_gpu.smem<64x128xbf16> -> !skipattn_gpu.acc<64x64xf32>
  %pend:2 = scf.if %prev -> (!skipattn_gpu.acc<64x128xf32>, !skipattn_gpu.acc<64x64xf32>) {
    %pv = skipattn_gpu.mma %p, %v acc(%o : !skipattn_gpu.acc<64x128xf32>) {b_major = #skipattn_gpu.major<mn>}
        : !skipattn_gpu.operand<64x64xbf16>, !skipattn_gpu.smem<64x128xbf16> -> !skipattn_gpu.acc<64x128xf32>
    %s1 = skipattn_gpu.mma_wait %s0 {pending = 1} : !skipattn_gpu.acc<64x64xf32>
    scf.yield %pv, %s1 : !skipattn_gpu.acc<64x128xf32>, !skipattn_gpu.acc<64x64xf32>
  } else {
    %s2 = skipattn_gpu.mma_wait %s0 {pending = 0} : !skipattn_gpu.acc<64x64xf32>
    scf.yield %o, %s2 : !skipattn_gpu.acc<64x128xf32>, !skipattn_gpu.acc<64x64xf32>
  }
  %m1, %l1, %f, %e = skipattn_gpu.row_update %pend#1, %bm state(%m, %l) {scale = 0.5 : f32}
      : !skipattn_gpu.acc<64x64xf32>, !skipattn_gpu.rows<64xf32>, !skipattn_gpu.rows<64xf32, partial>
      -> !skipattn_gpu.acc<64x64xf32>
  %d = skipattn_gpu.mma_wait %pend#0 {pending = 0} : !skipattn_gpu.acc<64x128xf32>
  %o1 = skipattn_gpu.scale_rows %d, %f : !skipattn_gpu.acc<64x128xf32>, !skipattn_gpu.rows<64xf32>
  %p1 = skipattn_gpu.to_operand %e : !skipattn_gpu.acc<64x64xf32> -> !skipattn_gpu.operand<64x64xbf16>
  return %o1, %p1 : !skipattn_gpu.acc<64x128xf32>, !skipattn_gpu.operand<64x64xbf16>
}

// The TMA-store epilogue: a packed tile's stage and output map, and the
// launch contract's output box beside the tma_out parameter.
// CHECK-LABEL: func @tma_store
// CHECK-SAME: skipattn_gpu.launch<kernel = "attn", grid = [1, 8, 16], block = [256, 1, 1], smem = 99328, params = [#skipattn_gpu.param<tma_q>, #skipattn_gpu.param<tma_k>, #skipattn_gpu.param<tma_v>, #skipattn_gpu.param<tma_out>], box_q = [64, 16, 4], box_kv = [64, 128], box_out = [64, 16, 4]>
// CHECK: skipattn_gpu.tma_store_tile %{{.*}}, %{{.*}} via %{{.*}} into %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}] {rows_per_head = 16 : i64} : <64x128xf32>, <64xf32, partial>, <64x128xbf16>, !llvm.ptr
func.func @tma_store(%a: !skipattn_gpu.acc<64x128xf32>, %l: !skipattn_gpu.rows<64xf32, partial>,
                     %s: !skipattn_gpu.smem<64x128xbf16>, %d: !llvm.ptr, %i: index) attributes {
    a = #skipattn_gpu.launch<kernel = "attn", grid = [1, 8, 16], block = [256, 1, 1], smem = 99328,
        params = [#skipattn_gpu.param<tma_q>, #skipattn_gpu.param<tma_k>, #skipattn_gpu.param<tma_v>,
                  #skipattn_gpu.param<tma_out>],
        box_q = [64, 16, 4], box_kv = [64, 128], box_out = [64, 16, 4]>} {
  skipattn_gpu.tma_store_tile %a, %l via %s into %d[%i, %i, %i] {rows_per_head = 16 : i64}
      : !skipattn_gpu.acc<64x128xf32>, !skipattn_gpu.rows<64xf32, partial>, !skipattn_gpu.smem<64x128xbf16>, !llvm.ptr
  return
}

// A pipe the warps of a role signal, and one value per row through a
// column of tensor memory (the math warpgroups' rescale factors for the
// correction warpgroup).
// CHECK-LABEL: func @handover
// CHECK: %[[P:.*]] = skipattn_gpu.pipe.create : <2, arrivals = 8>
// CHECK: skipattn_gpu.tmem.store %{{.*}} into %[[T:.*]][%{{.*}}] : !skipattn_gpu.rows<128xf32>, <256>
// CHECK: skipattn_gpu.pipe.arrive %[[P]][%{{.*}}] : <2, arrivals = 8>
// CHECK: skipattn_gpu.pipe.wait %[[P]][%{{.*}}] : <2, arrivals = 8>
// CHECK: skipattn_gpu.tmem.load %[[T]][%{{.*}}] : <256> -> !skipattn_gpu.rows<128xf32>
func.func @handover(%f: !skipattn_gpu.rows<128xf32>, %n: index, %c: index) -> !skipattn_gpu.rows<128xf32> {
  %t = skipattn_gpu.tmem.alloc : !skipattn_gpu.tmem<256>
  %p = skipattn_gpu.pipe.create : !skipattn_gpu.pipe<2, arrivals = 8>
  skipattn_gpu.tmem.store %f into %t[%c] : !skipattn_gpu.rows<128xf32>, !skipattn_gpu.tmem<256>
  skipattn_gpu.pipe.arrive %p[%n] : !skipattn_gpu.pipe<2, arrivals = 8>
  skipattn_gpu.pipe.wait %p[%n] : !skipattn_gpu.pipe<2, arrivals = 8>
  %r = skipattn_gpu.tmem.load %t[%c] : !skipattn_gpu.tmem<256> -> !skipattn_gpu.rows<128xf32>
  return %r : !skipattn_gpu.rows<128xf32>
}
