// One case per verifier message.
// RUN: skipattn-opt %s --split-input-file --verify-diagnostics

func.func @f(%q: tensor<1x2x8x64xf32>, %k: memref<1x2x8x64xf32>, %v: memref<1x2x8x64xf32>, %o: memref<1x2x8x64xf32>) {
  // expected-error @+1 {{operands must be all tensors or all memrefs}}
  skipattn.attention ins(%q, %k, %v : tensor<1x2x8x64xf32>, memref<1x2x8x64xf32>, memref<1x2x8x64xf32>) outs(%o : memref<1x2x8x64xf32>) 
  return
}

// -----

func.func @f(%q: memref<1x2x8x64xf32>, %k: memref<1x2x8x64xf32>, %v: memref<1x2x8x64xf32>, %o: memref<1x2x8x64xf32>) {
  // expected-error @+1 {{has no results in memref form}}
  %r = skipattn.attention ins(%q, %k, %v : memref<1x2x8x64xf32>, memref<1x2x8x64xf32>, memref<1x2x8x64xf32>) outs(%o : memref<1x2x8x64xf32>)  -> tensor<1x2x8x64xf32>
  return
}

// -----

func.func @f(%q: tensor<1x2x8x64xf32>, %k: tensor<1x2x8x64xf32>, %v: tensor<1x2x8x64xf32>, %o: tensor<1x2x8x64xf32>) {
  // expected-error @+1 {{expected one result per output operand, got 0 for 1}}
  skipattn.attention ins(%q, %k, %v : tensor<1x2x8x64xf32>, tensor<1x2x8x64xf32>, tensor<1x2x8x64xf32>) outs(%o : tensor<1x2x8x64xf32>) 
  return
}

// -----

func.func @f(%q: tensor<1x2x8x64xf32>, %k: tensor<1x2x8x64xf32>, %v: tensor<1x2x8x64xf32>, %o: tensor<1x2x8x64xf32>) {
  // expected-error @+1 {{result #0 type must match its output operand}}
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x2x8x64xf32>, tensor<1x2x8x64xf32>, tensor<1x2x8x64xf32>) outs(%o : tensor<1x2x8x64xf32>)  -> tensor<1x2x8x64xf16>
  return
}

// -----

func.func @f(%q: memref<2x8x64xf32>, %k: memref<1x2x8x64xf32>, %v: memref<1x2x8x64xf32>, %o: memref<1x2x8x64xf32>) {
  // expected-error @+1 {{query, key, value and out must have rank 4}}
  skipattn.attention ins(%q, %k, %v : memref<2x8x64xf32>, memref<1x2x8x64xf32>, memref<1x2x8x64xf32>) outs(%o : memref<1x2x8x64xf32>) 
  return
}

// -----

func.func @f(%q: memref<1x2x8x64xi8>, %k: memref<1x2x8x64xi8>, %v: memref<1x2x8x64xi8>, %o: memref<1x2x8x64xi8>) {
  // expected-error @+1 {{element type must be f16, bf16 or f32, got 'i8'}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x8x64xi8>, memref<1x2x8x64xi8>, memref<1x2x8x64xi8>) outs(%o : memref<1x2x8x64xi8>) 
  return
}

// -----

func.func @f(%q: memref<1x2x8x64xf32>, %k: memref<1x2x8x64xf16>, %v: memref<1x2x8x64xf32>, %o: memref<1x2x8x64xf32>) {
  // expected-error @+1 {{query, key, value and out must have the same element type}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x8x64xf32>, memref<1x2x8x64xf16>, memref<1x2x8x64xf32>) outs(%o : memref<1x2x8x64xf32>) 
  return
}

// -----

func.func @f(%q: memref<1x2x8x64xf32>, %k: memref<2x2x8x64xf32>, %v: memref<2x2x8x64xf32>, %o: memref<1x2x8x64xf32>) {
  // expected-error @+1 {{query, key and value batch sizes differ}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x8x64xf32>, memref<2x2x8x64xf32>, memref<2x2x8x64xf32>) outs(%o : memref<1x2x8x64xf32>) 
  return
}

// -----

