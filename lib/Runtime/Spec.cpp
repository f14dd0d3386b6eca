//===- Spec.cpp - attention call description ------------------------------===//

#include "skipattn/Runtime/Spec.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

using namespace skipattn;

const char *skipattn::dtypeName(DType t) {
  switch (t) {
  case DType::F32:
    return "f32";
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  }
  return "?";
}

int64_t skipattn::dtypeSize(DType t) { return t == DType::F32 ? 4 : 2; }

double AttentionSpec::effectiveScale() const {
  return scale > 0 ? scale : 1.0 / std::sqrt(static_cast<double>(headDim));
}

int64_t AttentionSpec::queryRows(int64_t b) const {
  if (qLens.empty())
    return qLen;
  return std::clamp<int64_t>(qLens[b], 0, qLen);
}

int64_t AttentionSpec::seqLen(int64_t b) const {
  if (kvLens.empty())
    return kvLen;
  return std::clamp<int64_t>(kvLens[b], 0, kvLen);
}

int64_t AttentionSpec::tileBlockQ() const {
  return padQueryTiles ? blockQ : std::min(blockQ, qLen);
}
int64_t AttentionSpec::tileHeads() const {
  if (!packGQA)
    return 1;
  return packHeads > 0 ? packHeads : qHeads / kvHeads;
}
int64_t AttentionSpec::tileSplits() const {
  int64_t blocks = blockKV > 0 ? (kvLen + blockKV - 1) / blockKV : 1;
  return std::clamp<int64_t>(kvSplits, 1, std::max<int64_t>(blocks, 1));
}
int64_t AttentionSpec::tileUnit() const {
  int64_t rows = tileBlockQ() * tileHeads();
  return skipUnit > 0 ? skipUnit : rows;
}

const char *skipattn::factorLayoutName(FactorLayout l) {
  switch (l) {
  case FactorLayout::None:
    return "none";
  case FactorLayout::Scalar:
    return "scalar";
  case FactorLayout::PerSequence:
    return "per-sequence";
  case FactorLayout::PerHead:
    return "per-head";
  case FactorLayout::PerSequenceHead:
    return "per-sequence-head";
  }
  return "?";
}

int64_t AttentionSpec::factorStrideB() const {
  switch (factorLayout) {
  case FactorLayout::PerSequence:
    return 1;
  case FactorLayout::PerSequenceHead:
    return qHeads;
  default:
    return 0;
  }
}
int64_t AttentionSpec::factorStrideH() const {
  return factorLayout == FactorLayout::PerHead ||
                 factorLayout == FactorLayout::PerSequenceHead
             ? 1
             : 0;
}
int64_t AttentionSpec::factorCount() const {
  // A dimension with a non-zero stride holds one value per index.
  if (!runtimeFactors())
    return 0;
  return (factorStrideB() ? batch : 1) * (factorStrideH() ? qHeads : 1);
}

/// Names the first of q, k, v and out whose byte size overflows or passes
/// kMaxTensorBytes; empty when all fit.
static std::string oversizedTensor(const AttentionSpec &s) {
  struct Tensor {
    const char *name;
    std::array<int64_t, 4> dims;
  };
  const Tensor tensors[] = {{"query", {s.batch, s.qHeads, s.qLen, s.headDim}},
                            {"key", s.kvShape(s.headDim)},
                            {"value", s.kvShape(s.dv())},
                            {"output", {s.batch, s.qHeads, s.qLen, s.dv()}}};
  for (const Tensor &t : tensors) {
    int64_t bytes = dtypeSize(s.dtype);
    bool overflow = false;
    for (int64_t d : t.dims)
      overflow |= __builtin_mul_overflow(bytes, d, &bytes);
    if (overflow || bytes > kMaxTensorBytes) {
      std::ostringstream e;
      e << "the " << t.name << " tensor [" << t.dims[0] << ", " << t.dims[1]
        << ", " << t.dims[2] << ", " << t.dims[3] << "] of "
        << dtypeName(s.dtype) << " exceeds the " << kMaxTensorBytes
        << "-byte tensor limit";
      return e.str();
    }
  }
  return "";
}

