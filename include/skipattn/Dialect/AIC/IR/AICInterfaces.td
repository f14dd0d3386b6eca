//===- AICInterfaces.td - ONNX node interface --------------*- tablegen -*-===//
//
// Every `aic` operator op is exactly one ONNX node; the interface gives the
// exporter its ONNX name so that the translation needs no per-op code.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_INTERFACES
#define AIC_INTERFACES

include "mlir/IR/OpBase.td"

def AIC_OnnxNodeOpInterface : OpInterface<"OnnxNodeOpInterface"> {
  let description = [{
    An op that is one ONNX node of the default domain (opset 17): operands
    are the node's inputs in order, results its outputs, and every inherent
    attribute one ONNX attribute of the same name.
  }];
  let cppNamespace = "::mlir::skipattn::aic";
  let methods = [
    StaticInterfaceMethod<"The ONNX operator type (e.g. `MatMul`).",
                          "::llvm::StringRef", "getOnnxOpType">,
  ];
}

#endif // AIC_INTERFACES