func.func @f(%q: memref<1x2x8x64xf32>, %k: memref<1x2x8x64xf32>, %v: memref<1x2x9x64xf32>, %o: memref<1x2x8x64xf32>) {
  // expected-error @+1 {{key and value must have the same number of heads and KV length}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x8x64xf32>, memref<1x2x8x64xf32>, memref<1x2x9x64xf32>) outs(%o : memref<1x2x8x64xf32>) 
  return
}

// -----

func.func @f(%q: memref<1x6x8x64xf32>, %k: memref<1x4x8x64xf32>, %v: memref<1x4x8x64xf32>, %o: memref<1x6x8x64xf32>) {
  // expected-error @+1 {{query heads (6) must be a multiple of key/value heads (4)}}
  skipattn.attention ins(%q, %k, %v : memref<1x6x8x64xf32>, memref<1x4x8x64xf32>, memref<1x4x8x64xf32>) outs(%o : memref<1x6x8x64xf32>) 
  return
}

// -----

func.func @f(%q: memref<1x2x8x64xf32>, %k: memref<1x2x8x32xf32>, %v: memref<1x2x8x64xf32>, %o: memref<1x2x8x64xf32>) {
  // expected-error @+1 {{query and key head dims differ (64 vs 32)}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x8x64xf32>, memref<1x2x8x32xf32>, memref<1x2x8x64xf32>) outs(%o : memref<1x2x8x64xf32>) 
  return
}

// -----

func.func @f(%q: memref<1x2x8x64xf32>, %k: memref<1x2x8x64xf32>, %v: memref<1x2x8x32xf32>, %o: memref<1x2x8x64xf32>) {
  // expected-error @+1 {{out must have shape [B, Hq, Sq, Dv]}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x8x64xf32>, memref<1x2x8x64xf32>, memref<1x2x8x32xf32>) outs(%o : memref<1x2x8x64xf32>) 
  return
}

// -----

func.func @f(%q: memref<1x2x8x64xf32>, %k: memref<1x2x8x64xf32>, %v: memref<1x2x8x64xf32>, %o: memref<1x2x8x64xf32>, %lens: memref<1xi64>) {
  // expected-error @+1 {{kv_lens must be a rank-1 i32 of size B}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x8x64xf32>, memref<1x2x8x64xf32>, memref<1x2x8x64xf32>) kv_lens(%lens : memref<1xi64>) outs(%o : memref<1x2x8x64xf32>) 
  return
}

// -----

func.func @f(%q: memref<1x2x8x64xf32>, %k: memref<1x2x8x64xf32>, %v: memref<1x2x8x64xf32>, %o: memref<1x2x8x64xf32>, %lse: memref<1x2x7xf32>) {
  // expected-error @+1 {{lse must be f32 [B, Hq, Sq]}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x8x64xf32>, memref<1x2x8x64xf32>, memref<1x2x8x64xf32>) outs(%o : memref<1x2x8x64xf32>) lse(%lse : memref<1x2x7xf32>) 
  return
}

// -----

func.func @f(%q: memref<1x2x8x64xf32>, %k: memref<1x2x8x64xf32>, %v: memref<1x2x8x64xf32>, %o: memref<1x2x8x64xf32>, %st: memref<1x2x3xi64>) {
  // expected-error @+1 {{stats must be i64 [B, Hq, 2] or [B, Hq, 4]}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x8x64xf32>, memref<1x2x8x64xf32>, memref<1x2x8x64xf32>) outs(%o : memref<1x2x8x64xf32>) stats(%st : memref<1x2x3xi64>) 
  return
}

// -----

func.func @f(%q: memref<1x2x8x64xf32>, %k: memref<1x2x8x64xf32>, %v: memref<1x2x8x64xf32>, %o: memref<1x2x8x64xf32>, %f: memref<2xf32>) {
  // expected-error @+1 {{skip_factors must be f32 [B, Hq]}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x8x64xf32>, memref<1x2x8x64xf32>, memref<1x2x8x64xf32>) skip_factors(%f : memref<2xf32>) outs(%o : memref<1x2x8x64xf32>) {skip = #skipattn.skip<threshold_scale_factor = 0.0, min_keep_blocks = 1>}
  return
}

// -----

