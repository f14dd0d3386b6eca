//===- CPUJIT.cpp - in-process JIT of the CPU pipeline --------------------===//
//
// A miss runs the pipeline and the ExecutionEngine (LLVM -O3 and code
// generation, most of a compile), then stores the engine's object, which
// holds the packed entry point, in the disk cache. A hit still runs the
// pipeline (its output is part of the key) and links the cached object
// into an ORC LLJIT with the same libraries the engine would load.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Runtime/CPU/CPUJIT.h"
#include "skipattn/Dialect/SkipAttn/IR/SkipAttn.h"
#include "skipattn/InitAll.h"
#include "skipattn/Pipelines/Pipelines.h"
#include "skipattn/Runtime/AttentionModule.h"
#include "skipattn/Runtime/KernelCache.h"

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
#include "llvm/ADT/StringExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"
#include "llvm/TargetParser/Host.h"

#include <chrono>
#include <mutex>

#include <unistd.h>

#ifndef SKIPATTN_OMP_LIBRARY
#define SKIPATTN_OMP_LIBRARY "libomp.so"
#endif

using namespace mlir;
using ::skipattn::AttentionSpec;
using ::skipattn::CPUCompileOptions;
using ::skipattn::CPUKernel;
using ::skipattn::DType;

#ifndef SKIPATTN_VERSION
#define SKIPATTN_VERSION "0.1"
#endif

struct CPUKernel::Impl {
  std::unique_ptr<MLIRContext> context;
  // One of the two owns the code: the engine that compiled it, or the
  // LLJIT that linked the cached object.
  std::unique_ptr<ExecutionEngine> engine;
  std::unique_ptr<llvm::orc::LLJIT> linked;
  void (*entry)(void **) = nullptr;
};

