//===- skipattn-run.cpp - compile, run and check one attention call -------===//
//
// The main job: build inputs for an attention spec, JIT-compile it through
// the skipattn pipeline, run it, and compare output and skip decisions with
// the float64 reference model. Exit status: 0 checked OK, 1 bad input or
// failure to compile/run, 3 the result does not match the reference.
//
//===----------------------------------------------------------------------===//

#include "Inputs.h"

#include "Device.h"
#include "skipattn/Reference/Reference.h"
#include "skipattn/Runtime/CPU/CPUJIT.h"
#include "skipattn/Runtime/CUDA/CUDAJIT.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <unistd.h>

using namespace skipattn;
namespace cl = llvm::cl;

static cl::OptionCategory cat("skipattn-run options");
static cl::opt<int64_t> batch("batch", cl::desc("Batch size"), cl::init(1),
                              cl::cat(cat));
static cl::opt<int64_t> qHeads("q-heads", cl::desc("Query heads"), cl::init(8),
                               cl::cat(cat));
static cl::opt<int64_t> kvHeads("kv-heads",
                                cl::desc("Key/value heads (divides --q-heads)"),
                                cl::init(8), cl::cat(cat));
static cl::opt<int64_t> qLen("q-len", cl::desc("Query length"), cl::init(256),
                             cl::cat(cat));
static cl::opt<int64_t> kvLen("kv-len", cl::desc("KV length (the buffer's)"),
                              cl::init(1024), cl::cat(cat));
static cl::list<int32_t>
    kvLens("kv-lens", cl::desc("Per-sequence KV lengths (ragged batch)"),
           cl::CommaSeparated, cl::cat(cat));
static cl::list<int32_t> qLens(
    "q-lens",
    cl::desc("Per-sequence query lengths of a left-padded batch: sequence "
             "b's real rows are the last q_lens[b] of --q-len"),
    cl::CommaSeparated, cl::cat(cat));
static cl::opt<int64_t> headDim("head-dim", cl::desc("Head dimension"),
                                cl::init(128), cl::cat(cat));
static cl::opt<std::string> dtypeOpt("dtype", cl::desc("f32 | f16 | bf16"),
                                     cl::init("bf16"), cl::cat(cat));
static cl::opt<bool> causal("causal",
                            cl::desc("Causal mask (bottom-right aligned)"),
                            cl::cat(cat));
static cl::opt<double> scale("scale",
                             cl::desc("Softmax scale (default 1/sqrt(D))"),
                             cl::init(0.0), cl::cat(cat));
static cl::opt<double>
    factor("threshold-scale-factor",
           cl::desc("Skip threshold scale factor (0 = dense)"), cl::init(0.0),
           cl::cat(cat));
static cl::opt<std::string> factorLayoutOpt(
    "factor-layout",
    cl::desc("Runtime factors: none | scalar | per-sequence | per-head | "
             "per-sequence-head (values from --skip-factors)"),
    cl::init("none"), cl::cat(cat));
static cl::list<double>
    skipFactors("skip-factors",
                cl::desc("Runtime threshold scale factors, in the layout of "
                         "--factor-layout"),
                cl::CommaSeparated, cl::cat(cat));
static cl::opt<int64_t> minKeep("min-keep-blocks",
                                cl::desc("Blocks always kept per tile"),
                                cl::init(1), cl::cat(cat));
static cl::opt<int64_t> blockQ("block-q", cl::desc("Query positions per tile"),
                               cl::init(64), cl::cat(cat));
static cl::opt<int64_t> blockKV("block-kv", cl::desc("Keys per KV block"),
                                cl::init(64), cl::cat(cat));
static cl::opt<int64_t>
    skipUnit("skip-unit", cl::desc("Rows voting together (0 = whole tile)"),
             cl::init(0), cl::cat(cat));
static cl::opt<int64_t>
    gateV("gate-v",
          cl::desc("CUDA: V loads wait for the skip votes (1 on, 0 off, -1 "
                   "the schedule's choice)"),
          cl::init(-1), cl::cat(cat));
static cl::opt<int64_t>
    overlap("overlap",
            cl::desc("CUDA, sm_90a: block n - 1's P.V runs on the tensor "
                     "cores during block n's softmax (1 on, 0 off, -1 the "
                     "schedule's choice)"),
            cl::init(-1), cl::cat(cat));
static cl::opt<int64_t>
    tmaStore("tma-store",
             cl::desc("CUDA: each math warpgroup stages its output rows in "
                      "shared memory and stores them by TMA (1 on, 0 off, -1 "
                      "the schedule's choice)"),
             cl::init(-1), cl::cat(cat));
