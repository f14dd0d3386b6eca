//===- skipattn-capi-fuzzer.cpp - fuzz spec validation and compile --------===//
//
// Decodes an attention descriptor (and, when it is valid, launch values)
// from the input and drives the C API the way an embedder would:
// skipattn_attention_desc_check on every descriptor; for valid, small CPU
// descriptors whose input asks for it, skipattn_kernel_get (compile or
// fetch) and a launch on pseudo-random tensors with fuzzed kv_lens and
// runtime factors. Oracles beyond "no crash": a descriptor the check
// accepts must compile; a launch that returns OK must give a finite output
// and statistics with 0 <= skipped <= decisions; a check and a compile
// must agree on the status.
//
// Sizes are drawn small most of the time and as raw 64-bit values
// otherwise, so both the common path and the limits (overflow, negative,
// huge) are reached.
//
//===----------------------------------------------------------------------===//

#include "skipattn-c/skipattn.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

/// Reads fields from the input; past its end every field reads as zero.
class Reader {
public:
  Reader(const uint8_t *data, size_t size) : p(data), n(size) {}
  template <typename T> T raw() {
    T v{};
    size_t k = n < sizeof(T) ? n : sizeof(T);
    if (k == 0) // an empty input may come as a null pointer
      return v;
    std::memcpy(&v, p, k);
    p += k;
    n -= k;
    return v;
  }
  uint8_t byte() { return raw<uint8_t>(); }
  size_t consumed(const uint8_t *start) const { return p - start; }
  /// 0..63 for most selector bytes, a raw int64 otherwise.
  int64_t size() {
    uint8_t b = byte();
    return (b & 0xc0) == 0xc0 ? raw<int64_t>() : (b & 0x3f);
  }
  double real() {
    uint8_t b = byte();
    if ((b & 0xc0) == 0xc0)
      return raw<double>();
    return (b & 0x3f) * 8.0; // 0, 8, ..., 504: dense and skipping factors
  }

private:
  const uint8_t *p;
  size_t n;
};

[[noreturn]] void finding(const char *what) {
  std::fprintf(stderr, "skipattn-capi-fuzzer: %s\n", what);
  std::abort();
}

/// Recreated now and then so that compiled kernels do not pile up.
skipattn_context_t context(bool fresh) {
  static skipattn_context_t ctx = nullptr;
  if (fresh && ctx) {
    skipattn_context_destroy(ctx);
    ctx = nullptr;
  }
  if (!ctx) {
    skipattn_context_options_t o;
    skipattn_context_options_init(&o);
    // No ptxas under this root: CUDA descriptors are checked but never
    // assembled (no external process per input).
    o.cuda_toolkit = "/nonexistent-cuda-toolkit";
    o.use_disk_cache = 0;
    if (skipattn_context_create(&o, &ctx) != SKIPATTN_OK)
      finding("cannot create a context");
  }
  return ctx;
}

int64_t elements(const int64_t *dims) {
  return dims[0] * dims[1] * dims[2] * dims[3];
}

/// Elements a buffer needs for a view of `dims` with `strides` (all zero:
/// contiguous): one past the furthest element.
int64_t extent(const int64_t *dims, const int64_t *strides) {
  if (!strides[0] && !strides[1] && !strides[2] && !strides[3])
    return elements(dims);
  int64_t last = 0;
  for (int i = 0; i < 4; ++i)
    last += (dims[i] - 1) * strides[i];
  return last + 1;
}

/// Offset of element (b, h, s, d) of a view (all-zero strides: contiguous).
int64_t offset(const int64_t *dims, const int64_t *strides, int64_t b,
               int64_t h, int64_t s, int64_t d) {
  if (!strides[0] && !strides[1] && !strides[2] && !strides[3])
    return ((b * dims[1] + h) * dims[2] + s) * dims[3] + d;
  return b * strides[0] + h * strides[1] + s * strides[2] + d * strides[3];
}

float uniform(uint64_t &s) {
  s = s * 6364136223846793005ull + 1442695040888963407ull;
  return static_cast<float>((s >> 40) * (1.0 / 16777216.0) * 2.0 - 1.0);
}

/// `count` values in [-1, 1) in the descriptor's element type.
std::vector<uint16_t> tensor(int64_t count, skipattn_dtype_t dtype,
                             uint64_t &seed) {
  size_t words = dtype == SKIPATTN_DTYPE_F32 ? 2 * count : count;
  std::vector<uint16_t> out(words);
  for (int64_t i = 0; i < count; ++i) {
    float f = uniform(seed);
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    if (dtype == SKIPATTN_DTYPE_F32) {
      std::memcpy(&out[2 * i], &f, 4);
    } else if (dtype == SKIPATTN_DTYPE_BF16) {
      out[i] = static_cast<uint16_t>(bits >> 16);
    } else { // f16 of a value in [-1, 1): exponent rebias, truncated
      uint32_t sign = (bits >> 16) & 0x8000;
      int32_t e = static_cast<int32_t>((bits >> 23) & 0xff) - 127 + 15;
      out[i] = e <= 0 ? static_cast<uint16_t>(sign)
                      : static_cast<uint16_t>(sign | (e << 10) |
                                              ((bits >> 13) & 0x3ff));
    }
  }
  return out;
}

