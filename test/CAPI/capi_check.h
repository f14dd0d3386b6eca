/*===- capi_check.h - what the C API test programs share -----------------===*\
|*                                                                            *|
|* CHECK(cond, fmt, ...): count a check, or print where it failed with the   *|
|* library's last error and exit 1. uniform(): xorshift64 values in          *|
|* [-1, 1), from a seed each program sets in `rng`.                          *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SKIPATTN_TEST_CAPI_CHECK_H
#define SKIPATTN_TEST_CAPI_CHECK_H

#include "skipattn-c/skipattn.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int checks = 0;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      printf("FAIL %s:%d: ", __FILE__, __LINE__);                              \
      printf(__VA_ARGS__);                                                     \
      printf(" [last error: %s]\n", skipattn_last_error());                    \
      exit(1);                                                                 \
    }                                                                          \
    ++checks;                                                                  \
  } while (0)

/* A descriptor with these sizes and the defaults otherwise (CPU, f32). */
static skipattn_attention_desc_t makeDesc(int64_t B, int64_t Hq, int64_t Hkv,
                                          int64_t Sq, int64_t Skv, int64_t D) {
  skipattn_attention_desc_t d;
  skipattn_attention_desc_init(&d);
  d.batch = B;
  d.q_heads = Hq;
  d.kv_heads = Hkv;
  d.q_len = Sq;
  d.kv_len = Skv;
  d.head_dim = D;
  return d;
}

/* Launch arguments with the four tensors set and nothing else. */
static skipattn_attention_args_t makeArgs(const void *q, const void *k,
                                          const void *v, void *out) {
  skipattn_attention_args_t a;
  skipattn_attention_args_init(&a);
  a.q = q;
  a.k = k;
  a.v = v;
  a.out = out;
  return a;
}

static uint64_t rng = 88172645463325252ull;
static float uniform(void) { /* xorshift64, in [-1, 1) */
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (float)((rng >> 11) * (1.0 / 9007199254740992.0) * 2.0 - 1.0);
}

#endif
