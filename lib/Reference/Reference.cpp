//===- Reference.cpp - float64 model of blocked skip-softmax
//---------------===//
//
// Mirrors skipattn-tile + skipattn-insert-skip-predicates decision for
// decision, in float64 and natural-exp form, so that output and skipped
// blocks can be compared with the compiled kernels.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Reference/Reference.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace skipattn;

ReferenceResult skipattn::runReference(const AttentionSpec &s,
                                       const std::vector<double> &q,
                                       const std::vector<double> &k,
                                       const std::vector<double> &v,
                                       const std::vector<double> &factors) {
  const double negInf = -std::numeric_limits<double>::infinity();
  const int64_t B = s.batch, Hq = s.qHeads, Hkv = s.kvHeads, Sq = s.qLen,
                Skv = s.kvLen, D = s.headDim, Dv = s.dv();
  const int64_t group = Hq / Hkv, heads = s.tileHeads(), bq = s.tileBlockQ(),
                bkv = s.blockKV, rows = heads * bq, unit = s.tileUnit();
  const double c = s.effectiveScale();
  const bool skipping = s.skipping();
  // lambda of (sequence b, head h): the compile-time factor or the runtime
  // one; a factor <= 0 never skips.
  auto factorOf = [&](int64_t b, int64_t h) {
    if (!s.runtimeFactors())
      return s.thresholdScaleFactor;
    return factors.at(b * s.factorStrideB() + h * s.factorStrideH());
  };
  auto logLambdaOf = [&](int64_t b, int64_t h, int64_t len) {
    double f = factorOf(b, h);
    double lambda = len > 0 ? f / len : INFINITY;
    bool skips = skipping && f > 0 && lambda < 1.0;
    return skips ? std::log(lambda) : -std::numeric_limits<double>::infinity();
  };

  ReferenceResult res;
  res.out.assign(B * Hq * Sq * Dv, 0.0);
  res.lse.assign(B * Hq * Sq, negInf);
  const int64_t cols = std::max<int64_t>(s.statsColumns(), 2);
  res.stats.assign(B * Hq * cols, 0);

  // Split-KV: split sp walks blocks [sp * per, (sp + 1) * per) of the
  // tile's visible ones with its own state; the partial results merge
  // through their log-sum-exp (one split merges to itself exactly).
  const int64_t splits = s.tileSplits();
  const int64_t per =
      (std::max<int64_t>((Skv + bkv - 1) / bkv, 1) + splits - 1) / splits;
  std::vector<double> m(rows), l(rows), acc(rows * Dv), sc(rows * bkv);
  std::vector<int64_t> lims(rows);
  std::vector<double> pOut(splits * rows * Dv), pLse(splits * rows);
  for (int64_t b = 0; b < B; ++b) {
    const int64_t len = s.seqLen(b);
    // Left-padded queries: rows before qStart are padding.
    const int64_t qStart = Sq - s.queryRows(b);
    for (int64_t hg = 0; hg < Hq / heads; ++hg) {
      const int64_t h0 = hg * heads, hkv = h0 / group;
      for (int64_t p0 = 0; p0 < Sq; p0 += bq) {
        int64_t visible = len;
        if (s.causal) {
          int64_t last = std::min(p0 + bq, Sq);
          visible = std::min(std::max<int64_t>(last + len - Sq, 0), len);
        }
        if (p0 + bq <= qStart)
          visible = 0;
        const int64_t nBlocks = (visible + bkv - 1) / bkv;
        // Keys each row sees (0: padding or fully masked).
        for (int64_t r = 0; r < rows; ++r) {
          int64_t p = p0 + r % bq;
          lims[r] = 0;
          if (p < Sq && p >= qStart) {
            lims[r] = len;
            if (s.causal)
              lims[r] = std::min(len, std::max<int64_t>(p + 1 + len - Sq, 0));
          }
        }
        for (int64_t sp = 0; sp < splits; ++sp) {
          const int64_t lo = std::min(sp * per, nBlocks),
                        hi = std::min(sp * per + per, nBlocks);
          std::fill(m.begin(), m.end(), negInf);
          std::fill(l.begin(), l.end(), 0.0);
          std::fill(acc.begin(), acc.end(), 0.0);
          for (int64_t n = lo; n < hi; ++n) {
            const int64_t kv0 = n * bkv;
            // Masked scaled scores of the block.
            for (int64_t r = 0; r < rows; ++r) {
              int64_t h = h0 + r / bq, p = p0 + r % bq;
              for (int64_t cc = 0; cc < bkv; ++cc) {
                int64_t j = kv0 + cc;
                double val = negInf;
                if (j < lims[r]) {
                  const double *qr = &q[((b * Hq + h) * Sq + p) * D];
                  const double *kr = &k[((b * Hkv + hkv) * Skv + j) * D];
                  double dot = 0;
                  for (int64_t d = 0; d < D; ++d)
                    dot += qr[d] * kr[d];
                  val = c * dot;
                }
                sc[r * bkv + cc] = val;
              }
            }
            // Gated V: the tile's load is left out when every unit (padding
            // ones included, which never veto) skips the block.
            bool tileSkipsV = true;
            for (int64_t u0 = 0; u0 < rows; u0 += unit) {
              bool skip = false;
              bool near = false;
              if (skipping || s.withStats) {
                const double logLambda = logLambdaOf(b, h0 + u0 / bq, len);
                bool allowed = logLambda != negInf &&
                               n - lo >= std::max<int64_t>(1, s.minKeepBlocks);
                bool all = true, valid = false;
                for (int64_t r = u0; r < u0 + unit; ++r) {
                  valid |= lims[r] > 0;
                  double mb =
                      *std::max_element(&sc[r * bkv], &sc[r * bkv] + bkv);
                  if (mb == negInf)
                    continue; // padding / fully masked rows never veto
                  double diff = mb - m[r];
                  if (!(diff < logLambda))
                    all = false;
                  if (allowed && std::isfinite(diff) &&
                      std::fabs(diff - logLambda) < res.nearTolerance)
                    near = true;
                }
                skip = allowed && all;
                // Only units with a row that sees keys decide.
                if (valid) {
                  int64_t h = h0 + u0 / bq;
                  res.stats[(b * Hq + h) * cols] += 1;
                  res.stats[(b * Hq + h) * cols + 1] += skip;
                  if (cols == 4 && s.vLoads == AttentionSpec::VLoads::PerUnit) {
                    res.stats[(b * Hq + h) * cols + 2] += 1;
                    res.stats[(b * Hq + h) * cols + 3] += skip;
                  }
                  res.totalDecisions += 1;
                  res.skippedDecisions += skip;
                  res.nearThreshold += near;
                }
              }
              tileSkipsV = tileSkipsV && skip;
              if (skip)
                continue;
              for (int64_t r = u0; r < u0 + unit; ++r) {
                double *row = &sc[r * bkv];
                double mb = *std::max_element(row, row + bkv);
                double mNew = std::max(m[r], mb);
                if (mNew == negInf)
                  continue;
                double alpha = std::exp(m[r] - mNew), sum = 0;
                for (int64_t cc = 0; cc < bkv; ++cc) {
                  row[cc] = std::exp(row[cc] - mNew);
                  sum += row[cc];
                }
                l[r] = l[r] * alpha + sum;
                m[r] = mNew;
                double *a = &acc[r * Dv];
                for (int64_t d = 0; d < Dv; ++d)
                  a[d] *= alpha;
                for (int64_t cc = 0; cc < bkv && kv0 + cc < len; ++cc) {
                  if (row[cc] == 0.0)
                    continue;
                  const double *vr =
                      &v[((b * Hkv + hkv) * Skv + kv0 + cc) * Dv];
                  for (int64_t d = 0; d < Dv; ++d)
                    a[d] += row[cc] * vr[d];
                }
              }
            }
            // A GPU tile loads each visited block's V once for all its
            // units, counted at its first head.
            if (cols == 4 && s.vLoads != AttentionSpec::VLoads::PerUnit) {
              res.stats[(b * Hq + h0) * cols + 2] += 1;
              res.stats[(b * Hq + h0) * cols + 3] +=
                  s.vLoads == AttentionSpec::VLoads::PerTileGated && tileSkipsV;
            }
          }
          for (int64_t r = 0; r < rows; ++r) {
            double inv = 1.0 / std::max(l[r], 1e-30);
            for (int64_t d = 0; d < Dv; ++d)
              pOut[(sp * rows + r) * Dv + d] = acc[r * Dv + d] * inv;
            pLse[sp * rows + r] = m[r] + std::log(l[r]);
          }
        }
        for (int64_t r = 0; r < rows; ++r) {
          int64_t h = h0 + r / bq, p = p0 + r % bq;
          if (p >= Sq)
            continue;
          double mx = negInf;
          for (int64_t sp = 0; sp < splits; ++sp)
            mx = std::max(mx, pLse[sp * rows + r]);
          if (mx == negInf)
            continue; // no split saw a key: 0 and -inf, as initialised
          double w = 0;
          double *o = &res.out[((b * Hq + h) * Sq + p) * Dv];
          for (int64_t sp = 0; sp < splits; ++sp) {
            double ws = std::exp(pLse[sp * rows + r] - mx);
            w += ws;
            for (int64_t d = 0; d < Dv; ++d)
              o[d] += ws * pOut[(sp * rows + r) * Dv + d];
          }
          for (int64_t d = 0; d < Dv; ++d)
            o[d] /= w;
          res.lse[(b * Hq + h) * Sq + p] = mx + std::log(w);
        }
      }
    }
  }
  return res;
}
