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

struct AttentionSpec {
  int64_t batch = 1, qHeads = 1, kvHeads = 1, qLen = 1, kvLen = 1;
  int64_t headDim = 64, valueDim = 0; // valueDim 0: same as headDim
  DType dtype = DType::F32;
  std::vector<int32_t> kvLens; // empty: every sequence has kvLen keys
  bool causal = false;
  double scale = 0.0;                // 0: 1/sqrt(headDim)
  double thresholdScaleFactor = 0.0; // 0: dense
  FactorLayout factorLayout = FactorLayout::None;
  int64_t minKeepBlocks = 1;
  bool withLse = false, withStats = false;
  // Tiling (recorded in the IR by skipattn-tile / insert-skip-predicates).
  int64_t blockQ = 64, blockKV = 64, skipUnit = 0;
  bool packGQA = false;
  bool padQueryTiles = false; // tiles keep blockQ rows even when qLen < blockQ

  int64_t dv() const { return valueDim ? valueDim : headDim; }
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
  /// A stable text form; the JIT cache key.
  std::string key() const;
  /// Resolved tiling: query positions per tile, heads per tile, unit rows.
  int64_t tileBlockQ() const;
  int64_t tileHeads() const;
  int64_t tileUnit() const;
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
