// Tilings and specs the Hopper kernel cannot express are rejected with a
// clear message.
// RUN: split-file %s %t
// RUN: skipattn-opt %t/gqa.mlir --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=64 block-kv=128 pack-gqa=true},skipattn-insert-skip-predicates{skip-unit=64}),convert-skipattn-to-nvgpu)'
// RUN: skipattn-opt %t/bkv.mlir --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=128 block-kv=32},skipattn-insert-skip-predicates{skip-unit=64}),convert-skipattn-to-nvgpu)'
// RUN: skipattn-opt %t/bq.mlir --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=96 block-kv=128},skipattn-insert-skip-predicates{skip-unit=32}),convert-skipattn-to-nvgpu)'
// RUN: skipattn-opt %t/factors.mlir --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=128 block-kv=128},skipattn-insert-skip-predicates{skip-unit=64}),convert-skipattn-to-nvgpu)'
// RUN: skipattn-opt %t/unit.mlir --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=128 block-kv=128},skipattn-insert-skip-predicates{skip-unit=128}),convert-skipattn-to-nvgpu)'
// RUN: skipattn-opt %t/stages.mlir --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=128 block-kv=128},skipattn-insert-skip-predicates{skip-unit=64}),convert-skipattn-to-nvgpu{stages=5})'
// RUN: skipattn-opt %t/smem.mlir --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=192 block-kv=128},skipattn-insert-skip-predicates{skip-unit=64}),convert-skipattn-to-nvgpu{stages=4})'
// RUN: skipattn-opt %t/two.mlir --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=128 block-kv=128},skipattn-insert-skip-predicates{skip-unit=64}),convert-skipattn-to-nvgpu)'
// RUN: skipattn-opt %t/lens.mlir --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=128 block-kv=128},skipattn-insert-skip-predicates{skip-unit=64}),convert-skipattn-to-nvgpu)'
// RUN: skipattn-opt %t/qarg.mlir --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=128 block-kv=128},skipattn-insert-skip-predicates{skip-unit=64}),convert-skipattn-to-nvgpu)'
// RUN: skipattn-opt %t/dv.mlir --verify-diagnostics --pass-pipeline='builtin.module(func.func(skipattn-tile{block-q=128 block-kv=128},skipattn-insert-skip-predicates{skip-unit=64}),convert-skipattn-to-nvgpu)'

