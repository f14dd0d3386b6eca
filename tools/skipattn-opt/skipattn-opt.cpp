//===- skipattn-opt.cpp - the skipattn pass driver
//-------------------------===//
//
// mlir-opt with the skipattn dialect, passes and pipelines registered: any
// compile the JIT performs can be reproduced and dumped stage by stage here.
//
//===----------------------------------------------------------------------===//

#include "skipattn/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::skipattn::registerAllDialects(registry);
  mlir::skipattn::registerAllPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "skipattn optimizer driver\n", registry));
}
