//===- Spec.h - one attention call, as the runtime sees it -------*- C++
//-*-===//
//
// The shapes and options of one attention call plus the tiling used to run
// it. Shared by the JIT, the reference model and the tools so that all of
// them agree on what is computed and at which granularity.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_RUNTIME_SPEC_H
#define SKIPATTN_RUNTIME_SPEC_H

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace skipattn {

enum class DType { F32, F16, BF16 };

/// Where a runtime threshold scale factor comes from: none (the factor is
/// the compile-time `thresholdScaleFactor`), one scalar in device/host
/// memory, one per sequence, one per query head, or one per both. All are a
/// `[B, Hq]` f32 view with zero strides where it broadcasts, so one kernel
/// serves every factor value (and CUDA graphs can replay with new ones).
enum class FactorLayout { None, Scalar, PerSequence, PerHead, PerSequenceHead };

const char *factorLayoutName(FactorLayout l);

const char *dtypeName(DType t);
/// Bytes per element.
int64_t dtypeSize(DType t);

/// Limits every spec is validated against (CLI, C API and Python alike).
/// Head dimensions beyond any model in use would only turn into huge vector
/// types and stack frames; lengths and head counts must fit the i32 lengths
/// and positions the kernels compute with; a tensor's byte size must fit
/// in int64 with room for the index arithmetic on it.
inline constexpr int64_t kMaxHeadDim = 4096;
inline constexpr int64_t kMaxDimSize = INT32_MAX;
inline constexpr int64_t kMaxTensorBytes = int64_t(1) << 47;

struct AttentionSpec {
  int64_t batch = 1, qHeads = 1, kvHeads = 1, qLen = 1, kvLen = 1;
  int64_t headDim = 64, valueDim = 0; // valueDim 0: same as headDim
  DType dtype = DType::F32;
  std::vector<int32_t> kvLens; // empty: every sequence has kvLen keys
  // Ragged without the lengths known yet (they arrive with each launch,
  // as in the C API); kvLens, when given, implies it.
  bool raggedLens = false;
  // Left-padded queries: sequence b's real rows are the last qLens[b] of
  // its qLen (the rows before see nothing). The same for leftPadded
  // without the values known yet (they arrive with each launch).
  std::vector<int32_t> qLens;
  bool leftPadded = false;
  bool causal = false;
  double scale = 0.0;                // 0: 1/sqrt(headDim)
  double thresholdScaleFactor = 0.0; // 0: dense
  FactorLayout factorLayout = FactorLayout::None;
  int64_t minKeepBlocks = 1;
  bool withLse = false, withStats = false;
  // The statistics also count V block loads: [B, Hq, 4] = (decisions,
  // skipped, V loads, V loads saved) instead of [B, Hq, 2].
  bool withVLoads = false;
  // Which V loads a skip saves, for the reference's V columns: each unit
  // reads V itself (the CPU), the tile loads every block's V once for all
  // its units (GPU schedules that load V before the votes, and V inside K),
  // or the tile's V load waits for its units' votes and is left out when
  // all of them skip (gated V).
  enum class VLoads { PerUnit, PerTile, PerTileGated };
  VLoads vLoads = VLoads::PerUnit;
  // Tiling (recorded in the IR by skipattn-tile / insert-skip-predicates).
  int64_t blockQ = 64, blockKV = 64, skipUnit = 0;
  bool packGQA = false;
  int64_t packHeads = 0;      // heads per packed tile (0: the whole group)
  bool padQueryTiles = false; // tiles keep blockQ rows even when qLen < blockQ
  int64_t kvSplits = 1;       // split-KV: ranges of KV blocks per tile
  // Paged KV cache (pageSize > 0): key and value are caches of numPages
  // pages, [numPages, Hkv, pageSize, D] in that index order (kStrides and
  // vStrides too; a [pages, page_size, Hkv, D] cache is the same view with
  // other strides), and a page table [B, kvLen / pageSize] (i32) of each
  // sequence's pages is an operand. kvLen is then the logical length, a
  // multiple of pageSize.
  int64_t pageSize = 0, numPages = 0;
  // CPU: Q.K^T of bf16 inputs multiplies bf16 pairs on the host's AVX-512
  // BF16 dot-product instructions (the query packed unscaled); chosen by
  // cpuSpec where the host has them.
  bool bf16Products = false;
  // V is the first dv() columns of K's rows (MLA's latent cache): the
  // value operand is K's memory with K's strides; GPU kernels load each
  // block once for both products.
  bool valueInKey = false;
  // Element strides of q, k, v and out in [B, H, S, D] order; empty:
  // contiguous. Views such as [B, S, H, D] tensors seen as [B, H, S, D]
  // (what transformers and flash-attn produce) run without a copy; the
  // head dimension must have unit stride. CPU target only.
  std::vector<int64_t> qStrides, kStrides, vStrides, outStrides;

  int64_t dv() const { return valueDim ? valueDim : headDim; }
  /// Columns of the statistics: 0 (none), 2 or 4 (with V loads).
  int64_t statsColumns() const { return withStats ? (withVLoads ? 4 : 2) : 0; }
  bool paged() const { return pageSize > 0; }
  /// Page-table columns: pages per sequence (0 when not paged).
  int64_t maxPages() const { return paged() ? kvLen / pageSize : 0; }
  /// Shape of the key (d = headDim) or value (d = dv()) operand:
  /// [B, Hkv, kvLen, d], or [numPages, Hkv, pageSize, d] when paged.
  std::array<int64_t, 4> kvShape(int64_t d) const;
  /// Per-sequence lengths are an operand of the kernel.
  bool ragged() const { return raggedLens || !kvLens.empty(); }
  /// Per-sequence query row counts are an operand of the kernel.
  bool queryLens() const { return leftPadded || !qLens.empty(); }
  /// Real query rows of sequence b, clamped into [0, qLen].
  int64_t queryRows(int64_t b) const;
  /// Any tensor given with explicit (non-contiguous) strides.
  bool strided() const {
    return !qStrides.empty() || !kStrides.empty() || !vStrides.empty() ||
           !outStrides.empty();
  }
  bool runtimeFactors() const { return factorLayout != FactorLayout::None; }
  bool skipping() const {
    return runtimeFactors() || thresholdScaleFactor > 0.0;
  }
  /// Element strides of the [B, Hq] factor view for `factorLayout`.
  int64_t factorStrideB() const;
  int64_t factorStrideH() const;
  /// Number of f32 values the factor buffer holds.
  int64_t factorCount() const;
  double effectiveScale() const;
  /// Actual KV length of sequence b, clamped into [0, kvLen].
  int64_t seqLen(int64_t b) const;
  /// Empty when valid, else a message naming the first problem.
  std::string validate() const;
  /// Empty when the run-time values of one launch are valid, else a
  /// message: every length in [0, kvLen], every runtime factor finite (one
  /// <= 0 is dense for that sequence/head). Host memory only; kernels
  /// reading device memory cannot check without a host synchronisation and
  /// instead clamp lengths into [0, kvLen] and run factors that are not > 0
  /// (NaN included) dense.
  /// With a host page table, the entries of every page a sequence reads
  /// (those below its length) must lie in [0, numPages).
  std::string checkLaunchValues(const int32_t *kvLens, const float *factors,
                                const int32_t *pageTable = nullptr,
                                const int32_t *qLens = nullptr) const;
  /// A stable text form; the JIT cache key.
  std::string key() const;
  /// Resolved tiling: query positions per tile, heads per tile, unit rows.
  int64_t tileBlockQ() const;
  int64_t tileHeads() const;
  int64_t tileUnit() const;
  /// Split-KV ranges per tile (kvSplits, at most one per KV block).
  int64_t tileSplits() const;
  /// Number of (query, key) pairs that are visible (for FLOP counts).
  double visiblePairs() const;
};

/// Round-to-nearest-even conversions used for f16/bf16 buffers.
uint16_t floatToHalf(float f);
float halfToFloat(uint16_t h);
uint16_t floatToBF16(float f);
float bf16ToFloat(uint16_t h);

} // namespace skipattn

#endif // SKIPATTN_RUNTIME_SPEC_H
