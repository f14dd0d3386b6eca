//===- Reference.h - float64 model of blocked skip-softmax ------*- C++ -*-===//
//
// The one numeric reference of the project: blocked online softmax with
// skipping, in float64, at exactly the tile granularity of the compiled
// kernels (same blocks, skip units, first-block and min_keep rules), using
// the canonical predicate exp(scale * (m_blk - m_prev)) < factor / L_kv.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_REFERENCE_REFERENCE_H
#define SKIPATTN_REFERENCE_REFERENCE_H

#include "skipattn/Runtime/Spec.h"

#include <vector>

namespace skipattn {

struct ReferenceResult {
  std::vector<double> out; // [B, Hq, Sq, Dv]
  std::vector<double> lse; // [B, Hq, Sq]
  /// [B, Hq, spec.statsColumns()]: decisions, skipped and (4 columns) V
  /// block loads and V loads saved, by the spec's vLoads.
  std::vector<int64_t> stats;
  int64_t totalDecisions = 0, skippedDecisions = 0;
  /// Decisions with a row within `nearTolerance` of the threshold (in
  /// natural-log units), where f32 rounding may legitimately flip them.
  int64_t nearThreshold = 0;
  double nearTolerance = 1e-3;
};

/// Inputs are the (already rounded) element values widened to double,
/// laid out [B, H, S, D] row-major. With runtime factors, `factors` holds
/// spec.factorCount() values in the spec's factor layout.
ReferenceResult runReference(const AttentionSpec &spec,
                             const std::vector<double> &q,
                             const std::vector<double> &k,
                             const std::vector<double> &v,
                             const std::vector<double> &factors = {});

} // namespace skipattn

#endif // SKIPATTN_REFERENCE_REFERENCE_H
