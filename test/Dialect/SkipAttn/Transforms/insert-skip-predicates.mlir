// RUN: skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(skipattn-insert-skip-predicates))' | FileCheck %s
// RUN: skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(skipattn-insert-skip-predicates{skip-unit=8},canonicalize,cse))' | FileCheck %s --check-prefix=UNIT
// RUN: not skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(skipattn-insert-skip-predicates{skip-unit=5}))' 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: 'skipattn.blocked_kv' op skip unit of 5 rows does not divide the tile's 32 rows

// Dense (no configuration, no statistics): the IR is left exactly as it is.
// CHECK-LABEL: func @dense
// CHECK-NOT: skip_predicate
// CHECK-NOT: scf.if
// CHECK: skipattn.blocked_kv {{.*}}tiling = #skipattn.tiling<block_q = 16, block_kv = 64, heads_per_tile = 2, skip_unit = 0>
// CHECK: skipattn.block_scores
// CHECK-NEXT: skipattn.online_softmax %{{.*}} state(%{{.*}}, %{{.*}}, %{{.*}}) : memref<32x64xf32>
func.func @dense(%qt: memref<32x64xf32>, %k: memref<1x2x256x64xf16>,
    %v: memref<1x2x256x64xf16>, %s: memref<32x64xf32>, %m: memref<32xf32>,
    %l: memref<32xf32>, %acc: memref<32x64xf32>, %st: memref<1x4x2xi64>,
    %i: index, %h: index, %lo: index, %n: index, %len: index) {
  skipattn.blocked_kv %j = %lo to %n kv_len(%len)
      state(%m, %l, %acc : memref<32xf32>, memref<32xf32>, memref<32x64xf32>)
      attributes {tiling = #skipattn.tiling<block_q = 16, block_kv = 64, heads_per_tile = 2, skip_unit = 0>} {
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

// Whole-tile unit: lambda = factor / len once per tile (never skip when
// lambda >= 1), the first block always kept, then the guarded update.
// CHECK-LABEL: func @whole_tile
// CHECK: %[[LEN64:.*]] = arith.index_castui %{{.*}} : index to i64
// CHECK: %[[LENF:.*]] = arith.uitofp %[[LEN64]] : i64 to f64
// CHECK: %[[LAM:.*]] = arith.divf %{{.*}}, %[[LENF]] : f64
// CHECK: %[[LT1:.*]] = arith.cmpf olt, %[[LAM]], %{{.*}} : f64
// CHECK: %[[GT0:.*]] = arith.cmpf ogt, %[[LAM]], %{{.*}} : f64
// CHECK: %[[ON:.*]] = arith.andi %[[LT1]], %[[GT0]] : i1
// CHECK: %[[LOG:.*]] = math.log2 %[[LAM]] : f64
// CHECK: %[[LOG32:.*]] = arith.truncf %[[LOG]] : f64 to f32
// CHECK: %[[LL:.*]] = arith.select %[[ON]], %[[LOG32]], %cst{{.*}} : f32
// CHECK: skipattn.blocked_kv %[[J:.*]] = %[[LO:[^ ]*]] to {{.*}}skip_unit = 32>
// CHECK: skipattn.block_scores
// CHECK: %[[REL:.*]] = arith.subi %[[J]], %[[LO]] : index
// CHECK: %[[PAST:.*]] = arith.cmpi uge, %[[REL]], %c1 : index
// CHECK: %[[ALLOWED:.*]] = arith.andi %[[PAST]], %[[ON]] : i1
// CHECK: %[[P:.*]] = skipattn.skip_predicate %{{.*}}, %{{.*}} log2_lambda(%[[LL]]) : memref<32x64xf32>, memref<32xf32>
// CHECK: %[[SKIP:.*]] = arith.andi %[[ALLOWED]], %[[P]] : i1
// CHECK: %[[KEEP:.*]] = arith.xori %[[SKIP]], %true : i1
// CHECK: scf.if %[[KEEP]] {
// CHECK-NEXT: skipattn.online_softmax
// CHECK-NEXT: }
func.func @whole_tile(%qt: memref<32x64xf32>, %k: memref<1x2x256x64xf16>,
    %v: memref<1x2x256x64xf16>, %s: memref<32x64xf32>, %m: memref<32xf32>,
    %l: memref<32xf32>, %acc: memref<32x64xf32>, %st: memref<1x4x2xi64>,
    %i: index, %h: index, %lo: index, %n: index, %len: index) {
  skipattn.blocked_kv %j = %lo to %n kv_len(%len)
      state(%m, %l, %acc : memref<32xf32>, memref<32xf32>, memref<32x64xf32>)
      attributes {skip = #skipattn.skip<threshold_scale_factor = 1.000000e+03, min_keep_blocks = 0>, tiling = #skipattn.tiling<block_q = 16, block_kv = 64, heads_per_tile = 2, skip_unit = 0>} {
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

// min_keep_blocks = 3 and 8-row units: four votes per block, each on its
// own rows through subviews.
// UNIT-LABEL: func @units
// UNIT: skipattn.blocked_kv {{.*}}skip_unit = 8>
// UNIT: %[[PAST:.*]] = arith.cmpi uge, %{{.*}}, %c3 : index
// UNIT: %[[ALLOWED:.*]] = arith.andi %[[PAST]], %{{.*}} : i1
// UNIT: scf.for %[[R:.*]] = %c0 to %c32 step %c8 {
// UNIT: %[[SV:.*]] = memref.subview %{{.*}}[%[[R]], 0] [8, 64] [1, 1] : memref<32x64xf32> to memref<8x64xf32, strided<[64, 1], offset: ?>>
// UNIT: %[[MV:.*]] = memref.subview %{{.*}}[%[[R]]] [8] [1] : memref<32xf32> to memref<8xf32, strided<[1], offset: ?>>
// UNIT: skipattn.skip_predicate %[[SV]], %[[MV]]
// UNIT: scf.if
// UNIT: skipattn.online_softmax %[[SV]]{{.*}} : memref<8x64xf32, strided<[64, 1], offset: ?>>
func.func @units(%qt: memref<32x64xf32>, %k: memref<1x2x256x64xf16>,
    %v: memref<1x2x256x64xf16>, %s: memref<32x64xf32>, %m: memref<32xf32>,
    %l: memref<32xf32>, %acc: memref<32x64xf32>, %st: memref<1x4x2xi64>,
    %i: index, %h: index, %lo: index, %n: index, %len: index) {
  skipattn.blocked_kv %j = %lo to %n kv_len(%len)
      state(%m, %l, %acc : memref<32xf32>, memref<32xf32>, memref<32x64xf32>)
      attributes {skip = #skipattn.skip<threshold_scale_factor = 1.000000e+03, min_keep_blocks = 3>, tiling = #skipattn.tiling<block_q = 16, block_kv = 64, heads_per_tile = 2, skip_unit = 0>} {
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

// Statistics: every decision of a unit with a valid row counts in
// [b, h, 0], every such skip in [b, h, 1], h being the head of the unit's
// first row (row / block_q). Valid: the unit's first position (q_pos +
// row mod block_q) lies before Sq and, causal, its last position
// (clamped to Sq - 1) sees a key (pos + 1 + kv_len > Sq).
// UNIT-LABEL: func @stats
// UNIT: scf.for %[[R:.*]] = %c0 to %c32 step %c8 {
// UNIT: %[[SKIP:.*]] = arith.andi %{{.*}}, %{{.*}} : i1
// UNIT: %[[OFF:.*]] = arith.remui %[[R]], %c16 : index
// UNIT: %[[FIRST:.*]] = arith.addi %{{.*}}, %[[OFF]] : index
// UNIT: %[[IN:.*]] = arith.cmpi ult, %[[FIRST]], %c32 : index
// UNIT: %[[END:.*]] = arith.addi %[[FIRST]], %c7 : index
// UNIT: %[[LAST:.*]] = arith.minui %[[END]], %c31 : index
// UNIT: %[[NEXT:.*]] = arith.addi %[[LAST]], %c1 : index
// UNIT: %[[SEEN:.*]] = arith.addi %[[NEXT]], %{{.*}} : index
// UNIT: %[[SEES:.*]] = arith.cmpi ugt, %[[SEEN]], %c32 : index
// UNIT: %[[VALID:.*]] = arith.andi %[[IN]], %[[SEES]] : i1
// UNIT: %[[G:.*]] = arith.divui %[[R]], %c16 : index
// UNIT: %[[H:.*]] = arith.addi %{{.*}}, %[[G]] : index
// UNIT: %[[COUNT:.*]] = arith.extui %[[VALID]] : i1 to i64
// UNIT: memref.atomic_rmw addi %[[COUNT]], %{{.*}}[%{{.*}}, %[[H]], %c0] : (i64, memref<1x4x2xi64>) -> i64
// UNIT: %[[BOTH:.*]] = arith.andi %[[SKIP]], %[[VALID]] : i1
// UNIT: %[[INC:.*]] = arith.extui %[[BOTH]] : i1 to i64
// UNIT: memref.atomic_rmw addi %[[INC]], %{{.*}}[%{{.*}}, %[[H]], %c1] : (i64, memref<1x4x2xi64>) -> i64
func.func @stats(%qt: memref<32x64xf32>, %k: memref<1x2x256x64xf16>,
    %v: memref<1x2x256x64xf16>, %s: memref<32x64xf32>, %m: memref<32xf32>,
    %l: memref<32xf32>, %acc: memref<32x64xf32>, %st: memref<1x4x2xi64>,
    %i: index, %h: index, %lo: index, %n: index, %len: index) {
  skipattn.blocked_kv %j = %lo to %n kv_len(%len)
      state(%m, %l, %acc : memref<32xf32>, memref<32xf32>, memref<32x64xf32>) stats(%st[%i, %h] : memref<1x4x2xi64>)
      attributes {skip = #skipattn.skip<threshold_scale_factor = 1.000000e+03, min_keep_blocks = 1>, tiling = #skipattn.tiling<block_q = 16, block_kv = 64, heads_per_tile = 2, skip_unit = 0>} {
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

// Dense with statistics: totals are counted, nothing is guarded.
// UNIT-LABEL: func @dense_stats
// UNIT: memref.atomic_rmw addi %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}, %c0]
// UNIT-NOT: skip_predicate
// UNIT-NOT: scf.if
// UNIT: skipattn.online_softmax
func.func @dense_stats(%qt: memref<32x64xf32>, %k: memref<1x2x256x64xf16>,
    %v: memref<1x2x256x64xf16>, %s: memref<32x64xf32>, %m: memref<32xf32>,
    %l: memref<32xf32>, %acc: memref<32x64xf32>, %st: memref<1x4x2xi64>,
    %i: index, %h: index, %lo: index, %n: index, %len: index) {
  skipattn.blocked_kv %j = %lo to %n kv_len(%len)
      state(%m, %l, %acc : memref<32xf32>, memref<32xf32>, memref<32x64xf32>) stats(%st[%i, %h] : memref<1x4x2xi64>)
      attributes {tiling = #skipattn.tiling<block_q = 16, block_kv = 64, heads_per_tile = 2, skip_unit = 0>} {
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