static cl::opt<int64_t> headGroup(
    "head-group",
    cl::desc("CUDA: the longest query tiles first over groups of this many "
             "(batch, head) pairs (0: each head's tiles in a row, the "
             "default; -1: groups whose K and V fit half of L2, causal "
             "prefill)"),
    cl::init(0), cl::cat(cat));
static cl::opt<int64_t> outOffset(
    "out-offset",
    cl::desc("CUDA: place the output this many bytes into its allocation "
             "(a view whose start is not 16-byte aligned)"),
    cl::init(0), cl::cat(cat));
static cl::opt<int64_t>
    voteAhead("vote-ahead",
              cl::desc("CUDA, gated V: the blocks a warpgroup votes ahead "
                       "of its P.V (1 to 3, 0 off, -1 the schedule's "
                       "choice)"),
              cl::init(-1), cl::cat(cat));
static cl::opt<int64_t>
    ctasPerSM("ctas-per-sm",
              cl::desc("CUDA: CTAs resident per SM, 1 or 2 (0: the "
                       "schedule's; two are for decode)"),
              cl::init(0), cl::cat(cat));
static cl::opt<int64_t> rescaleThreshold(
    "rescale-threshold",
    cl::desc("CUDA: conditional rescale, a row's exponent base kept until "
             "the maximum exceeds it by this many log2 units (0: always "
             "rescale; FlashAttention-4 uses 8)"),
    cl::init(0), cl::cat(cat));
static cl::opt<int64_t> kvSplits(
    "kv-splits",
    cl::desc("Split each tile's KV blocks over this many parallel tiles, "
             "merged by log-sum-exp (0: 1 on the CPU, the schedule's on "
             "CUDA)"),
    cl::init(0), cl::cat(cat));
static cl::opt<int64_t>
    pageSize("page-size",
             cl::desc("Paged KV cache: keys per page (0: contiguous K/V). The "
                      "sequences' pages lie at random places of the cache"),
             cl::init(0), cl::cat(cat));
static cl::opt<int64_t>
    numPages("num-pages",
             cl::desc("Pages of the paged cache (0: the sequences' pages "
                      "plus 2 unused ones)"),
             cl::init(0), cl::cat(cat));
static cl::opt<int64_t>
    valueDim("value-dim",
             cl::desc("Columns of V and of the output (0: --head-dim)"),
             cl::init(0), cl::cat(cat));
static cl::opt<bool> valueInKey(
    "value-in-key",
    cl::desc("V is the first --value-dim columns of K's rows, one buffer "
             "(MLA's latent cache; the kernel is given K's memory as V)"),
    cl::init(false), cl::cat(cat));
static cl::opt<std::string>
    pageLayout("page-layout",
               cl::desc("nhd: pages [P, page_size, Hkv, D] (vLLM, "
                        "FlashInfer's default) | hnd: [P, Hkv, page_size, D]"),
               cl::init("nhd"), cl::cat(cat));
static cl::opt<std::string>
    packOpt("pack-gqa",
            cl::desc("auto | on | off: pack GQA heads into one tile"),
            cl::init("auto"), cl::cat(cat));
static cl::opt<std::string> bf16Products(
    "bf16-products",
    cl::desc("CPU, bf16: Q.K^T on AVX-512 BF16 dot products (auto: where "
             "the host has them | on | off)"),
    cl::init("auto"), cl::cat(cat));
static cl::opt<std::string> pattern("pattern", cl::desc("random | structured"),
                                    cl::init("random"), cl::cat(cat));
static cl::opt<double>
    temperature("temperature",
                cl::desc("Structured inputs: smaller is sharper"),
                cl::init(0.1), cl::cat(cat));
static cl::opt<uint64_t> seed("seed", cl::desc("Random seed"), cl::init(1),
                              cl::cat(cat));
static cl::opt<std::string> qNpy("q", cl::desc("Query .npy [B,Hq,Sq,D]"),
                                 cl::cat(cat));
static cl::opt<std::string> kNpy("k", cl::desc("Key .npy [B,Hkv,Skv,D]"),
                                 cl::cat(cat));
static cl::opt<std::string> vNpy("v", cl::desc("Value .npy [B,Hkv,Skv,D]"),
                                 cl::cat(cat));
static cl::opt<std::string> target("target", cl::desc("cpu | cuda"),
                                   cl::init("cpu"), cl::cat(cat));
static cl::opt<int> iters("iters",
                          cl::desc("Timed runs (0 = about 0.5 s worth)"),
                          cl::init(0), cl::cat(cat));
