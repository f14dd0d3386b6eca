// RUN: not skipattn-opt %s --pass-pipeline='builtin.module(func.func(skipattn-insert-skip-predicates))' 2>&1 | FileCheck %s
// CHECK: error: 'skipattn.blocked_kv' op skip_factors needs a #skipattn.skip configuration

// Runtime factors without a skip configuration (min_keep_blocks) on a loop.
func.func @no_config(%qt: memref<32x64xf32>, %k: memref<1x2x256x64xf16>,
    %v: memref<1x2x256x64xf16>, %s: memref<32x64xf32>, %m: memref<32xf32>,
    %l: memref<32xf32>, %acc: memref<32x64xf32>, %f: memref<1x4xf32>,
    %i: index, %h: index, %lo: index, %n: index, %len: index) {
  skipattn.blocked_kv %j = %lo to %n kv_len(%len)
      state(%m, %l, %acc : memref<32xf32>, memref<32xf32>, memref<32x64xf32>) skip_factors(%f[%i, %h] : memref<1x4xf32>)
      attributes {tiling = #skipattn.tiling<block_q = 16, block_kv = 64, heads_per_tile = 2, skip_unit = 8>} {
    %c64 = arith.constant 64 : index
    %kv0 = arith.muli %j, %c64 : index
    skipattn.block_scores %qt, %k[%i, %i] kv_start(%kv0) kv_len(%len) q_pos(%i) into %s
        {causal, q_len = 32 : i64, rows_per_head = 16 : i64}
        : memref<32x64xf32>, memref<1x2x256x64xf16>, memref<32x64xf32>
    skipattn.online_softmax %s, %v[%i, %i] kv_start(%kv0) kv_len(%len) state(%m, %l, %acc)
        : memref<32x64xf32>, memref<1x2x256x64xf16>, memref<32xf32>, memref<32xf32>, memref<32x64xf32>
  }
  return
}