namespace {
constexpr llvm::StringLiteral kPackedEntry = "_mlir__mlir_ciface_skipattn_main";

/// The host the object code is generated for: CPU name and the features
/// the JIT's target machine enables.
std::string hostKey() {
  std::string features;
  for (const auto &f : llvm::sys::getHostCPUFeatures())
    features += (f.second ? "+" : "-") + f.first().str() + ",";
  return "cpu=" + llvm::sys::getHostCPUName().str() +
         "|features=" + llvm::utohexstr(llvm::xxh3_64bits(features), true);
}

/// Links a cached object into a fresh LLJIT and finds the packed entry.
llvm::Expected<std::unique_ptr<llvm::orc::LLJIT>>
linkObject(const std::string &object, void (*&entry)(void **)) {
  auto jit = llvm::orc::LLJITBuilder().create();
  if (!jit)
    return jit.takeError();
  llvm::orc::JITDylib &jd = (*jit)->getMainJITDylib();
  char prefix = (*jit)->getDataLayout().getGlobalPrefix();
  auto process =
      llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(prefix);
  if (!process)
    return process.takeError();
  jd.addGenerator(std::move(*process));
  auto omp = llvm::orc::DynamicLibrarySearchGenerator::Load(
      SKIPATTN_OMP_LIBRARY, prefix);
  if (!omp)
    return omp.takeError();
  jd.addGenerator(std::move(*omp));
  if (llvm::Error e = (*jit)->addObjectFile(
          llvm::MemoryBuffer::getMemBufferCopy(object, "skipattn-cpu-kernel")))
    return e;
  auto sym = (*jit)->lookup(kPackedEntry);
  if (!sym)
    return sym.takeError();
  entry = sym->toPtr<void (*)(void **)>();
  return std::move(*jit);
}

/// The engine's object code for its one module, through a temporary file
/// (ExecutionEngine::dumpToObjectFile).
std::string engineObject(ExecutionEngine &engine) {
  llvm::SmallString<128> path;
  int fd;
  if (llvm::sys::fs::createTemporaryFile("skipattn-cpu", "o", fd, path))
    return {};
  ::close(fd);
  engine.dumpToObjectFile(path);
  std::string object;
  if (auto buf = llvm::MemoryBuffer::getFile(path))
    object = (*buf)->getBuffer().str();
  llvm::sys::fs::remove(path);
  return object;
}
} // namespace

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
  pipelineOptions.kvSplits = spec.kvSplits;
  pipelineOptions.bf16Products = spec.bf16Products;
  mlir::skipattn::buildCPUPipeline(pm, pipelineOptions);
  if (llvm::Error e = ::skipattn::configureInstrumentation(pm, options.dumpDir,
                                                           options.passTiming))
    return std::move(e);
  if (failed(pm.run(*module)))
    return llvm::createStringError("lowering failed:\n" + diagText.str());

  // The key is the lowered module itself: whatever changes the code
  // (compiler, options, spec) changes the key.
  bool instrumented = !options.dumpDir.empty() || options.passTiming;
  bool cached = options.useCache && !instrumented;
  std::string dir = options.cacheDir.empty() ? ::skipattn::defaultCacheDir()
                                             : options.cacheDir;
  std::string key;
  if (cached) {
    std::string lowered;
    llvm::raw_string_ostream os(lowered);
    module->print(os);
    key = "cpu|" + spec.key() +
          "|ir=" + llvm::utohexstr(llvm::xxh3_64bits(lowered), true) + "|" +
          hostKey() +
          "|skipattn=" SKIPATTN_VERSION "|llvm=" LLVM_VERSION_STRING
          "|abi=cpu1";
    std::string object;
    ::skipattn::CacheLookup r = ::skipattn::cacheLoad(dir, key, object);
    if (r == ::skipattn::CacheLookup::Hit) {
      auto linked = linkObject(object, kernel->impl_->entry);
      if (!linked) {
        llvm::consumeError(linked.takeError());
        kernel->impl_->entry = nullptr;
        r = ::skipattn::CacheLookup::Corrupt;
      } else {
        kernel->impl_->linked = std::move(*linked);
        kernel->source_ = "disk";
      }
    }
    if (r == ::skipattn::CacheLookup::Corrupt)
      llvm::errs() << "skipattn: corrupt kernel cache entry in " << dir
                   << " for this spec; rebuilding it\n";
  }

  if (!kernel->impl_->entry) {
    auto optimize = makeOptimizingTransformer(/*optLevel=*/3, /*sizeLevel=*/0,
                                              /*targetMachine=*/nullptr);
    ExecutionEngineOptions engineOptions;
    engineOptions.transformer = optimize;
    engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
    llvm::StringRef libs[] = {SKIPATTN_OMP_LIBRARY};
    engineOptions.sharedLibPaths = libs;
    engineOptions.enableGDBNotificationListener = false;
    engineOptions.enablePerfNotificationListener = false;
    engineOptions.enableObjectDump = cached;
    auto engine = ExecutionEngine::create(*module, engineOptions);
    if (!engine)
      return llvm::createStringError(
          "JIT compilation failed: " + llvm::toString(engine.takeError()) +
          "\n" + diagText.str());
    kernel->impl_->engine = std::move(*engine);
    auto entry =
        kernel->impl_->engine->lookupPacked("_mlir_ciface_skipattn_main");
    if (!entry)
      return entry.takeError();
    kernel->impl_->entry = *entry;
    if (cached) {
      std::string object = engineObject(*kernel->impl_->engine);
      std::string warning = object.empty()
                                ? std::string("no object code from the JIT")
                                : ::skipattn::cacheStore(dir, key, object);
      if (!warning.empty())
        llvm::errs() << "skipattn: kernel cache not written: " << warning
                     << "\n";
    }
  }
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
                           void *out, float *lse, int64_t *stats,
                           const int32_t *pageTable,
                           const int32_t *qLens) const {
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
  if (s.paged() != (pageTable != nullptr))
    return llvm::createStringError("a page table must be given exactly when "
                                   "the kernel was compiled for a paged KV "
                                   "cache");
  if (s.queryLens() != (qLens != nullptr))
    return llvm::createStringError("q_lens must be given exactly when the "
                                   "kernel was compiled for left-padded "
                                   "queries");
  std::string bad = s.checkLaunchValues(kvLens, factors, pageTable, qLens);
  if (!bad.empty())
    return llvm::createStringError(bad);
  std::vector<Descriptor> descs;
  descs.emplace_back(q,
                     std::vector<int64_t>{s.batch, s.qHeads, s.qLen, s.headDim},
                     s.qStrides);
  auto kShape = s.kvShape(s.headDim), vShape = s.kvShape(s.dv());
  descs.emplace_back(k, std::vector<int64_t>(kShape.begin(), kShape.end()),
                     s.kStrides);
  descs.emplace_back(v, std::vector<int64_t>(vShape.begin(), vShape.end()),
                     s.vStrides);
  if (kvLens)
    descs.emplace_back(kvLens, std::vector<int64_t>{s.batch});
  if (pageTable)
    descs.emplace_back(pageTable, std::vector<int64_t>{s.batch, s.maxPages()});
  if (qLens)
    descs.emplace_back(qLens, std::vector<int64_t>{s.batch});
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
  impl_->entry(args.data());
  return llvm::Error::success();
}
