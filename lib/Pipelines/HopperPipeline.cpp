//===- HopperPipeline.cpp - skipattn-hopper-pipeline ----------------------===//
//
// attention -> schedule selection (tile sizes, ring depth, warp roles)
// -> blocked IR tiled by that schedule, with the target-independent skip
// predicates -> kernel level (skipattn_gpu: rings, roles, fragments)
// -> protocol check -> NVVM/LLVM -> PTX -> cubin. Every stage can be
// printed and replayed with skipattn-opt.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Conversion/Passes.h"
#include "skipattn/Dialect/SkipAttn/Transforms/Passes.h"
#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPU.h"
#include "skipattn/Dialect/SkipAttnGPU/Transforms/Passes.h"
#include "skipattn/Pipelines/Pipelines.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

int64_t mlir::skipattn::skipUnitForChip(StringRef chip) {
  return chip == "sm_100a" ? skipattn_gpu::kWarpRows
                           : skipattn_gpu::kWarpgroupRows;
}

void mlir::skipattn::buildHopperPipeline(OpPassManager &pm,
                                         const HopperPipelineOptions &options) {
  addAttentionBufferization(pm);
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  skipattn_gpu::SkipAttnGPUSelectScheduleOptions select;
  select.chip = options.chip;
  select.stages = options.stages;
  select.blockQ = options.blockQ;
  select.blockKV = options.blockKV;
  select.warpSpecialize = options.warpSpecialize;
  select.pingpong = options.pingpong;
  select.kvSplits = options.kvSplits;
  select.gateV = options.gateV;
  select.voteAhead = options.voteAhead;
  select.overlap = options.overlap;
  select.tmaStore = options.tmaStore;
  select.headGroup = options.headGroup;
  select.ctasPerSM = options.ctasPerSM;
  select.rescaleThreshold = options.rescaleThreshold;
  fpm.addPass(skipattn_gpu::createSkipAttnGPUSelectSchedule(select));
  // The tile sizes come from the schedule (the op's skipattn.tiling); the
  // skip unit is the warpgroup (64 rows) on sm_90a, as it issues the P.V a
  // skip saves, and the warp (32 rows, its lane quarter of tensor memory)
  // on sm_100a, where P.V is issued per 128-row warpgroup tile whose
  // skipping warps contribute zero probabilities.
  fpm.addPass(createSkipAttnTile());
  fpm.addPass(createSkipAttnInsertSkipPredicates(
      SkipAttnInsertSkipPredicatesOptions{skipUnitForChip(options.chip)}));
  fpm.addPass(createCanonicalizerPass());
  fpm.addPass(createCSEPass());
  pm.addPass(createConvertSkipAttnToSkipAttnGPU());
  {
    OpPassManager &kpm = pm.nest<gpu::GPUModuleOp>();
    kpm.addPass(createCanonicalizerPass());
    kpm.addPass(createCSEPass());
    kpm.addPass(skipattn_gpu::createSkipAttnGPUVerifyProtocol());
    kpm.addPass(createConvertSkipAttnGPUToNVVM());
  }

  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = "+ptx86";
  target.optLevel = 3;
  target.moduleMatcher = kKernelModuleName.str();
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createConvertNVGPUToNVVMPass());
  OpPassManager &gpm = pm.nest<gpu::GPUModuleOp>();
  gpm.addPass(createSCFToControlFlowPass());
  gpm.addPass(createConvertGpuOpsToNVVMOps());
  gpm.addPass(createLegalizeNVVMKernelABI());
  gpm.addPass(createConvertNVVMToLLVMPass());
  gpm.addPass(createCanonicalizerPass());
  gpm.addPass(createCSEPass());
  gpm.addPass(createReconcileUnrealizedCastsPass());
  if (options.format == "none")
    return;
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  binary.toolkitPath = options.toolkit;
  pm.addPass(createGpuModuleToBinaryPass(binary));
}
