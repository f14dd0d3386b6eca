//===- skipattn.cpp - the skipattn C API ----------------------------------===//
//
// Thin, defensive layer between foreign callers and the runtime: every
// argument is checked before it reaches the JIT, every llvm::Error becomes a
// status plus a thread-local message, and no C++ type crosses the boundary.
//
//===----------------------------------------------------------------------===//

#include "skipattn-c/skipattn.h"

#include "skipattn/Runtime/CPU/CPUJIT.h"
#ifdef SKIPATTN_HAS_AIC_EXPORT
#include "skipattn/Runtime/AIC/AICLayerExport.h"
#endif
#include "skipattn/Runtime/CUDA/CUDAJIT.h"
#include "skipattn/Runtime/Spec.h"

#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

using skipattn::AttentionSpec;

namespace {

thread_local std::string lastError;

skipattn_status_t fail(skipattn_status_t status, const std::string &msg) {
  lastError = msg;
  return status;
}

skipattn_status_t fail(skipattn_status_t status, llvm::Error err,
                       const std::string &prefix = "") {
  return fail(status, prefix + llvm::toString(std::move(err)));
}

} // namespace

struct skipattn_kernel {
  skipattn_device_t device;
  int deviceIndex = 0; // CUDA: the GPU whose primary context it runs in
  AttentionSpec spec;
  std::unique_ptr<skipattn::CPUKernel> cpu;
  std::shared_ptr<skipattn::CUDAKernel> cuda;
  std::string key, source;
  double compileMs = 0;
  int verbosity = 0;
  // Bytes of the statistics buffer, zeroed before each CUDA launch.
  size_t statsBytes = 0;
};

struct skipattn_context {
  std::string cacheDir, toolkit, chip, dumpDir;
  bool useDiskCache = true, passTiming = false;
  int verbosity = 0;
  std::mutex mutex;
  // Spec key -> the kernel's handle (the kernel lives in the registry).
  std::map<std::string, skipattn_kernel_t> kernels;
};

namespace {

/// Live handles. A handle is an opaque token, never an address, and a
/// token is never reused: a destroyed (or never created) context or kernel
/// is reported as such instead of being dereferenced. Calls take shared
/// ownership while they run, so destroying a context while other threads
/// are inside it only invalidates the handles; the objects go away when
/// the last call using them returns.
class Registry {
public:
  template <typename T>
  using Map = std::unordered_map<uintptr_t, std::shared_ptr<T>>;

  uintptr_t add(std::shared_ptr<skipattn_context> c) {
    std::lock_guard<std::mutex> lock(mu);
    uintptr_t id = fresh();
    contexts.emplace(id, std::move(c));
    return id;
  }
  /// 0 when `owner` is no longer live (destroyed by another thread).
  uintptr_t add(std::shared_ptr<skipattn_kernel> k, uintptr_t owner) {
    std::lock_guard<std::mutex> lock(mu);
    if (!contexts.count(owner))
      return 0;
    uintptr_t id = fresh();
    kernels.emplace(id, std::move(k));
    owners.emplace(id, owner);
    return id;
  }
  std::shared_ptr<skipattn_context> context(uintptr_t id) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = contexts.find(id);
    return it == contexts.end() ? nullptr : it->second;
  }
  std::shared_ptr<skipattn_kernel> kernel(uintptr_t id) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = kernels.find(id);
    return it == kernels.end() ? nullptr : it->second;
  }
  /// Drops a context and every kernel it handed out; false if `id` was not
  /// a live context.
  bool remove(uintptr_t id) {
    std::shared_ptr<skipattn_context> dead;
    std::vector<std::shared_ptr<skipattn_kernel>> deadKernels;
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = contexts.find(id);
      if (it == contexts.end())
        return false;
      dead = std::move(it->second);
      contexts.erase(it);
      for (auto o = owners.begin(); o != owners.end();) {
        if (o->second == id) {
          deadKernels.push_back(std::move(kernels[o->first]));
          kernels.erase(o->first);
          o = owners.erase(o);
        } else {
          ++o;
        }
      }
    }
    // Destructors (module unloads) run outside the lock.
    return true;
  }

