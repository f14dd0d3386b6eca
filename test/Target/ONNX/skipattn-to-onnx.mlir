// REQUIRES: onnx-export
// RUN: skipattn-opt %s --skipattn-aic-pipeline="num-kv-blocks=2 prefill-factor=587 decode-factor=16.5 cache-write=false" \
// RUN:   | skipattn-translate --skipattn-to-onnx-text | FileCheck %s
// RUN: rm -rf %t && mkdir -p %t
// RUN: skipattn-opt %s --skipattn-aic-pipeline="num-kv-blocks=2 prefill-factor=587 decode-factor=16.5 batch-size=4 prefill-seq-len=128 ctx-len=4096 cache-write=false" \
// RUN:   | skipattn-translate --skipattn-to-onnx --aic-companion-dir=%t -o %t/model.onnx
// RUN: FileCheck %s --check-prefix=SPEC < %t/specializations.json
// RUN: FileCheck %s --check-prefix=IO < %t/custom_io.yaml
// RUN: test -s %t/model.onnx

// The model: opset 17 plus the com.qualcomm.cloud function domain.
// CHECK: ir_version: 8
// CHECK: producer_name: "skipattn"
// CHECK: graph {
// The first nodes scale the queries.
// CHECK: node {
// CHECK: op_type: "Constant"
// CHECK: node {
// CHECK-NEXT: input: "q"
// CHECK: op_type: "Mul"
// KV blocks read through the custom gather.
// CHECK: name: "CtxGather_{{[0-9]+}}"
// CHECK-NEXT: op_type: "CtxGather"
// CHECK-NEXT: domain: "com.qualcomm.cloud"
// CHECK: input: "past_value.0"
// CHECK-NEXT: input: "{{t[0-9]+}}"
// CHECK-NEXT: output: "{{t[0-9]+}}"
// CHECK-NEXT: name: "CtxGather_{{[0-9]+}}"
// CHECK-NEXT: op_type: "CtxGather"
// CHECK: op_type: "ReduceMax"
// CHECK: name: "axes"
// CHECK: op_type: "Where"
// CHECK: name: "graph"
// CHECK-NOT: name: "layer"
// Graph I/O with the symbolic dims the specialisations bind.
// CHECK: input {
// CHECK-NEXT: name: "q"
// CHECK: elem_type: 1
// CHECK: dim_param: "batch_size"
// CHECK: dim_value: 8
// CHECK: dim_param: "seq_len"
// CHECK: dim_value: 32
// CHECK: input {
// CHECK-NEXT: name: "past_key.0"
// CHECK: dim_param: "ctx_len"
// CHECK: input {
// CHECK-NEXT: name: "past_value.0"
// CHECK: input {
// CHECK-NEXT: name: "position_ids"
// CHECK: elem_type: 7
// CHECK: output {
// CHECK-NEXT: name: "output"
// CHECK: opset_import {
// CHECK-NEXT: domain: ""
// CHECK-NEXT: version: 17
// CHECK: opset_import {
// CHECK-NEXT: domain: "com.qualcomm.cloud"
// CHECK-NEXT: version: 1
// CHECK: metadata_props {
// CHECK-NEXT: key: "skipattn.kv_blocking"
// CHECK-NEXT: value: "#skipattn.kv_blocking<num_kv_blocks = 2, prefill_factor = 5.870000e+02, decode_factor = 1.650000e+01, min_keep_blocks = 1>"
// The function body uses standard operators only.
// CHECK: functions {
// CHECK-NEXT: name: "CtxGather"
// CHECK-NEXT: input: "data"
// CHECK-NEXT: input: "ctx_indices"
// CHECK-NEXT: output: "gathered"
// CHECK: op_type: "Unsqueeze"
// CHECK: op_type: "GatherND"
// CHECK: name: "batch_dims"
// CHECK-NEXT: i: 2
// CHECK: domain: "com.qualcomm.cloud"

// SPEC:      "specializations": [
// SPEC:        "_graph_name": "Prefill",
// SPEC-NEXT:   "batch_size": "4",
// SPEC-NEXT:   "ctx_len": "4096",
// SPEC-NEXT:   "seq_len": "128"
// SPEC:        "_graph_name": "Decode",
// SPEC-NEXT:   "batch_size": "4",
// SPEC-NEXT:   "ctx_len": "4096",
// SPEC-NEXT:   "seq_len": "1"

// IO:      - IOName: past_key.0
// IO-NEXT:   Precision: float16
// IO:      - IOName: past_value.0
// IO-NEXT:   Precision: float16

func.func @graph(%q: tensor<1x8x64x32xf32>, %k: tensor<1x2x512x32xf32>,
                 %v: tensor<1x2x512x32xf32>, %lens: tensor<1xi32>)
    -> tensor<1x8x64x32xf32> {
  %o = tensor.empty() : tensor<1x8x64x32xf32>
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x8x64x32xf32>, tensor<1x2x512x32xf32>, tensor<1x2x512x32xf32>)
      kv_lens(%lens : tensor<1xi32>) outs(%o : tensor<1x8x64x32xf32>) {causal}
      -> tensor<1x8x64x32xf32>
  return %r : tensor<1x8x64x32xf32>
}
