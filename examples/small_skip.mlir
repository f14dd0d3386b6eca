// A small skip-softmax call used in docs/index.md:
//   skipattn-opt examples/small_skip.mlir --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=16 block-kv=32},skipattn-insert-skip-predicates,canonicalize,cse))'
func.func @small(%q: memref<1x2x16x64xf32>, %k: memref<1x2x128x64xf32>,
                 %v: memref<1x2x128x64xf32>, %o: memref<1x2x16x64xf32>) {
  skipattn.attention ins(%q, %k, %v : memref<1x2x16x64xf32>, memref<1x2x128x64xf32>, memref<1x2x128x64xf32>)
      outs(%o : memref<1x2x16x64xf32>)
      {causal, skip = #skipattn.skip<threshold_scale_factor = 1.0e2, min_keep_blocks = 1>}
  return
}