private:
  // Tokens are multiples of 16 starting far from null, so they never look
  // like a small integer a caller might pass by mistake.
  uintptr_t fresh() { return next += 16; }
  std::mutex mu;
  uintptr_t next = 0x5a770000;
  Map<skipattn_context> contexts;
  Map<skipattn_kernel> kernels;
  std::unordered_map<uintptr_t, uintptr_t> owners; // kernel -> context
};

/// Leaked on purpose: handles may still be used (and must still be
/// rejected cleanly) while static destructors run at exit.
Registry &registry() {
  static Registry *r = new Registry();
  return *r;
}

uintptr_t token(const void *handle) {
  return reinterpret_cast<uintptr_t>(handle);
}

std::shared_ptr<skipattn_context> liveContext(skipattn_context_t c) {
  return c ? registry().context(token(c)) : nullptr;
}
std::shared_ptr<skipattn_kernel> liveKernel(skipattn_kernel_t k) {
  return k ? registry().kernel(token(k)) : nullptr;
}

constexpr const char *kDeadContext =
    "not a live skipattn context (null, destroyed, or never created)";
constexpr const char *kDeadKernel =
    "not a live skipattn kernel (null, never created, or its context was "
    "destroyed)";

} // namespace

namespace {

/// Checks that `strides` (all zero: contiguous) describe the row-major
/// layout of `sizes`; size-1 dimensions may have any stride.
std::string checkContiguous(const char *what, const int64_t sizes[4],
                            const int64_t strides[4]) {
  if (!strides[0] && !strides[1] && !strides[2] && !strides[3])
    return "";
  int64_t expected = 1;
  for (int d = 3; d >= 0; --d) {
    if (sizes[d] > 1 && strides[d] != expected) {
      std::ostringstream os;
      os << what << " must be contiguous in [B, H, S, D] order: strides ["
         << strides[0] << ", " << strides[1] << ", " << strides[2] << ", "
         << strides[3] << "] (elements) for sizes [" << sizes[0] << ", "
         << sizes[1] << ", " << sizes[2] << ", " << sizes[3]
         << "]; make it contiguous first";
      return os.str();
    }
    expected *= sizes[d];
  }
  return "";
}

/// The integer a caller stored in an enum field. C callers may store any
/// int there, and loading a C++ enum outside its enumerators' range is
/// undefined behaviour, so the field is read as the integer it holds.
template <typename Enum> int64_t rawEnum(const Enum &field) {
  static_assert(sizeof(Enum) == sizeof(int32_t), "C enums are int-sized");
  int32_t v;
  std::memcpy(&v, &field, sizeof(v));
  return v;
}

/// The runtime spec of a descriptor, or a message saying what is wrong.
skipattn_status_t toSpec(const skipattn_attention_desc_t *d, AttentionSpec &s) {
  if (!d)
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT, "null attention descriptor");
  if (d->struct_size != sizeof(skipattn_attention_desc_t))
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                "skipattn_attention_desc_t size mismatch (" +
                    std::to_string(d->struct_size) + " vs " +
                    std::to_string(sizeof(skipattn_attention_desc_t)) +
                    "): header and library disagree; call "
                    "skipattn_attention_desc_init");
  const int64_t device = rawEnum(d->device), dtype = rawEnum(d->dtype),
                layout = rawEnum(d->factor_layout);
  if (device != SKIPATTN_DEVICE_CPU && device != SKIPATTN_DEVICE_CUDA)
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                "unknown device " + std::to_string(device));
  switch (dtype) {
  case SKIPATTN_DTYPE_F32:
    s.dtype = skipattn::DType::F32;
    break;
  case SKIPATTN_DTYPE_F16:
    s.dtype = skipattn::DType::F16;
    break;
  case SKIPATTN_DTYPE_BF16:
    s.dtype = skipattn::DType::BF16;
    break;
  default:
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT, "unknown dtype " +
                                                     std::to_string(dtype) +
                                                     " (f32, f16 or bf16)");
  }
  s.batch = d->batch;
  s.qHeads = d->q_heads;
  s.kvHeads = d->kv_heads;
  s.qLen = d->q_len;
  s.kvLen = d->kv_len;
  s.headDim = d->head_dim;
  s.valueDim = d->value_dim == d->head_dim ? 0 : d->value_dim;
  s.causal = d->causal != 0;
  s.scale = d->scale;
  s.minKeepBlocks = d->min_keep_blocks;
  s.withLse = d->with_lse != 0;
  if (d->with_stats < 0 || d->with_stats > 2)
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                "with_stats must be 0, 1 ([B, Hq, 2]) or 2 ([B, Hq, 4] with "
                "V loads), got " +
                    std::to_string(d->with_stats));
  s.withStats = d->with_stats != 0;
  s.withVLoads = d->with_stats == 2;
  s.pageSize = d->page_size;
  s.numPages = d->num_pages;
  if (!(d->threshold_scale_factor >= 0) ||
      !std::isfinite(d->threshold_scale_factor))
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                "the threshold scale factor must be finite and >= 0, got " +
                    std::to_string(d->threshold_scale_factor));
  s.thresholdScaleFactor = d->threshold_scale_factor;
  switch (layout) {
  case SKIPATTN_FACTOR_NONE:
    s.factorLayout = skipattn::FactorLayout::None;
    break;
  case SKIPATTN_FACTOR_SCALAR:
    s.factorLayout = skipattn::FactorLayout::Scalar;
    break;
  case SKIPATTN_FACTOR_PER_SEQUENCE:
    s.factorLayout = skipattn::FactorLayout::PerSequence;
    break;
  case SKIPATTN_FACTOR_PER_HEAD:
    s.factorLayout = skipattn::FactorLayout::PerHead;
    break;
  case SKIPATTN_FACTOR_PER_SEQUENCE_HEAD:
    s.factorLayout = skipattn::FactorLayout::PerSequenceHead;
    break;
  default:
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                "unknown factor layout " + std::to_string(layout));
  }
  if (s.runtimeFactors() && s.thresholdScaleFactor != 0)
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                "give either a scalar threshold_scale_factor or runtime skip "
                "factors, not both");
  // The ragged flag; the lengths themselves arrive with each launch.
  s.raggedLens = d->has_kv_lens != 0;
  s.leftPadded = d->has_q_lens != 0;
  s.valueInKey = d->value_in_key != 0;
  // Shapes and limits first (one definition, AttentionSpec::validate), so
  // that nothing below computes with sizes that overflow.
  if (std::string problem = s.validate(); !problem.empty())
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT, problem);
  const int64_t qSizes[4] = {s.batch, s.qHeads, s.qLen, s.headDim};
  const auto kShape = s.kvShape(s.headDim), vShape = s.kvShape(s.dv());
  const int64_t *kSizes = kShape.data(), *vSizes = vShape.data();
  const int64_t oSizes[4] = {s.batch, s.qHeads, s.qLen, s.dv()};
  // Contiguous tensors (the common case) share one kernel whatever strides
  // the caller spelled out; other views run without a copy: on the CPU
  // their strides are compiled into the kernel, on the GPU q, k and v are
  // read through TMA maps with their strides and the output's strides are
  // compiled in (checked by validate below).
  struct View {
    const char *name;
    const int64_t *sizes, *strides;
    std::vector<int64_t> *into;
  } views[] = {{"query", qSizes, d->q_strides, &s.qStrides},
               {"key", kSizes, d->k_strides, &s.kStrides},
               {"value", vSizes, d->v_strides, &s.vStrides},
               {"out", oSizes, d->out_strides, &s.outStrides}};
  for (const View &view : views) {
    std::string problem = checkContiguous(view.name, view.sizes, view.strides);
    if (problem.empty())
      continue;
    view.into->assign(view.strides, view.strides + 4);
  }
  // V inside K: V is K's memory seen with K's strides (narrower rows). The
  // value's strides are K's (contiguous K: its row-major strides); others
  // would read K's buffer through another view.
  if (s.valueInKey) {
    std::vector<int64_t> kStrides = s.kStrides;
    if (kStrides.empty())
      kStrides = {kSizes[1] * kSizes[2] * kSizes[3], kSizes[2] * kSizes[3],
                  kSizes[3], 1};
    bool vGiven = std::any_of(d->v_strides, d->v_strides + 4,
                              [](int64_t x) { return x != 0; });
    // Strides of unit dimensions are never used (a NumPy or torch view may
    // give them any value).
    bool same = d->v_strides[3] == 1;
    for (int i = 0; i < 3; ++i)
      same &= kSizes[i] == 1 || d->v_strides[i] == kStrides[i];
    if (vGiven && !same)
      return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                  "value_in_key: v_strides must be k's (V is the first "
                  "value_dim columns of K's rows), or all zero");
    s.vStrides = kStrides;
    if (s.dv() == s.headDim && s.kStrides.empty())
      s.vStrides.clear(); // the same contiguous view
  }
  if (device == SKIPATTN_DEVICE_CUDA)
    if (std::string problem = skipattn::checkCUDAStrides(s); !problem.empty())
      return fail(SKIPATTN_ERROR_INVALID_ARGUMENT, problem);

  if (device == SKIPATTN_DEVICE_CUDA) {
    if (d->device_index < 0 || d->device_index > 1023)
      return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                  "CUDA device index " + std::to_string(d->device_index) +
                      " is out of range");
    if (s.dtype == skipattn::DType::F32)
      return fail(SKIPATTN_ERROR_UNSUPPORTED,
                  "the CUDA target needs f16 or bf16 tensors (f32 attention "
                  "runs on the CPU target)");
    if (s.valueInKey) {
      // MLA: K rows up to 576 wide, V their first value_dim columns.
      if (s.headDim % 64 || s.headDim > 576 || s.dv() % 64 || s.dv() > 512)
        return fail(SKIPATTN_ERROR_UNSUPPORTED,
                    "the CUDA target with V inside K supports head_dim a "
                    "multiple of 64 up to 576 and value_dim a multiple of 64 "
                    "up to 512, not " +
                        std::to_string(s.headDim) + " and " +
                        std::to_string(s.dv()));
    } else {
      if (s.headDim != 64 && s.headDim != 128 && s.headDim != 256)
        return fail(SKIPATTN_ERROR_UNSUPPORTED,
                    "the CUDA target supports head_dim 64, 128 and 256 (up "
                    "to 576 with V inside K), not " +
                        std::to_string(s.headDim));
      if (s.dv() != s.headDim)
        return fail(SKIPATTN_ERROR_UNSUPPORTED,
                    "the CUDA target needs value_dim == head_dim, or V "
                    "inside K (value_in_key)");
    }
    // The chip (and the tiling that follows from it) is the tensors'
    // device's, never another device's.
    skipattn::CUDACompileOptions o;
    o.device = static_cast<int>(d->device_index);
    skipattn::cuda::ContextGuard keepCurrent;
    s = skipattn::hopperSpec(s, o);
  } else {
    s = skipattn::cpuSpec(s);
  }
  if (std::string problem = s.validate(); !problem.empty())
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT, problem);
  return SKIPATTN_OK;
}

