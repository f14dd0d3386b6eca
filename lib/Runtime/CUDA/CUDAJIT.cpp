//===- CUDAJIT.cpp - in-process JIT of the Hopper pipeline ----------------===//

#include "skipattn/Runtime/CUDA/CUDAJIT.h"
#include "skipattn/Dialect/SkipAttnGPU/IR/SkipAttnGPU.h"
#include "skipattn/Dialect/SkipAttnGPU/Transforms/Passes.h"
#include "skipattn/InitAll.h"
#include "skipattn/Pipelines/Pipelines.h"
#include "skipattn/Runtime/AttentionModule.h"
#include "skipattn/Runtime/KernelCache.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"

#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>

using namespace mlir;
using ::skipattn::AttentionSpec;
using ::skipattn::CUDABinary;
using ::skipattn::CUDACompileOptions;
using ::skipattn::CUDAKernel;
namespace cuda = ::skipattn::cuda;

#ifndef SKIPATTN_VERSION
#define SKIPATTN_VERSION "0.1"
#endif

namespace skipattn {
std::string resolveChip(const CUDACompileOptions &options) {
  if (!options.chip.empty())
    return options.chip;
  auto d = cuda::Driver::get(options.device);
  if (d)
    return d->chip();
  llvm::consumeError(d.takeError());
  return "sm_90a";
}

AttentionSpec hopperSpec(AttentionSpec spec,
                         const CUDACompileOptions &options) {
  if (resolveChip(options) == "sm_100a") {
    // The tcgen05 schedule: 128 rows per math warpgroup (two of them
    // unless asked otherwise), 128-key blocks, a warp's 32 rows the skip
    // unit; no packed heads or splits.
    spec.blockQ = options.blockQ > 0 ? options.blockQ
                                     : 2 * mlir::skipattn_gpu::kTmemLanes;
    spec.blockKV = options.blockKV > 0 ? options.blockKV : 128;
    spec.skipUnit = mlir::skipattn_gpu::kWarpRows;
    spec.packGQA = false;
    spec.packHeads = 0;
    spec.kvSplits = 1;
    spec.padQueryTiles = true;
    spec.vLoads = AttentionSpec::VLoads::PerTileGated;
    return spec;
  }
  mlir::skipattn_gpu::ScheduleRequest request;
  request.blockQ = options.blockQ;
  request.blockKV = options.blockKV;
  request.kvSplits = options.kvSplits;
  request.ctasPerSM = options.ctasPerSM;
  request.overlap = options.overlap;
  request.gateV = options.gateV;
  request.pingpong = options.pingpong;
  request.warpSpecialize = options.warpSpecialize;
  mlir::skipattn_gpu::ScheduleProblem problem;
  problem.qLen = spec.qLen;
  problem.kvLen = spec.kvLen;
  problem.headDim = spec.headDim;
  problem.valueDim = spec.dv();
  problem.batch = spec.batch;
  problem.qHeads = spec.qHeads;
  problem.kvHeads = spec.kvHeads;
  problem.runtimeFactors = spec.runtimeFactors() && spec.factorStrideH() != 0;
  problem.valueInKey = spec.valueInKey;
  problem.skipping =
      spec.skipping() &&
      (spec.runtimeFactors() ||
       !mlir::skipattn_gpu::neverSkips(spec.thresholdScaleFactor, spec.kvLen));
  problem.causal = spec.causal;
  mlir::skipattn_gpu::TileChoice tiles =
      mlir::skipattn_gpu::requestedTiles(problem, request);
  // The schedule's block_q rows hold `heads` heads of block_q / heads
  // positions; the spec's block_q counts positions.
  spec.blockQ = tiles.blockQ / tiles.heads;
  spec.blockKV = tiles.blockKV;
  spec.skipUnit = mlir::skipattn_gpu::kWarpgroupRows;
  spec.packGQA = tiles.heads > 1;
  spec.packHeads = tiles.heads > 1 ? tiles.heads : 0;
  spec.kvSplits = tiles.kvSplits;
  spec.padQueryTiles = true;
  spec.vLoads = mlir::skipattn_gpu::gatesV(problem, request, "sm_90a")
                    ? AttentionSpec::VLoads::PerTileGated
                    : AttentionSpec::VLoads::PerTile;
  return spec;
}

std::string checkCUDAStrides(const AttentionSpec &spec) {
  // Each KV block is whole pages or part of one page, loaded one TMA box
  // per page: page sizes that divide or are multiples of the schedules'
  // 64- and 128-key blocks.
  if (spec.paged() && spec.pageSize != 16 && spec.pageSize != 32 &&
      spec.pageSize != 64 && spec.pageSize != 128 && spec.pageSize != 256)
    return "the CUDA kernel supports page sizes 16, 32, 64, 128 and 256, "
           "not " +
           std::to_string(spec.pageSize);
  struct View {
    const char *name;
    const std::vector<int64_t> &strides;
    int64_t multiple;
  } views[] = {{"query", spec.qStrides, 8},
               {"key", spec.kStrides, 8},
               {"value", spec.vStrides, 8},
               {"out", spec.outStrides, 2}};
  for (const View &v : views) {
    if (v.strides.empty())
      continue;
    if (v.strides.size() != 4 || v.strides[3] != 1 ||
        std::any_of(v.strides.begin(), v.strides.begin() + 3,
                    [&](int64_t s) { return s < 0 || s % v.multiple; }))
      return std::string("the CUDA kernel needs ") + v.name +
             " strides with a unit stride on the head dimension and the "
             "others multiples of " +
             std::to_string(v.multiple) + " elements";
  }
  return "";
}
} // namespace skipattn