/// Empty when `strides` (possibly empty: contiguous) suit a [B, H, S, D]
/// tensor of `dims`: four non-negative strides with a unit stride on D;
/// an output must also be injective (no two elements at one address).
static std::string checkStrides(const char *name, const int64_t dims[4],
                                const std::vector<int64_t> &strides,
                                bool output) {
  if (strides.empty())
    return "";
  std::ostringstream e;
  if (strides.size() != 4 || strides[3] != 1 ||
      std::any_of(strides.begin(), strides.end(),
                  [](int64_t s) { return s < 0; })) {
    e << name << " strides must be 4 non-negative element strides with a "
      << "unit stride on the head dimension";
    return e.str();
  }
  // The furthest element must lie within the tensor limit.
  int64_t last = 0;
  for (int i = 0; i < 4; ++i) {
    int64_t term;
    if (__builtin_mul_overflow(dims[i] - 1, strides[i], &term) ||
        __builtin_add_overflow(last, term, &last)) {
      e << name << " strides overflow";
      return e.str();
    }
  }
  if (last > kMaxTensorBytes) {
    e << name << " strides span more than the tensor limit";
    return e.str();
  }
  if (output) {
    // Injective iff, taking dims of more than one element by increasing
    // stride, each stride covers everything the smaller ones span.
    std::vector<std::pair<int64_t, int64_t>> order;
    for (int i = 0; i < 4; ++i)
      if (dims[i] > 1)
        order.push_back({strides[i], dims[i]});
    std::sort(order.begin(), order.end());
    int64_t span = 1;
    for (auto [stride, dim] : order) {
      if (stride < span) {
        e << name << " strides make elements overlap";
        return e.str();
      }
      span = stride * dim;
    }
  }
  return "";
}

std::array<int64_t, 4> AttentionSpec::kvShape(int64_t d) const {
  if (paged())
    return {numPages, kvHeads, pageSize, d};
  return {batch, kvHeads, kvLen, d};
}

