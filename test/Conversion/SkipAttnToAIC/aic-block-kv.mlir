// RUN: skipattn-opt %s -split-input-file -verify-diagnostics \
// RUN:   --pass-pipeline='builtin.module(func.func(skipattn-aic-block-kv))' | FileCheck %s
// RUN: skipattn-opt %s -split-input-file -verify-diagnostics \
// RUN:   --pass-pipeline='builtin.module(func.func(skipattn-aic-block-kv{num-kv-blocks=8 prefill-factor=587 decode-factor=16.5 min-keep-blocks=2}))' \
// RUN:   | FileCheck %s --check-prefix=OPTS

// The op's factor serves both phases unless the options give them.
// CHECK-LABEL: func @from_op
// CHECK: skipattn.attention
// CHECK-SAME: skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 4, prefill_factor = 1.000000e+03, decode_factor = 1.000000e+03, min_keep_blocks = 3>
// OPTS-LABEL: func @from_op
// OPTS: skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 8, prefill_factor = 5.870000e+02, decode_factor = 1.650000e+01, min_keep_blocks = 2>
func.func @from_op(%q: tensor<1x4x16x32xf32>, %k: tensor<1x2x256x32xf32>, %v: tensor<1x2x256x32xf32>, %o: tensor<1x4x16x32xf32>) -> tensor<1x4x16x32xf32> {
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x4x16x32xf32>, tensor<1x2x256x32xf32>, tensor<1x2x256x32xf32>)
      outs(%o : tensor<1x4x16x32xf32>)
      {causal, skip = #skipattn.skip<threshold_scale_factor = 1.0e3, min_keep_blocks = 3>} -> tensor<1x4x16x32xf32>
  return %r : tensor<1x4x16x32xf32>
}

// -----

// Without a skip configuration the default is dense in both phases.
// CHECK-LABEL: func @dense
// CHECK: #skipattn.kv_blocking<num_kv_blocks = 4, prefill_factor = 0.000000e+00, decode_factor = 0.000000e+00, min_keep_blocks = 1>
func.func @dense(%q: tensor<1x4x16x32xf32>, %k: tensor<1x2x256x32xf32>, %v: tensor<1x2x256x32xf32>, %o: tensor<1x4x16x32xf32>) -> tensor<1x4x16x32xf32> {
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x4x16x32xf32>, tensor<1x2x256x32xf32>, tensor<1x2x256x32xf32>)
      outs(%o : tensor<1x4x16x32xf32>) -> tensor<1x4x16x32xf32>
  return %r : tensor<1x4x16x32xf32>
}

// -----

// A blocking already in the IR wins over the options.
// CHECK-LABEL: func @kept
// CHECK: #skipattn.kv_blocking<num_kv_blocks = 2, prefill_factor = 5.000000e+00, decode_factor = 7.000000e+00, min_keep_blocks = 1>
// OPTS-LABEL: func @kept
// OPTS: #skipattn.kv_blocking<num_kv_blocks = 2, prefill_factor = 5.000000e+00, decode_factor = 7.000000e+00, min_keep_blocks = 1>
func.func @kept(%q: tensor<1x4x16x32xf32>, %k: tensor<1x2x256x32xf32>, %v: tensor<1x2x256x32xf32>, %o: tensor<1x4x16x32xf32>) -> tensor<1x4x16x32xf32> {
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x4x16x32xf32>, tensor<1x2x256x32xf32>, tensor<1x2x256x32xf32>)
      outs(%o : tensor<1x4x16x32xf32>)
      {skipattn.kv_blocking = #skipattn.kv_blocking<num_kv_blocks = 2, prefill_factor = 5.0, decode_factor = 7.0, min_keep_blocks = 1>}
      -> tensor<1x4x16x32xf32>
  return %r : tensor<1x4x16x32xf32>
}

// -----

func.func @runtime_factors(%q: tensor<1x4x16x32xf32>, %k: tensor<1x2x256x32xf32>, %v: tensor<1x2x256x32xf32>, %f: tensor<1x4xf32>, %o: tensor<1x4x16x32xf32>) -> tensor<1x4x16x32xf32> {
  // expected-error @+1 {{runtime skip_factors have no AI 100 form}}
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x4x16x32xf32>, tensor<1x2x256x32xf32>, tensor<1x2x256x32xf32>)
      skip_factors(%f : tensor<1x4xf32>) outs(%o : tensor<1x4x16x32xf32>)
      {skip = #skipattn.skip<threshold_scale_factor = 0.0, min_keep_blocks = 1>} -> tensor<1x4x16x32xf32>
  return %r : tensor<1x4x16x32xf32>
}

// -----

func.func @memref_form(%q: memref<1x4x16x32xf32>, %k: memref<1x2x256x32xf32>, %v: memref<1x2x256x32xf32>, %o: memref<1x4x16x32xf32>) {
  // expected-error @+1 {{the AI 100 form needs tensor semantics}}
  skipattn.attention ins(%q, %k, %v : memref<1x4x16x32xf32>, memref<1x2x256x32xf32>, memref<1x2x256x32xf32>)
      outs(%o : memref<1x4x16x32xf32>)
  return
}