CUDAKernel::~CUDAKernel() {
  // Each device's resources in its own context.
  for (const Workspace &w : workspaces_) {
    if (auto d = cuda::Driver::get(w.device))
      d->free(w.ptr);
    else
      llvm::consumeError(d.takeError());
  }
  for (const Loaded &l : loaded_) {
    if (auto d = cuda::Driver::get(l.device))
      d->unloadModule(l.module);
    else
      llvm::consumeError(d.takeError());
  }
}

/// The toolkit root whose bin/ptxas serialises cubins, or "" if none.
static std::string findToolkit(const std::string &requested) {
  auto hasPtxas = [](const std::string &root) {
    return !root.empty() && llvm::sys::fs::can_execute(root + "/bin/ptxas");
  };
  if (!requested.empty())
    return hasPtxas(requested) ? requested : "";
  for (const char *env :
       {"SKIPATTN_CUDA_TOOLKIT", "CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"})
    if (const char *v = std::getenv(env); v && hasPtxas(v))
      return v;
  if (hasPtxas("/usr/local/cuda"))
    return "/usr/local/cuda";
  if (auto p = llvm::sys::findProgramByName("ptxas"))
    return llvm::sys::path::parent_path(llvm::sys::path::parent_path(*p)).str();
  return "";
}

static std::string serialize(const CUDABinary &b) {
  std::string s = "kernel=" + b.kernel + "\n";
  auto three = [](const std::array<int64_t, 3> &a) {
    return std::to_string(a[0]) + "," + std::to_string(a[1]) + "," +
           std::to_string(a[2]);
  };
  s += "grid=" + three(b.grid) + "\nblock=" + three(b.block) + "\n";
  s += "smem=" + std::to_string(b.smem) +
       "\nparams=" + llvm::join(b.params, ";") + "\n";
  s += "box=" + three(b.boxQ) + "," + std::to_string(b.boxKV[0]) + "," +
       std::to_string(b.boxKV[1]) + "\n";
  s += "boxout=" + three(b.boxOut) + "\n";
  s += "workspace=" + std::to_string(b.workspace) + "\n";
  s += std::string("ptx=") + (b.isPtx ? "1" : "0") + "\n\n";
  return s + b.image;
}

static bool deserialize(llvm::StringRef s, CUDABinary &b) {
  size_t end = s.find("\n\n");
  if (end == llvm::StringRef::npos)
    return false;
  llvm::SmallVector<llvm::StringRef> lines;
  s.substr(0, end).split(lines, '\n');
  auto ints = [](llvm::StringRef v, int64_t *out, int n) {
    llvm::SmallVector<llvm::StringRef> parts;
    v.split(parts, ',');
    if (static_cast<int>(parts.size()) != n)
      return false;
    for (int i = 0; i < n; ++i)
      if (parts[i].getAsInteger(10, out[i]))
        return false;
    return true;
  };
  int seen = 0;
  for (llvm::StringRef line : lines) {
    auto [k, v] = line.split('=');
    int64_t box[5];
    if (k == "kernel")
      b.kernel = v.str(), ++seen;
    else if (k == "grid" && ints(v, b.grid.data(), 3))
      ++seen;
    else if (k == "block" && ints(v, b.block.data(), 3))
      ++seen;
    else if (k == "smem" && !v.getAsInteger(10, b.smem))
      ++seen;
    else if (k == "params") {
      llvm::SmallVector<llvm::StringRef> ps;
      v.split(ps, ';');
      for (auto p : ps)
        b.params.push_back(p.str());
      ++seen;
    } else if (k == "box" && ints(v, box, 5)) {
      b.boxQ = {box[0], box[1], box[2]};
      b.boxKV = {box[3], box[4]};
      ++seen;
    } else if (k == "boxout" && ints(v, b.boxOut.data(), 3)) {
      ++seen;
    } else if (k == "workspace" && !v.getAsInteger(10, b.workspace) &&
               b.workspace >= 0) {
      ++seen;
    } else if (k == "ptx")
      b.isPtx = v == "1", ++seen;
  }
  b.image = s.drop_front(end + 2).str();
  return seen == 9 && !b.image.empty();
}

