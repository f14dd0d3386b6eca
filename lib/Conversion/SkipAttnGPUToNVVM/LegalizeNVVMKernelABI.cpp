//===- LegalizeNVVMKernelABI.cpp - byval grid-constant TMA parameters -----===//
//
// A CUtensorMap must be read by the TMA unit from parameter, constant or
// global memory. Passing it by value as a grid-constant kernel parameter
// lets the kernel use the parameter's address directly. gpu.func cannot carry
// `llvm.byval`/`nvvm.grid_constant` (and convert-gpu-to-nvvm drops unknown
// argument attributes), so the lowered llvm.func is annotated here from the
// `skipattn.tma_params` list convert-skipattn-gpu-to-nvvm left on the kernel.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Conversion/SkipAttnGPUToNVVM/SkipAttnGPUToNVVM.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

namespace mlir::skipattn {
#define GEN_PASS_DEF_LEGALIZENVVMKERNELABI
#include "skipattn/Conversion/Passes.h.inc"
} // namespace mlir::skipattn

using namespace mlir;

LogicalResult mlir::skipattn::legalizeNVVMKernelABI(gpu::GPUModuleOp module) {
  MLIRContext *ctx = module.getContext();
  Builder b(ctx);
  auto blob = LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), 128);
  for (auto fn : module.getOps<LLVM::LLVMFuncOp>()) {
    auto list = fn->getAttrOfType<DenseI32ArrayAttr>(kTmaParamsAttrName);
    if (!list)
      continue;
    for (int32_t i : list.asArrayRef()) {
      if (i < 0 || i >= static_cast<int32_t>(fn.getNumArguments()) ||
          !isa<LLVM::LLVMPointerType>(fn.getArgument(i).getType()))
        return fn.emitError("skipattn.tma_params names argument ")
               << i << ", which is not a pointer parameter";
      fn.setArgAttr(i, LLVM::LLVMDialect::getByValAttrName(),
                    TypeAttr::get(blob));
      fn.setArgAttr(i, LLVM::LLVMDialect::getAlignAttrName(),
                    b.getI64IntegerAttr(64));
      fn.setArgAttr(i, NVVM::NVVMDialect::getGridConstantAttrName(),
                    b.getUnitAttr());
    }
    fn->removeAttr(kTmaParamsAttrName);
  }
  return success();
}

namespace {
struct LegalizeNVVMKernelABI
    : public mlir::skipattn::impl::LegalizeNVVMKernelABIBase<
          LegalizeNVVMKernelABI> {
  void runOnOperation() override {
    if (failed(mlir::skipattn::legalizeNVVMKernelABI(getOperation())))
      signalPassFailure();
  }
};
} // namespace
