// The kernel level loads a KV block as whole pages or as part of one page:
// pages of 48 keys cut the schedule's 128-key blocks and are refused (the
// runtime refuses such page sizes before compiling).
// RUN: skipattn-opt %s --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule,skipattn-tile,skipattn-insert-skip-predicates{skip-unit=64},canonicalize,cse),convert-skipattn-to-skipattn-gpu)'

func.func @attn(%q: memref<2x8x1x128xbf16>, %k: memref<40x2x48x128xbf16>,
                %v: memref<40x2x48x128xbf16>, %t: memref<2x16xi32>,
                %o: memref<2x8x1x128xbf16>) {
  // expected-error @+1 {{a paged cache of 48-key pages needs KV blocks of whole pages or pages of whole blocks (block_kv 128), pages of a multiple of 8 keys, and K and V caches alike}}
  skipattn.attention ins(%q, %k, %v : memref<2x8x1x128xbf16>, memref<40x2x48x128xbf16>, memref<40x2x48x128xbf16>)
      page_table(%t : memref<2x16xi32>) outs(%o : memref<2x8x1x128xbf16>)
  return
}
