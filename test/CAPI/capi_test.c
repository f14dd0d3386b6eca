/*===- capi_test.c - the C API from C -----------------------------------===*\
|*                                                                            *|
|* Exercises libskipattn_c the way a C embedder does: dense attention on the  *|
|* CPU against a float64 computation, a skipping case whose exact outcome is  *|
|* known (every block after the first is negligible), runtime factors (one   *|
|* kernel, several values), and every kind of bad call. Prints one line per  *|
|* check; exits non-zero on the first failure.                                *|
|*                                                                            *|
|* Usage: skipattn-capi-test CACHE_DIR                                        *|
\*===----------------------------------------------------------------------===*/

#include "capi_check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Dense softmax attention in float64 over keys [0, limit(i)) of each row,
 * limit bottom-right causal when asked, further capped at `cap` keys. */
static void reference(const float *q, const float *k, const float *v, int B,
                      int Hq, int Hkv, int Sq, int Skv, int D, int causal,
                      int cap, double *out, double *lse) {
  int group = Hq / Hkv;
  double scale = 1.0 / sqrt((double)D);
  double *s = malloc(sizeof(double) * Skv);
  for (int b = 0; b < B; ++b)
    for (int h = 0; h < Hq; ++h)
      for (int i = 0; i < Sq; ++i) {
        int g = h / group;
        int lim = causal ? i + 1 + Skv - Sq : Skv;
        if (lim > Skv)
          lim = Skv;
        if (lim > cap)
          lim = cap;
        const float *qr = q + (((size_t)b * Hq + h) * Sq + i) * D;
        double m = -INFINITY, l = 0;
        for (int j = 0; j < lim; ++j) {
          const float *kr = k + (((size_t)b * Hkv + g) * Skv + j) * D;
          double dot = 0;
          for (int d = 0; d < D; ++d)
            dot += (double)qr[d] * kr[d];
          s[j] = dot * scale;
          if (s[j] > m)
            m = s[j];
        }
        double *o = out + (((size_t)b * Hq + h) * Sq + i) * D;
        for (int d = 0; d < D; ++d)
          o[d] = 0;
        for (int j = 0; j < lim; ++j) {
          double p = exp(s[j] - m);
          l += p;
          const float *vr = v + (((size_t)b * Hkv + g) * Skv + j) * D;
          for (int d = 0; d < D; ++d)
            o[d] += p * vr[d];
        }
        for (int d = 0; d < D; ++d)
          o[d] = lim > 0 ? o[d] / l : 0;
        lse[((size_t)b * Hq + h) * Sq + i] = lim > 0 ? m + log(l) : -INFINITY;
      }
  free(s);
}

