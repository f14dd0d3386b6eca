// RUN: skipattn-opt %s -split-input-file --convert-skipattn-to-aic="cache-write=false" | FileCheck %s

// Causal GQA (4 query heads on 2 KV heads), 2 KV blocks, prefill factor 100
// and decode factor 10, log-sum-exp output.

// CHECK: module attributes {aic.custom_io = {past_key.0 = f16, past_value.0 = f16},
// CHECK-SAME: aic.specializations = [{_graph_name = "Prefill", batch_size = 2 : i64, ctx_len = 256 : i64, seq_len = 16 : i64},
// CHECK-SAME: {_graph_name = "Decode", batch_size = 2 : i64, ctx_len = 256 : i64, seq_len = 1 : i64}]}
// CHECK-LABEL: func.func @layer(
// CHECK-SAME: %[[Q:[a-z0-9]+]]: tensor<?x4x?x32xf32> {aic.dims = ["batch_size", "", "seq_len", ""], aic.name = "q"}
// CHECK-SAME: %[[K:[a-z0-9]+]]: tensor<?x2x?x32xf32> {aic.dims = ["batch_size", "", "ctx_len", ""], aic.name = "past_key.0"}
// CHECK-SAME: %[[V:[a-z0-9]+]]: tensor<?x2x?x32xf32> {aic.dims = ["batch_size", "", "ctx_len", ""], aic.name = "past_value.0"}
// CHECK-SAME: %[[POS:[a-z0-9]+]]: tensor<?x?xi64> {aic.dims = ["batch_size", "seq_len"], aic.name = "position_ids"}
// CHECK-SAME: -> (tensor<?x4x?x32xf32> {aic.dims = ["batch_size", "", "seq_len", ""], aic.name = "output"},
// CHECK-SAME: tensor<?x4x?xf32> {aic.dims = ["batch_size", "", "seq_len"], aic.name = "lse"})
// CHECK-SAME: skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 2, prefill_factor = 1.000000e+02, decode_factor = 1.000000e+01, min_keep_blocks = 1>
//
// Queries pre-scaled by 1/sqrt(32), as [B, Hkv, G, S, D].
// CHECK: %[[SCALE:.*]] = aic.constant dense<0.176776{{[0-9]*}}> : tensor<f32>
// CHECK: %[[QS:.*]] = aic.mul %[[Q]], %[[SCALE]]
// CHECK: %[[Q5:.*]] = aic.reshape %[[QS]], {{.*}} -> tensor<?x2x2x?x32xf32>
//
// L_b = max(position_ids[b]) + 1, at run time.
// CHECK: %[[MAXPOS:.*]] = aic.reduce_max %[[POS]] {axes = array<i64: 1>, keepdims = 0 : i64}
// CHECK: %[[LEN:.*]] = aic.add %[[MAXPOS]]
// CHECK: %[[LEN5:.*]] = aic.reshape %[[LEN]]
//
// Block size ceil(ctx_len / 2) from the cache's run-time shape.
// (CHECK-DAG where the order of independent ops depends on the host
// compiler's argument evaluation order.)
// CHECK-DAG: %[[CTX:.*]] = aic.shape %[[K]] {end = 3 : i64, start = 2 : i64}
// CHECK-DAG: %[[TWO:.*]] = aic.constant dense<2> : tensor<i64>
// CHECK-DAG: %[[CTX1:.*]] = aic.add %[[CTX]]
// CHECK: %[[BS:.*]] = aic.div %[[CTX1]], %[[TWO]]
//
// The factor follows the phase (seq_len == 1: decode); lambda_b = f / L_b.
// CHECK: %[[SEQ:.*]] = aic.shape %[[Q]] {end = 3 : i64, start = 2 : i64}
// CHECK: %[[ISDEC:.*]] = aic.equal %[[SEQ]]
// CHECK-DAG: %[[PF:.*]] = aic.constant dense<1.000000e+02> : tensor<f32>
// CHECK-DAG: %[[DF:.*]] = aic.constant dense<1.000000e+01> : tensor<f32>
// CHECK: %[[F:.*]] = aic.where %[[ISDEC]], %[[DF]], %[[PF]]
// CHECK: %[[LENF:.*]] = aic.cast %[[LEN5]] {to = f32}
// CHECK: %[[LAMBDA:.*]] = aic.div %[[F]], %[[LENF]]
// CHECK: %[[LNL:.*]] = aic.log %[[LAMBDA]]
//
// Block 0: always kept (only blocks past L_b are dropped).
// CHECK: aic.call @CtxGather(%[[K]], %[[IDX0:.*]]) : (tensor<?x2x?x32xf32>, tensor<?x2x?xi64>) -> tensor<?x2x?x32xf32>
// CHECK: aic.matmul %[[Q5]], {{.*}} -> tensor<?x2x2x?x?xf32>
// CHECK: aic.call @CtxGather(%[[V]], %[[IDX0]])
// CHECK-NOT: aic.log
// CHECK: aic.where
//
// Block 1: QEfficient's post-update test m_blk - max(m, m_blk) < ln(lambda),
// with l > 0, applied to max, sum and accumulator with Where.
// CHECK: aic.call @CtxGather(%[[K]], %[[IDX1:.*]]) :
// CHECK: %[[MBLK:.*]] = aic.reduce_max %{{.*}} {axes = array<i64: -1>} : (tensor<?x2x2x?x?xf32>) -> tensor<?x2x2x?x1xf32>
// CHECK: %[[MNEW:.*]] = aic.max %{{.*}}, %[[MBLK]]
// CHECK: aic.call @CtxGather(%[[V]], %[[IDX1]])
// CHECK: %[[DIFF:.*]] = aic.sub %[[MBLK]], %[[MNEW]]
// CHECK: aic.less %[[DIFF]], %[[LNL]]
// CHECK: aic.or
// CHECK: aic.and
// CHECK: %[[SKIP:.*]] = aic.or
// CHECK: aic.where %[[SKIP]], {{.*}} -> tensor<?x2x2x?x1xf32>
// CHECK: aic.where %[[SKIP]], {{.*}} -> tensor<?x2x2x?x1xf32>
// CHECK: aic.where %[[SKIP]], {{.*}} -> tensor<?x2x2x?x32xf32>
// CHECK-NOT: aic.call
// CHECK: return {{.*}} : tensor<?x4x?x32xf32>, tensor<?x4x?xf32>
//
// CHECK: func.func private @CtxGather(%{{.*}}: tensor<?x?x?x?xf32> {aic.name = "data"}, %{{.*}}: tensor<?x?x?xi64> {aic.name = "ctx_indices"})
// CHECK-SAME: attributes {aic.domain = "com.qualcomm.cloud"}
// CHECK: aic.unsqueeze
// CHECK: aic.gather_nd {{.*}} {batch_dims = 2 : i64}
func.func @layer(%q: tensor<2x4x16x32xf32>, %k: tensor<2x2x256x32xf32>,
                 %v: tensor<2x2x256x32xf32>, %lens: tensor<2xi32>)
    -> (tensor<2x4x16x32xf32>, tensor<2x4x16xf32>) {
  %o = tensor.empty() : tensor<2x4x16x32xf32>
  %l = tensor.empty() : tensor<2x4x16xf32>
  %r:2 = skipattn.attention ins(%q, %k, %v : tensor<2x4x16x32xf32>, tensor<2x2x256x32xf32>, tensor<2x2x256x32xf32>)
      kv_lens(%lens : tensor<2xi32>) outs(%o : tensor<2x4x16x32xf32>) lse(%l : tensor<2x4x16xf32>)
      {causal, skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 2, prefill_factor = 100.0, decode_factor = 10.0, min_keep_blocks = 1>}
      -> tensor<2x4x16x32xf32>, tensor<2x4x16xf32>
  return %r#0, %r#1 : tensor<2x4x16x32xf32>, tensor<2x4x16xf32>
}

