// Embedding the skipattn JIT in a C++ program through the C API: one
// context, a decode-shaped GQA call on the CPU whose threshold scale factor
// is a runtime per-sequence value, and the compiled kernel reused for new
// values. The CUDA target is the same calls with SKIPATTN_DEVICE_CUDA, a
// bf16/f16 dtype, device pointers and args.stream.
#include "skipattn-c/skipattn.h"

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

static int check(skipattn_status_t s, const char *what) {
  if (s == SKIPATTN_OK)
    return 0;
  std::fprintf(stderr, "%s: %s: %s\n", what, skipattn_status_string(s),
               skipattn_last_error());
  return 1;
}

int main() {
  skipattn_context_options_t opts;
  skipattn_context_options_init(&opts);
  opts.verbosity = 1; // report the compile on stderr
  skipattn_context_t ctx;
  if (check(skipattn_context_create(&opts, &ctx), "context"))
    return 1;

  // Decode: 2 sequences, 8 query heads sharing 2 KV heads, 4096 keys.
  const int B = 2, Hq = 8, Hkv = 2, Sq = 1, Skv = 4096, D = 128;
  std::mt19937 gen(0);
  std::normal_distribution<float> normal;
  std::vector<float> q(B * Hq * Sq * D), k(B * Hkv * Skv * D),
      v(B * Hkv * Skv * D), out(B * Hq * Sq * D);
  for (auto *t : {&q, &k, &v})
    for (float &x : *t)
      x = normal(gen);
  // Recent keys (the first 64) align with the queries: a typical sharp
  // attention pattern where most of the context is negligible.
  for (int b = 0; b < B; ++b)
    for (int g = 0; g < Hkv; ++g)
      for (int j = 0; j < 64; ++j)
        for (int d = 0; d < D; ++d)
          k[((b * Hkv + g) * Skv + j) * D + d] +=
              3.0f * q[(b * Hq + g * 4) * D + d];

  skipattn_attention_desc_t desc;
  skipattn_attention_desc_init(&desc);
  desc.device = SKIPATTN_DEVICE_CPU;
  desc.dtype = SKIPATTN_DTYPE_F32;
  desc.batch = B;
  desc.q_heads = Hq;
  desc.kv_heads = Hkv;
  desc.q_len = Sq;
  desc.kv_len = Skv;
  desc.head_dim = D;
  desc.factor_layout = SKIPATTN_FACTOR_PER_SEQUENCE; // runtime values
  desc.with_stats = 1;

  skipattn_kernel_t kernel;
  if (check(skipattn_kernel_get(ctx, &desc, &kernel), "compile"))
    return 1;

  std::vector<int64_t> stats(B * Hq * 2);
  float factors[B];
  skipattn_attention_args_t args;
  skipattn_attention_args_init(&args);
  args.q = q.data();
  args.k = k.data();
  args.v = v.data();
  args.out = out.data();
  args.skip_factors = factors;
  args.stats = stats.data();
  for (float f : {0.0f, 100.0f, 2000.0f}) {
    factors[0] = factors[1] = f;
    if (check(skipattn_kernel_launch(kernel, &args), "launch"))
      return 1;
    long long total = 0, skipped = 0;
    for (int i = 0; i < B * Hq; ++i) {
      total += stats[2 * i];
      skipped += stats[2 * i + 1];
    }
    double norm = 0;
    for (float x : out)
      norm += double(x) * x;
    std::printf("factor %6.0f: skipped %lld of %lld KV blocks, |out| = %.4f\n",
                f, skipped, total, std::sqrt(norm));
  }
  skipattn_context_destroy(ctx);
  return 0;
}