static double maxRelErr(const float *got, const double *want, size_t n) {
  double worst = 0, scale = 0;
  for (size_t i = 0; i < n; ++i)
    if (fabs(want[i]) > scale)
      scale = fabs(want[i]);
  for (size_t i = 0; i < n; ++i) {
    double e = fabs(got[i] - want[i]) / (scale > 0 ? scale : 1);
    if (!(e <= worst)) /* NaN counts as worst */
      worst = isnan(e) ? INFINITY : e;
  }
  return worst;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s CACHE_DIR\n", argv[0]);
    return 2;
  }
  printf("skipattn %s\n", skipattn_version());

  skipattn_context_options_t opts;
  skipattn_context_options_init(&opts);
  opts.cache_dir = argv[1];
  skipattn_context_t ctx = NULL;
  CHECK(skipattn_context_create(&opts, &ctx) == SKIPATTN_OK && ctx,
        "context_create");

  /* 1. Dense, causal, GQA, f32: output and LSE against float64. */
  enum { B = 2, Hq = 4, Hkv = 2, Sq = 37, Skv = 150, D = 32 };
  size_t nq = (size_t)B * Hq * Sq * D, nk = (size_t)B * Hkv * Skv * D;
  float *q = malloc(nq * 4), *k = malloc(nk * 4), *v = malloc(nk * 4);
  float *out = malloc(nq * 4), *lse = malloc((size_t)B * Hq * Sq * 4);
  double *ref = malloc(nq * 8), *refLse = malloc((size_t)B * Hq * Sq * 8);
  for (size_t i = 0; i < nq; ++i)
    q[i] = uniform();
  for (size_t i = 0; i < nk; ++i) {
    k[i] = uniform();
    v[i] = uniform();
  }
  skipattn_attention_desc_t desc = makeDesc(B, Hq, Hkv, Sq, Skv, D);
  desc.causal = 1;
  desc.with_lse = 1;
  skipattn_attention_args_t args = makeArgs(q, k, v, out);
  args.lse = lse;
  CHECK(skipattn_attention(ctx, &desc, &args) == SKIPATTN_OK, "dense run");
  reference(q, k, v, B, Hq, Hkv, Sq, Skv, D, 1, Skv, ref, refLse);
  double err = maxRelErr(out, ref, nq);
  CHECK(err < 1e-5, "dense output error %g", err);
  double lseErr = maxRelErr(lse, refLse, (size_t)B * Hq * Sq);
  CHECK(lseErr < 1e-5, "dense LSE error %g", lseErr);
  printf("PASS dense causal GQA f32: max rel error %.2e, LSE %.2e\n", err,
         lseErr);

  /* The same descriptor is one kernel: fetched from the context cache. */
  skipattn_kernel_t k1 = NULL, k2 = NULL;
  CHECK(skipattn_kernel_get(ctx, &desc, &k1) == SKIPATTN_OK, "get");
  CHECK(skipattn_kernel_get(ctx, &desc, &k2) == SKIPATTN_OK, "get again");
  CHECK(k1 == k2, "the context returns the cached kernel");
  skipattn_kernel_info_t info;
  memset(&info, 0, sizeof(info));
  info.struct_size = sizeof(info);
  CHECK(skipattn_kernel_get_info(k1, &info) == SKIPATTN_OK, "info");
  CHECK(info.block_kv == 64 && info.block_q == 37 && strlen(info.cache_key),
        "tiling %lld x %lld", (long long)info.block_q,
        (long long)info.block_kv);
  printf("PASS kernel cache: one kernel per descriptor (%s)\n", info.cache_key);

  /* 2. Skipping with a known outcome: the first 64 keys score +2, the rest
   * -2 (scaled), so every later block is exp(-4) = 0.018 below the running
   * max. lambda = factor / L = 0.1 skips all of them: the result is softmax
   * attention over the first block alone, and 3 of 4 decisions skip. */
  enum { S2 = 64, L2 = 256, D2 = 64 };
  float *q2 = malloc(sizeof(float) * S2 * D2);
  float *k2s = malloc(sizeof(float) * L2 * D2);
  float *v2 = malloc(sizeof(float) * L2 * D2);
  float *o2 = malloc(sizeof(float) * S2 * D2);
  double *r2 = malloc(sizeof(double) * S2 * D2), r2l[S2];
  for (int i = 0; i < S2 * D2; ++i)
    q2[i] = 1.0f;
  for (int j = 0; j < L2; ++j)
    for (int d = 0; d < D2; ++d) {
      k2s[j * D2 + d] = (j < 64 ? 2.0f : -2.0f) / 8.0f; /* sqrt(D2) = 8 */
      v2[j * D2 + d] = uniform();
    }
  int64_t stats[2];
  skipattn_attention_desc_t d2 = makeDesc(1, 1, 1, S2, L2, D2);
  d2.threshold_scale_factor = 0.1 * L2;
  d2.with_stats = 1;
  skipattn_attention_args_t a2 = makeArgs(q2, k2s, v2, o2);
  a2.stats = stats;
  CHECK(skipattn_attention(ctx, &d2, &a2) == SKIPATTN_OK, "skip run");
  CHECK(stats[0] == 4 && stats[1] == 3, "stats %lld/%lld, want 3 of 4",
        (long long)stats[1], (long long)stats[0]);
  reference(q2, k2s, v2, 1, 1, 1, S2, L2, D2, 0, 64, r2, r2l);
  err = maxRelErr(o2, r2, S2 * D2);
  CHECK(err < 1e-5, "skipped result vs first-block attention: %g", err);
  printf("PASS skipping: 3 of 4 blocks skipped, equals first-block "
         "attention (%.2e)\n",
         err);

  /* with_stats = 2: [B, Hq, 4], the V block loads beside the decisions
   * (on the CPU each unit reads V for itself: 4 loads, 3 saved). */
  int64_t stats4[4];
  d2.with_stats = 2;
  a2.stats = stats4;
  CHECK(skipattn_attention(ctx, &d2, &a2) == SKIPATTN_OK, "v-loads run");
  CHECK(stats4[0] == 4 && stats4[1] == 3 && stats4[2] == 4 && stats4[3] == 3,
        "stats %lld %lld %lld %lld, want 4 3 4 3", (long long)stats4[0],
        (long long)stats4[1], (long long)stats4[2], (long long)stats4[3]);
  d2.with_stats = 3;
  CHECK(skipattn_attention(ctx, &d2, &a2) == SKIPATTN_ERROR_INVALID_ARGUMENT,
        "with_stats = 3 refused");
  CHECK(strstr(skipattn_last_error(), "with_stats must be 0, 1") != NULL,
        "with_stats message: %s", skipattn_last_error());
  d2.with_stats = 1;
  a2.stats = stats;
  printf("PASS statistics with V loads: 4 loads, 3 saved\n");

  /* 3. Runtime factors: one kernel, the factor changes per call and per
   * sequence. 0.1 * L skips as above; 0 is dense for that sequence. */
  float *q3 = malloc(sizeof(float) * 2 * S2 * D2);
  float *k3 = malloc(sizeof(float) * 2 * L2 * D2);
  float *v3 = malloc(sizeof(float) * 2 * L2 * D2);
  float *o3 = malloc(sizeof(float) * 2 * S2 * D2);
  for (int b = 0; b < 2; ++b) {
    memcpy(q3 + b * S2 * D2, q2, sizeof(float) * S2 * D2);
    memcpy(k3 + b * L2 * D2, k2s, sizeof(float) * L2 * D2);
    memcpy(v3 + b * L2 * D2, v2, sizeof(float) * L2 * D2);
  }
  skipattn_attention_desc_t d3 = makeDesc(2, 1, 1, S2, L2, D2);
  d3.factor_layout = SKIPATTN_FACTOR_PER_SEQUENCE;
  d3.with_stats = 1;
  int64_t stats3[4];
  float factors[2] = {0.0f, 0.1f * L2};
  skipattn_attention_args_t a3 = makeArgs(q3, k3, v3, o3);
  a3.stats = stats3;
  a3.skip_factors = factors;
  skipattn_kernel_t k3h = NULL;
  CHECK(skipattn_kernel_get(ctx, &d3, &k3h) == SKIPATTN_OK, "runtime get");
  CHECK(skipattn_kernel_launch(k3h, &a3) == SKIPATTN_OK, "runtime launch");
  CHECK(stats3[1] == 0 && stats3[3] == 3, "per-sequence skips %lld, %lld",
        (long long)stats3[1], (long long)stats3[3]);
  double *r3 = malloc(sizeof(double) * S2 * D2);
  reference(q2, k2s, v2, 1, 1, 1, S2, L2, D2, 0, L2, r3, r2l);
  CHECK(maxRelErr(o3, r3, S2 * D2) < 1e-5, "sequence 0 is dense");
  CHECK(maxRelErr(o3 + S2 * D2, r2, S2 * D2) < 1e-5, "sequence 1 skips");
  factors[0] = 0.1f * L2;
  factors[1] = 0.0f;
  CHECK(skipattn_kernel_launch(k3h, &a3) == SKIPATTN_OK, "relaunch");
  CHECK(stats3[1] == 3 && stats3[3] == 0, "swapped factors %lld, %lld",
        (long long)stats3[1], (long long)stats3[3]);
  printf("PASS runtime per-sequence factors: same kernel, new values\n");

  /* 4. Bad calls: a status, a message, no crash. */
  struct {
    const char *name;
    skipattn_status_t want;
    const char *needle;
  } cases[] = {
      {"heads", SKIPATTN_ERROR_INVALID_ARGUMENT, "multiple of KV heads"},
      {"negative factor", SKIPATTN_ERROR_INVALID_ARGUMENT,
       "threshold scale factor"},
      {"both factors", SKIPATTN_ERROR_INVALID_ARGUMENT, "not both"},
      {"strides", SKIPATTN_ERROR_INVALID_ARGUMENT, "multiples of 8 elements"},
      {"zero size", SKIPATTN_ERROR_INVALID_ARGUMENT, "positive"},
      {"dtype", SKIPATTN_ERROR_INVALID_ARGUMENT, "dtype"},
      {"struct size", SKIPATTN_ERROR_INVALID_ARGUMENT, "size mismatch"},
      {"cuda f32", SKIPATTN_ERROR_UNSUPPORTED, "f16 or bf16"},
      {"cuda head dim", SKIPATTN_ERROR_UNSUPPORTED, "head_dim 64, 128 and 256"},
      {"cuda value dim", SKIPATTN_ERROR_UNSUPPORTED,
       "value_dim == head_dim, or V inside K"},
      {"cuda latent width", SKIPATTN_ERROR_UNSUPPORTED,
       "with V inside K supports head_dim a multiple of 64 up to 576"},
      {"cuda device", SKIPATTN_ERROR_INVALID_ARGUMENT, "out of range"},
  };
  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); ++c) {
    skipattn_attention_desc_t bad = makeDesc(1, 4, 2, 16, 64, 64);
    const char *n = cases[c].name;
    if (!strcmp(n, "heads"))
      bad.kv_heads = 3;
    else if (!strcmp(n, "negative factor"))
      bad.threshold_scale_factor = -1;
    else if (!strcmp(n, "both factors")) {
      bad.threshold_scale_factor = 10;
      bad.factor_layout = SKIPATTN_FACTOR_SCALAR;
    } else if (!strcmp(n, "strides")) {
      /* a [B, S, H, D] view with rows 65 elements apart: TMA on the CUDA
       * target needs 16-byte strides (an aligned view runs in place on
       * both targets) */
      bad.device = SKIPATTN_DEVICE_CUDA;
      bad.dtype = SKIPATTN_DTYPE_BF16;
      int64_t st[4] = {16 * 4 * 65, 65, 4 * 65, 1};
      memcpy(bad.q_strides, st, sizeof(st));
    } else if (!strcmp(n, "zero size"))
      bad.q_len = 0;
    else if (!strcmp(n, "dtype"))
      bad.dtype = (skipattn_dtype_t)7;
    else if (!strcmp(n, "struct size"))
      bad.struct_size = 3;
    else if (!strcmp(n, "cuda f32"))
      bad.device = SKIPATTN_DEVICE_CUDA;
    else if (!strcmp(n, "cuda head dim")) {
      bad.device = SKIPATTN_DEVICE_CUDA;
      bad.dtype = SKIPATTN_DTYPE_BF16;
      bad.head_dim = 96;
    } else if (!strcmp(n, "cuda value dim")) {
      bad.device = SKIPATTN_DEVICE_CUDA;
      bad.dtype = SKIPATTN_DTYPE_BF16;
      bad.value_dim = 32;
    } else if (!strcmp(n, "cuda latent width")) {
      bad.device = SKIPATTN_DEVICE_CUDA;
      bad.dtype = SKIPATTN_DTYPE_BF16;
      bad.head_dim = 640;
      bad.value_dim = 512;
      bad.value_in_key = 1;
    } else if (!strcmp(n, "cuda device")) {
      bad.device = SKIPATTN_DEVICE_CUDA;
      bad.dtype = SKIPATTN_DTYPE_BF16;
      bad.device_index = -1;
    }
    skipattn_kernel_t kh = (skipattn_kernel_t)1;
    skipattn_status_t st = skipattn_kernel_get(ctx, &bad, &kh);
    CHECK(st == cases[c].want && kh == NULL &&
              strstr(skipattn_last_error(), cases[c].needle),
          "%s: status %d (%s)", n, (int)st, skipattn_status_string(st));
    printf("PASS bad call '%s': %s: %s\n", n, skipattn_status_string(st),
           skipattn_last_error());
  }

  /* Launch-time mismatches. */
  skipattn_attention_args_t bad = a3;
  bad.skip_factors = NULL;
  CHECK(skipattn_kernel_launch(k3h, &bad) == SKIPATTN_ERROR_INVALID_ARGUMENT &&
            strstr(skipattn_last_error(), "skip_factors is required"),
        "missing factors");
  bad = a3;
  bad.q = NULL;
  CHECK(skipattn_kernel_launch(k3h, &bad) == SKIPATTN_ERROR_INVALID_ARGUMENT,
        "null q");
  bad = a3;
  bad.lse = lse;
  CHECK(skipattn_kernel_launch(k3h, &bad) == SKIPATTN_ERROR_INVALID_ARGUMENT &&
            strstr(skipattn_last_error(), "lse was given"),
        "unexpected lse");
  CHECK(skipattn_kernel_launch(NULL, &a3) == SKIPATTN_ERROR_INVALID_ARGUMENT,
        "null kernel");
  CHECK(skipattn_attention(NULL, &d3, &a3) == SKIPATTN_ERROR_INVALID_ARGUMENT,
        "null context");
  printf("PASS launch-time mismatches\n");

  /* CUDA without a GPU: the kernel compiles (a cubin needs no device) and
   * the launch reports the missing driver. Only meaningful without one. */
  if (getenv("SKIPATTN_CAPI_TEST_NO_DRIVER")) {
    skipattn_attention_desc_t dc = makeDesc(1, 2, 1, 128, 256, 64);
    dc.device = SKIPATTN_DEVICE_CUDA;
    dc.dtype = SKIPATTN_DTYPE_BF16;
    skipattn_kernel_t kc = NULL;
    CHECK(skipattn_kernel_get(ctx, &dc, &kc) == SKIPATTN_OK, "cuda compile");
    skipattn_attention_args_t ac;
    skipattn_attention_args_init(&ac);
    ac.q = ac.k = ac.v = ac.out = (void *)0x1000;
    skipattn_status_t st = skipattn_kernel_launch(kc, &ac);
    CHECK(st == SKIPATTN_ERROR_CUDA &&
              strstr(skipattn_last_error(), "no CUDA driver"),
          "cuda launch without driver: %d", (int)st);
    printf("PASS CUDA without a driver: %s\n", skipattn_last_error());

    /* A context for sm_100a cross-compiles with that chip's tiling (two
     * 128-row warpgroups, 128-key blocks, a warp's 32 rows voting), which
     * the reference of a launch would follow. */
    skipattn_context_options_t bo;
    skipattn_context_options_init(&bo);
    bo.cache_dir = argv[1];
    bo.chip = "sm_100a";
    skipattn_context_t bctx = NULL;
    CHECK(skipattn_context_create(&bo, &bctx) == SKIPATTN_OK, "sm_100a ctx");
    skipattn_kernel_t kb = NULL;
    CHECK(skipattn_kernel_get(bctx, &dc, &kb) == SKIPATTN_OK,
          "sm_100a compile: %s", skipattn_last_error());
    skipattn_kernel_info_t bi;
    bi.struct_size = sizeof(bi);
    CHECK(skipattn_kernel_get_info(kb, &bi) == SKIPATTN_OK &&
              bi.block_q == 256 && bi.block_kv == 128 && bi.skip_unit == 32,
          "sm_100a tiling: %lld x %lld, unit %lld", (long long)bi.block_q,
          (long long)bi.block_kv, (long long)bi.skip_unit);
    printf("PASS sm_100a cross-compile: tile %lld x %lld, unit %lld\n",
           (long long)bi.block_q, (long long)bi.block_kv,
           (long long)bi.skip_unit);
    skipattn_context_destroy(bctx);
  }

  skipattn_context_destroy(ctx);
  /* Freed so that LeakSanitizer builds report only the library's leaks. */
  void *buffers[] = {q,  k,  v,  out, lse, ref, refLse, q2, k2s,
                     v2, o2, r2, q3,  k3,  v3,  o3,     r3};
  for (size_t i = 0; i < sizeof(buffers) / sizeof(buffers[0]); ++i)
    free(buffers[i]);
  printf("capi: all %d checks passed\n", checks);
  return 0;
}
