//===- CUDAJIT.h - in-process JIT of the Hopper pipeline ---------*- C++
//-*-===//
//
// Builds the memref-form attention for one spec, lowers it with the same
// skipattn-hopper-pipeline builder skipattn-opt registers, serialises the
// kernel to a cubin (ptxas from the CUDA toolkit) or, without ptxas, to PTX
// for the driver JIT, and caches the result in memory and on disk.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_RUNTIME_CUDA_CUDAJIT_H
#define SKIPATTN_RUNTIME_CUDA_CUDAJIT_H

#include "skipattn/Runtime/CUDA/Driver.h"
#include "skipattn/Runtime/Spec.h"

#include "llvm/Support/Error.h"

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace skipattn {

struct CUDACompileOptions {
  /// Target chip (sm_90a or sm_100a); empty: the current device's, or
  /// sm_90a without a device. Another chip than the device's cross-compiles
  /// (the kernel is built and cached, and refused at launch).
  std::string chip;
  /// CUDA toolkit root holding bin/ptxas; empty: $SKIPATTN_CUDA_TOOLKIT,
  /// $CUDA_HOME, $CUDA_PATH, /usr/local/cuda, then PATH.
  std::string toolkitPath;
  /// Disk cache; empty: $SKIPATTN_CACHE_DIR or ~/.cache/skipattn.
  std::string cacheDir;
  bool useCache = true;
  /// K/V ring depth; 0: the schedule's choice.
  int64_t stages = 0;
  /// Query rows per CTA (a multiple of 64) and keys per KV block; 0: the
  /// schedule's choice. The spec must carry the same tiles (hopperSpec).
  int64_t blockQ = 0, blockKV = 0;
  /// A load warpgroup issues the TMA loads (false: the math warps' first
  /// thread does, between blocks).
  bool warpSpecialize = true;
  /// The two math warpgroups take turns on the tensor cores (slower than
  /// without on the H200 today; kept as a schedule option).
  bool pingpong = false;
  /// CTAs splitting each tile's KV blocks; 0: the schedule's choice
  /// (split-KV for decode).
  int64_t kvSplits = 0;
  /// V loads wait for the skip votes: 1 on, 0 off, -1 the schedule's
  /// choice.
  int64_t gateV = -1;
  /// With gated V, the blocks voted ahead of P.V: 1 to 3, 0 off, -1 the
  /// schedule's.
  int64_t voteAhead = -1;
  /// Intra-warpgroup overlap of P.V with the next block's softmax: 1 on,
  /// 0 off, -1 the schedule's.
  int64_t overlap = -1;
  /// TMA-store epilogue: 1 on, 0 off, -1 the schedule's choice.
  int64_t tmaStore = -1;
  /// Tile order: (batch, head) pairs per longest-first group (0: each
  /// head's tiles in a row, the default; -1: groups sized to L2, causal
  /// prefill).
  int64_t headGroup = 0;
  /// CTAs resident per SM (1 or 2; 0: the schedule's choice).
  int64_t ctasPerSM = 0;
  /// Conditional rescale threshold in log2 units (0: always rescale).
  int64_t rescaleThreshold = 0;
  /// The device whose chip the kernel is built for when `chip` is empty.
  int device = 0;
  std::string dumpDir;
  bool passTiming = false;
};

/// The compiled kernel and the launch contract the lowering recorded.
struct CUDABinary {
  std::string image; // cubin, or PTX when isPtx
  bool isPtx = false;
  std::string kernel;
  std::array<int64_t, 3> grid{}, block{};
  int64_t smem = 0;
  std::vector<std::string> params;
  /// Q: columns, rows, heads (a GQA-packed tile spans heads); K/V: columns,
  /// rows.
  std::array<int64_t, 3> boxQ{};
  std::array<int64_t, 2> boxKV{};
  /// The output map's box (columns, rows, heads) of a kernel that stores
  /// its output by TMA (a `tma_out` parameter); zeros otherwise.
  std::array<int64_t, 3> boxOut{};
  /// Bytes of zeroed global memory the kernel takes as `workspace`
  /// (split-KV partial results and tile counters); 0: none.
  int64_t workspace = 0;
};

/// Forces the tiling the schedule selection picks for `options.chip` onto
/// `spec` (sm_90a: one warpgroup per 64 query rows, its KV block, the
/// warpgroup skip unit; sm_100a: 128-row warpgroups, 128-key blocks, the
/// warp skip unit), so that the float64 reference models exactly the
/// decisions the kernel takes.
AttentionSpec hopperSpec(AttentionSpec spec,
                         const CUDACompileOptions &options = {});

/// The chip kernels are built for: `options.chip`, else the device's, else
/// sm_90a (no GPU or driver).
std::string resolveChip(const CUDACompileOptions &options);

/// Empty when the views of `spec` suit the CUDA kernel: TMA reads q, k and
/// v with strides that are multiples of 8 elements (16 bytes), and the
/// output is stored in 32-bit column pairs (even strides); else the reason.
std::string checkCUDAStrides(const AttentionSpec &spec);

class CUDAKernel {
public:
  ~CUDAKernel();
  /// Compile-or-fetch: memory cache, then disk cache, then the pipeline.
  /// Works without a GPU (for the cache and for tests).
  static llvm::Expected<std::shared_ptr<CUDAKernel>>
  compile(const AttentionSpec &spec, const CUDACompileOptions &options = {});

  /// Launches on device buffers laid out [B, H, S, D]; `kvLens`, `factors`
  /// (spec.factorCount() f32), `lse` and `stats` must be given iff the spec
  /// has them (else 0). `stats` accumulates: zero it first. `workspace`:
  /// the split-KV workspace (binary().workspace zeroed bytes; 0: the
  /// kernel's own for `stream`). A paged spec takes its page caches as k
  /// and v and the [B, maxPages] i32 `pageTable` (device memory: its
  /// entries are the caller's contract, see skipattn.attention); a
  /// left-padded one the [B] i32 `qLens` (clamped into [0, qLen]).
  llvm::Error launch(cuda::CUdeviceptr q, cuda::CUdeviceptr k,
                     cuda::CUdeviceptr v, cuda::CUdeviceptr kvLens,
                     cuda::CUdeviceptr factors, cuda::CUdeviceptr out,
                     cuda::CUdeviceptr lse, cuda::CUdeviceptr stats,
                     cuda::CUstream stream, cuda::CUdeviceptr workspace = 0,
                     int device = 0, cuda::CUdeviceptr pageTable = 0,
                     cuda::CUdeviceptr qLens = 0) const;

  const AttentionSpec &spec() const { return spec_; }
  const CUDABinary &binary() const { return bin_; }
  double compileMs() const { return compileMs_; }
  /// "memory", "disk" or "compiled".
  const std::string &source() const { return source_; }
  const std::string &cacheKey() const { return key_; }
  /// Loads the module into device `device`'s primary context (launch does
  /// it on first use there). Done ahead of time, the first launch can be
  /// graph-captured.
  llvm::Error loadModule(int device = 0) const;

private:
  CUDAKernel() = default;
  AttentionSpec spec_;
  CUDABinary bin_;
  std::string key_, source_;
  /// The chip the binary is for (a launch checks the device's).
  std::string chip_;
  /// What it was compiled with, and (TMA-store epilogue) the same kernel
  /// storing its output from the threads, compiled on the first launch
  /// whose output TMA cannot store (not 16-byte aligned).
  CUDACompileOptions options_;
  mutable std::mutex twinMutex_;
  mutable std::shared_ptr<CUDAKernel> plainStoreTwin_;
  double compileMs_ = 0;
  mutable std::mutex loadMutex_; // first launches may race
  /// The module and function loaded into each device's context.
  struct Loaded {
    int device;
    cuda::CUmodule module;
    cuda::CUfunction function;
  };
  mutable std::vector<Loaded> loaded_;
  /// Split-KV workspaces, one per stream: launches on one stream are
  /// ordered, so each leaves its counters at zero for the next; launches on
  /// different streams never share one. Allocated on a stream's first
  /// launch and zeroed in stream order (a memset node when captured).
  mutable std::mutex workspaceMutex_;
  struct Workspace {
    int device;
    cuda::CUstream stream;
    cuda::CUdeviceptr ptr;
  };
  mutable std::vector<Workspace> workspaces_;
  /// The last launch's Q, K and V tensor maps: a map depends only on the
  /// base address (sizes, strides and boxes are the kernel's), so a launch
  /// on the same tensors (a layer's K/V cache, a benchmark, a graph
  /// replay's capture) skips encoding them again.
  mutable std::mutex mapsMutex_;
  // Q, K, V and (TMA-store epilogue) the output, each re-encoded only when
  // its base moves.
  mutable cuda::CUdeviceptr mapBases_[4] = {0, 0, 0, 0};
  mutable cuda::TensorMap maps_[4];
  llvm::Expected<cuda::CUdeviceptr> workspaceFor(cuda::CUstream stream,
                                                 int device) const;
};

} // namespace skipattn

#endif // SKIPATTN_RUNTIME_CUDA_CUDAJIT_H
