//===- InitAll.cpp - register everything skipattn tools use ---------------===//
//
// Dialects, bufferization models, passes and pipelines of skipattn, plus the
// upstream pieces they produce, in one place.
//
//===----------------------------------------------------------------------===//

#include "skipattn/InitAll.h"
#include "skipattn/Conversion/Passes.h"
#include "skipattn/Dialect/SkipAttn/IR/SkipAttn.h"
#include "skipattn/Dialect/SkipAttn/Transforms/Passes.h"
#include "skipattn/Pipelines/Pipelines.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/Extensions/AllExtensions.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

void mlir::skipattn::registerAllDialects(DialectRegistry &registry) {
  registry.insert<SkipAttnDialect, arith::ArithDialect,
                  bufferization::BufferizationDialect, func::FuncDialect,
                  LLVM::LLVMDialect, math::MathDialect, memref::MemRefDialect,
                  omp::OpenMPDialect, scf::SCFDialect, tensor::TensorDialect,
                  vector::VectorDialect>();
  func::registerAllExtensions(registry);
  registerBufferizableOpInterfaceExternalModels(registry);
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
}

void mlir::skipattn::registerAllPasses() {
  registerSkipAttnPasses();
  registerSkipAttnConversionPasses();
  registerPipelines();
  // Upstream passes that appear in the pipelines, so each stage can be
  // replayed on its own with skipattn-opt.
  registerTransformsPasses();
  registerConversionPasses();
  bufferization::registerBufferizationPasses();
  memref::registerMemRefPasses();
  arith::registerArithPasses();
}
