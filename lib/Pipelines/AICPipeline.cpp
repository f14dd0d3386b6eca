//===- AICPipeline.cpp - skipattn-aic-pipeline ----------------------------===//
//
// attention -> fixed KV blocking (num_kv_blocks, phase factors) -> the ONNX
// operator graph of a QEfficient-style layer. The result is what
// skipattn-translate --skipattn-to-onnx writes as model.onnx.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Conversion/Passes.h"
#include "skipattn/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::skipattn::buildAICPipeline(OpPassManager &pm,
                                      const AICPipelineOptions &options) {
  SkipAttnAICBlockKVOptions blocking;
  blocking.numKVBlocks = options.numKVBlocks;
  blocking.prefillFactor = options.prefillFactor;
  blocking.decodeFactor = options.decodeFactor;
  blocking.minKeepBlocks = options.minKeepBlocks;
  pm.nest<func::FuncOp>().addPass(createSkipAttnAICBlockKV(blocking));

  ConvertSkipAttnToAICOptions convert;
  convert.batchSize = options.batchSize;
  convert.prefillSeqLen = options.prefillSeqLen;
  convert.ctxLen = options.ctxLen;
  convert.cacheWrite = options.cacheWrite;
  pm.addPass(createConvertSkipAttnToAIC(convert));
  pm.addPass(createCSEPass());
}