/// Errors of the CUDA layer name a cu* call or the driver; the rest of a
/// failed compile is the pipeline's.
skipattn_status_t classifyCompileError(llvm::Error err) {
  std::string msg = llvm::toString(std::move(err));
  bool cuda = msg.find("CUDA") != std::string::npos ||
              msg.find("cuda") != std::string::npos;
  return fail(cuda ? SKIPATTN_ERROR_CUDA : SKIPATTN_ERROR_COMPILE, msg);
}

} // namespace

extern "C" {

const char *skipattn_version(void) { return SKIPATTN_VERSION; }

const char *skipattn_last_error(void) { return lastError.c_str(); }

const char *skipattn_status_string(skipattn_status_t s) {
  switch (s) {
  case SKIPATTN_OK:
    return "ok";
  case SKIPATTN_ERROR_INVALID_ARGUMENT:
    return "invalid argument";
  case SKIPATTN_ERROR_UNSUPPORTED:
    return "unsupported";
  case SKIPATTN_ERROR_COMPILE:
    return "compile error";
  case SKIPATTN_ERROR_CUDA:
    return "CUDA error";
  case SKIPATTN_ERROR_INTERNAL:
    return "internal error";
  }
  return "unknown status";
}

void skipattn_context_options_init(skipattn_context_options_t *o) {
  if (!o)
    return;
  std::memset(o, 0, sizeof(*o));
  o->struct_size = sizeof(*o);
  o->use_disk_cache = 1;
}

skipattn_status_t
skipattn_context_create(const skipattn_context_options_t *options,
                        skipattn_context_t *context) {
  if (!context)
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT, "null context output");
  *context = nullptr;
  skipattn_context_options_t defaults;
  skipattn_context_options_init(&defaults);
  const skipattn_context_options_t *o = options ? options : &defaults;
  if (o->struct_size != sizeof(skipattn_context_options_t))
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                "skipattn_context_options_t size mismatch: header and "
                "library disagree; call skipattn_context_options_init");
  auto ctx = std::make_unique<skipattn_context>();
  ctx->cacheDir = o->cache_dir ? o->cache_dir : "";
  ctx->toolkit = o->cuda_toolkit ? o->cuda_toolkit : "";
  ctx->chip = o->chip ? o->chip : "";
  ctx->dumpDir = o->dump_ir_dir ? o->dump_ir_dir : "";
  ctx->useDiskCache = o->use_disk_cache != 0;
  ctx->passTiming = o->pass_timing != 0;
  ctx->verbosity = o->verbosity;
  *context = reinterpret_cast<skipattn_context_t>(
      registry().add(std::shared_ptr<skipattn_context>(std::move(ctx))));
  lastError.clear();
  return SKIPATTN_OK;
}