float toFloat(const std::vector<uint16_t> &t, int64_t i,
              skipattn_dtype_t dtype) {
  float f;
  if (dtype == SKIPATTN_DTYPE_F32) {
    std::memcpy(&f, &t[2 * i], 4);
  } else if (dtype == SKIPATTN_DTYPE_BF16) {
    uint32_t bits = static_cast<uint32_t>(t[i]) << 16;
    std::memcpy(&f, &bits, 4);
  } else {
    uint32_t h = t[i], e = (h >> 10) & 0x1f;
    if (e == 0x1f)
      return NAN;
    f = std::ldexp(static_cast<float>((h & 0x3ff) | (e ? 0x400 : 0)),
                   static_cast<int>(e ? e : 1) - 25);
    if (h & 0x8000)
      f = -f;
  }
  return f;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Reader r(data, size);
  skipattn_attention_desc_t d;
  skipattn_attention_desc_init(&d);
  uint8_t flags = r.byte();
  // Enum fields get raw ints, as a C caller may store (out of range too).
  int32_t device = r.byte() % 3, dtype = r.byte() % 4;
  std::memcpy(&d.device, &device, sizeof(device));
  std::memcpy(&d.dtype, &dtype, sizeof(dtype));
  d.batch = r.size();
  d.q_heads = r.size();
  d.kv_heads = r.size();
  d.q_len = r.size();
  d.kv_len = r.size();
  d.head_dim = r.size();
  d.value_dim = flags & 0x01 ? r.size() : 0;
  d.causal = (flags >> 1) & 1;
  d.scale = flags & 0x04 ? r.real() : 0.0;
  d.threshold_scale_factor = flags & 0x08 ? r.real() : 0.0;
  int32_t layout = r.byte() % 6;
  std::memcpy(&d.factor_layout, &layout, sizeof(layout));
  d.min_keep_blocks = r.size();
  d.has_kv_lens = (flags >> 4) & 1;
  d.with_lse = (flags >> 5) & 1;
  // Bit 6: statistics; bit 7 with it: their V-load columns (with_stats 2).
  d.with_stats = (flags >> 6) & 1 ? 1 + ((flags >> 7) & 1) : 0;
  // Bit 0: explicit strides (often not row-major); bit 1: a paged KV cache
  // (page size and page count follow; k/v strides then describe its
  // [pages, Hkv, page_size, D] view); bit 2: left-padded queries; bit 3: V
  // inside K.
  uint8_t layoutBits = r.byte();
  if (layoutBits & 1)
    for (int64_t *s : {d.q_strides, d.k_strides, d.v_strides, d.out_strides})
      for (int i = 0; i < 4; ++i)
        s[i] = r.size();
  if (layoutBits & 2) {
    d.page_size = r.size();
    d.num_pages = r.size();
  }
  d.has_q_lens = (layoutBits >> 2) & 1;
  // Bit 3: V inside K (MLA): the launch passes K's buffer as V.
  d.value_in_key = (layoutBits >> 3) & 1;
  if (r.byte() == 0xff)
    d.struct_size = r.raw<uint32_t>();
  (void)r.raw<uint16_t>(); // salt: lets a corpus choose what compiles
  const size_t descBytes = r.consumed(data);

  skipattn_status_t checked = skipattn_attention_desc_check(&d);
  // A compile costs some 10^4 checks. One valid descriptor in 128 (by an
  // FNV-1a hash of the input's descriptor bytes, salt included, so an input
  // always takes the same path and most mutations re-draw it) is compiled
  // and launched: about a thousand inputs per second, and still thousands
  // of specs per million inputs through compile and launch.
  uint64_t hash = 1469598103934665603ull;
  for (size_t i = 0; i < descBytes; ++i)
    hash = (hash ^ data[i]) * 1099511628211ull;
  // FNV-1a barely moves its top bits with the last bytes: mix them in
  // (MurmurHash3's finaliser), so that the salt and the tail count.
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdull;
  hash ^= hash >> 33;
  hash *= 0xc4ceb9fe1a85ec53ull;
  hash ^= hash >> 33;
  bool compile = (flags & 0x80) && (hash >> 57) == 0;
  int64_t dv = d.value_dim ? d.value_dim : d.head_dim;
  const int64_t qDims[4] = {d.batch, d.q_heads, d.q_len, d.head_dim};
  const bool paged = d.page_size > 0;
  const int64_t kDims[4] = {paged ? d.num_pages : d.batch, d.kv_heads,
                            paged ? d.page_size : d.kv_len, d.head_dim};
  const int64_t vDims[4] = {kDims[0], d.kv_heads, kDims[2], dv};
  // V inside K is read through K's buffer: K's extent covers it.
  const int64_t oDims[4] = {d.batch, d.q_heads, d.q_len, dv};
  // Small enough to compile and run many times a second.
  if (checked != SKIPATTN_OK || !compile || d.device != SKIPATTN_DEVICE_CPU ||
      extent(qDims, d.q_strides) > 4096 || extent(kDims, d.k_strides) > 8192 ||
      extent(vDims, d.v_strides) > 8192 ||
      extent(oDims, d.out_strides) > 8192 ||
      (paged && d.kv_len > 8192)) // the logical length: table and loop
    return 0;

  static int compiles = 0;
  skipattn_kernel_t kernel = nullptr;
  skipattn_status_t got =
      skipattn_kernel_get(context(++compiles % 256 == 0), &d, &kernel);
  if (got != SKIPATTN_OK) {
    std::fprintf(stderr, "%s\n", skipattn_last_error());
    finding("a descriptor the check accepts does not compile");
  }

  uint64_t seed = r.raw<uint64_t>();
  // Buffers cover the views' extents (strided views reach past the
  // element count).
  auto q = tensor(extent(qDims, d.q_strides), d.dtype, seed);
  auto k = tensor(extent(kDims, d.k_strides), d.dtype, seed);
  auto v = tensor(extent(vDims, d.v_strides), d.dtype, seed);
  std::vector<uint16_t> out(extent(oDims, d.out_strides) *
                            (d.dtype == SKIPATTN_DTYPE_F32 ? 2 : 1));
  std::vector<int32_t> lens(d.batch);
  for (int32_t &l : lens) {
    uint8_t b = r.byte();
    l = (b & 0xc0) == 0xc0 ? r.raw<int32_t>()
                           : static_cast<int32_t>(b % (d.kv_len + 1));
  }
  std::vector<float> factors(d.batch * d.q_heads);
  for (float &f : factors)
    f = static_cast<float>(r.real());
  // Table entries mostly name a page of the cache; one past it (or a raw
  // int32) must be rejected at launch when a sequence reads it.
  std::vector<int32_t> table(paged ? d.batch * (d.kv_len / d.page_size) : 0);
  for (int32_t &t : table) {
    uint8_t b = r.byte();
    t = (b & 0xc0) == 0xc0 ? r.raw<int32_t>()
                           : static_cast<int32_t>(b % (d.num_pages + 1));
  }
  std::vector<int32_t> qLens(d.batch);
  for (int32_t &l : qLens)
    l = static_cast<int32_t>(r.byte() % (d.q_len + 2));
  std::vector<float> lse(d.batch * d.q_heads * d.q_len);
  const int64_t cols = d.with_stats == 2 ? 4 : 2;
  std::vector<int64_t> stats(d.batch * d.q_heads * cols, -1);
  skipattn_attention_args_t a;
  skipattn_attention_args_init(&a);
  a.q = q.data();
  a.k = k.data();
  a.v = d.value_in_key ? k.data() : v.data();
  a.out = out.data();
  a.kv_lens = d.has_kv_lens ? lens.data() : nullptr;
  a.skip_factors =
      d.factor_layout != SKIPATTN_FACTOR_NONE ? factors.data() : nullptr;
  a.lse = d.with_lse ? lse.data() : nullptr;
  a.stats = d.with_stats ? stats.data() : nullptr;
  a.page_table = paged ? table.data() : nullptr;
  a.q_lens = d.has_q_lens ? qLens.data() : nullptr;
  if (skipattn_kernel_launch(kernel, &a) != SKIPATTN_OK)
    return 0; // rejected launch values: the expected answer
  // Inputs lie in [-1, 1): scores stay below scale * head_dim, so unless
  // that overflows f32 every output must be finite.
  double scale = d.scale > 0 ? d.scale : 1.0 / std::sqrt(double(d.head_dim));
  if (scale * d.head_dim < 1e30)
    for (int64_t b = 0; b < oDims[0]; ++b)
      for (int64_t h = 0; h < oDims[1]; ++h)
        for (int64_t s = 0; s < oDims[2]; ++s)
          for (int64_t c = 0; c < oDims[3]; ++c)
            if (!std::isfinite(toFloat(
                    out, offset(oDims, d.out_strides, b, h, s, c), d.dtype)))
              finding("a successful launch left a non-finite output");
  if (d.with_stats)
    for (size_t i = 0; i < stats.size(); i += cols)
      for (int64_t c = 0; c < cols; c += 2)
        if (stats[i + c] < 0 || stats[i + c + 1] < 0 ||
            stats[i + c + 1] > stats[i + c])
          finding("inconsistent statistics");
  return 0;
}