/// Runs the pipeline and extracts the binary and launch contract.
static llvm::Expected<CUDABinary> build(const AttentionSpec &spec,
                                        const CUDACompileOptions &options,
                                        const std::string &chip,
                                        const std::string &toolkit) {
  static std::once_flag nvptxInit;
  std::call_once(nvptxInit, [] {
    LLVMInitializeNVPTXTarget();
    LLVMInitializeNVPTXTargetInfo();
    LLVMInitializeNVPTXTargetMC();
    LLVMInitializeNVPTXAsmPrinter();
  });
  DialectRegistry registry;
  mlir::skipattn::registerAllDialects(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  OwningOpRef<ModuleOp> module = ::skipattn::buildAttentionModule(&ctx, spec);
  if (failed(verify(*module)))
    return llvm::createStringError("internal error: generated IR is invalid");
  ::skipattn::DiagnosticText diagText(&ctx);
  PassManager pm(&ctx);
  mlir::skipattn::HopperPipelineOptions po;
  po.stages = options.stages;
  po.blockQ = options.blockQ;
  po.blockKV = options.blockKV;
  po.warpSpecialize = options.warpSpecialize;
  po.pingpong = options.pingpong;
  po.kvSplits = options.kvSplits;
  po.gateV = options.gateV;
  po.voteAhead = options.voteAhead;
  po.overlap = options.overlap;
  po.tmaStore = options.tmaStore;
  po.headGroup = options.headGroup;
  po.ctasPerSM = options.ctasPerSM;
  po.rescaleThreshold = options.rescaleThreshold;
  po.chip = chip;
  po.toolkit = toolkit;
  // Without ptxas the driver JIT assembles the PTX at load time.
  po.format = toolkit.empty() ? "isa" : "bin";
  mlir::skipattn::buildHopperPipeline(pm, po);
  if (llvm::Error e = ::skipattn::configureInstrumentation(pm, options.dumpDir,
                                                           options.passTiming))
    return std::move(e);
  if (failed(pm.run(*module)))
    return llvm::createStringError("CUDA lowering failed:\n" + diagText.str());

  CUDABinary bin;
  auto launches =
      (*module)->getAttrOfType<ArrayAttr>(mlir::skipattn_gpu::kLaunchAttrName);
  auto launch = launches && launches.size() == 1
                    ? dyn_cast<mlir::skipattn_gpu::LaunchAttr>(launches[0])
                    : mlir::skipattn_gpu::LaunchAttr();
  gpu::BinaryOp binary;
  module->walk([&](gpu::BinaryOp op) { binary = op; });
  if (!launch || !binary || binary.getObjects().size() != 1)
    return llvm::createStringError(
        "internal error: the pipeline produced no kernel binary");
  auto object = cast<gpu::ObjectAttr>(binary.getObjects()[0]);
  bin.image = object.getObject().getValue().str();
  bin.isPtx = object.getFormat() == gpu::CompilationTarget::Assembly;
  bin.kernel = launch.getKernel().str();
  llvm::copy(launch.getGrid(), bin.grid.begin());
  llvm::copy(launch.getBlock(), bin.block.begin());
  llvm::copy(launch.getBoxQ(), bin.boxQ.begin());
  llvm::copy(launch.getBoxKv(), bin.boxKV.begin());
  if (!launch.getBoxOut().empty())
    llvm::copy(launch.getBoxOut(), bin.boxOut.begin());
  bin.smem = launch.getSmem();
  bin.workspace = launch.getWorkspace();
  for (mlir::skipattn_gpu::KernelParam p : launch.getParamKinds())
    bin.params.push_back(mlir::skipattn_gpu::stringifyKernelParam(p).str());
  return bin;
}

llvm::Expected<std::shared_ptr<CUDAKernel>>
CUDAKernel::compile(const AttentionSpec &spec,
                    const CUDACompileOptions &options) {
  std::string problem = spec.validate();
  if (!problem.empty())
    return llvm::createStringError("invalid attention spec: " + problem);
  if (std::string problem = ::skipattn::checkCUDAStrides(spec);
      !problem.empty())
    return llvm::createStringError(problem);
  std::string chip = resolveChip(options);
  if (chip != "sm_90a" && chip != "sm_100a")
    return llvm::createStringError(
        "unsupported GPU architecture " + chip +
        ": the CUDA target implements Hopper (sm_90a) and Blackwell "
        "(sm_100a; compiled and checked, not yet run on a B200)");
  // Timed from here: driver initialisation (device query) is a one-time
  // process cost, not part of compiling or fetching a kernel.
  auto start = std::chrono::steady_clock::now();
  std::string toolkit = findToolkit(options.toolkitPath);
  if (!options.toolkitPath.empty() && toolkit.empty())
    return llvm::createStringError("no ptxas under the CUDA toolkit path '" +
                                   options.toolkitPath + "'");
  std::string key = spec.key() + "|chip=" + chip +
                    "|stages=" + std::to_string(options.stages) +
                    "|bq=" + std::to_string(options.blockQ) +
                    "|bkv=" + std::to_string(options.blockKV) +
                    "|ws=" + (options.warpSpecialize ? "1" : "0") +
                    "|pp=" + (options.pingpong ? "1" : "0") +
                    "|splits=" + std::to_string(options.kvSplits) +
                    "|gatev=" + std::to_string(options.gateV) +
                    "|ahead=" + std::to_string(options.voteAhead) +
                    "|overlap=" + std::to_string(options.overlap) +
                    "|tmastore=" + std::to_string(options.tmaStore) +
                    "|headgroup=" + std::to_string(options.headGroup) +
                    "|ctas=" + std::to_string(options.ctasPerSM) +
                    "|rescale=" + std::to_string(options.rescaleThreshold) +
                    "|format=" + (toolkit.empty() ? "ptx" : "cubin") +
                    "|abi=6" +
                    "|skipattn=" SKIPATTN_VERSION "|llvm=" LLVM_VERSION_STRING;

  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<CUDAKernel>> memory;
  // One compile at a time: concurrent requests for the same spec wait for
  // the first and then hit the memory cache.
  std::lock_guard<std::mutex> lock(mu);
  bool instrumented = !options.dumpDir.empty() || options.passTiming;
  if (options.useCache && !instrumented) {
    auto it = memory.find(key);
    if (it != memory.end())
      return it->second;
  }
  std::shared_ptr<CUDAKernel> k(new CUDAKernel());
  k->spec_ = spec;
  k->key_ = key;
  k->chip_ = chip;
  k->options_ = options;
  std::string dir = options.cacheDir.empty() ? ::skipattn::defaultCacheDir()
                                             : options.cacheDir;
  bool loaded = false;
  if (options.useCache && !instrumented) {
    std::string payload;
    ::skipattn::CacheLookup r = ::skipattn::cacheLoad(dir, key, payload);
    if (r == ::skipattn::CacheLookup::Hit && deserialize(payload, k->bin_)) {
      loaded = true;
      k->source_ = "disk";
    } else if (r != ::skipattn::CacheLookup::Miss) {
      llvm::errs() << "skipattn: corrupt kernel cache entry in " << dir
                   << " for this spec; rebuilding it\n";
    }
  }
  if (!loaded) {
    auto bin = build(spec, options, chip, toolkit);
    if (!bin)
      return bin.takeError();
    k->bin_ = std::move(*bin);
    k->source_ = "compiled";
    if (options.useCache) {
      std::string warning =
          ::skipattn::cacheStore(dir, key, serialize(k->bin_));
      if (!warning.empty())
        llvm::errs() << "skipattn: kernel cache not written: " << warning
                     << "\n";
    }
  }
  k->compileMs_ = std::chrono::duration<double, std::milli>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  if (options.useCache && !instrumented)
    memory[key] = k;
  return k;
}

llvm::Error CUDAKernel::loadModule(int device) const {
  std::lock_guard<std::mutex> lock(loadMutex_);
  for (const Loaded &l : loaded_)
    if (l.device == device)
      return llvm::Error::success();
  auto d = cuda::Driver::get(device);
  if (!d)
    return d.takeError();
  // A kernel cross-compiled for another chip (a context's chip option)
  // cannot run here: say so instead of failing inside the driver.
  if (std::string here = d->chip(); here != chip_)
    return llvm::createStringError(
        "unsupported GPU architecture: the kernel was built for " + chip_ +
        " and device " + std::to_string(device) + " is " + here + " (" +
        d->deviceName() + ")");
  auto m = d->loadModule(bin_.image, bin_.isPtx);
  if (!m)
    return m.takeError();
  auto f = d->function(*m, bin_.kernel, bin_.smem);
  if (!f) {
    d->unloadModule(*m);
    return f.takeError();
  }
  loaded_.push_back({device, *m, *f});
  return llvm::Error::success();
}

llvm::Expected<cuda::CUdeviceptr>
CUDAKernel::workspaceFor(cuda::CUstream stream, int device) const {
  std::lock_guard<std::mutex> lock(workspaceMutex_);
  for (const Workspace &w : workspaces_)
    if (w.device == device && w.stream == stream)
      return w.ptr;
  auto d = cuda::Driver::get(device);
  if (!d)
    return d.takeError();
  auto p = d->alloc(bin_.workspace);
  if (!p)
    return llvm::createStringError(
        "allocating the split-KV workspace for this stream failed (under "
        "graph capture, pass a workspace or launch once on the stream "
        "first): " +
        llvm::toString(p.takeError()));
  // The counters must start at zero; every launch leaves them there. The
  // fill is stream-ordered, so a first launch under graph capture records
  // it as a memset node before the kernel.
  if (llvm::Error e = d->fillAsync(*p, 0, bin_.workspace, stream)) {
    d->free(*p);
    return std::move(e);
  }
  workspaces_.push_back({device, stream, *p});
  return *p;
}

llvm::Error CUDAKernel::launch(cuda::CUdeviceptr q, cuda::CUdeviceptr k,
                               cuda::CUdeviceptr v, cuda::CUdeviceptr kvLens,
                               cuda::CUdeviceptr factors, cuda::CUdeviceptr out,
                               cuda::CUdeviceptr lse, cuda::CUdeviceptr stats,
                               cuda::CUstream stream,
                               cuda::CUdeviceptr workspace, int device,
                               cuda::CUdeviceptr pageTable,
                               cuda::CUdeviceptr qLens) const {
  const AttentionSpec &s = spec_;
  if (!q || !k || !v || !out)
    return llvm::createStringError("query, key, value and out are required");
  if (s.ragged() != (kvLens != 0))
    return llvm::createStringError(
        "kv_lens must be given exactly when the kernel was compiled ragged");
  if (s.withLse != (lse != 0) || s.withStats != (stats != 0))
    return llvm::createStringError(
        "lse/stats buffers must match what the kernel was compiled with");
  if (s.runtimeFactors() != (factors != 0))
    return llvm::createStringError("skip factors must be given exactly when "
                                   "the kernel was compiled for them");
  if (s.paged() != (pageTable != 0))
    return llvm::createStringError("a page table must be given exactly when "
                                   "the kernel was compiled for a paged KV "
                                   "cache");
  if (s.queryLens() != (qLens != 0))
    return llvm::createStringError("q_lens must be given exactly when the "
                                   "kernel was compiled for left-padded "
                                   "queries");
  // The output is written in 32-bit column pairs, or by TMA from a 16-byte
  // aligned start: an output only 4-byte aligned (a view into a larger
  // buffer) goes to the same kernel with the threads' own stores.
  bool tmaOut = llvm::is_contained(bin_.params, "tma_out");
  if (out % 4)
    return llvm::createStringError("the output must start at a 4-byte "
                                   "aligned address");
  if (tmaOut && out % 16) {
    std::shared_ptr<CUDAKernel> twin;
    {
      std::lock_guard<std::mutex> lock(twinMutex_);
      if (!plainStoreTwin_) {
        CUDACompileOptions o = options_;
        o.tmaStore = 0;
        auto k = compile(spec_, o);
        if (!k)
          return k.takeError();
        plainStoreTwin_ = *k;
      }
      twin = plainStoreTwin_;
    }
    return twin->launch(q, k, v, kvLens, factors, out, lse, stats, stream,
                        workspace, device, pageTable, qLens);
  }
  if (llvm::Error e = loadModule(device))
    return e;
  auto d = cuda::Driver::get(device);
  if (!d)
    return d.takeError();
  cuda::CUfunction function = nullptr;
  {
    std::lock_guard<std::mutex> lock(loadMutex_);
    for (const Loaded &l : loaded_)
      if (l.device == device)
        function = l.function;
  }
  bool bf16 = s.dtype == ::skipattn::DType::BF16;
  cuda::TensorMap maps[4];
  const cuda::CUdeviceptr bases[4] = {q, k, v, tmaOut ? out : 0};
  // 4-D maps over [B, H, S, D] with the views' strides (contiguous when the
  // spec has none).
  auto strides = [](const std::vector<int64_t> &given, const int64_t *sizes,
                    int64_t *out) {
    if (given.size() == 4) {
      std::copy(given.begin(), given.end(), out);
      return;
    }
    out[3] = 1;
    for (int i = 2; i >= 0; --i)
      out[i] = out[i + 1] * sizes[i + 1];
  };
  const int64_t qSizes[4] = {s.batch, s.qHeads, s.qLen, s.headDim};
  const auto kShape = s.kvShape(s.headDim), vShape = s.kvShape(s.dv());
  const int64_t *kSizes = kShape.data(), *vSizes = vShape.data();
  const int64_t outSizes[4] = {s.batch, s.qHeads, s.qLen, s.dv()};
  int64_t qStr[4], kStr[4], vStr[4], outStr[4];
  strides(s.qStrides, qSizes, qStr);
  strides(s.kStrides, kSizes, kStr);
  strides(s.vStrides, vSizes, vStr);
  strides(s.outStrides, outSizes, outStr);
  // Q's box spans packed heads; K's and V's are one head's rows; the
  // output's is one math warpgroup's rows.
  const int64_t *sizes[4] = {qSizes, kSizes, vSizes, outSizes};
  const int64_t *strideOf[4] = {qStr, kStr, vStr, outStr};
  const int64_t boxes[4][3] = {
      {bin_.boxQ[0], bin_.boxQ[1], bin_.boxQ[2]},
      {bin_.boxKV[0], bin_.boxKV[1], 1},
      {bin_.boxKV[0], bin_.boxKV[1], 1},
      {bin_.boxOut[0], bin_.boxOut[1], bin_.boxOut[2]}};
  int nMaps = tmaOut ? 4 : 3;
  {
    std::lock_guard<std::mutex> lock(mapsMutex_);
    for (int i = 0; i < nMaps; ++i) {
      if (mapBases_[i] == bases[i])
        continue;
      mapBases_[i] = 0; // invalid until encoded
      if (llvm::Error e = d->encodeTensorMap(maps_[i], bf16, bases[i], sizes[i],
                                             strideOf[i], boxes[i][0],
                                             boxes[i][1], boxes[i][2]))
        return e;
      mapBases_[i] = bases[i];
    }
    std::copy(maps_, maps_ + nMaps, maps);
  }
  if (bin_.workspace > 0 && !workspace) {
    auto w = workspaceFor(stream, device);
    if (!w)
      return w.takeError();
    workspace = *w;
  }
  cuda::CUdeviceptr ptrs[] = {out,     kvLens,    lse,       stats,
                              factors, workspace, pageTable, qLens};
  llvm::SmallVector<void *, 16> params;
  for (const std::string &p : bin_.params) {
    if (p == "tma_q")
      params.push_back(&maps[0]);
    else if (p == "tma_k")
      params.push_back(&maps[1]);
    else if (p == "tma_v")
      params.push_back(&maps[2]);
    else if (p == "tma_out")
      params.push_back(&maps[3]);
    else if (p == "out")
      params.push_back(&ptrs[0]);
    else if (p == "kv_lens")
      params.push_back(&ptrs[1]);
    else if (p == "lse")
      params.push_back(&ptrs[2]);
    else if (p == "stats")
      params.push_back(&ptrs[3]);
    else if (p == "skip_factors")
      params.push_back(&ptrs[4]);
    else if (p == "workspace")
      params.push_back(&ptrs[5]);
    else if (p == "page_table")
      params.push_back(&ptrs[6]);
    else if (p == "q_lens")
      params.push_back(&ptrs[7]);
    else
      return llvm::createStringError("unknown kernel parameter kind '" + p +
                                     "' in the launch contract");
  }
  return d->launch(function, bin_.grid.data(), bin_.block.data(), bin_.smem,
                   stream, params.data());
}
