// Decode with runtime skip factors: factors uniform over the heads (one per
// sequence: a zero head stride) keep the query heads of a KV head packed,
// since the packed heads' unit reads one value; per-head factors unpack
// them (a unit must not span two heads' factors).
// RUN: skipattn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(skipattn-gpu-select-schedule,skipattn-tile,skipattn-insert-skip-predicates{skip-unit=64}))' | FileCheck %s

// CHECK-LABEL: func @per_sequence
// CHECK: tiling = #skipattn.tiling<block_q = 16, block_kv = 128, heads_per_tile = 4, skip_unit = 64
func.func @per_sequence(%q: memref<2x32x1x128xbf16>, %k: memref<2x8x4096x128xbf16>,
                        %v: memref<2x8x4096x128xbf16>, %f: memref<2x32xf32, strided<[1, 0]>>,
                        %o: memref<2x32x1x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<2x32x1x128xbf16>, memref<2x8x4096x128xbf16>, memref<2x8x4096x128xbf16>)
      skip_factors(%f : memref<2x32xf32, strided<[1, 0]>>)
      outs(%o : memref<2x32x1x128xbf16>)
      {skip = #skipattn.skip<threshold_scale_factor = 0.0, min_keep_blocks = 1>}
  return
}

// -----

// CHECK-LABEL: func @per_head
// CHECK: tiling = #skipattn.tiling<block_q = 64, block_kv = 128, heads_per_tile = 1, skip_unit = 64
func.func @per_head(%q: memref<2x32x1x128xbf16>, %k: memref<2x8x4096x128xbf16>,
                    %v: memref<2x8x4096x128xbf16>, %f: memref<2x32xf32>,
                    %o: memref<2x32x1x128xbf16>) {
  skipattn.attention ins(%q, %k, %v : memref<2x32x1x128xbf16>, memref<2x8x4096x128xbf16>, memref<2x8x4096x128xbf16>)
      skip_factors(%f : memref<2x32xf32>)
      outs(%o : memref<2x32x1x128xbf16>)
      {skip = #skipattn.skip<threshold_scale_factor = 0.0, min_keep_blocks = 1>}
  return
}
