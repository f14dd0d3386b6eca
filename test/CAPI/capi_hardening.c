/*===- capi_hardening.c - the C API under misuse -------------------------===*\
|*                                                                            *|
|* Regression checks for misuse of the C API that once crashed, hung or      *|
|* answered silently: handles used after their context was destroyed,        *|
|* destroying twice, destroying while other threads launch, out-of-range     *|
|* run-time lengths and non-finite runtime factors, descriptors whose        *|
|* element counts overflow, head dims past the limit, and shapes whose tiles *|
|* once overflowed a worker's stack (a GQA group of 16384 heads, head dim    *|
|* 4096), which now run and are checked against float64.                    *|
|*                                                                            *|
|* Usage: skipattn-capi-hardening-test                                        *|
\*===----------------------------------------------------------------------===*/

#include "capi_check.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float *randomBuffer(size_t n) {
  float *p = malloc(n * sizeof(float));
  for (size_t i = 0; i < n; ++i)
    p[i] = uniform();
  return p;
}

/* Non-causal dense attention of one (b, h) row set in float64; returns the
 * largest error relative to the output's largest magnitude. */
static double denseError(const float *q, const float *k, const float *v,
                         const float *out, int64_t Hq, int64_t Hkv, int64_t Sq,
                         int64_t Skv, int64_t D) {
  double worst = 0, peak = 0;
  double *s = malloc(Skv * sizeof(double)), *o = malloc(D * sizeof(double));
  int64_t group = Hq / Hkv;
  for (int pass = 0; pass < 2; ++pass)
    for (int64_t h = 0; h < Hq; ++h)
      for (int64_t i = 0; i < Sq; ++i) {
        const float *qr = q + (h * Sq + i) * D;
        const float *kh = k + (h / group) * Skv * D;
        const float *vh = v + (h / group) * Skv * D;
        double m = -INFINITY, l = 0;
        for (int64_t j = 0; j < Skv; ++j) {
          double dot = 0;
          for (int64_t c = 0; c < D; ++c)
            dot += (double)qr[c] * kh[j * D + c];
          s[j] = dot / sqrt((double)D);
          if (s[j] > m)
            m = s[j];
        }
        memset(o, 0, D * sizeof(double));
        for (int64_t j = 0; j < Skv; ++j) {
          double p = exp(s[j] - m);
          l += p;
          for (int64_t c = 0; c < D; ++c)
            o[c] += p * vh[j * D + c];
        }
        const float *got = out + (h * Sq + i) * D;
        for (int64_t c = 0; c < D; ++c) {
          double want = o[c] / l;
          if (pass == 0 && fabs(want) > peak)
            peak = fabs(want);
          double e = fabs(got[c] - want);
          if (pass == 1 && !(e <= worst))
            worst = isnan(e) ? INFINITY : e;
        }
      }
  free(s);
  free(o);
  return worst / (peak > 0 ? peak : 1);
}

/* Runs a dense f32 shape that once crashed at launch and checks it. */
static void runWide(skipattn_context_t ctx, const char *what, int64_t Hq,
                    int64_t Hkv, int64_t Sq, int64_t Skv, int64_t D) {
  skipattn_attention_desc_t d = makeDesc(1, Hq, Hkv, Sq, Skv, D);
  float *q = randomBuffer(Hq * Sq * D), *k = randomBuffer(Hkv * Skv * D);
  float *v = randomBuffer(Hkv * Skv * D), *out = malloc(Hq * Sq * D * 4);
  skipattn_attention_args_t a = makeArgs(q, k, v, out);
  CHECK(skipattn_attention(ctx, &d, &a) == SKIPATTN_OK, "%s runs", what);
  double err = denseError(q, k, v, out, Hq, Hkv, Sq, Skv, D);
  CHECK(err < 1e-5, "%s error %g", what, err);
  printf("PASS %s: runs, error %.1e\n", what, err);
  free(q);
  free(k);
  free(v);
  free(out);
}

struct Launcher {
  skipattn_kernel_t kernel;
  const skipattn_attention_args_t *args;
  int ok, rejected, other;
};

