//===- Inputs.cpp - test inputs for skipattn-run --------------------------===//

#include "Inputs.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

using namespace skipattn;

static int64_t numel(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

void HostTensor::pack(DType t) {
  bytes.resize(values.size() * dtypeSize(t));
  for (size_t i = 0; i < values.size(); ++i) {
    float f = static_cast<float>(values[i]);
    if (t == DType::F32) {
      std::memcpy(&bytes[i * 4], &f, 4);
      values[i] = f;
    } else {
      uint16_t h = t == DType::F16 ? floatToHalf(f) : floatToBF16(f);
      std::memcpy(&bytes[i * 2], &h, 2);
      values[i] = t == DType::F16 ? halfToFloat(h) : bf16ToFloat(h);
    }
  }
}

static void shapes(const AttentionSpec &s, HostTensor &q, HostTensor &k,
                   HostTensor &v) {
  q.shape = {s.batch, s.qHeads, s.qLen, s.headDim};
  k.shape = {s.batch, s.kvHeads, s.kvLen, s.headDim};
  v.shape = {s.batch, s.kvHeads, s.kvLen, s.dv()};
  for (HostTensor *t : {&q, &k, &v})
    t->values.assign(numel(t->shape), 0.0);
}

void skipattn::makeRandom(const AttentionSpec &s, uint64_t seed, HostTensor &q,
                          HostTensor &k, HostTensor &v) {
  shapes(s, q, k, v);
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> n(0.0, 1.0);
  for (HostTensor *t : {&q, &k, &v}) {
    for (double &x : t->values)
      x = n(rng);
    t->pack(s.dtype);
  }
}

void skipattn::makeStructured(const AttentionSpec &s, uint64_t seed,
                              double temperature, HostTensor &q, HostTensor &k,
                              HostTensor &v) {
  shapes(s, q, k, v);
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> n(0.0, 1.0);
  const int64_t D = s.headDim, group = s.qHeads / s.kvHeads;
  for (double &x : k.values)
    x = n(rng);
  for (double &x : v.values)
    x = n(rng);
  k.pack(s.dtype);
  v.pack(s.dtype);
  // Each query is a sum of a few of its visible keys, normalised so that the
  // scaled score against each target is ~1/temperature while unrelated keys
  // score ~N(0, small): an attention sink (key 0), a local window (the
  // diagonal key and its predecessor) and two random retrieval peaks.
  const double sharp = 1.0 / (temperature * s.effectiveScale());
  for (int64_t b = 0; b < s.batch; ++b) {
    int64_t len = s.seqLen(b);
    for (int64_t h = 0; h < s.qHeads; ++h) {
      int64_t hk = h / group;
      for (int64_t p = 0; p < s.qLen; ++p) {
        double *qr = &q.values[((b * s.qHeads + h) * s.qLen + p) * D];
        int64_t lim = len;
        if (s.causal)
          lim = std::min<int64_t>(len,
                                  std::max<int64_t>(p + 1 + len - s.qLen, 0));
        for (int64_t d = 0; d < D; ++d)
          qr[d] = 0.05 * n(rng);
        if (lim <= 0)
          continue;
        int64_t diag =
            std::min(lim - 1, std::max<int64_t>(0, p + len - s.qLen));
        std::uniform_int_distribution<int64_t> pick(0, lim - 1);
        int64_t targets[] = {0, diag, std::max<int64_t>(diag - 1, 0), pick(rng),
                             pick(rng)};
        double weights[] = {1.0, 1.0, 0.8, 0.9, 0.7};
        for (int t = 0; t < 5; ++t) {
          const double *kr =
              &k.values[((b * s.kvHeads + hk) * s.kvLen + targets[t]) * D];
          double norm2 = 0;
          for (int64_t d = 0; d < D; ++d)
            norm2 += kr[d] * kr[d];
          for (int64_t d = 0; d < D; ++d)
            qr[d] += sharp * weights[t] * kr[d] / std::max(norm2, 1e-6);
        }
      }
    }
  }
  q.pack(s.dtype);
}

std::string skipattn::loadNpy(const std::string &path,
                              const std::vector<int64_t> &shape,
                              HostTensor &t) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return "cannot read '" + path + "'";
  char magic[6];
  in.read(magic, 6);
  if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    return "'" + path + "' is not a .npy file";
  uint8_t ver[2];
  in.read(reinterpret_cast<char *>(ver), 2);
  uint32_t hlen = 0;
  if (ver[0] == 1) {
    uint16_t h16;
    in.read(reinterpret_cast<char *>(&h16), 2);
    hlen = h16;
  } else {
    in.read(reinterpret_cast<char *>(&hlen), 4);
  }
  if (!in || hlen > 65536)
    return "'" + path + "' has a corrupt header";
  std::string header(hlen, '\0');
  in.read(header.data(), hlen);
  if (!in)
    return "'" + path + "' has a corrupt header";
  auto field = [&](const std::string &name) -> std::string {
    size_t at = header.find("'" + name + "'");
    if (at == std::string::npos)
      return "";
    size_t colon = header.find(':', at);
    size_t end = header.find_first_of(",}", colon);
    if (name == "shape")
      end = header.find(')', colon) + 1;
    return header.substr(colon + 1, end - colon - 1);
  };
  std::string descr = field("descr"), order = field("fortran_order"),
              shp = field("shape");
  if (order.find("True") != std::string::npos)
    return "'" + path + "' is in Fortran order; save it C-contiguous";
  int width = 0;
  if (descr.find("<f4") != std::string::npos)
    width = 4;
  else if (descr.find("<f8") != std::string::npos)
    width = 8;
  else if (descr.find("<f2") != std::string::npos)
    width = 2;
  else
    return "'" + path + "' has dtype " + descr + "; expected <f2, <f4 or <f8";
  std::vector<int64_t> fileShape;
  std::stringstream ss(shp);
  char ch;
  int64_t dim;
  while (ss >> ch) {
    if (std::isdigit(ch)) {
      ss.putback(ch);
      ss >> dim;
      fileShape.push_back(dim);
    }
  }
  if (fileShape != shape) {
    std::ostringstream e;
    e << "'" << path << "' has shape (";
    for (size_t i = 0; i < fileShape.size(); ++i)
      e << (i ? ", " : "") << fileShape[i];
    e << ") but the spec needs (";
    for (size_t i = 0; i < shape.size(); ++i)
      e << (i ? ", " : "") << shape[i];
    e << ")";
    return e.str();
  }
  int64_t count = numel(shape);
  std::vector<uint8_t> raw(count * width);
  in.read(reinterpret_cast<char *>(raw.data()), raw.size());
  if (in.gcount() != static_cast<std::streamsize>(raw.size()))
    return "'" + path + "' is truncated";
  t.shape = shape;
  t.values.resize(count);
  for (int64_t i = 0; i < count; ++i) {
    if (width == 4) {
      float f;
      std::memcpy(&f, &raw[i * 4], 4);
      t.values[i] = f;
    } else if (width == 8) {
      std::memcpy(&t.values[i], &raw[i * 8], 8);
    } else {
      uint16_t h;
      std::memcpy(&h, &raw[i * 2], 2);
      t.values[i] = halfToFloat(h);
    }
    if (!std::isfinite(t.values[i]))
      return "'" + path + "' contains a non-finite value";
  }
  return "";
}

