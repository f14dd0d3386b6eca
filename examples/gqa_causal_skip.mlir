// GQA (8 query heads over 2 KV heads), causal, skip-softmax on, f16, with
// log-sum-exp and skip statistics. Run through the CPU pipeline with
//   skipattn-opt examples/gqa_causal_skip.mlir --skipattn-cpu-pipeline
func.func @attention(%q: memref<1x8x128x64xf16>, %k: memref<1x2x256x64xf16>,
                     %v: memref<1x2x256x64xf16>, %lens: memref<1xi32>,
                     %o: memref<1x8x128x64xf16>, %lse: memref<1x8x128xf32>,
                     %stats: memref<1x8x2xi64>) {
  skipattn.attention ins(%q, %k, %v : memref<1x8x128x64xf16>, memref<1x2x256x64xf16>, memref<1x2x256x64xf16>)
      kv_lens(%lens : memref<1xi32>)
      outs(%o : memref<1x8x128x64xf16>) lse(%lse : memref<1x8x128xf32>)
      stats(%stats : memref<1x8x2xi64>)
      {causal, skip = #skipattn.skip<threshold_scale_factor = 1.0e3, min_keep_blocks = 1>}
  return
}