func.func @f(%q: memref<1x2x8x64xf32>, %k: memref<1x2x8x64xf32>, %v: memref<1x2x8x64xf32>, %o: memref<1x2x8x64xf32>, %f: memref<1x2xf32>) {
  // expected-error @+1 {{skip_factors needs a #skipattn.skip configuration}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x8x64xf32>, memref<1x2x8x64xf32>, memref<1x2x8x64xf32>) skip_factors(%f : memref<1x2xf32>) outs(%o : memref<1x2x8x64xf32>)
  return
}

// -----

func.func @f(%q: memref<1x2x8x64xf32>, %k: memref<1x2x8x64xf32>, %v: memref<1x2x8x64xf32>, %o: memref<1x2x8x64xf32>, %f: memref<1x2xf32>) {
  // expected-error @+1 {{a static threshold_scale_factor and skip_factors are exclusive}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x8x64xf32>, memref<1x2x8x64xf32>, memref<1x2x8x64xf32>) skip_factors(%f : memref<1x2xf32>) outs(%o : memref<1x2x8x64xf32>) {skip = #skipattn.skip<threshold_scale_factor = 10.0, min_keep_blocks = 1>}
  return
}

// -----

func.func @f(%q: memref<1x2x8x64xf32>, %k: memref<1x2x8x64xf32>, %v: memref<1x2x8x64xf32>, %o: memref<1x2x8x64xf32>) {
  // expected-error @+1 {{scale must be positive and finite}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x8x64xf32>, memref<1x2x8x64xf32>, memref<1x2x8x64xf32>) outs(%o : memref<1x2x8x64xf32>) {scale = -1.0 : f32}
  return
}

// -----

func.func @f(%q: memref<1x2x8x64xf32>, %k: memref<1x2x8x64xf32>, %v: memref<1x2x8x64xf32>, %o: memref<1x2x8x64xf32>) {
  // expected-error @+1 {{threshold_scale_factor must be finite and >= 0, got -1}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x8x64xf32>, memref<1x2x8x64xf32>, memref<1x2x8x64xf32>) outs(%o : memref<1x2x8x64xf32>) {skip = #skipattn.skip<threshold_scale_factor = -1.0, min_keep_blocks = 1>}
  return
}

// -----

func.func @f(%q: memref<1x2x8x64xf32>, %k: memref<1x2x8x64xf32>, %v: memref<1x2x8x64xf32>, %o: memref<1x2x8x64xf32>) {
  // expected-error @+1 {{min_keep_blocks must be >= 0, got -2}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x8x64xf32>, memref<1x2x8x64xf32>, memref<1x2x8x64xf32>) outs(%o : memref<1x2x8x64xf32>) {skip = #skipattn.skip<threshold_scale_factor = 1.0, min_keep_blocks = -2>}
  return
}

// -----

func.func @f(%m: memref<32xf32>, %l: memref<32xf32>, %acc: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{block_q, block_kv and heads_per_tile must be positive}}
  skipattn.blocked_kv %j = %i to %i kv_len(%i) state(%m, %l, %acc : memref<32xf32>, memref<32xf32>, memref<32x64xf32>) attributes {tiling = #skipattn.tiling<block_q = 0, block_kv = 32, heads_per_tile = 1, skip_unit = 0>} {
  }
  return
}

// -----

func.func @f(%m: memref<32xf32>, %l: memref<32xf32>, %acc: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{skip_unit must be 0 or divide the tile's 32 rows, got 5}}
  skipattn.blocked_kv %j = %i to %i kv_len(%i) state(%m, %l, %acc : memref<32xf32>, memref<32xf32>, memref<32x64xf32>) attributes {tiling = #skipattn.tiling<block_q = 32, block_kv = 32, heads_per_tile = 1, skip_unit = 5>} {
  }
  return
}

// -----

func.func @f(%m: memref<32xf32>, %l: memref<32xf32>, %acc: memref<32xf32>, %i: index) {
  // expected-error @+1 {{row_max and row_sum must be rank 1 and acc rank 2}}
  skipattn.blocked_kv %j = %i to %i kv_len(%i) state(%m, %l, %acc : memref<32xf32>, memref<32xf32>, memref<32xf32>) attributes {tiling = #skipattn.tiling<block_q = 32, block_kv = 32, heads_per_tile = 1, skip_unit = 0>} {
  }
  return
}

// -----

func.func @f(%m: memref<32xf32>, %l: memref<16xf32>, %acc: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{state buffers must agree on the number of rows}}
  skipattn.blocked_kv %j = %i to %i kv_len(%i) state(%m, %l, %acc : memref<32xf32>, memref<16xf32>, memref<32x64xf32>) attributes {tiling = #skipattn.tiling<block_q = 32, block_kv = 32, heads_per_tile = 1, skip_unit = 0>} {
  }
  return
}