static cl::opt<bool> vLoadsOpt(
    "v-loads",
    cl::desc("Count V block loads in the statistics too ([B, Hq, 4]) and "
             "check them against the reference (default on)"),
    cl::init(true), cl::cat(cat));
static cl::opt<bool> json("json",
                          cl::desc("End with one JSON line of the figures"),
                          cl::cat(cat));
static cl::opt<std::string>
    dumpIR("dump-ir", cl::desc("Write the IR after every pass below DIR"),
           cl::value_desc("DIR"), cl::cat(cat));
static cl::opt<bool> passTiming("pass-timing", cl::desc("Print pass timing"),
                                cl::cat(cat));
static cl::opt<bool>
    compareDense("compare-dense",
                 cl::desc("Also run the dense build and require identical bits "
                          "when nothing was skipped"),
                 cl::cat(cat));
static cl::opt<bool> noCheck("no-check", cl::desc("Skip the float64 reference"),
                             cl::cat(cat));

static cl::opt<std::string>
    chip("chip",
         cl::desc("CUDA chip to build for: sm_90a or sm_100a (default: the "
                  "GPU's, or sm_90a without one); another chip than the "
                  "GPU's needs --compile-only"),
         cl::init(""), cl::cat(cat));
static cl::opt<std::string> binaryOut(
    "binary-out",
    cl::desc("With --target=cuda, write the kernel's binary (cubin, or PTX "
             "without ptxas) to this file"),
    cl::value_desc("FILE"), cl::init(""), cl::cat(cat));
static cl::opt<bool> compileOnly(
    "compile-only",
    cl::desc("Compile (or fetch from the cache) and report; run nothing. "
             "Works for --target=cuda on machines without a GPU"),
    cl::cat(cat));
static cl::opt<std::string>
    cacheDir("cache-dir",
             cl::desc("Kernel cache directory: CUDA binaries and CPU object "
                      "code (default $SKIPATTN_CACHE_DIR or "
                      "~/.cache/skipattn)"),
             cl::init(""), cl::cat(cat));
static cl::opt<bool> noCache("no-cache", cl::desc("Bypass the kernel cache"),
                             cl::cat(cat));
static cl::opt<std::string>
    cudaToolkit("cuda-toolkit",
                cl::desc("CUDA toolkit root holding bin/ptxas (default: "
                         "searched; without ptxas the driver JITs PTX)"),
                cl::init(""), cl::cat(cat));
static cl::opt<int64_t>
    stages("stages",
           cl::desc("CUDA: K/V buffers in the TMA ring (0: the schedule's)"),
           cl::init(0), cl::cat(cat));
static cl::opt<bool> warpSpecialize(
    "warp-specialize",
    cl::desc("CUDA: a load warpgroup issues the TMA loads (false: the math "
             "warps' first thread does)"),
    cl::init(true), cl::cat(cat));
static cl::opt<bool>
    pingpong("pingpong",
             cl::desc("CUDA: the two math warpgroups take turns on the "
                      "tensor cores"),
             cl::init(false), cl::cat(cat));

static int fail(const std::string &msg) {
  llvm::errs() << "skipattn-run: error: " << msg << "\n";
  return 1;
}

