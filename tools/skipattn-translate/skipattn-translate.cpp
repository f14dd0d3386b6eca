//===- skipattn-translate.cpp - skipattn translations ---------------------===//
//
// Exports compiled skipattn IR to formats other toolchains consume: the
// aic (graph-level) form to ONNX for the Cloud AI 100 compiler.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Target/ONNX/ONNXExport.h"

#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::skipattn::registerToONNXTranslations();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "skipattn translation tool"));
}
