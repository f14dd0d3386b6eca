//===- AICBase.td - aic dialect definition -----------------*- tablegen -*-===//
//
// The graph-level form of the Qualcomm Cloud AI 100 path.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_BASE
#define AIC_BASE

include "mlir/IR/OpBase.td"

def AIC_Dialect : Dialect {
  let name = "aic";
  let cppNamespace = "::mlir::skipattn::aic";
  let summary = "ONNX operator graph for the Qualcomm Cloud AI 100 compiler";
  let description = [{
    The `aic` dialect is the graph-level form that `convert-skipattn-to-aic`
    produces and `skipattn-translate --skipattn-to-onnx` writes as an ONNX
    model. Each op is exactly one ONNX (opset 17) operator of the default
    domain; values are builtin tensors (`?` for the symbolic dims
    `batch_size`, `seq_len`, `ctx_len` that the AI 100 compiler specialises).

    The containers are `func` ops: the public function is the ONNX graph
    (argument and result attributes `aic.name` give the ONNX I/O names and
    `aic.dims` the names of its symbolic dims), a private function with an
    `aic.domain` attribute is an ONNX *function* of that domain (the
    `CtxGather` of domain `com.qualcomm.cloud`), invoked with `func.call`.
    Its body uses standard operators only, so any ONNX runtime can execute
    the model while the AI 100 compiler maps it to its native op.

    Module attributes carry what travels next to the model:
    `aic.specializations` (the `specializations.json` entries) and
    `aic.custom_io` (I/O names kept in another precision on the card).
  }];
  let hasOperationAttrVerify = 1;
  let hasConstantMaterializer = 1;
}

#endif // AIC_BASE