skipattn_status_t skipattn_context_destroy(skipattn_context_t context) {
  if (!context)
    return SKIPATTN_OK; // like free(NULL)
  // Kernels released with the context unload their modules in their
  // devices' contexts.
  skipattn::cuda::ContextGuard keepCurrent(/*loadDriver=*/false);
  if (!registry().remove(token(context)))
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                std::string("skipattn_context_destroy: ") + kDeadContext);
  return SKIPATTN_OK;
}

void skipattn_attention_desc_init(skipattn_attention_desc_t *d) {
  if (!d)
    return;
  std::memset(d, 0, sizeof(*d));
  d->struct_size = sizeof(*d);
  d->device = SKIPATTN_DEVICE_CPU;
  d->dtype = SKIPATTN_DTYPE_F32;
  d->batch = d->q_heads = d->kv_heads = d->q_len = d->kv_len = 1;
  d->head_dim = 64;
  d->min_keep_blocks = 1;
}

void skipattn_attention_args_init(skipattn_attention_args_t *a) {
  if (!a)
    return;
  std::memset(a, 0, sizeof(*a));
  a->struct_size = sizeof(*a);
}

skipattn_status_t
skipattn_attention_desc_check(const skipattn_attention_desc_t *desc) {
  AttentionSpec spec;
  return toSpec(desc, spec);
}

