// Runtime skip factors in skipattn-insert-skip-predicates.
// RUN: skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(skipattn-insert-skip-predicates{skip-unit=8},canonicalize,cse))' | FileCheck %s
// RUN: not skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(skipattn-insert-skip-predicates))' 2>&1 | FileCheck %s --check-prefix=BAD

// Runtime factors: each 8-row unit reads the factor of its own head
// (row / block_q) and derives lambda from it; no constant factor appears.
// CHECK-LABEL: func @runtime_factors
// CHECK: scf.for %[[R:.*]] = %c0 to %c32 step %c8 {
// CHECK: %[[G:.*]] = arith.divui %[[R]], %c16 : index
// CHECK: %[[H:.*]] = arith.addi %{{.*}}, %[[G]] : index
// CHECK: %[[F:.*]] = memref.load %{{.*}}[%{{.*}}, %[[H]]] : memref<1x4xf32, strided<[0, 1]>>
// CHECK: %[[F64:.*]] = arith.extf %[[F]] : f32 to f64
// CHECK: %[[LAM:.*]] = arith.divf %[[F64]], %{{.*}} : f64
// CHECK: %[[LT1:.*]] = arith.cmpf olt, %[[LAM]], %{{.*}} : f64
// CHECK: %[[GT0:.*]] = arith.cmpf ogt, %[[LAM]], %{{.*}} : f64
// CHECK: %[[ON:.*]] = arith.andi %[[LT1]], %[[GT0]] : i1
// CHECK: %[[LOG:.*]] = math.log2 %[[LAM]] : f64
// CHECK: %[[ALLOWED:.*]] = arith.andi %{{.*}}, %[[ON]] : i1
// CHECK: skipattn.skip_predicate
// CHECK: scf.if
func.func @runtime_factors(%qt: memref<32x64xf32>, %k: memref<1x2x256x64xf16>,
    %v: memref<1x2x256x64xf16>, %s: memref<32x64xf32>, %m: memref<32xf32>,
    %l: memref<32xf32>, %acc: memref<32x64xf32>, %f: memref<1x4xf32, strided<[0, 1]>>,
    %i: index, %h: index, %lo: index, %n: index, %len: index) {
  skipattn.blocked_kv %j = %lo to %n kv_len(%len)
      state(%m, %l, %acc : memref<32xf32>, memref<32xf32>, memref<32x64xf32>) skip_factors(%f[%i, %h] : memref<1x4xf32, strided<[0, 1]>>)
      attributes {skip = #skipattn.skip<threshold_scale_factor = 0.000000e+00, min_keep_blocks = 1>, tiling = #skipattn.tiling<block_q = 16, block_kv = 64, heads_per_tile = 2, skip_unit = 0>} {
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

// -----

// Per-head runtime factors cannot be honoured by a unit spanning two heads.
// BAD: error: 'skipattn.blocked_kv' op per-head skip factors need a skip unit that divides the 16 rows of one head, got 32

func.func @whole_tile(%qt: memref<32x64xf32>, %k: memref<1x2x256x64xf16>,
    %v: memref<1x2x256x64xf16>, %s: memref<32x64xf32>, %m: memref<32xf32>,
    %l: memref<32xf32>, %acc: memref<32x64xf32>, %f: memref<1x4xf32>,
    %i: index, %h: index, %lo: index, %n: index, %len: index) {
  skipattn.blocked_kv %j = %lo to %n kv_len(%len)
      state(%m, %l, %acc : memref<32xf32>, memref<32xf32>, memref<32x64xf32>) skip_factors(%f[%i, %h] : memref<1x4xf32>)
      attributes {skip = #skipattn.skip<threshold_scale_factor = 0.000000e+00, min_keep_blocks = 1>, tiling = #skipattn.tiling<block_q = 16, block_kv = 64, heads_per_tile = 2, skip_unit = 0>} {
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


// -----

// One head per tile: the factor is the tile's, read once before the loop
// (not on every block's path to the decision), and the loop only combines
// it with the block index.
// CHECK-LABEL: func @factor_per_tile
// CHECK: %[[F:.*]] = memref.load %{{.*}}[%{{.*}}, %{{.*}}] : memref<1x4xf32>
// CHECK: %[[F64:.*]] = arith.extf %[[F]] : f32 to f64
// CHECK: %[[LAM:.*]] = arith.divf %[[F64]], %{{.*}} : f64
// CHECK: math.log2 %[[LAM]] : f64
// CHECK: skipattn.blocked_kv
// CHECK-NOT: memref.load
// CHECK: skipattn.skip_predicate
// CHECK: scf.if
func.func @factor_per_tile(%qt: memref<32x64xf32>, %k: memref<1x2x256x64xf16>,
    %v: memref<1x2x256x64xf16>, %s: memref<32x64xf32>, %m: memref<32xf32>,
    %l: memref<32xf32>, %acc: memref<32x64xf32>, %f: memref<1x4xf32>,
    %i: index, %h: index, %lo: index, %n: index, %len: index) {
  skipattn.blocked_kv %j = %lo to %n kv_len(%len)
      state(%m, %l, %acc : memref<32xf32>, memref<32xf32>, memref<32x64xf32>) skip_factors(%f[%i, %h] : memref<1x4xf32>)
      attributes {skip = #skipattn.skip<threshold_scale_factor = 0.000000e+00, min_keep_blocks = 1>, tiling = #skipattn.tiling<block_q = 32, block_kv = 64, heads_per_tile = 1, skip_unit = 0>} {
    %c64 = arith.constant 64 : index
    %kv0 = arith.muli %j, %c64 : index
    skipattn.block_scores %qt, %k[%i, %i] kv_start(%kv0) kv_len(%len) q_pos(%i) into %s
        {causal, q_len = 32 : i64, rows_per_head = 32 : i64}
        : memref<32x64xf32>, memref<1x2x256x64xf16>, memref<32x64xf32>
    skipattn.online_softmax %s, %v[%i, %i] kv_start(%kv0) kv_len(%len) state(%m, %l, %acc)
        : memref<32x64xf32>, memref<1x2x256x64xf16>, memref<32xf32>, memref<32xf32>, memref<32x64xf32>
  }
  return
}
