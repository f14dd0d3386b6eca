//===- CPUJIT.cpp - in-process JIT of the CPU pipeline --------------------===//

#include "skipattn/Runtime/CPU/CPUJIT.h"
#include "skipattn/Dialect/SkipAttn/IR/SkipAttn.h"
#include "skipattn/InitAll.h"
#include "skipattn/Pipelines/Pipelines.h"
#include "skipattn/Runtime/AttentionModule.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <mutex>

#ifndef SKIPATTN_OMP_LIBRARY
#define SKIPATTN_OMP_LIBRARY "libomp.so"
#endif

using namespace mlir;
using ::skipattn::AttentionSpec;
using ::skipattn::CPUCompileOptions;
using ::skipattn::CPUKernel;
using ::skipattn::DType;

struct CPUKernel::Impl {
  std::unique_ptr<MLIRContext> context;
  std::unique_ptr<ExecutionEngine> engine;
};

CPUKernel::~CPUKernel() = default;

llvm::Expected<std::unique_ptr<CPUKernel>>
CPUKernel::compile(const AttentionSpec &spec,
                   const CPUCompileOptions &options) {
  std::string problem = spec.validate();
  if (!problem.empty())
    return llvm::createStringError("invalid attention spec: " + problem);
  if (cpuTileStackBytes(spec) > kCPUTileStackBytes)
    return llvm::createStringError(
        "invalid attention spec: a " + std::to_string(spec.tileBlockQ()) + "x" +
        std::to_string(spec.blockKV) + " tile of this shape needs " +
        std::to_string(cpuTileStackBytes(spec)) +
        " bytes of stack scratch, more than the CPU target's " +
        std::to_string(kCPUTileStackBytes) + " (use smaller tiles)");
  static std::once_flag nativeInit;
  std::call_once(nativeInit, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  auto start = std::chrono::steady_clock::now();

  std::unique_ptr<CPUKernel> kernel(new CPUKernel());
  kernel->spec_ = spec;
  kernel->impl_ = std::make_unique<Impl>();
  DialectRegistry registry;
  mlir::skipattn::registerAllDialects(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  kernel->impl_->context = std::make_unique<MLIRContext>(registry);
  MLIRContext *ctx = kernel->impl_->context.get();
  ctx->loadAllAvailableDialects();

  OwningOpRef<ModuleOp> module = ::skipattn::buildAttentionModule(ctx, spec);
  if (failed(verify(*module)))
    return llvm::createStringError("internal error: generated IR is invalid");
  llvm::raw_string_ostream irOS(kernel->inputIR_);
  module->print(irOS);

  ::skipattn::DiagnosticText diagText(ctx);

  PassManager pm(ctx);
  mlir::skipattn::CPUPipelineOptions pipelineOptions;
  pipelineOptions.blockQ = spec.blockQ;
  pipelineOptions.blockKV = spec.blockKV;
  pipelineOptions.packGQA = spec.packGQA;
  pipelineOptions.skipUnit = spec.skipUnit;
  mlir::skipattn::buildCPUPipeline(pm, pipelineOptions);
  if (llvm::Error e = ::skipattn::configureInstrumentation(pm, options.dumpDir,
                                                           options.passTiming))
    return std::move(e);
  if (failed(pm.run(*module)))
    return llvm::createStringError("lowering failed:\n" + diagText.str());

  auto optimize = makeOptimizingTransformer(/*optLevel=*/3, /*sizeLevel=*/0,
                                            /*targetMachine=*/nullptr);
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = optimize;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  llvm::StringRef libs[] = {SKIPATTN_OMP_LIBRARY};
  engineOptions.sharedLibPaths = libs;
  engineOptions.enableGDBNotificationListener = false;
  engineOptions.enablePerfNotificationListener = false;
  auto engine = ExecutionEngine::create(*module, engineOptions);
  if (!engine)
    return llvm::createStringError(
        "JIT compilation failed: " + llvm::toString(engine.takeError()) + "\n" +
        diagText.str());
  kernel->impl_->engine = std::move(*engine);
  if (auto err =
          kernel->impl_->engine->lookupPacked("_mlir_ciface_skipattn_main")
              .takeError())
    return std::move(err);
  kernel->compileMs_ = std::chrono::duration<double, std::milli>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  return kernel;
}

namespace {
/// A ranked memref descriptor with row-major strides, as the C interface
/// of an MLIR function expects it.
struct Descriptor {
  std::vector<int64_t> words;
  Descriptor(const void *data, std::vector<int64_t> sizes,
             std::vector<int64_t> strides = {}) {
    words.push_back(reinterpret_cast<int64_t>(data));
    words.push_back(reinterpret_cast<int64_t>(data));
    words.push_back(0);
    if (strides.empty()) {
      strides.assign(sizes.size(), 1);
      for (int i = static_cast<int>(sizes.size()) - 2; i >= 0; --i)
        strides[i] = strides[i + 1] * sizes[i + 1];
    }
    words.insert(words.end(), sizes.begin(), sizes.end());
    words.insert(words.end(), strides.begin(), strides.end());
  }
};
} // namespace

llvm::Error CPUKernel::run(const void *q, const void *k, const void *v,
                           const int32_t *kvLens, const float *factors,
                           void *out, float *lse, int64_t *stats) const {
  const AttentionSpec &s = spec_;
  if (!q || !k || !v || !out)
    return llvm::createStringError("query, key, value and out are required");
  if (s.ragged() != (kvLens != nullptr))
    return llvm::createStringError(
        "kv_lens must be given exactly when the kernel was compiled ragged");
  if (s.withLse != (lse != nullptr) || s.withStats != (stats != nullptr))
    return llvm::createStringError(
        "lse/stats buffers must match what the kernel was compiled with");
  if (s.runtimeFactors() != (factors != nullptr))
    return llvm::createStringError("skip factors must be given exactly when "
                                   "the kernel was compiled for them");
  std::string bad = s.checkLaunchValues(kvLens, factors);
  if (!bad.empty())
    return llvm::createStringError(bad);
  std::vector<Descriptor> descs;
  descs.emplace_back(q,
                     std::vector<int64_t>{s.batch, s.qHeads, s.qLen, s.headDim},
                     s.qStrides);
  descs.emplace_back(
      k, std::vector<int64_t>{s.batch, s.kvHeads, s.kvLen, s.headDim},
      s.kStrides);
  descs.emplace_back(
      v, std::vector<int64_t>{s.batch, s.kvHeads, s.kvLen, s.dv()}, s.vStrides);
  if (kvLens)
    descs.emplace_back(kvLens, std::vector<int64_t>{s.batch});
  if (factors)
    descs.emplace_back(
        factors, std::vector<int64_t>{s.batch, s.qHeads},
        std::vector<int64_t>{s.factorStrideB(), s.factorStrideH()});
  descs.emplace_back(out,
                     std::vector<int64_t>{s.batch, s.qHeads, s.qLen, s.dv()},
                     s.outStrides);
  if (lse)
    descs.emplace_back(lse, std::vector<int64_t>{s.batch, s.qHeads, s.qLen});
  if (stats)
    descs.emplace_back(stats, std::vector<int64_t>{s.batch, s.qHeads, 2});
  std::vector<void *> ptrs;
  for (Descriptor &d : descs)
    ptrs.push_back(d.words.data());
  std::vector<void *> args;
  for (void *&p : ptrs)
    args.push_back(&p);
  return impl_->engine->invokePacked("_mlir_ciface_skipattn_main", args);
}