skipattn_status_t skipattn_kernel_get(skipattn_context_t contextHandle,
                                      const skipattn_attention_desc_t *desc,
                                      skipattn_kernel_t *kernel) {
  if (!kernel)
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT, "null kernel output");
  *kernel = nullptr;
  std::shared_ptr<skipattn_context> context = liveContext(contextHandle);
  if (!context)
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                std::string("skipattn_kernel_get: ") + kDeadContext);
  // A CUDA kernel is compiled and loaded in its device's context; the
  // caller's current context is left as it was.
  std::optional<skipattn::cuda::ContextGuard> keepCurrent;
  if (desc && desc->device == SKIPATTN_DEVICE_CUDA)
    keepCurrent.emplace();
  AttentionSpec spec;
  if (skipattn_status_t st = toSpec(desc, spec))
    return st;
  // A context built for another chip than the device's (cross-compiling)
  // gets that chip's tiling, which its reference and cache key follow.
  if (desc->device == SKIPATTN_DEVICE_CUDA && !context->chip.empty()) {
    skipattn::CUDACompileOptions tiles;
    tiles.chip = context->chip;
    spec = skipattn::hopperSpec(spec, tiles);
  }
  // A CUDA kernel runs in one device's context: one handle per device.
  std::string key = (desc->device == SKIPATTN_DEVICE_CUDA
                         ? "cuda" + std::to_string(desc->device_index) + ":"
                         : std::string("cpu:")) +
                    spec.key();
  std::lock_guard<std::mutex> lock(context->mutex);
  auto it = context->kernels.find(key);
  if (it != context->kernels.end()) {
    *kernel = it->second;
    return SKIPATTN_OK;
  }
  auto k = std::make_shared<skipattn_kernel>();
  k->device = desc->device;
  k->deviceIndex =
      desc->device == SKIPATTN_DEVICE_CUDA ? desc->device_index : 0;
  k->spec = spec;
  k->key = spec.key();
  k->verbosity = context->verbosity;
  k->statsBytes = spec.batch * spec.qHeads * spec.statsColumns() * 8;
  if (desc->device == SKIPATTN_DEVICE_CPU) {
    skipattn::CPUCompileOptions o;
    o.dumpDir = context->dumpDir;
    o.passTiming = context->passTiming;
    o.cacheDir = context->cacheDir;
    o.useCache = context->useDiskCache;
    auto cpu = skipattn::CPUKernel::compile(spec, o);
    if (!cpu) {
#ifdef SKIPATTN_HAS_CPU_JIT
      return fail(SKIPATTN_ERROR_COMPILE, cpu.takeError());
#else
      return fail(SKIPATTN_ERROR_UNSUPPORTED, cpu.takeError());
#endif
    }
    k->cpu = std::move(*cpu);
    k->compileMs = k->cpu->compileMs();
    k->source = k->cpu->source();
  } else {
    skipattn::CUDACompileOptions o;
    o.chip = context->chip;
    o.toolkitPath = context->toolkit;
    o.cacheDir = context->cacheDir;
    o.useCache = context->useDiskCache;
    o.dumpDir = context->dumpDir;
    o.passTiming = context->passTiming;
    o.device = k->deviceIndex;
    auto cuda = skipattn::CUDAKernel::compile(spec, o);
    if (!cuda)
      return classifyCompileError(cuda.takeError());
    k->cuda = *cuda;
    k->compileMs = k->cuda->compileMs();
    k->source = k->cuda->source();
    // Load now, so that a first launch inside a graph capture only
    // launches. Without a driver this fails; launching reports it then.
    if (llvm::Error e = k->cuda->loadModule(k->deviceIndex))
      llvm::consumeError(std::move(e));
  }
  if (context->verbosity >= 1)
    llvm::errs() << "skipattn: " << k->source << " "
                 << (k->device == SKIPATTN_DEVICE_CUDA ? "cuda" : "cpu")
                 << " kernel " << k->key << " in "
                 << llvm::format("%.1f", k->compileMs) << " ms\n";
  // Registered only while the context is live, so a context destroyed
  // by another thread during the compile leaves no orphan behind.
  uintptr_t id = registry().add(std::move(k), token(contextHandle));
  if (!id)
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                std::string("skipattn_kernel_get: ") + kDeadContext);
  *kernel = reinterpret_cast<skipattn_kernel_t>(id);
  context->kernels.emplace(key, *kernel);
  return SKIPATTN_OK;
}