// -----

func.func @f(%m: memref<32xf32>, %l: memref<32xf32>, %acc: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{tiling has 16 rows but the state has 32}}
  skipattn.blocked_kv %j = %i to %i kv_len(%i) state(%m, %l, %acc : memref<32xf32>, memref<32xf32>, memref<32x64xf32>) attributes {tiling = #skipattn.tiling<block_q = 16, block_kv = 32, heads_per_tile = 1, skip_unit = 0>} {
  }
  return
}

// -----

func.func @f(%m: memref<32xf32>, %acc: memref<32x64xf32>, %st: memref<1x1x2xi64>, %i: index) {
  // expected-error @+1 {{stats and skip_factors need the batch and head indices}}
  "skipattn.blocked_kv"(%i, %i, %i, %m, %m, %acc, %st) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 0, 0, 0>, tiling = #skipattn.tiling<block_q = 32, block_kv = 32, heads_per_tile = 1, skip_unit = 0>}> ({
  ^bb0(%j: index):
    "skipattn.yield"() : () -> ()
  }) : (index, index, index, memref<32xf32>, memref<32xf32>, memref<32x64xf32>, memref<1x1x2xi64>) -> ()
  return
}

// -----

func.func @f(%m: memref<32xf32>, %acc: memref<32x64xf32>, %i: index) {
  // expected-error @+1 {{body must take one index argument (the block index)}}
  "skipattn.blocked_kv"(%i, %i, %i, %m, %m, %acc) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0, 0, 0>, tiling = #skipattn.tiling<block_q = 32, block_kv = 32, heads_per_tile = 1, skip_unit = 0>}> ({
  ^bb0(%j: i32):
    "skipattn.yield"() : () -> ()
  }) : (index, index, index, memref<32xf32>, memref<32xf32>, memref<32x64xf32>) -> ()
  return
}

// -----

func.func @f(%q: memref<2x8x64xf16>, %t: memref<32x64xf32>, %i: index, %f: f32) {
  // expected-error @+1 {{query must have rank 4}}
  skipattn.pack_q %q[%i, %i, %i] into %t {heads = 1 : i64, rows_per_head = 32 : i64, scale = 1.0 : f32} : memref<2x8x64xf16>, memref<32x64xf32>
  return
}

// -----

func.func @f(%q: memref<1x2x8x64xf16>, %t: memref<32x64xf32>, %i: index, %f: f32) {
  // expected-error @+1 {{heads and rows_per_head must be positive}}
  skipattn.pack_q %q[%i, %i, %i] into %t {heads = 0 : i64, rows_per_head = 32 : i64, scale = 1.0 : f32} : memref<1x2x8x64xf16>, memref<32x64xf32>
  return
}

// -----

func.func @f(%q: memref<1x2x8x64xf16>, %t: memref<32x64xf32>, %i: index, %f: f32) {
  // expected-error @+1 {{tile must be [heads * rows_per_head, D]}}
  skipattn.pack_q %q[%i, %i, %i] into %t {heads = 2 : i64, rows_per_head = 32 : i64, scale = 1.0 : f32} : memref<1x2x8x64xf16>, memref<32x64xf32>
  return
}

// -----

func.func @f(%qt: memref<32x64xf32>, %k: memref<2x8x64xf16>, %s: memref<32x32xf32>, %i: index, %f: f32) {
  // expected-error @+1 {{key must have rank 4}}
  skipattn.block_scores %qt, %k[%i, %i] kv_start(%i) kv_len(%i) q_pos(%i) into %s {q_len = 8 : i64, rows_per_head = 32 : i64} : memref<32x64xf32>, memref<2x8x64xf16>, memref<32x32xf32>
  return
}

