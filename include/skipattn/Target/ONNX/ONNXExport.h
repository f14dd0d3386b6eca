//===- ONNXExport.h - aic graph to ONNX -------------------------*- C++ -*-===//
//
// Writes a module in the aic (graph-level) form as an ONNX model (opset 17,
// with the com.qualcomm.cloud functions it uses) after running the ONNX
// checker and strict shape inference on it, and writes the files the
// Cloud AI 100 compiler reads next to the model.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_TARGET_ONNX_ONNXEXPORT_H
#define SKIPATTN_TARGET_ONNX_ONNXEXPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::skipattn {

enum class ONNXFormat { Binary, Text };

/// Serialises the model (binary protobuf or protobuf text format). Errors
/// (an op without ONNX form, a checker failure) are emitted on the module.
LogicalResult exportONNX(ModuleOp module, llvm::raw_ostream &os,
                         ONNXFormat format);

/// Writes `specializations.json` and `custom_io.yaml` into `dir` from the
/// module's `aic.specializations` and `aic.custom_io`.
LogicalResult writeAICCompanionFiles(ModuleOp module, llvm::StringRef dir);

/// Registers --skipattn-to-onnx and --skipattn-to-onnx-text (and the
/// --aic-companion-dir option) with mlir-translate's registry.
void registerToONNXTranslations();

} // namespace mlir::skipattn

#endif // SKIPATTN_TARGET_ONNX_ONNXEXPORT_H