std::string AttentionSpec::validate() const {
  std::ostringstream e;
  if (pageSize < 0 || (paged() && (numPages <= 0 || numPages > kMaxDimSize ||
                                   pageSize > kMaxDimSize || kvLen <= 0 ||
                                   kvLen % pageSize != 0)))
    e << "a paged KV cache needs a positive page size and page count (at "
         "most "
      << kMaxDimSize << ") and a KV length that is a whole number of pages "
      << "(page size " << pageSize << ", pages " << numPages << ", KV length "
      << kvLen << ")";
  else if (batch <= 0 || qHeads <= 0 || kvHeads <= 0 || qLen <= 0 ||
           kvLen <= 0 || headDim <= 0 || valueDim < 0)
    e << "all sizes must be positive (batch " << batch << ", heads " << qHeads
      << "/" << kvHeads << ", lengths " << qLen << "/" << kvLen << ", head dim "
      << headDim << ")";
  else if (std::max({batch, qHeads, kvHeads, qLen, kvLen}) > kMaxDimSize)
    e << "batch, head counts and lengths must be at most " << kMaxDimSize
      << " (batch " << batch << ", heads " << qHeads << "/" << kvHeads
      << ", lengths " << qLen << "/" << kvLen << ")";
  else if (headDim > kMaxHeadDim || dv() > kMaxHeadDim)
    e << "head and value dims must be at most " << kMaxHeadDim << ", got "
      << headDim << "/" << dv();
  else if (valueInKey && dv() > headDim)
    e << "with V inside K the value dim (" << dv()
      << ") cannot exceed the head dim (" << headDim << ")";
  else if (std::string t = oversizedTensor(*this); !t.empty())
    e << t;
  else if (std::string t =
               [&] {
                 const int64_t qd[4] = {batch, qHeads, qLen, headDim},
                               od[4] = {batch, qHeads, qLen, dv()};
                 const auto kd = kvShape(headDim), vd = kvShape(dv());
                 for (std::string p :
                      {checkStrides("query", qd, qStrides, false),
                       checkStrides("key", kd.data(), kStrides, false),
                       checkStrides("value", vd.data(), vStrides, false),
                       checkStrides("out", od, outStrides, true)})
                   if (!p.empty())
                     return p;
                 return std::string();
               }();
           !t.empty())
    e << t;
  else if (qHeads % kvHeads != 0)
    e << "query heads (" << qHeads << ") must be a multiple of KV heads ("
      << kvHeads << ")";
  else if (!kvLens.empty() && static_cast<int64_t>(kvLens.size()) != batch)
    e << "--kv-lens has " << kvLens.size() << " entries for a batch of "
      << batch;
  else if (std::any_of(kvLens.begin(), kvLens.end(),
                       [&](int32_t l) { return l < 0 || l > kvLen; }))
    e << "every KV length must lie in [0, " << kvLen << "]";
  else if (!qLens.empty() && static_cast<int64_t>(qLens.size()) != batch)
    e << "--q-lens has " << qLens.size() << " entries for a batch of " << batch;
  else if (std::any_of(qLens.begin(), qLens.end(),
                       [&](int32_t l) { return l < 0 || l > qLen; }))
    e << "every query length must lie in [0, " << qLen << "]";
  else if (!(thresholdScaleFactor >= 0) || !std::isfinite(thresholdScaleFactor))
    e << "the threshold scale factor must be finite and >= 0, got "
      << thresholdScaleFactor;
  else if (runtimeFactors() && thresholdScaleFactor != 0.0)
    e << "a compile-time threshold scale factor and runtime factors are "
         "exclusive";
  else if (runtimeFactors() && factorStrideH() != 0 && tileHeads() > 1 &&
           tileBlockQ() % tileUnit() != 0)
    e << "per-head runtime factors need a skip unit within one head";
  else if (minKeepBlocks < 0)
    e << "min_keep_blocks must be >= 0";
  else if (!(scale >= 0) || !std::isfinite(scale))
    e << "the scale must be positive";
  else if (scale > std::numeric_limits<float>::max() ||
           (scale > 0 && static_cast<float>(scale) == 0))
    e << "the scale (" << scale << ") must be representable in f32, where "
      << "kernels apply it";
  else if (blockQ <= 0 || blockKV <= 0)
    e << "block sizes must be positive";
  else if (kvSplits < 1 || kvSplits > 1024)
    e << "kv_splits must be in [1, 1024], got " << kvSplits;
  else if (packHeads < 0 ||
           (packGQA && packHeads > 0 && qHeads % kvHeads == 0 &&
            (qHeads / kvHeads) % packHeads != 0))
    e << "packed heads (" << packHeads << ") must divide the "
      << qHeads / kvHeads << " query heads of a KV head";
  else if (skipUnit < 0 || (tileBlockQ() * tileHeads()) % tileUnit() != 0)
    e << "the skip unit (" << skipUnit << ") must divide the tile's "
      << tileBlockQ() * tileHeads() << " rows";
  return e.str();
}

std::string AttentionSpec::checkLaunchValues(const int32_t *lens,
                                             const float *factors,
                                             const int32_t *table,
                                             const int32_t *qRows) const {
  std::ostringstream e;
  if (qRows && queryLens())
    for (int64_t b = 0; b < batch; ++b)
      if (qRows[b] < 0 || qRows[b] > qLen) {
        e << "q_lens[" << b << "] = " << qRows[b] << " lies outside [0, "
          << qLen << "]";
        return e.str();
      }
  if (table && paged())
    for (int64_t b = 0; b < batch; ++b) {
      int64_t len =
          lens && ragged() ? std::clamp<int64_t>(lens[b], 0, kvLen) : seqLen(b);
      for (int64_t p = 0, n = (len + pageSize - 1) / pageSize; p < n; ++p) {
        int32_t page = table[b * maxPages() + p];
        if (page < 0 || page >= numPages) {
          e << "page_table[" << b << ", " << p << "] = " << page
            << " lies outside [0, " << numPages << ") (sequence " << b
            << " has " << len << " keys)";
          return e.str();
        }
      }
    }
  if (lens && ragged())
    for (int64_t b = 0; b < batch; ++b)
      if (lens[b] < 0 || lens[b] > kvLen) {
        e << "kv_lens[" << b << "] = " << lens[b] << " lies outside [0, "
          << kvLen << "]";
        return e.str();
      }
  if (factors && runtimeFactors())
    for (int64_t i = 0, n = factorCount(); i < n; ++i)
      if (!std::isfinite(factors[i])) {
        e << "skip factor " << i << " is " << factors[i]
          << "; runtime factors must be finite (a value <= 0 is dense)";
        return e.str();
      }
  return "";
}