// -----

func.func @f(%qt: memref<32x64xf32>, %k: memref<1x2x8x64xf16>, %s: memref<32xf32>, %i: index, %f: f32) {
  // expected-error @+1 {{q_tile and scores must have rank 2}}
  skipattn.block_scores %qt, %k[%i, %i] kv_start(%i) kv_len(%i) q_pos(%i) into %s {q_len = 8 : i64, rows_per_head = 32 : i64} : memref<32x64xf32>, memref<1x2x8x64xf16>, memref<32xf32>
  return
}

// -----

func.func @f(%qt: memref<32x64xf32>, %k: memref<1x2x8x64xf16>, %s: memref<16x32xf32>, %i: index, %f: f32) {
  // expected-error @+1 {{q_tile and scores must have the same number of rows}}
  skipattn.block_scores %qt, %k[%i, %i] kv_start(%i) kv_len(%i) q_pos(%i) into %s {q_len = 8 : i64, rows_per_head = 32 : i64} : memref<32x64xf32>, memref<1x2x8x64xf16>, memref<16x32xf32>
  return
}

// -----

func.func @f(%qt: memref<32x32xf32>, %k: memref<1x2x8x64xf16>, %s: memref<32x32xf32>, %i: index, %f: f32) {
  // expected-error @+1 {{q_tile width must match the key head dim}}
  skipattn.block_scores %qt, %k[%i, %i] kv_start(%i) kv_len(%i) q_pos(%i) into %s {q_len = 8 : i64, rows_per_head = 32 : i64} : memref<32x32xf32>, memref<1x2x8x64xf16>, memref<32x32xf32>
  return
}

// -----

func.func @f(%qt: memref<32x64xf32>, %k: memref<1x2x8x64xf16>, %s: memref<32x32xf32>, %i: index, %f: f32) {
  // expected-error @+1 {{rows_per_head and q_len must be positive}}
  skipattn.block_scores %qt, %k[%i, %i] kv_start(%i) kv_len(%i) q_pos(%i) into %s {q_len = 0 : i64, rows_per_head = 32 : i64} : memref<32x64xf32>, memref<1x2x8x64xf16>, memref<32x32xf32>
  return
}

// -----

func.func @f(%s: memref<32xf32>, %m: memref<32xf32>, %i: index, %f: f32) {
  // expected-error @+1 {{scores must have rank 2 and row_max rank 1}}
  %r = skipattn.skip_predicate %s, %m log2_lambda(%f) : memref<32xf32>, memref<32xf32>
  return
}

// -----

func.func @f(%s: memref<32x32xf32>, %m: memref<16xf32>, %i: index, %f: f32) {
  // expected-error @+1 {{scores and row_max must have the same number of rows}}
  %r = skipattn.skip_predicate %s, %m log2_lambda(%f) : memref<32x32xf32>, memref<16xf32>
  return
}

// -----

func.func @f(%s: memref<32x32xf32>, %v: memref<2x8x64xf16>, %m: memref<32xf32>, %l: memref<32xf32>, %acc: memref<32x64xf32>, %i: index, %f: f32) {
  // expected-error @+1 {{value must have rank 4}}
  skipattn.online_softmax %s, %v[%i, %i] kv_start(%i) kv_len(%i) state(%m, %l, %acc) : memref<32x32xf32>, memref<2x8x64xf16>, memref<32xf32>, memref<32xf32>, memref<32x64xf32>
  return
}

// -----

func.func @f(%s: memref<32x32xf32>, %v: memref<1x2x8x64xf16>, %m: memref<32xf32>, %l: memref<32xf32>, %acc: memref<32xf32>, %i: index, %f: f32) {
  // expected-error @+1 {{scores and acc must have rank 2, row_max and row_sum rank 1}}
  skipattn.online_softmax %s, %v[%i, %i] kv_start(%i) kv_len(%i) state(%m, %l, %acc) : memref<32x32xf32>, memref<1x2x8x64xf16>, memref<32xf32>, memref<32xf32>, memref<32xf32>
  return
}

