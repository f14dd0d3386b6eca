// The sm_100a pipeline down to PTX, then ptxas and cuobjdump for sm_100a
// (no Blackwell GPU runs it here): a causal, ragged, skipping attention
// with LSE and statistics at D = 128. The kernel level keeps S, P and O in
// tensor memory: the producer's first warp issues Q.K^T of both math
// warpgroups, commits S-ready and K's release, reads the warpgroups'
// ballot, waits for the correction warpgroup and issues P.V only for the
// warpgroups that keep the block; its next two warps load Q/K and (only
// when some warpgroup keeps the block) V. The math warpgroups wait for S,
// load it one row per thread, vote per warp, write P over S, hand the
// rows' rescale factors to the correction warpgroup through S's first
// column, and vote; the correction warpgroup rescales both O accumulators
// in place and signals the issuer. At the end each math warpgroup stages
// its O rows in its rows of Q (16-byte shared stores) and stores them by
// TMA. ptxas keeps the three setmaxnreg (no C7508) and spills nothing;
// the SASS has the tensor-memory MMAs, loads and stores and the register
// reallocation.
// REQUIRES: ptxas
// RUN: skipattn-opt %s --skipattn-blackwell-pipeline --mlir-print-ir-after=skipattn-gpu-verify-protocol -o /dev/null 2>&1 | FileCheck %s --check-prefix=KL
// RUN: skipattn-opt %s --skipattn-blackwell-pipeline='format=isa toolkit=%cuda_toolkit' -o %t.mlir
// RUN: %python %test_inputs/extract_ptx.py %t.mlir %t.ptx
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx
// RUN: %cuda_toolkit/bin/ptxas -arch=sm_100a -v %t.ptx -o %t.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not=C7508 --implicit-check-not=warning
// RUN: %if cuobjdump %{ %cuobjdump -sass %t.cubin | FileCheck %s --check-prefix=SASS --implicit-check-not=F2F.BF16.F32 %}

