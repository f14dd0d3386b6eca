// bf16 products multiply pairs of the head dimension, 16 keys a vector:
// KV blocks of 40 keys are refused by the lowering (the runtime only
// chooses bf16 products for blocks of whole vectors).
// RUN: skipattn-opt %s --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=32 block-kv=40 bf16-products=true},convert-skipattn-to-cpu))'

func.func @attn(%q: memref<1x2x100x64xbf16>, %k: memref<1x2x300x64xbf16>,
                %v: memref<1x2x300x64xbf16>, %o: memref<1x2x100x64xbf16>) {
  // expected-error @+1 {{bf16 products need an even head dim and KV blocks of multiples of 16 keys}}
  skipattn.attention ins(%q, %k, %v : memref<1x2x100x64xbf16>, memref<1x2x300x64xbf16>, memref<1x2x300x64xbf16>)
      outs(%o : memref<1x2x100x64xbf16>)
  return
}
