//===- CPUJIT.h - in-process JIT of the CPU pipeline -------------*- C++
//-*-===//
//
// Builds the memref-form skipattn.attention for one AttentionSpec, lowers it
// with the same skipattn-cpu-pipeline builder skipattn-opt registers, and
// JIT-compiles the result with the MLIR ExecutionEngine for the host CPU.
// The object code is kept in the disk kernel cache, keyed by the lowered
// module itself (so a compiler change never reuses stale code), the host
// CPU and its features: a later process links the cached object instead of
// running LLVM's optimizer and code generator again.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_RUNTIME_CPU_CPUJIT_H
#define SKIPATTN_RUNTIME_CPU_CPUJIT_H

#include "skipattn/Runtime/Spec.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace skipattn {

struct CPUCompileOptions {
  /// When set, the IR after every pass is written below this directory.
  std::string dumpDir;
  /// Print per-pass timing to stderr.
  bool passTiming = false;
  /// Disk cache of object code; empty: $SKIPATTN_CACHE_DIR or
  /// ~/.cache/skipattn.
  std::string cacheDir;
  bool useCache = true;
};

/// The CPU tiling for `spec`: 64-row query tiles and 64-key blocks, GQA
/// heads packed into one tile when the query is shorter than a tile
/// (decode), one skip decision per tile, or per head with runtime factors.
AttentionSpec cpuSpec(AttentionSpec spec);
/// The host has AVX-512 BF16 dot products (vdpbf16ps).
bool hostHasBF16Dot();
/// `spec`'s Q.K^T can run on them: bf16 inputs, pairs of the head
/// dimension, KV blocks of whole 16-key vectors, and a host that has them.
bool bf16ProductsFit(const AttentionSpec &spec);

/// Scratch a CPU tile may keep on its thread's stack (query tile, scores,
/// row state, accumulator and one transposed K block); cpuSpec shrinks
/// tiles to stay below it, since OpenMP workers have small stacks.
inline constexpr int64_t kCPUTileStackBytes = int64_t(1) << 20;
/// Bytes of stack scratch one CPU tile of `spec`'s tiling uses (saturated:
/// also asked of specs not yet validated, whose sizes may overflow).
int64_t cpuTileStackBytes(const AttentionSpec &spec);

class CPUKernel {
public:
  ~CPUKernel();
  /// Compiles `spec` (which must validate) for the host CPU.
  static llvm::Expected<std::unique_ptr<CPUKernel>>
  compile(const AttentionSpec &spec, const CPUCompileOptions &options = {});

  /// Runs on host buffers laid out [B, H, S, D] row-major in the spec's
  /// element type. `kvLens` is needed iff the spec is ragged, `factors`
  /// (spec.factorCount() floats) iff it has runtime factors, `lse` and
  /// `stats` iff the spec asks for them, `pageTable` ([B, maxPages] i32)
  /// iff it is paged (k and v are then its page caches), `qLens` ([B]
  /// i32) iff its queries are left-padded.
  llvm::Error run(const void *q, const void *k, const void *v,
                  const int32_t *kvLens, const float *factors, void *out,
                  float *lse, int64_t *stats,
                  const int32_t *pageTable = nullptr,
                  const int32_t *qLens = nullptr) const;

  const AttentionSpec &spec() const { return spec_; }
  /// The MLIR module handed to the pipeline (for reports and dumps).
  const std::string &inputIR() const { return inputIR_; }
  double compileMs() const { return compileMs_; }
  /// Where the object code came from: "compiled" or "disk".
  const std::string &source() const { return source_; }

private:
  struct Impl;
  CPUKernel() = default;
  AttentionSpec spec_;
  std::string inputIR_;
  double compileMs_ = 0;
  std::string source_ = "compiled";
  std::unique_ptr<Impl> impl_;
};

} // namespace skipattn

#endif // SKIPATTN_RUNTIME_CPU_CPUJIT_H
