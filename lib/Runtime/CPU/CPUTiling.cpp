//===- CPUTiling.cpp - the CPU target's default tiling --------------------===//
//
// Kept apart from the JIT so that builds without the CPU JIT (the
// self-contained GPU build) still agree with it on what a CPU kernel is.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Runtime/CPU/CPUJIT.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <thread>

namespace skipattn {
/// Threads the kernels' parallel loops run on: OpenMP's default, or
/// OMP_NUM_THREADS when set.
static int64_t cpuThreads() {
  if (const char *env = std::getenv("OMP_NUM_THREADS")) {
    char *end = nullptr;
    long n = std::strtol(env, &end, 10);
    if (end != env && n > 0)
      return n;
  }
  return std::max<int64_t>(1, std::thread::hardware_concurrency());
}

bool hostHasBF16Dot() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  return features.lookup("avx512bf16") && features.lookup("avx512f");
}

bool bf16ProductsFit(const AttentionSpec &spec) {
  return spec.dtype == DType::BF16 && spec.headDim % 2 == 0 &&
         spec.blockKV % 16 == 0 && hostHasBF16Dot();
}

int64_t cpuTileStackBytes(const AttentionSpec &s) {
  // Mirrors skipattn-tile's per-tile buffers (Q tile, scores, m, l,
  // accumulator) plus the CPU lowering's transposed K block, all f32.
  double rows = double(s.tileBlockQ()) * s.tileHeads();
  double bytes = 4.0 * (rows * (double(s.headDim) + s.blockKV + 2 + s.dv()) +
                        double(s.headDim) * s.blockKV);
  return bytes >= 9e18 ? INT64_MAX : static_cast<int64_t>(bytes);
}

AttentionSpec cpuSpec(AttentionSpec spec) {
  spec.blockQ = 64;
  spec.blockKV = 64;
  // Decode and short queries: the query heads of a KV head fill one tile,
  // so each K/V block is read once for all of them.
  spec.packGQA = spec.qHeads % spec.kvHeads == 0 &&
                 spec.qHeads / spec.kvHeads > 1 && spec.qLen < spec.blockQ;
  // A tile's scratch lives on its worker's stack: very large GQA groups are
  // not packed, and very wide heads get shorter tiles (down to one row and
  // one key), so no spec that validates can overflow a stack at launch.
  if (spec.packGQA && cpuTileStackBytes(spec) > kCPUTileStackBytes)
    spec.packGQA = false;
  while (cpuTileStackBytes(spec) > kCPUTileStackBytes &&
         (spec.blockQ > 1 || spec.blockKV > 1)) {
    if (spec.blockKV >= spec.blockQ && spec.blockKV > 1)
      spec.blockKV /= 2;
    else
      spec.blockQ /= 2;
  }
  // One decision per tile, or per head when factors differ per head.
  spec.skipUnit = spec.packGQA && spec.runtimeFactors() ? spec.tileBlockQ() : 0;
  // Fewer tiles than threads (decode of a few sequences and KV heads):
  // split each tile's KV blocks so every thread has some, at least four
  // blocks a split (kernel_info reports the count; each split keeps its
  // own running max, so it is part of the decisions).
  int64_t tiles = spec.batch * (spec.qHeads / spec.tileHeads()) *
                  ((spec.qLen + spec.tileBlockQ() - 1) / spec.tileBlockQ());
  int64_t blocks = (spec.kvLen + spec.blockKV - 1) / spec.blockKV;
  int64_t threads = cpuThreads();
  spec.kvSplits = 1;
  if (tiles < threads && blocks >= 8)
    spec.kvSplits = std::max<int64_t>(
        1, std::min((threads + tiles - 1) / tiles, blocks / 4));
  // bf16 inputs on a host with AVX-512 BF16: Q.K^T on its dot-product
  // instructions (pairs of the head dimension, 16 keys a vector).
  spec.bf16Products = bf16ProductsFit(spec);
  return spec;
}
} // namespace skipattn