// -----

func.func @f(%s: memref<32x32xf32>, %v: memref<1x2x8x64xf16>, %m: memref<16xf32>, %l: memref<32xf32>, %acc: memref<32x64xf32>, %i: index, %f: f32) {
  // expected-error @+1 {{scores and state must agree on the number of rows}}
  skipattn.online_softmax %s, %v[%i, %i] kv_start(%i) kv_len(%i) state(%m, %l, %acc) : memref<32x32xf32>, memref<1x2x8x64xf16>, memref<16xf32>, memref<32xf32>, memref<32x64xf32>
  return
}

// -----

func.func @f(%s: memref<32x32xf32>, %v: memref<1x2x8x64xf16>, %m: memref<32xf32>, %l: memref<32xf32>, %acc: memref<32x16xf32>, %i: index, %f: f32) {
  // expected-error @+1 {{acc width must match the value head dim}}
  skipattn.online_softmax %s, %v[%i, %i] kv_start(%i) kv_len(%i) state(%m, %l, %acc) : memref<32x32xf32>, memref<1x2x8x64xf16>, memref<32xf32>, memref<32xf32>, memref<32x16xf32>
  return
}

// -----

func.func @f(%m: memref<32xf32>, %l: memref<32xf32>, %acc: memref<32x64xf32>, %o: memref<2x8x64xf16>, %i: index, %f: f32) {
  // expected-error @+1 {{out must have rank 4}}
  skipattn.finalize state(%m, %l, %acc) into %o[%i, %i, %i] {rows_per_head = 32 : i64} : memref<32xf32>, memref<32xf32>, memref<32x64xf32>, memref<2x8x64xf16>
  return
}

// -----

func.func @f(%m: memref<32xf32>, %l: memref<32xf32>, %acc: memref<32xf32>, %o: memref<1x2x8x64xf16>, %i: index, %f: f32) {
  // expected-error @+1 {{acc must have rank 2, row_max and row_sum rank 1}}
  skipattn.finalize state(%m, %l, %acc) into %o[%i, %i, %i] {rows_per_head = 32 : i64} : memref<32xf32>, memref<32xf32>, memref<32xf32>, memref<1x2x8x64xf16>
  return
}

// -----

func.func @f(%m: memref<32xf32>, %l: memref<16xf32>, %acc: memref<32x64xf32>, %o: memref<1x2x8x64xf16>, %i: index, %f: f32) {
  // expected-error @+1 {{state buffers must agree on the number of rows}}
  skipattn.finalize state(%m, %l, %acc) into %o[%i, %i, %i] {rows_per_head = 32 : i64} : memref<32xf32>, memref<16xf32>, memref<32x64xf32>, memref<1x2x8x64xf16>
  return
}

// -----

func.func @f(%m: memref<32xf32>, %l: memref<32xf32>, %acc: memref<32x32xf32>, %o: memref<1x2x8x64xf16>, %i: index, %f: f32) {
  // expected-error @+1 {{acc width must match the out head dim}}
  skipattn.finalize state(%m, %l, %acc) into %o[%i, %i, %i] {rows_per_head = 32 : i64} : memref<32xf32>, memref<32xf32>, memref<32x32xf32>, memref<1x2x8x64xf16>
  return
}

// -----

func.func @f(%m: memref<32xf32>, %l: memref<32xf32>, %acc: memref<32x64xf32>, %o: memref<1x2x8x64xf16>, %i: index, %f: f32) {
  // expected-error @+1 {{rows_per_head must be positive and divide the rows}}
  skipattn.finalize state(%m, %l, %acc) into %o[%i, %i, %i] {rows_per_head = 5 : i64} : memref<32xf32>, memref<32xf32>, memref<32x64xf32>, memref<1x2x8x64xf16>
  return
}

// -----

func.func @f(%m: memref<32xf32>, %l: memref<32xf32>, %acc: memref<32x64xf32>, %o: memref<1x2x8x64xf16>, %lse: memref<2x8xf32>, %i: index, %f: f32) {
  // expected-error @+1 {{lse must have rank 3}}
  skipattn.finalize state(%m, %l, %acc) into %o[%i, %i, %i] lse(%lse : memref<2x8xf32>) {rows_per_head = 32 : i64} : memref<32xf32>, memref<32xf32>, memref<32x64xf32>, memref<1x2x8x64xf16>
  return
}