// -----

// Dense, f16 (computed in f32 after each gather), one factor for both
// phases would need no phase select; dense needs no lambda at all.
// CHECK-LABEL: func.func @dense_f16(
// CHECK-SAME: tensor<?x2x?x64xf16> {{.*}}aic.name = "q"
// CHECK-NOT: aic.log
// CHECK-NOT: aic.equal
// CHECK: %[[KB:.*]] = aic.call @CtxGather({{.*}}) : (tensor<?x2x?x64xf16>, tensor<?x2x?xi64>) -> tensor<?x2x?x64xf16>
// CHECK: aic.cast %[[KB]] {to = f32}
// CHECK-NOT: aic.log
// CHECK: %[[OUT:.*]] = aic.cast %{{.*}} {to = f16} : (tensor<?x2x?x64xf32>) -> tensor<?x2x?x64xf16>
// CHECK: return %[[OUT]]
func.func @dense_f16(%q: tensor<1x2x8x64xf16>, %k: tensor<1x2x128x64xf16>,
                     %v: tensor<1x2x128x64xf16>) -> tensor<1x2x8x64xf16> {
  %o = tensor.empty() : tensor<1x2x8x64xf16>
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x2x8x64xf16>, tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>)
      outs(%o : tensor<1x2x8x64xf16>)
      {skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 4, prefill_factor = 0.0, decode_factor = 0.0, min_keep_blocks = 1>}
      -> tensor<1x2x8x64xf16>
  return %r : tensor<1x2x8x64xf16>
}

// -----

// Statistics: [total, skipped] per (b, h) from every visited block.
// CHECK-LABEL: func.func @stats(
// CHECK-SAME: -> (tensor<?x2x?x64xf32> {{.*}}, tensor<?x2x2xi64> {aic.dims = ["batch_size", "", ""], aic.name = "skip_stats"})
// CHECK: %[[BOTH:.*]] = aic.concat %{{.*}}, %{{.*}} {axis = 4 : i64} : (tensor<?x2x1x1x1xi64>, tensor<?x2x1x1x1xi64>) -> tensor<?x2x1x1x2xi64>
// CHECK: %[[ST:.*]] = aic.reshape %[[BOTH]], {{.*}} -> tensor<?x2x2xi64>
// CHECK: return %{{.*}}, %[[ST]]
func.func @stats(%q: tensor<1x2x8x64xf32>, %k: tensor<1x2x128x64xf32>,
                 %v: tensor<1x2x128x64xf32>) -> (tensor<1x2x8x64xf32>, tensor<1x2x2xi64>) {
  %o = tensor.empty() : tensor<1x2x8x64xf32>
  %s = tensor.empty() : tensor<1x2x2xi64>
  %r:2 = skipattn.attention ins(%q, %k, %v : tensor<1x2x8x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>)
      outs(%o : tensor<1x2x8x64xf32>) stats(%s : tensor<1x2x2xi64>)
      {skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 4, prefill_factor = 50.0, decode_factor = 50.0, min_keep_blocks = 2>}
      -> tensor<1x2x8x64xf32>, tensor<1x2x2xi64>
  return %r#0, %r#1 : tensor<1x2x8x64xf32>, tensor<1x2x2xi64>
}
