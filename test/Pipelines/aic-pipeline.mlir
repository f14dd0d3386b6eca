// RUN: skipattn-opt %s --skipattn-aic-pipeline="num-kv-blocks=3 decode-factor=12 batch-size=2 ctx-len=2048" | FileCheck %s

// The pipeline chains skipattn-aic-block-kv (the op's factor serves prefill,
// the option gives decode) and convert-skipattn-to-aic (specialisation sizes
// from the options where given, else the op's static sizes); CSE leaves one
// copy of each constant.

// CHECK: module attributes
// CHECK-SAME: {_graph_name = "Prefill", batch_size = 2 : i64, ctx_len = 2048 : i64, seq_len = 32 : i64}
// CHECK-SAME: {_graph_name = "Decode", batch_size = 2 : i64, ctx_len = 2048 : i64, seq_len = 1 : i64}
// CHECK-LABEL: func.func @layer
// CHECK-SAME: #skipattn.kv_blocking<num_kv_blocks = 3, prefill_factor = 4.000000e+02, decode_factor = 1.200000e+01, min_keep_blocks = 2>
// CHECK-COUNT-1: aic.constant dense<3> : tensor<i64>
// CHECK-NOT: aic.constant dense<3> : tensor<i64>
// CHECK-COUNT-6: aic.call @CtxGather
// CHECK-NOT: skipattn.attention
// CHECK: func.func private @CtxGather
func.func @layer(%q: tensor<1x4x32x64xf16>, %k: tensor<1x4x512x64xf16>,
                 %v: tensor<1x4x512x64xf16>) -> tensor<1x4x32x64xf16> {
  %o = tensor.empty() : tensor<1x4x32x64xf16>
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x4x32x64xf16>, tensor<1x4x512x64xf16>, tensor<1x4x512x64xf16>)
      outs(%o : tensor<1x4x32x64xf16>)
      {causal, skip = #skipattn.skip<threshold_scale_factor = 4.0e2, min_keep_blocks = 2>}
      -> tensor<1x4x32x64xf16>
  return %r : tensor<1x4x32x64xf16>
}
