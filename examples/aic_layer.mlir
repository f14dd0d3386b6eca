// One attention layer for the Cloud AI 100 path: causal GQA (8 query heads
// on 2 KV heads, head dim 64) over a 4096-slot KV cache, prefill chunks of
// 128 tokens. The static sizes become the Prefill specialisation; the
// exported graph keeps batch_size, seq_len and ctx_len symbolic.
//
//   skipattn-opt examples/aic_layer.mlir \
//     --skipattn-aic-pipeline="num-kv-blocks=4 prefill-factor=587 decode-factor=16.5" \
//   | skipattn-translate --skipattn-to-onnx --aic-companion-dir=aic -o aic/model.onnx
func.func @layer(%q: tensor<1x8x128x64xf32>, %k: tensor<1x2x4096x64xf32>,
                 %v: tensor<1x2x4096x64xf32>, %lens: tensor<1xi32>)
    -> tensor<1x8x128x64xf32> {
  %o = tensor.empty() : tensor<1x8x128x64xf32>
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x8x128x64xf32>, tensor<1x2x4096x64xf32>, tensor<1x2x4096x64xf32>)
      kv_lens(%lens : tensor<1xi32>) outs(%o : tensor<1x8x128x64xf32>)
      {causal, skip = #skipattn.skip<threshold_scale_factor = 5.87e2, min_keep_blocks = 1>}
      -> tensor<1x8x128x64xf32>
  return %r : tensor<1x8x128x64xf32>
}