static void progress(const std::string &msg) {
  llvm::errs() << "[skipattn-run] " << msg << "\n";
  llvm::errs().flush();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(cat);
  cl::ParseCommandLineOptions(
      argc, argv,
      "skipattn-run: compile, run and check skip-softmax attention\n");

  AttentionSpec s;
  s.batch = batch;
  s.qHeads = qHeads;
  s.kvHeads = kvHeads;
  s.qLen = qLen;
  s.kvLen = kvLen;
  s.headDim = headDim;
  s.valueDim = valueDim == headDim ? 0 : valueDim;
  s.valueInKey = valueInKey;
  s.kvLens.assign(kvLens.begin(), kvLens.end());
  s.qLens.assign(qLens.begin(), qLens.end());
  s.causal = causal;
  s.scale = scale;
  s.thresholdScaleFactor = factor;
  s.minKeepBlocks = minKeep;
  s.blockQ = blockQ;
  s.blockKV = blockKV;
  s.skipUnit = skipUnit;
  s.kvSplits = kvSplits > 0 ? kvSplits : 1;
  s.pageSize = pageSize;
  if (pageSize > 0)
    s.numPages = numPages > 0 ? numPages
                              : batch * ((kvLen + pageSize - 1) / pageSize) + 2;
  if (pageLayout != "nhd" && pageLayout != "hnd")
    return fail("unknown --page-layout '" + pageLayout + "' (nhd or hnd)");
  s.withLse = true;
  s.withStats = true;
  s.withVLoads = vLoadsOpt;
  if (dtypeOpt == "f32")
    s.dtype = DType::F32;
  else if (dtypeOpt == "f16")
    s.dtype = DType::F16;
  else if (dtypeOpt == "bf16")
    s.dtype = DType::BF16;
  else
    return fail("unknown --dtype '" + dtypeOpt + "' (f32, f16 or bf16)");
  const std::pair<const char *, FactorLayout> layouts[] = {
      {"none", FactorLayout::None},
      {"scalar", FactorLayout::Scalar},
      {"per-sequence", FactorLayout::PerSequence},
      {"per-head", FactorLayout::PerHead},
      {"per-sequence-head", FactorLayout::PerSequenceHead}};
  bool knownLayout = false;
  for (auto [name, layout] : layouts)
    if (factorLayoutOpt == name) {
      s.factorLayout = layout;
      knownLayout = true;
    }
  if (!knownLayout)
    return fail("unknown --factor-layout '" + factorLayoutOpt +
                "' (none, scalar, per-sequence, per-head, per-sequence-head)");
  std::vector<double> factorValues(skipFactors.begin(), skipFactors.end());
  if (static_cast<int64_t>(factorValues.size()) != s.factorCount())
    return fail("--skip-factors has " + std::to_string(factorValues.size()) +
                " values; --factor-layout=" + factorLayoutOpt + " needs " +
                std::to_string(s.factorCount()));
  std::vector<float> factorsF32(factorValues.begin(), factorValues.end());
  // The reference sees exactly the f32 values the kernel reads.
  factorValues.assign(factorsF32.begin(), factorsF32.end());
  const float *factorsPtr = factorsF32.empty() ? nullptr : factorsF32.data();
  if (packOpt == "auto")
    s.packGQA = kvHeads > 0 && qHeads % std::max<int64_t>(kvHeads, 1) == 0 &&
                qHeads / kvHeads > 1 && qLen < blockQ;
  else if (packOpt == "on" || packOpt == "off")
    s.packGQA = packOpt == "on";
  else
    return fail("unknown --pack-gqa '" + packOpt + "' (auto, on or off)");
  const bool onGPU = target == "cuda";
  // Per-head runtime factors: one decision per head of a packed tile.
  if (!onGPU && s.runtimeFactors() && s.packGQA &&
      !skipUnit.getNumOccurrences())
    s.skipUnit = s.tileBlockQ();
  if (target != "cpu" && !onGPU)
    return fail("unknown --target '" + target + "' (cpu or cuda)");
  if (bf16Products != "auto" && bf16Products != "on" && bf16Products != "off")
    return fail("unknown --bf16-products '" + bf16Products +
                "' (auto, on or off)");
  if (!onGPU && s.dtype == DType::BF16 && bf16Products == "on" &&
      !hostHasBF16Dot())
    return fail("--bf16-products=on: this host has no AVX-512 BF16");
  if (!onGPU && bf16Products != "off")
    s.bf16Products = bf16ProductsFit(s);
  CUDACompileOptions gopts;
  gopts.dumpDir = dumpIR;
  gopts.passTiming = passTiming;
  gopts.cacheDir = cacheDir;
  gopts.useCache = !noCache;
  gopts.toolkitPath = cudaToolkit;
  gopts.stages = stages;
  if (onGPU && blockQ.getNumOccurrences())
    gopts.blockQ = blockQ;
  if (onGPU && blockKV.getNumOccurrences())
    gopts.blockKV = blockKV;
  gopts.warpSpecialize = warpSpecialize;
  gopts.pingpong = pingpong;
  gopts.kvSplits = kvSplits;
  gopts.gateV = gateV;
  gopts.voteAhead = voteAhead;
  gopts.overlap = overlap;
  gopts.tmaStore = tmaStore;
  gopts.headGroup = headGroup;
  gopts.ctasPerSM = ctasPerSM;
  gopts.rescaleThreshold = rescaleThreshold;
  gopts.chip = chip;
  if (onGPU) {
    // The GPU tiling is the schedule's (skipattn-gpu-select-schedule), or
    // the tiles asked for, which the schedule then verifies; the reference
    // models the same tiles.
    s = hopperSpec(s, gopts);
  }
  std::string problem = s.validate();
  if (!problem.empty())
    return fail(problem);
  if (outOffset < 0 || outOffset > 1024)
    return fail("--out-offset must be in [0, 1024] bytes");
  if (pattern != "random" && pattern != "structured")
    return fail("unknown --pattern '" + pattern + "' (random or structured)");
  // Host buffers: q, k, v as exact doubles plus packed bytes, the output,
  // a second output for the repeat check and the float64 reference's. A
  // run that cannot fit is refused here instead of dying in an allocation.
  {
    const double es = dtypeSize(s.dtype);
    double qn = double(s.batch) * s.qHeads * s.qLen;
    double kvn = double(s.batch) * s.kvHeads * s.kvLen;
    double need = (qn * s.headDim + kvn * (s.headDim + s.dv())) * (8 + es) +
                  qn * s.dv() * (2 * es + 8);
    double have = double(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGE_SIZE);
    if (have > 0 && need > have)
      return fail(llvm::formatv("this run needs about {0:F1} GiB of host "
                                "memory for its tensors; the machine has "
                                "{1:F1} GiB",
                                need / (1 << 30), have / (1 << 30))
                      .str());
  }
  if (!(temperature > 0))
    return fail("--temperature must be positive");

  // Inputs.
  HostTensor q, k, v;
  if (pattern == "structured")
    makeStructured(s, seed, temperature, q, k, v);
  else
    makeRandom(s, seed, q, k, v);
  for (auto [path, t] : {std::pair<std::string, HostTensor *>{qNpy, &q},
                         {kNpy, &k},
                         {vNpy, &v}}) {
    if (path.empty())
      continue;
    std::string err = loadNpy(path, t->shape, *t);
    if (!err.empty())
      return fail(err);
    t->pack(s.dtype);
  }
  // V inside K: V's values are K's first columns, and the kernel reads
  // them through K's buffer with K's strides.
  if (s.valueInKey) {
    const int64_t D = s.headDim, Dv = s.dv();
    for (int64_t r = 0; r < s.batch * s.kvHeads * s.kvLen; ++r)
      std::copy(&k.values[r * D], &k.values[r * D] + Dv, &v.values[r * Dv]);
    v.pack(s.dtype);
    if (!s.paged())
      s.vStrides = {s.kvHeads * s.kvLen * D, s.kvLen * D, D, 1};
  }
  // A paged run reads the caches; the reference keeps the logical K/V.
  HostTensor kCache, vCache;
  std::vector<int32_t> pageTable;
  if (s.paged()) {
    pageKV(s, seed, pageLayout == "nhd", k, v, kCache, vCache, s.kStrides,
           s.vStrides, pageTable);
    if (s.valueInKey)
      s.vStrides = s.kStrides;
    std::string problem = s.validate();
    if (!problem.empty())
      return fail(problem);
  }
  const HostTensor &kRun = s.paged() ? kCache : k, &vRun = s.valueInKey ? kRun
                                                           : s.paged()  ? vCache
                                                                        : v;
  const int32_t *tablePtr = s.paged() ? pageTable.data() : nullptr;
  const int32_t *qLensPtr = s.qLens.empty() ? nullptr : s.qLens.data();

  progress("compiling " + s.key());
  const int64_t outCount = s.batch * s.qHeads * s.qLen * s.dv();
  std::vector<uint8_t> out(outCount * dtypeSize(s.dtype));
  std::vector<float> lse(s.batch * s.qHeads * s.qLen);
  const int64_t cols = s.statsColumns();
  std::vector<int64_t> stats(s.batch * s.qHeads * cols);
  const int32_t *lens = s.kvLens.empty() ? nullptr : s.kvLens.data();
  // Poison the outputs so an element the kernel does not write shows up.
  auto poison = [&] {
    std::memset(out.data(), 0xff, out.size());
    std::fill(lse.begin(), lse.end(), NAN);
    std::fill(stats.begin(), stats.end(), -1);
  };

  // Target-specific pieces: run once (into out/lse/stats), time one run.
  std::function<llvm::Error()> runOnce;
  std::function<llvm::Expected<double>()> timeOnce;
  std::function<llvm::Error(const AttentionSpec &, std::vector<uint8_t> &)>
      runDense;
  double compileMs = 0;
  std::string cacheSource = "none";
  std::unique_ptr<CPUKernel> cpuKernel;
  std::shared_ptr<CUDAKernel> gpuKernel;
  std::unique_ptr<DeviceBuffers> dev;
  if (!onGPU) {
    CPUCompileOptions copts;
    copts.dumpDir = dumpIR;
    copts.passTiming = passTiming;
    copts.cacheDir = cacheDir;
    copts.useCache = !noCache;
    auto kernelOr = CPUKernel::compile(s, copts);
    if (!kernelOr)
      return fail(llvm::toString(kernelOr.takeError()));
    cpuKernel = std::move(*kernelOr);
    compileMs = cpuKernel->compileMs();
    cacheSource = cpuKernel->source();
    if (!dumpIR.empty()) {
      std::error_code ec;
      llvm::raw_fd_ostream os(dumpIR + "/00-input.mlir", ec);
      if (!ec)
        os << cpuKernel->inputIR();
    }
    runOnce = [&]() -> llvm::Error {
      return cpuKernel->run(q.bytes.data(), kRun.bytes.data(),
                            vRun.bytes.data(), lens, factorsPtr, out.data(),
                            lse.data(), stats.data(), tablePtr, qLensPtr);
    };
    timeOnce = [&]() -> llvm::Expected<double> {
      auto a = std::chrono::steady_clock::now();
      if (auto err = runOnce())
        return std::move(err);
      return std::chrono::duration<double, std::milli>(
                 std::chrono::steady_clock::now() - a)
          .count();
    };
    runDense = [&](const AttentionSpec &d,
                   std::vector<uint8_t> &o) -> llvm::Error {
      auto dk = CPUKernel::compile(d, {});
      if (!dk)
        return dk.takeError();
      std::vector<float> l2(lse.size());
      std::vector<int64_t> s2(stats.size());
      return (*dk)->run(q.bytes.data(), kRun.bytes.data(), vRun.bytes.data(),
                        lens, nullptr, o.data(), l2.data(), s2.data(), tablePtr,
                        qLensPtr);
    };
  } else {
    auto kernelOr = CUDAKernel::compile(s, gopts);
    if (!kernelOr)
      return fail(llvm::toString(kernelOr.takeError()));
    gpuKernel = *kernelOr;
    compileMs = gpuKernel->compileMs();
    cacheSource = gpuKernel->source();
  }
  if (gpuKernel && !binaryOut.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream os(binaryOut, ec);
    if (ec)
      return fail("cannot write " + binaryOut + ": " + ec.message());
    os << gpuKernel->binary().image;
  }
  if (compileOnly) {
    llvm::outs() << llvm::format("skipattn-run  target=%s  compile %.1f ms  "
                                 "(%s)\n",
                                 onGPU ? "cuda" : "cpu", compileMs,
                                 cacheSource.c_str());
    if (gpuKernel)
      llvm::outs() << llvm::format(
          "kernel %s  %s %zu bytes  grid [%lld, %lld, %lld]  block %lld  "
          "smem %lld\n",
          gpuKernel->binary().kernel.c_str(),
          gpuKernel->binary().isPtx ? "ptx" : "cubin",
          gpuKernel->binary().image.size(),
          (long long)gpuKernel->binary().grid[0],
          (long long)gpuKernel->binary().grid[1],
          (long long)gpuKernel->binary().grid[2],
          (long long)gpuKernel->binary().block[0],
          (long long)gpuKernel->binary().smem);
    if (json)
      llvm::outs() << llvm::format("{\"target\": \"%s\", \"compile_ms\": "
                                   "%.3f, \"cache\": \"%s\"}\n",
                                   onGPU ? "cuda" : "cpu", compileMs,
                                   cacheSource.c_str());
    return 0;
  }
  if (onGPU) {
    auto devOr = DeviceBuffers::create(s, q, kRun, vRun, factorsF32, pageTable,
                                       outOffset);
    if (!devOr)
      return fail(llvm::toString(devOr.takeError()));
    dev = std::move(*devOr);
    runOnce = [&]() -> llvm::Error {
      if (auto err = dev->poison())
        return err;
      if (auto err = dev->launch(*gpuKernel))
        return err;
      return dev->fetch(out, lse, stats);
    };
    timeOnce = [&]() -> llvm::Expected<double> {
      return dev->time(*gpuKernel);
    };
    runDense = [&](const AttentionSpec &d,
                   std::vector<uint8_t> &o) -> llvm::Error {
      // The dense build with the skipping build's tiles (a dense causal
      // prefill alone would take larger KV blocks): the same arithmetic.
      CUDACompileOptions dopts = gopts;
      dopts.blockKV = d.blockKV;
      auto dk = CUDAKernel::compile(d, dopts);
      if (!dk)
        return dk.takeError();
      if (auto err = dev->poison())
        return err;
      if (auto err = dev->launch(**dk))
        return err;
      std::vector<float> l2(lse.size());
      std::vector<int64_t> s2(stats.size());
      return dev->fetch(o, l2, s2);
    };
  }

  progress("warm-up run");
  poison();
  if (auto err = runOnce())
    return fail("run failed: " + llvm::toString(std::move(err)));

  std::vector<double> times;
  auto t0 = std::chrono::steady_clock::now();
  int target_iters = iters > 0 ? static_cast<int>(iters) : 1000;
  for (int i = 0; i < target_iters; ++i) {
    auto ms = timeOnce();
    if (!ms)
      return fail("run failed: " + llvm::toString(ms.takeError()));
    times.push_back(*ms);
    double spent =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    if (iters == 0 && ((i >= 2 && spent > 0.5) || spent > 5.0))
      break;
  }
  std::sort(times.begin(), times.end());
  double runMs = times[times.size() / 2];
  double flops = 2.0 * s.visiblePairs() * (s.headDim + s.dv());
  double gflops = flops / (runMs * 1e6);
  progress("timed " + std::to_string(times.size()) + " runs");

  int64_t kTotal = 0, kSkipped = 0, kVLoads = 0, kVSaved = 0;
  for (size_t i = 0; i < stats.size(); i += cols) {
    kTotal += stats[i];
    kSkipped += stats[i + 1];
    if (cols == 4) {
      kVLoads += stats[i + 2];
      kVSaved += stats[i + 3];
    }
  }

  // Check against the float64 reference.
  bool ok = true;
  double maxAbs = 0, relL2 = 0;
  int64_t refTotal = 0, refSkipped = 0, near = 0, statsMismatch = 0;
  int64_t refVLoads = 0, refVSaved = 0;
  double tol = s.dtype == DType::F32   ? 1e-4
               : s.dtype == DType::F16 ? 3e-3
                                       : 1e-2;
  if (!noCheck) {
    progress("float64 reference");
    ReferenceResult ref =
        runReference(s, q.values, k.values, v.values, factorValues);
    double num = 0, den = 0;
    int64_t bad = 0;
    for (int64_t i = 0; i < outCount; ++i) {
      double got;
      if (s.dtype == DType::F32) {
        float f;
        std::memcpy(&f, &out[i * 4], 4);
        got = f;
      } else {
        uint16_t h;
        std::memcpy(&h, &out[i * 2], 2);
        got = s.dtype == DType::F16 ? halfToFloat(h) : bf16ToFloat(h);
      }
      if (!std::isfinite(got)) {
        ++bad;
        continue;
      }
      double d = got - ref.out[i];
      maxAbs = std::max(maxAbs, std::fabs(d));
      num += d * d;
      den += ref.out[i] * ref.out[i];
    }
    relL2 = den > 0 ? std::sqrt(num / den) : std::sqrt(num);
    double lseErr = 0;
    for (size_t i = 0; i < lse.size(); ++i) {
      if (std::isinf(ref.lse[i]) && std::isinf(lse[i]))
        continue;
      lseErr = std::max(lseErr, std::fabs(lse[i] - ref.lse[i]));
      if (std::isnan(lse[i]))
        lseErr = INFINITY;
    }
    refTotal = ref.totalDecisions;
    refSkipped = ref.skippedDecisions;
    near = ref.nearThreshold;
    // V loads follow the tiles exactly; the saved ones follow the
    // decisions, within the near-threshold ones.
    for (size_t i = 0; i < stats.size(); i += cols) {
      statsMismatch += stats[i] != ref.stats[i] ||
                       std::llabs(stats[i + 1] - ref.stats[i + 1]) > near;
      if (cols == 4) {
        refVLoads += ref.stats[i + 2];
        refVSaved += ref.stats[i + 3];
        statsMismatch += stats[i + 2] != ref.stats[i + 2] ||
                         std::llabs(stats[i + 3] - ref.stats[i + 3]) > near;
      }
    }
    if (bad) {
      llvm::errs() << "FAIL: " << bad
                   << " output elements not finite (unwritten?)\n";
      ok = false;
    }
    if (!(relL2 < tol)) {
      llvm::errs() << "FAIL: relative L2 error " << relL2 << " >= " << tol
                   << "\n";
      ok = false;
    }
    if (!(lseErr < 1e-2)) {
      llvm::errs() << "FAIL: log-sum-exp error " << lseErr << "\n";
      ok = false;
    }
    if (kTotal != refTotal || std::llabs(kSkipped - refSkipped) > near ||
        kVLoads != refVLoads || std::llabs(kVSaved - refVSaved) > near ||
        statsMismatch) {
      llvm::errs() << "FAIL: skip decisions differ: kernel " << kSkipped << "/"
                   << kTotal << ", reference " << refSkipped << "/" << refTotal
                   << "; V loads saved: kernel " << kVSaved << "/" << kVLoads
                   << ", reference " << refVSaved << "/" << refVLoads << " ("
                   << near << " near the threshold, " << statsMismatch
                   << " heads differ)\n";
      ok = false;
    }
  }

  // With nothing skipped, the skipping build must compute exactly what the
  // dense build computes.
  int denseIdentical = -1;
  if (compareDense) {
    AttentionSpec dense = s;
    dense.thresholdScaleFactor = 0;
    dense.factorLayout = FactorLayout::None;
    std::vector<uint8_t> out2(out.size(), 0xff);
    if (auto err = runDense(dense, out2))
      return fail("dense run failed: " + llvm::toString(std::move(err)));
    denseIdentical = out == out2;
    if (kSkipped == 0 && !denseIdentical) {
      llvm::errs() << "FAIL: nothing was skipped but the output differs from "
                      "the dense build\n";
      ok = false;
    }
  }

  double sparsity = kTotal ? static_cast<double>(kSkipped) / kTotal : 0.0;
  llvm::outs()
      << "skipattn-run  target=" << (onGPU ? "cuda" : "cpu") << "  " << s.key()
      << "\n"
      << llvm::format("  shape        B=%lld Hq=%lld Hkv=%lld Sq=%lld Skv=%lld "
                      "D=%lld %s%s\n",
                      (long long)s.batch, (long long)s.qHeads,
                      (long long)s.kvHeads, (long long)s.qLen,
                      (long long)s.kvLen, (long long)s.headDim,
                      dtypeName(s.dtype), s.causal ? " causal" : "")
      << llvm::format("  skip         factor=%g min_keep_blocks=%lld "
                      "tile=%lldx%lld rows, block_kv=%lld, unit=%lld rows\n",
                      s.thresholdScaleFactor, (long long)s.minKeepBlocks,
                      (long long)s.tileHeads(), (long long)s.tileBlockQ(),
                      (long long)s.blockKV, (long long)s.tileUnit())
      << llvm::format("  blocks       skipped %lld of %lld (sparsity %.1f%%)",
                      (long long)kSkipped, (long long)kTotal, 100.0 * sparsity);
  if (!noCheck)
    llvm::outs() << llvm::format(
        "; reference %lld of %lld, %lld near the threshold",
        (long long)refSkipped, (long long)refTotal, (long long)near);
  if (cols == 4) {
    llvm::outs() << llvm::format("\n  V loads      saved %lld of %lld",
                                 (long long)kVSaved, (long long)kVLoads);
    if (!noCheck)
      llvm::outs() << llvm::format("; reference %lld of %lld",
                                   (long long)refVSaved, (long long)refVLoads);
  }
  llvm::outs() << "\n"
               << llvm::format("  compile      %.1f ms (%s)\n", compileMs,
                               cacheSource.c_str())
               << llvm::format(
                      "  run          %.3f ms (median of %zu)  %.2f GFLOP/s\n",
                      runMs, times.size(), gflops);
  if (!noCheck)
    llvm::outs() << llvm::format(
        "  error        max abs %.3e, rel L2 %.3e (tolerance %.0e)  %s\n",
        maxAbs, relL2, tol, ok ? "OK" : "FAILED");
  if (json)
    llvm::outs() << llvm::format(
        "{\"target\": \"%s\", \"dtype\": \"%s\", \"max_abs_err\": %.6e, "
        "\"rel_l2_err\": %.6e, \"total_blocks\": %lld, \"skipped_blocks\": "
        "%lld, "
        "\"sparsity\": %.6f, \"ref_skipped_blocks\": %lld, \"near_threshold\": "
        "%lld, \"v_loads\": %lld, \"v_loads_saved\": %lld, "
        "\"compile_ms\": %.3f, \"cache\": \"%s\", \"run_ms\": %.6f, "
        "\"gflops\": %.3f, "
        "\"dense_identical\": %s, \"ok\": %s}\n",
        onGPU ? "cuda" : "cpu", dtypeName(s.dtype), maxAbs, relL2,
        (long long)kTotal, (long long)kSkipped, sparsity, (long long)refSkipped,
        (long long)near, (long long)kVLoads, (long long)kVSaved, compileMs,
        cacheSource.c_str(), runMs, gflops,
        denseIdentical < 0 ? "null"
        : denseIdentical   ? "true"
                           : "false",
        ok ? "true" : "false");
  return ok ? 0 : 3;
}