// KL: skipattn_gpu.schedule = #skipattn_gpu.schedule<mma = tcgen05, block_q = 256, block_kv = 128, head_dim = 128, stages = 2, skip_unit = 32, roles = [#skipattn_gpu.role<name = "math", first_warp = 0, num_warps = 8, max_nreg = 208>, #skipattn_gpu.role<name = "correction", first_warp = 8, num_warps = 4, max_nreg = 40>, #skipattn_gpu.role<name = "producer", first_warp = 12, num_warps = 4, max_nreg = 56>], gate_v = true, tma_store = true>
// KL: skipattn_gpu.tile_id {q_tiles = 4 : i64}
// KL: %[[Q:.*]] = skipattn_gpu.ring.create {offset = 0 : i64} : <1 x ["q"] of <256x128xbf16>>
// KL: %[[K:.*]] = skipattn_gpu.ring.create {offset = 65536 : i64} : <2 x ["k"] of <128x128xbf16>, consumers = 1>
// KL: %[[V:.*]] = skipattn_gpu.ring.create {offset = 131072 : i64} : <2 x ["v"] of <128x128xbf16>, consumers = 2, votes = true>
// KL: %[[TM:.*]] = skipattn_gpu.tmem.alloc : <512>
// KL: %[[S:.*]] = skipattn_gpu.pipe.create : <1>
// KL: %[[O:.*]] = skipattn_gpu.pipe.create : <1>
// KL: %[[F:.*]] = skipattn_gpu.pipe.create : <2, arrivals = 8>
// KL: %[[SC:.*]] = skipattn_gpu.pipe.create : <2, arrivals = 4>
// KL: skipattn_gpu.warp_role <name = "producer"
// KL: skipattn_gpu.ring.wait %[[Q]][%{{.*}}], "q"
// KL: scf.for %[[N:.*]] = 
// KL: %[[KT:.*]] = skipattn_gpu.ring.wait %[[K]][%[[N]]], "k"
// KL: skipattn_gpu.mma_tmem %{{.*}}, %[[KT]] into %[[TM]][0] accumulate(%false) {b_major = #skipattn_gpu.major<k>}
// KL: skipattn_gpu.mma_tmem %{{.*}}, %[[KT]] into %[[TM]][128] accumulate(%false) {b_major = #skipattn_gpu.major<k>}
// KL: skipattn_gpu.pipe.commit %[[S]][%[[N]]]
// KL: skipattn_gpu.ring.release %[[K]][%[[N]]] commit
// KL: %[[BALLOT:.*]] = skipattn_gpu.ring.ballot %[[V]][%[[N]]]
// KL: %[[VT:.*]] = skipattn_gpu.ring.wait %[[V]][%[[N]]], "v"
// KL: skipattn_gpu.pipe.wait %[[SC]][%[[N]]]
// KL: scf.if
// KL: skipattn_gpu.mma_tmem %[[TM]], %[[VT]] into %[[TM]][256] accumulate(%true) {a_column = 64 : i64, b_major = #skipattn_gpu.major<mn>}
// KL: scf.if
// KL: skipattn_gpu.mma_tmem %[[TM]], %[[VT]] into %[[TM]][384] accumulate(%true) {a_column = 192 : i64, b_major = #skipattn_gpu.major<mn>}
// KL: skipattn_gpu.ring.release %[[V]][%[[N]]] commit
// KL: skipattn_gpu.pipe.commit %[[O]][%c0]
// KL: skipattn_gpu.elect {warp = 1 : i64}
// KL: skipattn_gpu.elect {warp = 2 : i64}
// KL: skipattn_gpu.ring.votes %[[V]]
// KL: skipattn_gpu.ring.complete %[[V]]
// KL: skipattn_gpu.warp_role <name = "correction"
// KL: scf.for %[[CN:.*]] =
// KL: skipattn_gpu.pipe.wait %[[F]][%[[CN]]]
// KL: %[[F0:.*]] = skipattn_gpu.tmem.load %[[TM]][%c0] : <512> -> !skipattn_gpu.rows<128xf32>
// KL: skipattn_gpu.tmem.scale %[[TM]][%c256], %[[F0]] {cols = 128 : i64}
// KL: %[[F1:.*]] = skipattn_gpu.tmem.load %[[TM]][%c128] : <512> -> !skipattn_gpu.rows<128xf32>
// KL: skipattn_gpu.tmem.scale %[[TM]][%c384], %[[F1]] {cols = 128 : i64}
// KL: skipattn_gpu.pipe.arrive %[[SC]][%[[CN]]]
// KL: skipattn_gpu.warp_role <name = "math"
// KL: skipattn_gpu.row_limits {{.*}} {causal, q_len = 1000 : i64} : <128xi32>
// KL-COUNT-4: skipattn_gpu.tmem.store %{{.*}} into %[[TM]][%{{.*}}] : !skipattn_gpu.acc<128x32xf32>
// KL: scf.for
// KL: skipattn_gpu.pipe.wait %[[S]]
// KL: skipattn_gpu.tmem.load %[[TM]][%{{.*}}] : <512> -> !skipattn_gpu.acc<128x128xf32>
// KL: skipattn_gpu.mask
// KL: skipattn_gpu.row_max
// KL: skipattn_gpu.skip_vote {{.*}} : <128xf32>
// KL: scf.if
// KL: skipattn_gpu.tmem.store %{{.*}} into %[[TM]]{{.*}} : !skipattn_gpu.operand<128x128xbf16>
// KL: } else {
// KL: skipattn_gpu.row_update
// KL: skipattn_gpu.tmem.store %probs into %[[TM]]
// KL: skipattn_gpu.tmem.store %{{.*}} into %[[TM]][%{{.*}}] : !skipattn_gpu.rows<128xf32>, <512>
// KL: skipattn_gpu.pipe.arrive %[[F]]
// KL: skipattn_gpu.vote_all
// KL: skipattn_gpu.ring.vote %[[V]]
// KL: skipattn_gpu.pipe.wait %[[O]][%c0]
// KL: skipattn_gpu.tmem.load %[[TM]]
// KL: skipattn_gpu.add_stats {{.*}} {per_warp}
// KL: %[[QT:.*]] = skipattn_gpu.ring.wait %[[Q]][%c0], "q"
// KL: %[[STAGE:.*]] = skipattn_gpu.subtile %[[QT]][%{{.*}}] : <256x128xbf16> -> <128x128xbf16, pitch = 256>
// KL: skipattn_gpu.tma_store_tile %{{.*}}, %{{.*}} via %[[STAGE]] into %arg3[%{{.*}}] : <128x128xf32>, <128xf32, partial>, <128x128xbf16, pitch = 256>, !llvm.ptr
// KL: skipattn_gpu.store_lse
// KL: skipattn_gpu.tmem.dealloc %[[TM]] {threads = 256 : i64}

