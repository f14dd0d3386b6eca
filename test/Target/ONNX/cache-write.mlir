// REQUIRES: onnx-export
// The layer as QEfficient runs it (cache-write, the default): the chunk's
// k/v are inputs, written into the cache by CtxScatter (a standard-operator
// ScatterND body) before the blocks are read from the written cache, which
// comes back as the RetainedState outputs; the companion files keep all
// four cache tensors in fp16.
// RUN: skipattn-opt %s --skipattn-aic-pipeline="num-kv-blocks=2 prefill-factor=300 decode-factor=20" | FileCheck %s --check-prefix=IR
// RUN: skipattn-opt %s --skipattn-aic-pipeline="num-kv-blocks=2 prefill-factor=300 decode-factor=20" \
// RUN:   | skipattn-translate --skipattn-to-onnx-text | FileCheck %s
// RUN: rm -rf %t && mkdir -p %t/prefill %t/decode
// RUN: skipattn-opt %s --skipattn-aic-pipeline="num-kv-blocks=2 prefill-factor=300 decode-factor=20" \
// RUN:   | skipattn-translate --skipattn-to-onnx --aic-companion-dir=%t/prefill -o %t/prefill/model.onnx
// RUN: FileCheck %s --check-prefix=SPEC < %t/prefill/specializations.json
// RUN: FileCheck %s --check-prefix=IO < %t/prefill/custom_io.yaml
// A layer whose prefill is one token: one Decode specialisation, not two.
// RUN: skipattn-opt %s --skipattn-aic-pipeline="num-kv-blocks=2 prefill-factor=300 decode-factor=20 prefill-seq-len=1" \
// RUN:   | skipattn-translate --skipattn-to-onnx --aic-companion-dir=%t/decode -o %t/decode/model.onnx
// RUN: FileCheck %s --check-prefix=DECODE < %t/decode/specializations.json

// IR-LABEL: func.func @layer(
// IR-SAME: {aic.dims = ["batch_size", "", "seq_len", ""], aic.name = "q"}
// IR-SAME: {aic.dims = ["batch_size", "", "seq_len", ""], aic.name = "k"}
// IR-SAME: {aic.dims = ["batch_size", "", "seq_len", ""], aic.name = "v"}
// IR-SAME: aic.name = "past_key.0"
// IR-SAME: aic.name = "past_value.0"
// IR-SAME: aic.name = "position_ids"
// IR-SAME: aic.name = "output"
// IR-SAME: {aic.dims = ["batch_size", "", "ctx_len", ""], aic.name = "past_key.0_RetainedState"}
// IR-SAME: {aic.dims = ["batch_size", "", "ctx_len", ""], aic.name = "past_value.0_RetainedState"}
// IR: %[[K:.*]] = aic.call @CtxScatter(%{{.*}}, %{{.*}}, %{{.*}})
// IR: %[[V:.*]] = aic.call @CtxScatter(%{{.*}}, %{{.*}}, %{{.*}})
// IR: aic.call @CtxGather(%[[K]]
// IR: aic.call @CtxGather(%[[V]]
// IR: return %{{.*}}, %[[K]], %[[V]]
// IR-LABEL: func.func private @CtxScatter(
// IR-SAME: attributes {aic.domain = "com.qualcomm.cloud"}
// IR: aic.reduce_max
// IR: aic.arg_max
// IR: aic.gather_elements
// IR: aic.scatter_nd

// CHECK: op_type: "CtxScatter"
// CHECK-NEXT: domain: "com.qualcomm.cloud"
// CHECK: op_type: "CtxGather"
// CHECK: output {
// CHECK-NEXT: name: "output"
// CHECK: output {
// CHECK-NEXT: name: "past_key.0_RetainedState"
// CHECK: output {
// CHECK-NEXT: name: "past_value.0_RetainedState"
// CHECK: functions {
// CHECK: name: "CtxScatter"
// CHECK-NEXT: input: "data"
// CHECK-NEXT: input: "position_ids"
// CHECK-NEXT: input: "updates"
// CHECK: op_type: "ArgMax"
// CHECK: op_type: "GatherElements"
// CHECK: op_type: "ScatterND"

// SPEC: "_graph_name": "Prefill",
// SPEC: "seq_len": "16"
// SPEC: "_graph_name": "Decode",
// SPEC: "seq_len": "1"

// IO: - IOName: past_key.0
// IO: - IOName: past_key.0_RetainedState
// IO: - IOName: past_value.0
// IO: - IOName: past_value.0_RetainedState

// DECODE: "specializations": [
// DECODE-NOT: Prefill
// DECODE: "_graph_name": "Decode",
// DECODE-NOT: _graph_name

func.func @layer(%q: tensor<2x4x16x32xf16>, %k: tensor<2x2x256x32xf16>,
                 %v: tensor<2x2x256x32xf16>, %lens: tensor<2xi32>)
    -> tensor<2x4x16x32xf16> {
  %o = tensor.empty() : tensor<2x4x16x32xf16>
  %r = skipattn.attention ins(%q, %k, %v : tensor<2x4x16x32xf16>, tensor<2x2x256x32xf16>, tensor<2x2x256x32xf16>)
      kv_lens(%lens : tensor<2xi32>) outs(%o : tensor<2x4x16x32xf16>) {causal}
      -> tensor<2x4x16x32xf16>
  return %r : tensor<2x4x16x32xf16>
}