std::string AttentionSpec::key() const {
  std::ostringstream k;
  // Full precision: nearby scales or factors must not share a kernel.
  k.precision(17);
  k << "b" << batch << "_h" << qHeads << "x" << kvHeads << "_s" << qLen << "x"
    << kvLen << "_d" << headDim << "x" << dv() << "_" << dtypeName(dtype)
    << (ragged() ? "_ragged" : "") << (queryLens() ? "_qpad" : "")
    << (causal ? "_causal" : "") << "_sc" << effectiveScale() << "_f"
    << thresholdScaleFactor
    << (runtimeFactors() ? std::string("_rf-") + factorLayoutName(factorLayout)
                         : std::string())
    << "_mk" << minKeepBlocks << (withLse ? "_lse" : "")
    << (withStats ? (withVLoads ? "_st4" : "_st") : "") << "_t" << blockQ << "x"
    << blockKV << "x" << skipUnit
    << (packGQA ? "_pack" + std::to_string(packHeads) : "")
    << (padQueryTiles ? "_pad" : "")
    << (kvSplits > 1 ? "_split" + std::to_string(kvSplits) : "")
    << (paged() ? "_paged" + std::to_string(pageSize) + "x" +
                      std::to_string(numPages)
                : std::string())
    << (bf16Products ? "_bf16dot" : "") << (valueInKey ? "_vink" : "");
  auto strides = [&](const char *name, const std::vector<int64_t> &s) {
    if (s.empty())
      return;
    k << "_" << name;
    for (int64_t v : s)
      k << "." << v;
  };
  strides("qs", qStrides);
  strides("ks", kStrides);
  strides("vs", vStrides);
  strides("os", outStrides);
  return k.str();
}

double AttentionSpec::visiblePairs() const {
  double pairs = 0;
  for (int64_t b = 0; b < batch; ++b) {
    int64_t len = seqLen(b);
    for (int64_t p = qLen - queryRows(b); p < qLen; ++p)
      pairs += causal ? std::clamp<int64_t>(p + 1 + len - qLen, 0, len) : len;
  }
  return pairs * qHeads;
}

uint16_t skipattn::floatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000;
  int32_t exp = ((x >> 23) & 0xff) - 127 + 15;
  uint32_t mant = x & 0x7fffff;
  if (((x >> 23) & 0xff) == 0xff)
    return sign | 0x7c00 | (mant ? 0x200 : 0);
  if (exp >= 31)
    return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10)
      return sign;
    mant |= 0x800000;
    int shift = 14 - exp;
    uint32_t half = mant >> shift, rem = mant & ((1u << shift) - 1),
             mid = 1u << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1)))
      ++half;
    return sign | half;
  }
  uint32_t half = sign | (exp << 10) | (mant >> 13);
  uint32_t rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (half & 1)))
    ++half;
  return half;
}

float skipattn::halfToFloat(uint16_t h) {
  uint32_t sign = (h & 0x8000) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  uint32_t x;
  if (exp == 0) {
    if (mant == 0) {
      x = sign;
    } else {
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while (!(mant & 0x400));
      x = sign | ((127 - 15 - e) << 23) | ((mant & 0x3ff) << 13);
    }
  } else if (exp == 31) {
    x = sign | 0x7f800000 | (mant << 13);
  } else {
    x = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

uint16_t skipattn::floatToBF16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffff) > 0x7f800000)
    return (x >> 16) | 0x40;
  x += 0x7fff + ((x >> 16) & 1);
  return x >> 16;
}

float skipattn::bf16ToFloat(uint16_t h) {
  uint32_t x = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}