skipattn_status_t skipattn_kernel_get_info(skipattn_kernel_t handle,
                                           skipattn_kernel_info_t *info) {
  if (!info)
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT, "null kernel info");
  std::shared_ptr<skipattn_kernel> kernel = liveKernel(handle);
  if (!kernel)
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                std::string("skipattn_kernel_get_info: ") + kDeadKernel);
  if (info->struct_size != sizeof(skipattn_kernel_info_t))
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                "skipattn_kernel_info_t size mismatch: set struct_size");
  const AttentionSpec &s = kernel->spec;
  info->cache_key = kernel->key.c_str();
  info->source = kernel->source.c_str();
  info->compile_ms = kernel->compileMs;
  info->block_q = s.tileBlockQ();
  info->block_kv = s.blockKV;
  info->heads_per_tile = s.tileHeads();
  info->skip_unit = s.tileUnit();
  info->kv_splits = s.tileSplits();
  info->workspace_bytes =
      kernel->cuda ? static_cast<uint64_t>(kernel->cuda->binary().workspace)
                   : 0;
  return SKIPATTN_OK;
}

skipattn_status_t skipattn_kernel_launch(skipattn_kernel_t handle,
                                         const skipattn_attention_args_t *a) {
  if (!a)
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT, "null launch arguments");
  std::shared_ptr<skipattn_kernel> kernel = liveKernel(handle);
  if (!kernel)
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                std::string("skipattn_kernel_launch: ") + kDeadKernel);
  if (a->struct_size != sizeof(skipattn_attention_args_t))
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                "skipattn_attention_args_t size mismatch: call "
                "skipattn_attention_args_init");
  const AttentionSpec &s = kernel->spec;
  if (!a->q || !a->k || !a->v || !a->out)
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                "q, k, v and out must not be null");
  auto mismatch = [](const char *what, bool wanted) {
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                std::string(what) +
                    (wanted ? " is required by this kernel's descriptor"
                            : " was given but the descriptor does not ask "
                              "for it"));
  };
  if (s.ragged() != (a->kv_lens != nullptr))
    return mismatch("kv_lens", s.ragged());
  if (s.runtimeFactors() != (a->skip_factors != nullptr))
    return mismatch("skip_factors", s.runtimeFactors());
  if (s.withLse != (a->lse != nullptr))
    return mismatch("lse", s.withLse);
  if (s.withStats != (a->stats != nullptr))
    return mismatch("stats", s.withStats);
  if (s.paged() != (a->page_table != nullptr))
    return mismatch("page_table", s.paged());
  if (s.queryLens() != (a->q_lens != nullptr))
    return mismatch("q_lens", s.queryLens());
  // A kernel reading V inside K never reads args.v: it must be K.
  if (s.valueInKey && a->v != a->k)
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                "value_in_key: v must be the same pointer as k (V is the "
                "first value_dim columns of K's rows)");
  if (kernel->verbosity >= 2)
    llvm::errs() << "skipattn: launch " << kernel->key << "\n";

  if (kernel->device == SKIPATTN_DEVICE_CPU) {
    // Host values are checked; device values cannot be without a host
    // synchronisation (see skipattn.h for what the GPU kernel does).
    std::string bad = s.checkLaunchValues(a->kv_lens, a->skip_factors,
                                          a->page_table, a->q_lens);
    if (!bad.empty())
      return fail(SKIPATTN_ERROR_INVALID_ARGUMENT, bad);
    if (llvm::Error e = kernel->cpu->run(a->q, a->k, a->v, a->kv_lens,
                                         a->skip_factors, a->out, a->lse,
                                         a->stats, a->page_table, a->q_lens))
      return fail(SKIPATTN_ERROR_INTERNAL, std::move(e), "CPU kernel: ");
    return SKIPATTN_OK;
  }
  auto ptr = [](const void *p) {
    return static_cast<skipattn::cuda::CUdeviceptr>(
        reinterpret_cast<uintptr_t>(p));
  };
  auto stream = static_cast<skipattn::cuda::CUstream>(a->stream);
  skipattn::cuda::ContextGuard keepCurrent;
  if (a->stats) {
    auto d = skipattn::cuda::Driver::get(kernel->deviceIndex);
    if (!d)
      return fail(SKIPATTN_ERROR_CUDA, d.takeError());
    // The counters accumulate atomically: start them at zero, in order.
    if (llvm::Error e =
            d->fillAsync(ptr(a->stats), 0, kernel->statsBytes, stream))
      return fail(SKIPATTN_ERROR_CUDA, std::move(e));
  }
  uint64_t needed = kernel->cuda->binary().workspace;
  if (a->workspace && a->workspace_bytes < needed)
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                "the workspace has " + std::to_string(a->workspace_bytes) +
                    " bytes; this kernel needs " + std::to_string(needed));
  if (llvm::Error e = kernel->cuda->launch(
          ptr(a->q), ptr(a->k), ptr(a->v), ptr(a->kv_lens),
          ptr(a->skip_factors), ptr(a->out), ptr(a->lse), ptr(a->stats), stream,
          needed ? ptr(a->workspace) : 0, kernel->deviceIndex,
          ptr(a->page_table), ptr(a->q_lens)))
    return fail(SKIPATTN_ERROR_CUDA, std::move(e));
  return SKIPATTN_OK;
}

