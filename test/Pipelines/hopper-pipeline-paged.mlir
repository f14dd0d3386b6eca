// Paged decode (GQA 32/8, B 4, a cache of 2050 pages of 16 keys in the NHD
// layout [pages, page_size, Hkv, D] seen through its strides, 512 pages per
// sequence) with left-padded speculative queries (q_lens): each 128-key
// block is 8 pages, so every K or V put reads 8 table entries (a row past
// the sequence takes page 2050, past the cache, which TMA zero-fills) and
// issues 8 TMA boxes of 16 rows, each into its 16 rows of the slot (whole
// swizzle atoms); the runtime encodes 16-row boxes (box_kv). Rows before a
// sequence's first real query see nothing (row_limits q_start). It
// assembles for sm_90a without spills.
// REQUIRES: ptxas
// RUN: skipattn-opt %s --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule,skipattn-tile,skipattn-insert-skip-predicates{skip-unit=64},canonicalize,cse),convert-skipattn-to-skipattn-gpu,gpu.module(canonicalize,cse,skipattn-gpu-verify-protocol))' | FileCheck %s --check-prefix=KERNEL
// RUN: skipattn-opt %s --skipattn-hopper-pipeline='format=isa toolkit=%cuda_toolkit' -o %t.mlir
// RUN: %python %test_inputs/extract_ptx.py %t.mlir %t.ptx
// RUN: %cuda_toolkit/bin/ptxas -arch=sm_90a -v %t.ptx -o %t.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not=C7508 --implicit-check-not=warning

// KERNEL: #skipattn_gpu.param<kv_lens>, #skipattn_gpu.param<q_lens>, #skipattn_gpu.param<page_table>
// KERNEL-SAME: box_q = [64, 16, 4], box_kv = [64, 16]
// KERNEL: skipattn_gpu.warp_role <name = "load"
// KERNEL: %[[SLOT:.*]] = arith.minui %{{.*}}, %c511
// KERNEL: llvm.getelementptr %{{.*}}[%{{.*}}] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, i32
// KERNEL: llvm.load %{{.*}} invariant : !llvm.ptr<1> -> i32
// KERNEL: arith.select %{{.*}}, %{{.*}}, %c2050
// KERNEL: skipattn_gpu.ring.put %{{.*}}, "k" if %true bytes(32768)
// KERNEL-NEXT: ^bb0(%[[DST:.*]]: !skipattn_gpu.smem<128x128xbf16>):
// KERNEL-NEXT: skipattn_gpu.tma_load %{{.*}} into %[[DST]] {rows = 16 : i64}
// KERNEL-NEXT: skipattn_gpu.tma_load %{{.*}} into %[[DST]] {rows = 16 : i64, slot_row = 16 : i64}
// KERNEL-COUNT-5: skipattn_gpu.tma_load
// KERNEL-NEXT: skipattn_gpu.tma_load %{{.*}} into %[[DST]] {rows = 16 : i64, slot_row = 112 : i64}
// KERNEL: skipattn_gpu.warp_role <name = "math"
// KERNEL: skipattn_gpu.row_limits %{{.*}}, %{{.*}} q_start(%{{.*}}) {causal, q_len = 4 : i64, rows_per_head = 16 : i64}

// PTXAS: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads

func.func @attn(%q: memref<4x32x4x128xbf16>,
                %k: memref<2050x8x16x128xbf16, strided<[16384, 128, 1024, 1]>>,
                %v: memref<2050x8x16x128xbf16, strided<[16384, 128, 1024, 1]>>,
                %lens: memref<4xi32>, %table: memref<4x512xi32>,
                %qlens: memref<4xi32>, %o: memref<4x32x4x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<4x32x4x128xbf16>,
      memref<2050x8x16x128xbf16, strided<[16384, 128, 1024, 1]>>,
      memref<2050x8x16x128xbf16, strided<[16384, 128, 1024, 1]>>)
      kv_lens(%lens : memref<4xi32>) page_table(%table : memref<4x512xi32>)
      q_lens(%qlens : memref<4xi32>) outs(%o : memref<4x32x4x128xbf16>)
      {causal, skip = #skipattn.skip<threshold_scale_factor = 1.0e2, min_keep_blocks = 1>}
  return
}
