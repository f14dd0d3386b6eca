//===- CPUPipeline.cpp - skipattn-cpu-pipeline ----------------------------===//
//
// attention -> blocked IR -> skip predicates -> vector loops -> LLVM dialect,
// with the tile loop spread over all cores by OpenMP.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Conversion/Passes.h"
#include "skipattn/Dialect/SkipAttn/Transforms/Passes.h"
#include "skipattn/Pipelines/Pipelines.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::skipattn::addAttentionBufferization(OpPassManager &pm) {
  // Tensor-form input is bufferized with identity layouts so that function
  // arguments stay plain contiguous buffers; memref-form input is untouched.
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(createCanonicalizerPass());
}

OpPassManager &mlir::skipattn::addTiledSkipForm(
    OpPassManager &pm, int64_t blockQ, int64_t blockKV, bool packGQA,
    bool padQueryTiles, int64_t skipUnit, int64_t kvSplits, bool bf16Products) {
  addAttentionBufferization(pm);
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  SkipAttnTileOptions tile;
  tile.blockQ = blockQ;
  tile.blockKV = blockKV;
  tile.packGQA = packGQA;
  tile.padQueryTiles = padQueryTiles;
  tile.kvSplits = kvSplits;
  tile.bf16Products = bf16Products;
  fpm.addPass(createSkipAttnTile(tile));
  fpm.addPass(createSkipAttnInsertSkipPredicates(
      SkipAttnInsertSkipPredicatesOptions{skipUnit}));
  return fpm;
}

void mlir::skipattn::buildCPUPipeline(OpPassManager &pm,
                                      const CPUPipelineOptions &options) {
  OpPassManager &fpm =
      addTiledSkipForm(pm, options.blockQ, options.blockKV, options.packGQA,
                       /*padQueryTiles=*/false, options.skipUnit,
                       options.kvSplits, options.bf16Products);
  fpm.addPass(createConvertSkipAttnToCPU());
  fpm.addPass(createCanonicalizerPass());
  fpm.addPass(createCSEPass());
  fpm.addPass(createLoopInvariantCodeMotionPass());
  if (!options.lowerToLLVM)
    return;

  // scf.parallel -> omp.wsloop; each iteration's body is wrapped in a
  // memref.alloca_scope that releases the tile's stack scratch.
  pm.addPass(createConvertSCFToOpenMPPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // bf16 has no native conversions on most CPUs: expand them to integer ops.
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  // bf16 products are x86vector.avx512.dot ops.
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.x86Vector = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  // memref before scf: alloca_scope is single-block and must be inlined
  // (into the multi-block omp.loop_nest) before scf becomes branches.
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void mlir::skipattn::registerPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "skipattn-cpu-pipeline",
      "Lower skipattn.attention to the LLVM dialect for the host CPU",
      buildCPUPipeline);
  PassPipelineRegistration<HopperPipelineOptions>(
      "skipattn-hopper-pipeline",
      "Lower skipattn.attention to an sm_90a kernel (TMA, wgmma)",
      buildHopperPipeline);
  PassPipelineRegistration<HopperPipelineOptions>(
      "skipattn-blackwell-pipeline",
      "Lower skipattn.attention to an sm_100a kernel (TMA, tcgen05, tensor "
      "memory); the chip option is sm_100a whatever is given",
      [](OpPassManager &pm, const HopperPipelineOptions &options) {
        HopperPipelineOptions blackwell;
        blackwell.copyOptionValuesFrom(options);
        blackwell.chip = "sm_100a";
        buildHopperPipeline(pm, blackwell);
      });
  PassPipelineRegistration<AICPipelineOptions>(
      "skipattn-aic-pipeline",
      "Lower skipattn.attention to the ONNX graph of the Cloud AI 100 path",
      buildAICPipeline);
}