skipattn_status_t skipattn_attention(skipattn_context_t context,
                                     const skipattn_attention_desc_t *desc,
                                     const skipattn_attention_args_t *args) {
  skipattn_kernel_t kernel = nullptr;
  if (skipattn_status_t st = skipattn_kernel_get(context, desc, &kernel))
    return st;
  return skipattn_kernel_launch(kernel, args);
}

void skipattn_aic_layer_desc_init(skipattn_aic_layer_desc_t *d) {
  if (!d)
    return;
  std::memset(d, 0, sizeof(*d));
  d->struct_size = sizeof(*d);
  d->dtype = SKIPATTN_DTYPE_F16;
  d->batch = d->q_heads = d->kv_heads = d->prefill_seq_len = d->ctx_len = 1;
  d->head_dim = 64;
  d->causal = 1;
  d->num_kv_blocks = 4;
  d->min_keep_blocks = 1;
  d->cache_write = 1;
}

skipattn_status_t skipattn_aic_export_layer(const skipattn_aic_layer_desc_t *d,
                                            const char *outDir) {
  if (!d || !outDir || !*outDir)
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                "null layer descriptor or empty output directory");
  if (d->struct_size != sizeof(skipattn_aic_layer_desc_t))
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                "skipattn_aic_layer_desc_t size mismatch: call "
                "skipattn_aic_layer_desc_init");