// -----

func.func @f(%m: memref<32xf32>, %acc: memref<32x64xf32>, %fac: memref<4xf32>, %i: index) {
  // expected-error @+1 {{skip_factors must be [B, Hq]}}
  skipattn.blocked_kv %j = %i to %i kv_len(%i) state(%m, %m, %acc : memref<32xf32>, memref<32xf32>, memref<32x64xf32>) skip_factors(%fac[%i, %i] : memref<4xf32>) attributes {tiling = #skipattn.tiling<block_q = 32, block_kv = 32, heads_per_tile = 1, skip_unit = 0>} {
  }
  return
}

// -----

func.func @f(%m: memref<32xf32>, %acc: memref<32x64xf32>, %st: memref<1x1x2xi64>, %fac: memref<1x1xf32>, %i: index, %h: index) {
  // expected-error @+1 {{stats and skip_factors must be indexed by the same batch and head}}
  skipattn.blocked_kv %j = %i to %i kv_len(%i) state(%m, %m, %acc : memref<32xf32>, memref<32xf32>, memref<32x64xf32>) stats(%st[%i, %i] : memref<1x1x2xi64>) skip_factors(%fac[%i, %h] : memref<1x1xf32>) attributes {tiling = #skipattn.tiling<block_q = 32, block_kv = 32, heads_per_tile = 1, skip_unit = 0>} {
  }
  return
}

// -----

