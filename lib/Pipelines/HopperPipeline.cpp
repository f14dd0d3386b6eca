//===- HopperPipeline.cpp - skipattn-hopper-pipeline ----------------------===//
//
// attention -> blocked IR tiled for one CTA per query tile and one warpgroup
// per skip unit -> gpu.module kernel (TMA, mbarrier, wgmma) -> NVVM/LLVM ->
// PTX -> cubin. The tiling and the skip predicates come from the same
// target-independent passes as on the CPU.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Conversion/Passes.h"
#include "skipattn/Dialect/SkipAttn/Transforms/Passes.h"
#include "skipattn/Pipelines/Pipelines.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::skipattn::buildHopperPipeline(OpPassManager &pm,
                                         const HopperPipelineOptions &options) {
  // The warpgroup (64 rows) is the skip unit: it issues the P.V wgmma that a
  // skip saves. The CTA tile is fixed, so short queries pad it.
  OpPassManager &fpm =
      addTiledSkipForm(pm, options.blockQ, options.blockKV, /*packGQA=*/false,
                       /*padQueryTiles=*/true, /*skipUnit=*/64);
  fpm.addPass(createCanonicalizerPass());
  fpm.addPass(createCSEPass());
  pm.addPass(createConvertSkipAttnToNVGPU(
      ConvertSkipAttnToNVGPUOptions{options.stages}));

  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = "+ptx86";
  target.optLevel = 3;
  target.moduleMatcher = "skipattn_kernels";
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