#ifdef SKIPATTN_HAS_AIC_EXPORT
  skipattn::AICLayerSpec s;
  int64_t dtype = rawEnum(d->dtype);
  if (dtype == SKIPATTN_DTYPE_F16)
    s.dtype = skipattn::DType::F16;
  else if (dtype == SKIPATTN_DTYPE_F32)
    s.dtype = skipattn::DType::F32;
  else
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                "the AI 100 layer takes f16 or f32 (compiled with "
                "-convert-to-fp16), got dtype " +
                    std::to_string(dtype));
  s.batch = d->batch;
  s.qHeads = d->q_heads;
  s.kvHeads = d->kv_heads;
  s.headDim = d->head_dim;
  s.valueDim = d->value_dim == d->head_dim ? 0 : d->value_dim;
  s.prefillSeqLen = d->prefill_seq_len;
  s.ctxLen = d->ctx_len;
  s.causal = d->causal != 0;
  s.scale = d->scale;
  s.numKVBlocks = d->num_kv_blocks;
  s.prefillFactor = d->prefill_factor;
  s.decodeFactor = d->decode_factor;
  s.minKeepBlocks = d->min_keep_blocks;
  s.cacheWrite = d->cache_write != 0;
  s.withLse = d->with_lse != 0;
  if (d->with_stats < 0 || d->with_stats > 1)
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT,
                "the AIC layer's with_stats must be 0 or 1 (its statistics "
                "count decisions and skips), got " +
                    std::to_string(d->with_stats));
  s.withStats = d->with_stats != 0;
  s.textFormat = d->text_format != 0;
  if (std::string problem = s.validate(); !problem.empty())
    return fail(SKIPATTN_ERROR_INVALID_ARGUMENT, problem);
  if (llvm::Error e = skipattn::exportAICLayer(s, outDir))
    return fail(SKIPATTN_ERROR_COMPILE, std::move(e));
  lastError.clear();
  return SKIPATTN_OK;
#else
  return fail(SKIPATTN_ERROR_UNSUPPORTED,
              "this libskipattn_c was built without the ONNX export "
              "(SKIPATTN_ENABLE_AIC=OFF)");
#endif
}

} // extern "C"