//--- gqa.mlir
func.func @f(%q: memref<1x4x16x64xbf16>, %k: memref<1x1x256x64xbf16>, %v: memref<1x1x256x64xbf16>, %o: memref<1x4x16x64xbf16>) {
  // expected-error @+1 {{the Hopper lowering does not pack GQA heads}}
  skipattn.attention ins(%q, %k, %v : memref<1x4x16x64xbf16>, memref<1x1x256x64xbf16>, memref<1x1x256x64xbf16>) outs(%o : memref<1x4x16x64xbf16>)
  return
}
//--- bkv.mlir
func.func @f(%q: memref<1x1x128x64xbf16>, %k: memref<1x1x256x64xbf16>, %v: memref<1x1x256x64xbf16>, %o: memref<1x1x128x64xbf16>) {
  // expected-error @+1 {{the Hopper lowering needs block_kv 64 or 128, not 32}}
  skipattn.attention ins(%q, %k, %v : memref<1x1x128x64xbf16>, memref<1x1x256x64xbf16>, memref<1x1x256x64xbf16>) outs(%o : memref<1x1x128x64xbf16>)
  return
}
//--- bq.mlir
func.func @f(%q: memref<1x1x192x64xbf16>, %k: memref<1x1x256x64xbf16>, %v: memref<1x1x256x64xbf16>, %o: memref<1x1x192x64xbf16>) {
  // expected-error @+1 {{the Hopper lowering needs block_q in {64, 128, 192} (one warpgroup per 64 rows), not 96}}
  skipattn.attention ins(%q, %k, %v : memref<1x1x192x64xbf16>, memref<1x1x256x64xbf16>, memref<1x1x256x64xbf16>) outs(%o : memref<1x1x192x64xbf16>)
  return
}
//--- unit.mlir
func.func @f(%q: memref<1x1x128x64xbf16>, %k: memref<1x1x256x64xbf16>, %v: memref<1x1x256x64xbf16>, %o: memref<1x1x128x64xbf16>) {
  // expected-error @+1 {{the Hopper skip unit is the warpgroup: skip_unit must be 64, not 128}}
  skipattn.attention ins(%q, %k, %v : memref<1x1x128x64xbf16>, memref<1x1x256x64xbf16>, memref<1x1x256x64xbf16>) outs(%o : memref<1x1x128x64xbf16>) {skip = #skipattn.skip<threshold_scale_factor = 1.0e2, min_keep_blocks = 1>}
  return
}
//--- factors.mlir
func.func @f(%q: memref<1x1x128x64xbf16>, %k: memref<1x1x256x64xbf16>, %v: memref<1x1x256x64xbf16>, %fac: memref<1x1xf32, strided<[?, ?]>>, %o: memref<1x1x128x64xbf16>) {
  // expected-error @+1 {{the Hopper lowering needs static strides and a zero offset for skip_factors}}
  skipattn.attention ins(%q, %k, %v : memref<1x1x128x64xbf16>, memref<1x1x256x64xbf16>, memref<1x1x256x64xbf16>) skip_factors(%fac : memref<1x1xf32, strided<[?, ?]>>) outs(%o : memref<1x1x128x64xbf16>) {skip = #skipattn.skip<threshold_scale_factor = 0.0, min_keep_blocks = 1>}
  return
}
//--- stages.mlir
// expected-error @+1 {{stages must be in [1, 4]}}
func.func @f(%q: memref<1x1x128x64xbf16>, %k: memref<1x1x256x64xbf16>, %v: memref<1x1x256x64xbf16>, %o: memref<1x1x128x64xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x1x128x64xbf16>, memref<1x1x256x64xbf16>, memref<1x1x256x64xbf16>) outs(%o : memref<1x1x128x64xbf16>)
  return
}
//--- smem.mlir
// expected-error @+1 {{the tile needs 312320 bytes of shared memory; sm_90 has 232448}}
func.func @f(%q: memref<1x1x192x128xbf16>, %k: memref<1x1x256x128xbf16>, %v: memref<1x1x256x128xbf16>, %o: memref<1x1x192x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x1x192x128xbf16>, memref<1x1x256x128xbf16>, memref<1x1x256x128xbf16>) outs(%o : memref<1x1x192x128xbf16>)
  return
}
//--- two.mlir
// expected-error @+1 {{the Hopper lowering expects exactly one tiled skipattn.blocked_kv nest}}
func.func @f(%q: memref<1x1x128x64xbf16>, %k: memref<1x1x256x64xbf16>, %v: memref<1x1x256x64xbf16>, %o: memref<1x1x128x64xbf16>, %o2: memref<1x1x128x64xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x1x128x64xbf16>, memref<1x1x256x64xbf16>, memref<1x1x256x64xbf16>) outs(%o : memref<1x1x128x64xbf16>)
  skipattn.attention ins(%q, %k, %v : memref<1x1x128x64xbf16>, memref<1x1x256x64xbf16>, memref<1x1x256x64xbf16>) outs(%o2 : memref<1x1x128x64xbf16>)
  return
}
//--- lens.mlir
func.func @f(%q: memref<1x1x128x64xbf16>, %k: memref<1x1x256x64xbf16>, %v: memref<1x1x256x64xbf16>, %o: memref<1x1x128x64xbf16>) {
  %lens = memref.alloca() : memref<1xi32>
  // expected-error @+1 {{the Hopper lowering needs the kv_lens buffer to be a function argument}}
  skipattn.attention ins(%q, %k, %v : memref<1x1x128x64xbf16>, memref<1x1x256x64xbf16>, memref<1x1x256x64xbf16>) kv_lens(%lens : memref<1xi32>) outs(%o : memref<1x1x128x64xbf16>)
  return
}
//--- qarg.mlir
func.func @f(%k: memref<1x1x256x64xbf16>, %v: memref<1x1x256x64xbf16>, %o: memref<1x1x128x64xbf16>) {
  %q = memref.alloc() : memref<1x1x128x64xbf16>
  // expected-error @+1 {{the Hopper lowering needs the query buffer to be a function argument}}
  skipattn.attention ins(%q, %k, %v : memref<1x1x128x64xbf16>, memref<1x1x256x64xbf16>, memref<1x1x256x64xbf16>) outs(%o : memref<1x1x128x64xbf16>)
  return
}
//--- dv.mlir
// expected-error @+1 {{the Hopper lowering needs value_dim == head_dim}}
func.func @f(%q: memref<1x1x128x64xbf16>, %k: memref<1x1x256x64xbf16>, %v: memref<1x1x256x128xbf16>, %o: memref<1x1x128x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<1x1x128x64xbf16>, memref<1x1x256x64xbf16>, memref<1x1x256x128xbf16>) outs(%o : memref<1x1x128x128xbf16>)
  return
}