static void *launchUntilRejected(void *p) {
  struct Launcher *l = p;
  skipattn_attention_args_t a = *l->args;
  size_t n = 4 * 8 * 32;
  float *out = malloc(n * sizeof(float));
  a.out = out;
  for (int i = 0; i < 100000; ++i) {
    skipattn_status_t st = skipattn_kernel_launch(l->kernel, &a);
    if (st == SKIPATTN_OK) {
      ++l->ok;
    } else if (st == SKIPATTN_ERROR_INVALID_ARGUMENT &&
               strstr(skipattn_last_error(), "not a live")) {
      ++l->rejected;
      break;
    } else {
      ++l->other;
      break;
    }
  }
  free(out);
  return NULL;
}

int main(void) {
  rng = 0x9e3779b97f4a7c15ull;
  skipattn_context_t ctx = NULL;
  CHECK(skipattn_context_create(NULL, &ctx) == SKIPATTN_OK, "context");

  /* 1. Descriptors that are too large: overflowing element counts and
   * head dims past the limit are invalid arguments, never compiled. */
  struct {
    const char *name;
    int64_t B, Hq, Skv, D;
    const char *needle;
  } big[] = {
      {"2^40 batch x 2^40 length", (int64_t)1 << 40, 1, (int64_t)1 << 30, 64,
       "at most"},
      {"INT64_MAX batch", INT64_MAX, 1, 64, 64, "at most"},
      {"element count overflow", (int64_t)1 << 30, (int64_t)1 << 30, 1 << 30,
       64, "tensor limit"},
      {"head dim 32769", 1, 1, 64, 32769, "head and value dims"},
      {"head dim 2^40", 1, 1, 64, (int64_t)1 << 40, "head and value dims"},
  };
  for (size_t c = 0; c < sizeof(big) / sizeof(big[0]); ++c) {
    skipattn_attention_desc_t d =
        makeDesc(big[c].B, big[c].Hq, big[c].Hq, 1, big[c].Skv, big[c].D);
    skipattn_kernel_t kh = NULL;
    skipattn_status_t st = skipattn_kernel_get(ctx, &d, &kh);
    CHECK(st == SKIPATTN_ERROR_INVALID_ARGUMENT && !kh &&
              strstr(skipattn_last_error(), big[c].needle),
          "%s: status %d", big[c].name, (int)st);
    printf("PASS too large '%s': %s\n", big[c].name, skipattn_last_error());
  }

  /* 2. Shapes whose tiles once overflowed a worker's stack now run. */
  runWide(ctx, "GQA group of 16384 heads, Sq 1", 16384, 1, 1, 64, 64);
  runWide(ctx, "head dim 4096", 2, 1, 5, 40, 4096);

  /* 2b. A [B, S, H, D] tensor seen as [B, H, S, D] runs in place and gives
   * the contiguous call's result exactly; an output that overlaps itself
   * and a non-unit head stride are rejected. */
  {
    enum { S = 40, H = 2, SK = 50, DD = 16 };
    float *qn = randomBuffer(S * H * DD), *kc = randomBuffer(SK * DD);
    float *vc = randomBuffer(SK * DD), *qc = malloc(S * H * DD * 4);
    float *o1 = malloc(S * H * DD * 4), *o2 = malloc(S * H * DD * 4);
    for (int s = 0; s < S; ++s) /* qc[h][s][d] = qn[s][h][d] */
      for (int h = 0; h < H; ++h)
        memcpy(qc + (h * S + s) * DD, qn + (s * H + h) * DD, DD * 4);
    skipattn_attention_desc_t dv = makeDesc(1, H, 1, S, SK, DD);
    dv.causal = 1;
    skipattn_attention_args_t av = makeArgs(qc, kc, vc, o1);
    CHECK(skipattn_attention(ctx, &dv, &av) == SKIPATTN_OK, "contiguous");
    int64_t view[4] = {S * H * DD, DD, H * DD, 1};
    memcpy(dv.q_strides, view, sizeof(view));
    av.q = qn;
    av.out = o2;
    CHECK(skipattn_attention(ctx, &dv, &av) == SKIPATTN_OK, "strided view");
    CHECK(!memcmp(o1, o2, S * H * DD * 4), "the view's result differs");
    int64_t overlap[4] = {0, DD, DD, 1}; /* heads alias each other */
    memcpy(dv.out_strides, overlap, sizeof(overlap));
    CHECK(skipattn_attention(ctx, &dv, &av) ==
                  SKIPATTN_ERROR_INVALID_ARGUMENT &&
              strstr(skipattn_last_error(), "overlap"),
          "overlapping output");
    int64_t wide[4] = {S * H * DD, DD, H * DD, 2};
    memset(dv.out_strides, 0, sizeof(dv.out_strides));
    memcpy(dv.q_strides, wide, sizeof(wide));
    CHECK(skipattn_attention(ctx, &dv, &av) ==
                  SKIPATTN_ERROR_INVALID_ARGUMENT &&
              strstr(skipattn_last_error(), "unit stride"),
          "non-unit head stride");
    free(qn);
    free(kc);
    free(vc);
    free(qc);
    free(o1);
    free(o2);
    printf(
        "PASS strided [B, S, H, D] view runs in place, equal to contiguous\n");
  }

  /* 3. Run-time values of a launch: out-of-range lengths and non-finite
   * runtime factors are invalid arguments, not clamped silently. */
  enum { Hq = 4, Sq = 8, Skv = 256, D = 32 };
  skipattn_attention_desc_t d = makeDesc(1, Hq, 2, Sq, Skv, D);
  d.has_kv_lens = 1;
  d.factor_layout = SKIPATTN_FACTOR_SCALAR;
  float *q = randomBuffer(Hq * Sq * D), *k = randomBuffer(2 * Skv * D);
  float *v = randomBuffer(2 * Skv * D), *out = malloc(Hq * Sq * D * 4);
  int32_t lens[1] = {Skv};
  float factor[1] = {10.0f};
  skipattn_attention_args_t a = makeArgs(q, k, v, out);
  a.kv_lens = lens;
  a.skip_factors = factor;
  skipattn_kernel_t kernel = NULL;
  CHECK(skipattn_kernel_get(ctx, &d, &kernel) == SKIPATTN_OK, "ragged get");
  CHECK(skipattn_kernel_launch(kernel, &a) == SKIPATTN_OK, "valid launch");
  const int32_t badLens[] = {Skv + 1, 100000000, -5, INT32_MIN};
  for (size_t i = 0; i < sizeof(badLens) / sizeof(badLens[0]); ++i) {
    lens[0] = badLens[i];
    skipattn_status_t st = skipattn_kernel_launch(kernel, &a);
    CHECK(st == SKIPATTN_ERROR_INVALID_ARGUMENT &&
              strstr(skipattn_last_error(), "lies outside [0, 256]"),
          "kv_lens %d: status %d", (int)badLens[i], (int)st);
  }
  lens[0] = 0; /* the ends of the range are valid */
  CHECK(skipattn_kernel_launch(kernel, &a) == SKIPATTN_OK, "kv_lens 0");
  lens[0] = Skv;
  printf("PASS out-of-range kv_lens rejected at launch: %s\n",
         "257, 1e8, -5, INT32_MIN");
  const float badFactors[] = {NAN, INFINITY, -INFINITY};
  for (size_t i = 0; i < 3; ++i) {
    factor[0] = badFactors[i];
    skipattn_status_t st = skipattn_kernel_launch(kernel, &a);
    CHECK(st == SKIPATTN_ERROR_INVALID_ARGUMENT &&
              strstr(skipattn_last_error(), "must be finite"),
          "factor %g: status %d", badFactors[i], (int)st);
  }
  factor[0] = -3.0f; /* <= 0 is dense, by the documented rule */
  CHECK(skipattn_kernel_launch(kernel, &a) == SKIPATTN_OK, "factor -3");
  printf("PASS non-finite runtime factors rejected; -3 runs dense\n");

  /* 3b. A paged cache: table entries of the pages a sequence reads must
   * name a page of the cache (host tables are checked at launch), slots
   * past its length are never read, the table and q_lens come exactly
   * when the descriptor asks for them, and a KV length that is not a
   * whole number of pages is refused. The paged output equals the
   * contiguous one bit for bit (same tiles, other addresses). */
  {
    enum { P = 5, PS = 16, SLOTS = 4, HKV = 2 };
    skipattn_attention_desc_t pd = makeDesc(1, Hq, HKV, Sq, SLOTS * PS, D);
    pd.page_size = PS;
    pd.num_pages = P;
    pd.has_kv_lens = 1;
    pd.has_q_lens = 1;
    /* The cache in the HND order: page, head, row, dim. */
    float *kc = randomBuffer(P * HKV * PS * D),
          *vc = randomBuffer(P * HKV * PS * D);
    int32_t table[SLOTS] = {3, 0, 4, 1}, plens[1] = {40}, qlens[1] = {5};
    float *po = malloc(Hq * Sq * D * 4), *co = malloc(Hq * Sq * D * 4);
    skipattn_attention_args_t pa = makeArgs(q, kc, vc, po);
    pa.kv_lens = plens;
    pa.q_lens = qlens;
    pa.page_table = table;
    CHECK(skipattn_attention(ctx, &pd, &pa) == SKIPATTN_OK, "paged launch: %s",
          skipattn_last_error());
    /* The same keys gathered into a contiguous [1, HKV, 64, D] cache. */
    float *kk = calloc(HKV * SLOTS * PS * D, 4),
          *vv = calloc(HKV * SLOTS * PS * D, 4);
    for (int s = 0; s < SLOTS; ++s)
      for (int h = 0; h < HKV; ++h)
        for (int r = 0; r < PS; ++r) {
          size_t src = (((size_t)table[s] * HKV + h) * PS + r) * D;
          size_t dst = ((size_t)h * SLOTS * PS + s * PS + r) * D;
          memcpy(kk + dst, kc + src, D * 4);
          memcpy(vv + dst, vc + src, D * 4);
        }
    skipattn_attention_desc_t cd = makeDesc(1, Hq, HKV, Sq, SLOTS * PS, D);
    cd.has_kv_lens = 1;
    cd.has_q_lens = 1;
    skipattn_attention_args_t ca = makeArgs(q, kk, vv, co);
    ca.kv_lens = plens;
    ca.q_lens = qlens;
    CHECK(skipattn_attention(ctx, &cd, &ca) == SKIPATTN_OK, "contiguous");
    CHECK(memcmp(po, co, Hq * Sq * D * 4) == 0,
          "paged and contiguous outputs differ");
    /* Left padding: the first Sq - 5 rows of every head are zeros. */
    int padZero = 1;
    for (int h = 0; h < Hq; ++h)
      for (int i = 0; i < (Sq - 5) * D; ++i)
        padZero &= po[h * Sq * D + i] == 0.0f;
    CHECK(padZero, "left-padding rows are not zero");
    table[3] = 99; /* past the length (40 keys: pages 0..2): never read */
    CHECK(skipattn_attention(ctx, &pd, &pa) == SKIPATTN_OK,
          "slot past the length: %s", skipattn_last_error());
    const int32_t badPages[] = {5, -1, 1000000};
    for (size_t i = 0; i < 3; ++i) {
      table[2] = badPages[i];
      skipattn_status_t st = skipattn_attention(ctx, &pd, &pa);
      CHECK(st == SKIPATTN_ERROR_INVALID_ARGUMENT &&
                strstr(skipattn_last_error(), "page_table[0, 2]") &&
                strstr(skipattn_last_error(), "lies outside [0, 5)"),
            "page %d: status %d", (int)badPages[i], (int)st);
    }
    table[2] = 4;
    pa.page_table = NULL;
    CHECK(skipattn_attention(ctx, &pd, &pa) ==
                  SKIPATTN_ERROR_INVALID_ARGUMENT &&
              strstr(skipattn_last_error(), "page_table is required"),
          "missing table: %s", skipattn_last_error());
    pa.page_table = table;
    pa.q_lens = NULL;
    CHECK(skipattn_attention(ctx, &pd, &pa) ==
                  SKIPATTN_ERROR_INVALID_ARGUMENT &&
              strstr(skipattn_last_error(), "q_lens is required"),
          "missing q_lens: %s", skipattn_last_error());
    pa.q_lens = qlens;
    qlens[0] = Sq + 1;
    CHECK(skipattn_attention(ctx, &pd, &pa) ==
                  SKIPATTN_ERROR_INVALID_ARGUMENT &&
              strstr(skipattn_last_error(), "q_lens[0] = 9 lies outside"),
          "q_lens past Sq: %s", skipattn_last_error());
    pd.kv_len = SLOTS * PS - 8;
    CHECK(skipattn_attention(ctx, &pd, &pa) ==
                  SKIPATTN_ERROR_INVALID_ARGUMENT &&
              strstr(skipattn_last_error(), "whole number of pages"),
          "partial page: %s", skipattn_last_error());
    free(kc);
    free(vc);
    free(kk);
    free(vv);
    free(po);
    free(co);
    printf("PASS paged cache: equal to contiguous; bad pages, missing "
           "table/q_lens, partial pages rejected\n");
  }

  /* 3c. V inside K (MLA): the value is the first 16 of K's 32 columns,
   * passed as K's buffer. The output equals the one with those columns
   * copied into a V of their own (same arithmetic, bit for bit); another
   * V pointer or other V strides are refused. */
  {
    enum { HKV = 1, DV = 16 };
    skipattn_attention_desc_t md = makeDesc(1, Hq, HKV, Sq, Skv, D);
    md.value_dim = DV;
    md.value_in_key = 1;
    float *kl = randomBuffer(HKV * Skv * D), *vl = malloc(HKV * Skv * DV * 4);
    for (int r = 0; r < HKV * Skv; ++r)
      memcpy(vl + (size_t)r * DV, kl + (size_t)r * D, DV * 4);
    float *mo = malloc(Hq * Sq * DV * 4), *so = malloc(Hq * Sq * DV * 4);
    skipattn_attention_args_t ma = makeArgs(q, kl, kl, mo);
    CHECK(skipattn_attention(ctx, &md, &ma) == SKIPATTN_OK, "value in key: %s",
          skipattn_last_error());
    skipattn_attention_desc_t sd = makeDesc(1, Hq, HKV, Sq, Skv, D);
    sd.value_dim = DV;
    skipattn_attention_args_t sa = makeArgs(q, kl, vl, so);
    CHECK(skipattn_attention(ctx, &sd, &sa) == SKIPATTN_OK, "separate V");
    CHECK(memcmp(mo, so, Hq * Sq * DV * 4) == 0,
          "V inside K differs from the same values in their own V");
    ma.v = vl;
    CHECK(skipattn_attention(ctx, &md, &ma) ==
                  SKIPATTN_ERROR_INVALID_ARGUMENT &&
              strstr(skipattn_last_error(), "v must be the same pointer as k"),
          "another V pointer: %s", skipattn_last_error());
    md.v_strides[0] = Skv * DV;
    md.v_strides[1] = Skv * DV;
    md.v_strides[2] = DV;
    md.v_strides[3] = 1;
    skipattn_kernel_t mk = NULL;
    CHECK(skipattn_kernel_get(ctx, &md, &mk) ==
                  SKIPATTN_ERROR_INVALID_ARGUMENT &&
              strstr(skipattn_last_error(), "v_strides must be k's"),
          "V strides of their own: %s", skipattn_last_error());
    md.v_strides[0] = md.v_strides[1] = md.v_strides[2] = md.v_strides[3] = 0;
    md.value_dim = 2 * D;
    CHECK(skipattn_kernel_get(ctx, &md, &mk) ==
                  SKIPATTN_ERROR_INVALID_ARGUMENT &&
              strstr(skipattn_last_error(), "cannot exceed the head dim"),
          "value wider than the key: %s", skipattn_last_error());
    free(kl);
    free(vl);
    free(mo);
    free(so);
    printf("PASS V inside K: equal to a separate V; other V pointer, "
           "strides or width rejected\n");
  }

  /* 4. Lifetimes: a destroyed context's handles are rejected cleanly. */
  skipattn_context_t dead = NULL;
  CHECK(skipattn_context_create(NULL, &dead) == SKIPATTN_OK, "context 2");
  skipattn_kernel_t orphan = NULL;
  CHECK(skipattn_kernel_get(dead, &d, &orphan) == SKIPATTN_OK, "get 2");
  CHECK(skipattn_context_destroy(dead) == SKIPATTN_OK, "destroy");
  CHECK(skipattn_context_destroy(dead) == SKIPATTN_ERROR_INVALID_ARGUMENT &&
            strstr(skipattn_last_error(), "not a live skipattn context"),
        "destroy twice");
  CHECK(skipattn_kernel_launch(orphan, &a) == SKIPATTN_ERROR_INVALID_ARGUMENT &&
            strstr(skipattn_last_error(), "not a live skipattn kernel"),
        "launch a destroyed context's kernel");
  skipattn_kernel_info_t info;
  memset(&info, 0, sizeof(info));
  info.struct_size = sizeof(info);
  CHECK(skipattn_kernel_get_info(orphan, &info) ==
            SKIPATTN_ERROR_INVALID_ARGUMENT,
        "info of a destroyed context's kernel");
  skipattn_kernel_t none = NULL;
  CHECK(skipattn_kernel_get(dead, &d, &none) ==
                SKIPATTN_ERROR_INVALID_ARGUMENT &&
            !none,
        "get from a destroyed context");
  CHECK(skipattn_attention(dead, &d, &a) == SKIPATTN_ERROR_INVALID_ARGUMENT,
        "attention on a destroyed context");
  CHECK(skipattn_context_destroy(NULL) == SKIPATTN_OK, "destroy NULL");
  CHECK(skipattn_context_destroy((skipattn_context_t)(uintptr_t)0x1234) ==
            SKIPATTN_ERROR_INVALID_ARGUMENT,
        "destroy a made-up handle");
  CHECK(skipattn_kernel_launch((skipattn_kernel_t)(uintptr_t)0x4321, &a) ==
            SKIPATTN_ERROR_INVALID_ARGUMENT,
        "launch a made-up handle");
  printf("PASS destroyed and made-up handles rejected\n");

  /* 5. Destroying a context while four threads launch its kernel: every
   * launch either completes or is rejected; nothing crashes. */
  for (int trial = 0; trial < 8; ++trial) {
    skipattn_context_t shared = NULL;
    CHECK(skipattn_context_create(NULL, &shared) == SKIPATTN_OK, "context 3");
    skipattn_kernel_t kh = NULL;
    CHECK(skipattn_kernel_get(shared, &d, &kh) == SKIPATTN_OK, "get 3");
    struct Launcher l[4];
    pthread_t t[4];
    for (int i = 0; i < 4; ++i) {
      l[i] = (struct Launcher){kh, &a, 0, 0, 0};
      pthread_create(&t[i], NULL, launchUntilRejected, &l[i]);
    }
    CHECK(skipattn_context_destroy(shared) == SKIPATTN_OK, "racing destroy");
    for (int i = 0; i < 4; ++i) {
      pthread_join(t[i], NULL);
      CHECK(l[i].rejected == 1 && l[i].other == 0,
            "thread %d: %d ok, %d rejected, %d other", i, l[i].ok,
            l[i].rejected, l[i].other);
    }
  }
  printf("PASS destroy while 4 threads launch (8 trials)\n");

  free(q);
  free(k);
  free(v);
  free(out);
  CHECK(skipattn_context_destroy(ctx) == SKIPATTN_OK, "final destroy");
  printf("capi-hardening: all %d checks passed\n", checks);
  return 0;
}
