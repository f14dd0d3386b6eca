// REQUIRES: onnx-export
// RUN: split-file %s %t
// RUN: not skipattn-translate --skipattn-to-onnx %t/not-converted.mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=RAW
// RUN: not skipattn-translate --skipattn-to-onnx %t/checker.mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=CHECKER
// RUN: not skipattn-translate --skipattn-to-onnx %t/two-graphs.mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=TWO
// RUN: not skipattn-translate --skipattn-to-onnx %t/no-graph.mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOGRAPH
// RUN: not skipattn-translate --skipattn-to-onnx %t/bad-io-type.mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=IOTYPE
// RUN: not skipattn-translate --skipattn-to-onnx %t/no-body.mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOBODY
// RUN: not skipattn-translate --skipattn-to-onnx %t/passthrough-function.mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=PASS
// RUN: not skipattn-translate --skipattn-to-onnx %t/no-specs.mlir --aic-companion-dir=%t/out -o /dev/null 2>&1 | FileCheck %s --check-prefix=SPECS

// A module that was not lowered: the attention op has no ONNX form.
// RAW: error: 'tensor.empty' op has no ONNX form (only aic ops can be exported)

// ONNX itself rejects a node whose shapes do not agree (strict shape
// inference): a MatMul of [2, 3] by [4, 5].
// CHECKER: error: the ONNX checker rejects the model:
// CHECKER-SAME: MatMul

// TWO: error: 'func.func' op a model has one graph; 'a' is already it

// NOGRAPH: error: no graph function to export (run skipattn-aic-pipeline first)
// IOTYPE: error: 'x' has type 'tensor<*xf32>', which has no ONNX tensor form here
// NOBODY: error: 'func.func' op an ONNX function needs a body
// PASS: error: 'func.func' op an ONNX function must compute its outputs

// SPECS: error: the module has no 'aic.specializations' and 'aic.custom_io' (run skipattn-aic-pipeline first)

//--- not-converted.mlir
func.func @g(%q: tensor<1x2x8x64xf32>, %k: tensor<1x2x128x64xf32>, %v: tensor<1x2x128x64xf32>) -> tensor<1x2x8x64xf32> {
  %o = tensor.empty() : tensor<1x2x8x64xf32>
  %r = skipattn.attention ins(%q, %k, %v : tensor<1x2x8x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>)
      outs(%o : tensor<1x2x8x64xf32>) -> tensor<1x2x8x64xf32>
  return %r : tensor<1x2x8x64xf32>
}

//--- checker.mlir
func.func @g(%a: tensor<2x3xf32> {aic.name = "a"}, %b: tensor<4x5xf32> {aic.name = "b"}) -> (tensor<2x5xf32> {aic.name = "c"}) {
  %c = aic.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %c : tensor<2x5xf32>
}

//--- two-graphs.mlir
func.func @a(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = aic.exp %x : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}
func.func @b(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = aic.exp %x : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

//--- no-specs.mlir
func.func @g(%x: tensor<2xf32> {aic.name = "x"}) -> (tensor<2xf32> {aic.name = "y"}) {
  %y = aic.exp %x : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

//--- no-graph.mlir
func.func private @F(%x: tensor<2xf32>) -> tensor<2xf32> attributes {aic.domain = "com.qualcomm.cloud"} {
  %y = aic.exp %x : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

//--- bad-io-type.mlir
func.func @g(%x: tensor<*xf32> {aic.name = "x"}) -> (tensor<*xf32> {aic.name = "y"}) {
  %y = aic.exp %x : (tensor<*xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

//--- no-body.mlir
func.func private @F(%x: tensor<2xf32>) -> tensor<2xf32> attributes {aic.domain = "com.qualcomm.cloud"}

//--- passthrough-function.mlir
func.func private @F(%x: tensor<2xf32>) -> tensor<2xf32> attributes {aic.domain = "com.qualcomm.cloud"} {
  return %x : tensor<2xf32>
}
