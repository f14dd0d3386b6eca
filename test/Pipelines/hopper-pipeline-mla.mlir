// MLA decode (DeepSeek): 128 query heads over one paged latent cache whose
// 576-wide rows are the keys and whose first 512 columns are the values
// (value_in_key: one buffer, passed twice). The schedule packs 64 heads
// into the rows of a tile, and its two math warpgroups share those rows,
// each holding 256 of the 512 value columns (value_split = 2: a 64 x 512
// accumulator would not fit one warpgroup's registers). There is one K
// ring of 576-wide 64-key blocks. Each warpgroup computes the scores of
// half of a block's keys (Q.K^T m64n32k16 over 36 K steps, no product
// computed twice); the warpgroups exchange the block's row maxima (so both
// make the same skip decision) and their probabilities through shared
// memory, and each computes P.V (m64n256k16) for its value columns of the
// K stage (subtile with a column), released after P.V. After the loop the
// row sums are exchanged; the first warpgroup counts the decisions and
// stores the LSE. ptxas assembles it for sm_90a without spills.
// REQUIRES: ptxas
// RUN: skipattn-opt %s --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule,skipattn-tile,skipattn-insert-skip-predicates{skip-unit=64},canonicalize,cse),convert-skipattn-to-skipattn-gpu,gpu.module(canonicalize,cse,skipattn-gpu-verify-protocol))' | FileCheck %s --check-prefix=KERNEL
// RUN: skipattn-opt %s --skipattn-hopper-pipeline='format=isa toolkit=%cuda_toolkit' -o %t.mlir
// RUN: %python %test_inputs/extract_ptx.py %t.mlir %t.ptx
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx
// RUN: %cuda_toolkit/bin/ptxas -arch=sm_90a -v %t.ptx -o %t.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS

// KERNEL: block_q = 64, block_kv = 64, head_dim = 576, stages = 2, skip_unit = 64
// KERNEL-SAME: max_nreg = 232
// KERNEL-SAME: heads = 64
// KERNEL-SAME: value_dim = 512, value_split = 2, value_in_key = true
// KERNEL: %[[Q:.*]] = skipattn_gpu.ring.create {offset = 0 : i64} : <1 x ["q"] of <64x576xbf16>>
// KERNEL-NEXT: %[[K:.*]] = skipattn_gpu.ring.create {offset = 73728 : i64} : <2 x ["k"] of <64x576xbf16>, consumers = 2>
// KERNEL-NOT: ring.create
// KERNEL: skipattn_gpu.warp_role <name = "load"
// KERNEL-NOT: "v"
// KERNEL: skipattn_gpu.warp_role <name = "math"
// KERNEL: %[[WG:.*]] = skipattn_gpu.warpgroup_id
// KERNEL: %[[COL:.*]] = arith.muli %[[WG]], %c256
// KERNEL: scf.for
// KERNEL: %[[KT:.*]] = skipattn_gpu.ring.wait %[[K]][%{{.*}}], "k"
// KERNEL: %[[FIRST:.*]] = arith.muli %[[WG]], %c32
// KERNEL: %[[KH:.*]] = skipattn_gpu.subtile %[[KT]][%[[FIRST]]] : <64x576xbf16> -> <32x576xbf16, pitch = 64>
// KERNEL: skipattn_gpu.mma %{{.*}}, %[[KH]] {b_major = #skipattn_gpu.major<k>} : {{.*}} -> <64x32xf32>
// KERNEL-NOT: ring.release
// KERNEL: skipattn_gpu.exchange_rows %{{.*}} parity(%{{.*}}) {combine = "max"
// KERNEL: skipattn_gpu.skip_vote
// KERNEL: skipattn_gpu.online_update
// KERNEL: %[[VT:.*]] = skipattn_gpu.subtile %[[KT]][%{{.*}}, %[[COL]]] : <64x576xbf16> -> <64x256xbf16>
// KERNEL: skipattn_gpu.exchange_probs %{{.*}} : <64x32xbf16> -> <64x64xbf16>
// KERNEL: skipattn_gpu.mma %{{.*}}, %[[VT]] acc(%{{.*}} : !skipattn_gpu.acc<64x256xf32>)
// KERNEL: skipattn_gpu.ring.release %[[K]]
// KERNEL: skipattn_gpu.exchange_rows %{{.*}} {barrier_first, combine = "add"
// KERNEL: arith.cmpi eq, %[[WG]], %c0
// KERNEL-NEXT: scf.if
// KERNEL-NEXT: skipattn_gpu.add_stats

// PTX: .target sm_90a
// PTX-COUNT-36: wgmma.mma_async.sync.aligned.m64n32k16.f32.bf16.bf16
// PTX: wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16

// PTXAS: Compiling entry function 'attn' for 'sm_90a'
// PTXAS: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads

func.func @attn(%q: memref<2x128x1x576xbf16>,
                %k: memref<80x1x64x576xbf16>,
                %v: memref<80x1x64x512xbf16, strided<[36864, 36864, 576, 1]>>,
                %lens: memref<2xi32>, %table: memref<2x32xi32>,
                %o: memref<2x128x1x512xbf16>, %lse: memref<2x128x1xf32>,
                %stats: memref<2x128x2xi64>) {
  skipattn.attention ins(%q, %k, %v : memref<2x128x1x576xbf16>,
      memref<80x1x64x576xbf16>,
      memref<80x1x64x512xbf16, strided<[36864, 36864, 576, 1]>>)
      kv_lens(%lens : memref<2xi32>) page_table(%table : memref<2x32xi32>)
      outs(%o : memref<2x128x1x512xbf16>) lse(%lse : memref<2x128x1xf32>)
      stats(%stats : memref<2x128x2xi64>)
      {scale = 0.0721 : f32, value_in_key,
       skip = #skipattn.skip<threshold_scale_factor = 3.0e2, min_keep_blocks = 1>}
  return
}