// expected-error @+1 {{kv_splits must be in [1, 1024], got 0}}
func.func @f() attributes {t = #skipattn.tiling<block_q = 64, block_kv = 64, heads_per_tile = 1, skip_unit = 0, kv_splits = 0>} { return }

// -----

func.func @f(%po: memref<2x1x2x8x64xf32>, %pl: memref<2x1x2x8xf32>, %o: memref<1x2x8x64x1xf16>) {
  // expected-error @+1 {{out must have rank 4}}
  skipattn.merge_splits %po, %pl into %o : memref<2x1x2x8x64xf32>, memref<2x1x2x8xf32>, memref<1x2x8x64x1xf16>
  return
}

// -----

func.func @f(%po: memref<2x1x2x8x32xf32>, %pl: memref<2x1x2x8xf32>, %o: memref<1x2x8x64xf16>) {
  // expected-error @+1 {{partial_out must be [S] + the shape of out}}
  skipattn.merge_splits %po, %pl into %o : memref<2x1x2x8x32xf32>, memref<2x1x2x8xf32>, memref<1x2x8x64xf16>
  return
}

// -----

func.func @f(%po: memref<2x1x2x8x64xf32>, %pl: memref<3x1x2x8xf32>, %o: memref<1x2x8x64xf16>) {
  // expected-error @+1 {{partial_lse must be [S, B, H, Sq] of partial_out}}
  skipattn.merge_splits %po, %pl into %o : memref<2x1x2x8x64xf32>, memref<3x1x2x8xf32>, memref<1x2x8x64xf16>
  return
}

// -----

func.func @f(%po: memref<2x1x2x8x64xf32>, %pl: memref<2x1x2x8xf32>, %o: memref<1x2x8x64xf16>, %l: memref<1x2x9xf32>) {
  // expected-error @+1 {{lse must be [B, H, Sq] of out}}
  skipattn.merge_splits %po, %pl into %o lse(%l : memref<1x2x9xf32>) : memref<2x1x2x8x64xf32>, memref<2x1x2x8xf32>, memref<1x2x8x64xf16>
  return
}

// -----

func.func @f(%q: memref<2x2x8x64xf32>, %k: memref<40x2x16x64xf32>, %v: memref<40x2x16x64xf32>, %t: memref<3x4xi32>, %o: memref<2x2x8x64xf32>) {
  // expected-error @+1 {{page_table must be an i32 [B, max_pages]}}
  skipattn.attention ins(%q, %k, %v : memref<2x2x8x64xf32>, memref<40x2x16x64xf32>, memref<40x2x16x64xf32>) page_table(%t : memref<3x4xi32>) outs(%o : memref<2x2x8x64xf32>)
  return
}

// -----

func.func @f(%q: memref<2x2x8x64xf32>, %k: memref<40x2x16x64xf32>, %v: memref<39x2x16x64xf32>, %t: memref<2x4xi32>, %o: memref<2x2x8x64xf32>) {
  // expected-error @+1 {{key and value caches must have the same number of pages}}
  skipattn.attention ins(%q, %k, %v : memref<2x2x8x64xf32>, memref<40x2x16x64xf32>, memref<39x2x16x64xf32>) page_table(%t : memref<2x4xi32>) outs(%o : memref<2x2x8x64xf32>)
  return
}

// -----

func.func @f(%q: memref<2x2x8x64xf32>, %k: memref<40x2x16x64xf32>, %v: memref<40x2x16x64xf32>, %t: memref<2x0xi32>, %o: memref<2x2x8x64xf32>) {
  // expected-error @+1 {{a paged cache needs pages, rows per page and a page table with a column}}
  skipattn.attention ins(%q, %k, %v : memref<2x2x8x64xf32>, memref<40x2x16x64xf32>, memref<40x2x16x64xf32>) page_table(%t : memref<2x0xi32>) outs(%o : memref<2x2x8x64xf32>)
  return
}

// -----

func.func @f(%qt: memref<4x64xf32>, %k: memref<40x2x0x64xf32>, %t: memref<2x8xi32>, %s: memref<4x64xf32>, %i: index) {
  // expected-error @+1 {{a paged cache needs rows per page}}
  skipattn.block_scores %qt, %k[%i, %i] pages(%t : memref<2x8xi32>) kv_start(%i) kv_len(%i) q_pos(%i) into %s {q_len = 1 : i64, rows_per_head = 1 : i64} : memref<4x64xf32>, memref<40x2x0x64xf32>, memref<4x64xf32>
  return
}

// -----

func.func @f(%qt: memref<4x64xbf16>, %k: memref<1x2x64x64xbf16>, %s: memref<4x64xf32>, %i: index) {
  // expected-error @+1 {{an unscaled bf16 q_tile needs the scale of its products (and only it takes one)}}
  skipattn.block_scores %qt, %k[%i, %i] kv_start(%i) kv_len(%i) q_pos(%i) into %s {q_len = 1 : i64, rows_per_head = 4 : i64} : memref<4x64xbf16>, memref<1x2x64x64xbf16>, memref<4x64xf32>
  return
}

// -----

func.func @f(%qt: memref<4x64xbf16>, %k: memref<1x2x64x64xf16>, %s: memref<4x64xf32>, %i: index) {
  // expected-error @+1 {{bf16 products need a bf16 key}}
  skipattn.block_scores %qt, %k[%i, %i] kv_start(%i) kv_len(%i) q_pos(%i) into %s {q_len = 1 : i64, rows_per_head = 4 : i64, scale = 0.5 : f32} : memref<4x64xbf16>, memref<1x2x64x64xf16>, memref<4x64xf32>
  return
}

// -----

func.func @f(%q: memref<1x2x8x64xf16>, %t: memref<4x64xbf16>, %i: index) {
  // expected-error @+1 {{an unscaled bf16 tile needs a bf16 query}}
  skipattn.pack_q %q[%i, %i, %i] into %t {heads = 1 : i64, rows_per_head = 4 : i64, scale = 0.125 : f32} : memref<1x2x8x64xf16>, memref<4x64xbf16>
  return
}

// -----

func.func @f(%q: memref<2x2x8x64xf32>, %k: memref<2x2x16x64xf32>, %v: memref<2x2x16x64xf32>, %n: memref<3xi32>, %o: memref<2x2x8x64xf32>) {
  // expected-error @+1 {{q_lens must be a rank-1 i32 of size B}}
  skipattn.attention ins(%q, %k, %v : memref<2x2x8x64xf32>, memref<2x2x16x64xf32>, memref<2x2x16x64xf32>) q_lens(%n : memref<3xi32>) outs(%o : memref<2x2x8x64xf32>)
  return
}
