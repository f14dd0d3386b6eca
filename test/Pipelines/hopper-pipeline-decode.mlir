// Decode (Sq = 1, GQA 32/8, B 4, 32k keys): the schedule packs the four
// query heads of a KV head into one warpgroup's 64 rows (16 positions
// each), so K and V are read once per KV head; the Q tile is one TMA box
// over the four heads; the ring takes what shared memory is left (3
// stages of 128 keys); and the KV blocks are split over CTAs until every
// SM is busy, each split storing its partial output and log-sum-exp into
// the workspace and the last CTA of a tile merging them. With skipping the
// V loads are gated (gate_v): the load role's warp 0 runs ahead on K, its
// warp 1 loads a block's V only once the math warpgroup's vote keeps the
// block and otherwise completes the stage without data; the math
// warpgroup votes before waiting for V on both paths (here without voting
// ahead, `vote-ahead=0`; the default form is
// hopper-pipeline-decode-vote-ahead.mlir). It assembles for sm_90a without
// spills, and ptxas keeps setmaxnreg.
// REQUIRES: ptxas
// RUN: skipattn-opt %s --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(skipattn-gpu-select-schedule{vote-ahead=0},skipattn-tile,skipattn-insert-skip-predicates{skip-unit=64},canonicalize,cse))' | FileCheck %s --check-prefix=BLOCKED
// RUN: skipattn-opt %s --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(skipattn-gpu-select-schedule{vote-ahead=0},skipattn-tile,skipattn-insert-skip-predicates{skip-unit=64},canonicalize,cse),convert-skipattn-to-skipattn-gpu,gpu.module(canonicalize,cse,skipattn-gpu-verify-protocol))' | FileCheck %s --check-prefix=KERNEL
// RUN: skipattn-opt %s --skipattn-hopper-pipeline='format=isa toolkit=%cuda_toolkit vote-ahead=0' -o %t.mlir
// RUN: %python %test_inputs/extract_ptx.py %t.mlir %t.ptx
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx
// RUN: %cuda_toolkit/bin/ptxas -arch=sm_90a -v %t.ptx -o %t.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not=C7508 --implicit-check-not=warning

// BLOCKED: memref.alloc() : memref<4x4x32x1x128xf32>
// BLOCKED: scf.parallel
// BLOCKED: skipattn.blocked_kv
// BLOCKED-SAME: #skipattn_gpu.schedule<mma = wgmma, block_q = 64, block_kv = 128, head_dim = 128, stages = 3, skip_unit = 64
// BLOCKED-SAME: heads = 4, kv_splits = 4, gate_v = true>
// BLOCKED-SAME: tiling = #skipattn.tiling<block_q = 16, block_kv = 128, heads_per_tile = 4, skip_unit = 64, kv_splits = 4>
// BLOCKED: skipattn.merge_splits

// KERNEL: skipattn_gpu.launch = [#skipattn_gpu.launch<kernel = "attn", grid = [4, 8, 4], block = [256, 1, 1]
// KERNEL-SAME: box_q = [64, 16, 4], box_kv = [64, 128], workspace = 
// KERNEL: skipattn_gpu.tile_id {kv_splits = 4 : i64, q_tiles = 1 : i64}
// KERNEL: skipattn_gpu.split_id {kv_splits = 4 : i64}
// KERNEL: skipattn_gpu.ring.create {{.*}} : <3 x ["v"] of <128x128xbf16>, consumers = 1, votes = true>
// KERNEL: skipattn_gpu.warp_role <name = "load"
// KERNEL: skipattn_gpu.ring.put %{{.*}}, "k" if %true
// KERNEL: %[[VW:.*]] = skipattn_gpu.elect {warp = 1 : i64}
// KERNEL: scf.if %[[VW]]
// KERNEL: skipattn_gpu.ring.acquire %[[VR:.*]][%[[VN:.*]]] if %true
// KERNEL: %[[ANY:.*]] = skipattn_gpu.ring.votes %[[VR]][%[[VN]]]
// KERNEL: skipattn_gpu.ring.put %[[VR]][%[[VN]]], "v" if %[[ANY]]
// KERNEL: %[[NONE:.*]] = arith.xori %[[ANY]], %true
// KERNEL: skipattn_gpu.ring.complete %[[VR]][%[[VN]]], "v" if %[[NONE]]
// KERNEL: skipattn_gpu.warp_role <name = "math"
// KERNEL: skipattn_gpu.row_limits {{.*}}rows_per_head = 16
// KERNEL: skipattn_gpu.ring.vote %[[VR]][%{{.*}}], %{{.*}}
// KERNEL: skipattn_gpu.ring.wait %[[VR]]
// KERNEL: } else {
// KERNEL: skipattn_gpu.ring.wait %[[VR]]
// KERNEL: skipattn_gpu.ring.release %[[VR]]
// KERNEL: skipattn_gpu.store_tile {{.*}}element_type = f32{{.*}}rows_per_head = 16
// KERNEL: skipattn_gpu.store_lse
// KERNEL: skipattn_gpu.split_merge

// PTX: .maxntid 256, 1, 1
// PTX-DAG: setmaxnreg.inc.sync.aligned.u32 256
// PTX-DAG: atom.global.add.u32
// PTX-DAG: fence.acq_rel.gpu
// PTX-DAG: bar.sync{{[[:space:]]+}}7, 128
// PTX-DAG: mbarrier.arrive

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