void skipattn::pageKV(const AttentionSpec &s, uint64_t seed, bool nhd,
                      const HostTensor &k, const HostTensor &v,
                      HostTensor &kCache, HostTensor &vCache,
                      std::vector<int64_t> &kStrides,
                      std::vector<int64_t> &vStrides,
                      std::vector<int32_t> &table) {
  const int64_t ps = s.pageSize, P = s.numPages, slots = s.maxPages(),
                H = s.kvHeads;
  std::vector<int32_t> order(P);
  for (int64_t i = 0; i < P; ++i)
    order[i] = static_cast<int32_t>(i);
  std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ull);
  std::shuffle(order.begin(), order.end(), rng);
  table.assign(s.batch * slots, -1);
  for (int64_t b = 0, next = 0; b < s.batch; ++b)
    for (int64_t p = 0; p * ps < s.seqLen(b) && p < slots; ++p)
      table[b * slots + p] = order[next++ % P];
  auto place = [&](const HostTensor &logical, int64_t d, HostTensor &cache,
                   std::vector<int64_t> &strides) {
    // Element strides of the [P, H, ps, d] view over the memory order.
    strides = nhd ? std::vector<int64_t>{ps * H * d, d, H * d, 1}
                  : std::vector<int64_t>{H * ps * d, ps * d, d, 1};
    cache.shape = {P, H, ps, d};
    cache.values.assign(P * H * ps * d, std::nan(""));
    for (int64_t b = 0; b < s.batch; ++b)
      for (int64_t p = 0; p < slots; ++p) {
        int32_t page = table[b * slots + p];
        if (page < 0)
          continue;
        for (int64_t h = 0; h < H; ++h)
          for (int64_t r = 0; r < ps; ++r) {
            const double *src =
                &logical.values[((b * H + h) * s.kvLen + p * ps + r) * d];
            double *dst = &cache.values[page * strides[0] + h * strides[1] +
                                        r * strides[2]];
            std::copy(src, src + d, dst);
          }
      }
    cache.pack(s.dtype);
  };
  place(k, s.headDim, kCache, kStrides);
  place(v, s.dv(), vCache, vStrides);
}