// PTX: .target sm_100a
// PTX: .entry attn(
// PTX: .maxntid 512, 1, 1
// PTX: .minnctapersm 1
// PTX-DAG: setmaxnreg.dec.sync.aligned.u32 56
// PTX-DAG: setmaxnreg.dec.sync.aligned.u32 40
// PTX-DAG: setmaxnreg.inc.sync.aligned.u32 208
// PTX-DAG: tcgen05.alloc.cta_group::1.sync.aligned.shared::cta.b32
// PTX-DAG: tcgen05.relinquish_alloc_permit.cta_group::1.sync.aligned
// PTX-DAG: tcgen05.mma.cta_group::1.kind::f16
// PTX-DAG: tcgen05.commit.cta_group::1.mbarrier::arrive::one.shared::cluster.b64
// PTX-DAG: tcgen05.ld.sync.aligned.32x32b.x32.b32
// PTX-DAG: tcgen05.st.sync.aligned.32x32b.x32.b32
// PTX-DAG: tcgen05.wait::ld.sync.aligned
// PTX-DAG: tcgen05.wait::st.sync.aligned
// PTX-DAG: tcgen05.dealloc.cta_group::1.sync.aligned.b32
// PTX-DAG: cp.async.bulk.tensor.4d
// PTX-DAG: cp.async.bulk.tensor.4d.global.shared::cta.tile.bulk_group
// PTX-DAG: cp.async.bulk.wait_group.read 0
// PTX-DAG: vote.sync.all.pred
// PTX-DAG: bar.red.and.pred
// PTX-DAG: mbarrier.try_wait.parity

// PTXAS: Compiling entry function 'attn' for 'sm_100a'
// PTXAS: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads

// SASS-DAG: USETMAXREG.TRY_ALLOC.CTAPOOL
// SASS-DAG: USETMAXREG.DEALLOC.CTAPOOL
// SASS-DAG: UTCHMMA gdesc
// SASS-DAG: UTCHMMA tmem
// SASS-DAG: LDTM.x32
// SASS-DAG: STTM.x32
// SASS-DAG: LDTM R{{[0-9]+}}, tmem[
// SASS-DAG: STTM tmem[{{[^]]*}}], R{{[0-9]+}} ;
// SASS-DAG: UTMALDG.4D
// SASS-DAG: STS.128
// SASS-DAG: UTMASTG.4D
// SASS-DAG: UTCBAR
// P is packed two probabilities per F2FP (no single F2F conversions).
// SASS-DAG: F2FP.BF16.F32.PACK_AB

func.func @attn(%q: tensor<2x8x1000x128xbf16>, %k: tensor<2x2x3000x128xbf16>,
                %v: tensor<2x2x3000x128xbf16>, %lens: tensor<2xi32>,
                %o: tensor<2x8x1000x128xbf16>, %lse: tensor<2x8x1000xf32>,
                %st: tensor<2x8x2xi64>)
    -> (tensor<2x8x1000x128xbf16>, tensor<2x8x1000xf32>, tensor<2x8x2xi64>) {
  %r:3 = skipattn.attention ins(%q, %k, %v : tensor<2x8x1000x128xbf16>, tensor<2x2x3000x128xbf16>, tensor<2x2x3000x128xbf16>)
      kv_lens(%lens : tensor<2xi32>) outs(%o : tensor<2x8x1000x128xbf16>)
      lse(%lse : tensor<2x8x1000xf32>) stats(%st : tensor<2x8x2xi64>)
      {causal, skip = #skipattn.skip<threshold_scale_factor = 1.0e3, min_keep_blocks = 1>}
      -> tensor<2x8x1000x128xbf16>, tensor<2x8x1000xf32>, tensor<2x8x2xi64>
  return %r#0, %r#1, %r#2 : tensor<2x8x1000x128xbf16>, tensor<2x8x1000xf32>, tensor<2x8x2xi64>
}
