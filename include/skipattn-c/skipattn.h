/*===- skipattn.h - the skipattn C API --------------------------*- C -*-===*\
|*                                                                            *|
|* A stable C interface to the skipattn JIT: describe an attention call,     *|
|* compile it (or fetch it from the memory and disk caches) and launch it on  *|
|* host memory (CPU target) or CUDA device memory (Hopper target). Every     *|
|* function returns a status; skipattn_last_error() gives the message of the *|
|* last failure on the calling thread. Only this header's functions are      *|
|* exported by libskipattn_c, so any language with a C FFI can use it.       *|
|*                                                                            *|
|* Layout: q [B, Hq, Sq, D], k [B, Hkv, Skv, D], v [B, Hkv, Skv, Dv] (or    *|
|* page caches with a page table, see page_size),                           *|
|* out [B, Hq, Sq, Dv], lse [B, Hq, Sq] (f32), stats [B, Hq, 2] (i64),       *|
|* kv_lens [B] (i32), skip factors f32 in the layout of factor_layout. The   *|
|* CPU target reads any view with a unit stride on D (e.g. [B, S, H, D]     *|
|* tensors seen as [B, H, S, D]) in place; the CUDA target reads contiguous  *|
|* tensors. Unsupported strides are an error, never a silent wrong answer.   *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SKIPATTN_C_SKIPATTN_H
#define SKIPATTN_C_SKIPATTN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define SKIPATTN_C_EXPORT __declspec(dllexport)
#else
#define SKIPATTN_C_EXPORT __attribute__((visibility("default")))
#endif

/* Bumped on incompatible changes; structs carry their size for additions. */
#define SKIPATTN_C_API_VERSION 1

typedef enum skipattn_status {
  SKIPATTN_OK = 0,
  SKIPATTN_ERROR_INVALID_ARGUMENT = 1, /* bad shape, dtype, stride, value */
  SKIPATTN_ERROR_UNSUPPORTED = 2,      /* valid, but not on this target   */
  SKIPATTN_ERROR_COMPILE = 3,          /* the pipeline or ptxas failed    */
  SKIPATTN_ERROR_CUDA = 4, /* no driver/device, launch or memory failure */
  SKIPATTN_ERROR_INTERNAL = 5
} skipattn_status_t;

typedef enum skipattn_dtype {
  SKIPATTN_DTYPE_F32 = 0,
  SKIPATTN_DTYPE_F16 = 1,
  SKIPATTN_DTYPE_BF16 = 2
} skipattn_dtype_t;

typedef enum skipattn_device {
  SKIPATTN_DEVICE_CPU = 0, /* host pointers, CPU JIT         */
  SKIPATTN_DEVICE_CUDA = 1 /* device pointers, Hopper kernel */
} skipattn_device_t;

/* Where the threshold scale factor comes from. NONE: the scalar
 * `threshold_scale_factor` of the descriptor, compiled into the kernel.
 * The others read f32 values from `skip_factors` at launch, so one kernel
 * serves every value (and CUDA graphs replay with new ones): one value, one
 * per sequence [B], one per query head [Hq], or [B, Hq]. A value <= 0 means
 * dense for that sequence/head. */
typedef enum skipattn_factor_layout {
  SKIPATTN_FACTOR_NONE = 0,
  SKIPATTN_FACTOR_SCALAR = 1,
  SKIPATTN_FACTOR_PER_SEQUENCE = 2,
  SKIPATTN_FACTOR_PER_HEAD = 3,
  SKIPATTN_FACTOR_PER_SEQUENCE_HEAD = 4
} skipattn_factor_layout_t;

typedef struct skipattn_context *skipattn_context_t;
typedef struct skipattn_kernel *skipattn_kernel_t;

typedef struct skipattn_context_options {
  uint32_t struct_size;     /* sizeof(skipattn_context_options_t)         */
  const char *cache_dir;    /* NULL: $SKIPATTN_CACHE_DIR, ~/.cache/skipattn */
  const char *cuda_toolkit; /* NULL: $SKIPATTN_CUDA_TOOLKIT, $CUDA_HOME, ... */
  const char *chip;         /* NULL: the current device's, e.g. "sm_90a"   */
  int32_t use_disk_cache;   /* 1 (default): read and write the disk cache  */
  int32_t verbosity;        /* 0 silent, 1 compiles, 2 every call         */
  const char *dump_ir_dir;  /* non-NULL: IR after every pass, per compile  */
  int32_t pass_timing;      /* 1: pass timing of every compile on stderr  */
} skipattn_context_options_t;

typedef struct skipattn_attention_desc {
  uint32_t struct_size; /* sizeof(skipattn_attention_desc_t) */
  skipattn_device_t device;
  int32_t device_index; /* CUDA ordinal: the kernel runs in that GPU's
                           primary context (the one the CUDA runtime and
                           PyTorch use)                                 */
  skipattn_dtype_t dtype;
  int64_t batch, q_heads, kv_heads, q_len, kv_len, head_dim;
  int64_t value_dim; /* 0: head_dim */
  /* Element strides of q, k, v and out in [B, H, S, D] order; all zero
   * means contiguous. CPU: any view with stride 1 on D, out not
   * overlapping itself; CUDA: contiguous only. */
  int64_t q_strides[4], k_strides[4], v_strides[4], out_strides[4];
  int32_t causal;                /* bottom-right aligned                  */
  double scale;                  /* 0: 1 / sqrt(head_dim)                 */
  double threshold_scale_factor; /* compiled-in factor; 0: dense          */
  skipattn_factor_layout_t factor_layout; /* runtime factors instead      */
  int64_t min_keep_blocks;                /* blocks always kept per tile  */
  int32_t has_kv_lens;                    /* per-sequence KV lengths given */
  int32_t with_lse;                       /* output computed              */
  int32_t with_stats; /* 0 none, 1 stats [B, Hq, 2], 2 [B, Hq, 4]          */
  /* Paged KV cache (page_size > 0): k and v are caches of num_pages pages
   * seen as [num_pages, kv_heads, page_size, D] (k_strides/v_strides in
   * that index order: a [pages, page_size, Hkv, D] cache and K/V stacked
   * in one buffer are views with other strides); args.page_table gives
   * each sequence's pages, [batch, kv_len / page_size] i32 row-major;
   * kv_len is the logical length, a whole number of pages. CUDA: page
   * sizes 16, 32, 64, 128 and 256.                                       */
  int64_t page_size, num_pages;
  /* Left-padded queries: args.q_lens [batch] (i32) gives each sequence's
   * real query rows, the last q_lens[b] of its q_len (the rows before see
   * nothing: zeros, lse -inf, no skip decisions), so chunks of different
   * lengths run as one call with each causal mask aligned to its own
   * sequence.                                                            */
  int32_t has_q_lens;
  /* V inside K (MLA's latent cache): v is the first value_dim columns of
   * k's rows, so args.v must be args.k and v_strides k_strides (or both
   * contiguous-equivalent). The result is that of any V with those values;
   * CUDA then loads each KV block once for both products, which is how it
   * runs head_dim up to 576 with value_dim 512.                          */
  int32_t value_in_key;
} skipattn_attention_desc_t;

typedef struct skipattn_attention_args {
  uint32_t struct_size; /* sizeof(skipattn_attention_args_t) */
  const void *q, *k, *v;
  void *out;
  const int32_t *kv_lens;    /* iff desc.has_kv_lens                    */
  const float *skip_factors; /* iff desc.factor_layout != NONE         */
  float *lse;                /* iff desc.with_lse                       */
  int64_t *stats;            /* iff desc.with_stats (see below)          */
  /* per (batch, query head): skip decisions (one skip unit against one KV
   * block, at the head of the unit's first row; units without a row that
   * sees a key are not counted) and how many of them skipped; with
   * with_stats = 2 also the V block loads and how many a skip left out.
   * A V load is one block's V read by one CTA tile for all its units on
   * CUDA (counted at the tile's first head; left out only with gated V,
   * when every unit of the tile skips), by one unit on the CPU (left out
   * with the unit's skip). docs/index.md, "Statistics".                  */
  void *stream; /* CUstream; NULL: the default stream      */
  /* CUDA kernels with split-KV (kernel_info.workspace_bytes > 0): device
   * memory of at least workspace_bytes, zeroed before its first use; every
   * launch leaves it zeroed, so one buffer serves the launches of one
   * kernel on one stream. NULL: the kernel's own, one per stream, allocated
   * on the stream's first launch (which therefore cannot be graph-captured;
   * pass a buffer there). Ignored when the kernel needs none.             */
  void *workspace;
  uint64_t workspace_bytes;
  /* iff desc.page_size > 0: key j of sequence b is row j % page_size of
   * page page_table[b * (kv_len / page_size) + j / page_size]. Entries of
   * pages a sequence reads (below its length) must lie in [0, num_pages):
   * checked at launch for host memory (CPU); device memory (CUDA) is the
   * caller's contract, as in serving frameworks (an entry outside reads
   * zeros, never faults).                                              */
  const int32_t *page_table;
  const int32_t *q_lens; /* iff desc.has_q_lens: each in [0, q_len]      */
} skipattn_attention_args_t;

typedef struct skipattn_kernel_info {
  uint32_t struct_size;
  const char *cache_key; /* the spec the kernel was compiled for        */
  const char *source;    /* "compiled", "memory" or "disk"               */
  double compile_ms;
  int64_t block_q, block_kv, heads_per_tile, skip_unit; /* tiling used   */
  int64_t kv_splits; /* split-KV ranges per tile, merged by log-sum-exp */
  uint64_t workspace_bytes; /* see skipattn_attention_args_t.workspace  */
} skipattn_kernel_info_t;

/* Library version ("0.3.0") and the message of the last failed call on
 * this thread ("" when none). */
SKIPATTN_C_EXPORT const char *skipattn_version(void);
SKIPATTN_C_EXPORT const char *skipattn_last_error(void);
SKIPATTN_C_EXPORT const char *skipattn_status_string(skipattn_status_t s);

/* Lifetimes. Handles are opaque tokens checked on every call, never
 * dereferenced: a context or kernel handle that was destroyed, never
 * created or is null gives SKIPATTN_ERROR_INVALID_ARGUMENT, not a crash.
 * A kernel belongs to the context that returned it and dies with it.
 * Destroying a context while other threads are inside calls on it (or on
 * its kernels) is safe: those calls finish, with their result, and later
 * calls are rejected. Destroying NULL is a no-op; destroying twice reports
 * the second call. Every function is thread-safe. */
SKIPATTN_C_EXPORT void
skipattn_context_options_init(skipattn_context_options_t *options);
SKIPATTN_C_EXPORT skipattn_status_t skipattn_context_create(
    const skipattn_context_options_t *options, skipattn_context_t *context);
SKIPATTN_C_EXPORT skipattn_status_t
skipattn_context_destroy(skipattn_context_t context);

/* Fills `desc` with defaults: CPU, f32, dense, sizes 1, min_keep_blocks 1. */
SKIPATTN_C_EXPORT void
skipattn_attention_desc_init(skipattn_attention_desc_t *desc);
SKIPATTN_C_EXPORT void
skipattn_attention_args_init(skipattn_attention_args_t *args);

/* Checks a descriptor exactly as skipattn_kernel_get does (shapes, limits,
 * dtype, strides, what the device supports) without compiling anything:
 * SKIPATTN_OK when a kernel can be built for it, else the status and
 * message skipattn_kernel_get would give. Cheap: a framework can ask before
 * choosing skipattn for a call. */
SKIPATTN_C_EXPORT skipattn_status_t
skipattn_attention_desc_check(const skipattn_attention_desc_t *desc);

/* Compile-or-fetch: the context's memory cache, then (CUDA) the disk cache,
 * then the pipeline. The kernel belongs to the context and stays valid
 * until the context is destroyed; so do the strings of its info. */
SKIPATTN_C_EXPORT skipattn_status_t skipattn_kernel_get(
    skipattn_context_t context, const skipattn_attention_desc_t *desc,
    skipattn_kernel_t *kernel);
SKIPATTN_C_EXPORT skipattn_status_t skipattn_kernel_get_info(
    skipattn_kernel_t kernel, skipattn_kernel_info_t *info);

/* Run-time values: every kv_lens[b] must lie in [0, kv_len] and every
 * skip factor be finite (a factor <= 0 is dense for its sequence or head).
 * Host-memory values (CPU) are checked at each launch and rejected with
 * SKIPATTN_ERROR_INVALID_ARGUMENT. Device-memory values (CUDA) cannot be
 * read without a host synchronisation, so they are not checked: the GPU
 * kernel clamps lengths into [0, kv_len] and runs any factor that is not
 * > 0 (NaN included) dense. */
/* Runs the kernel. CPU: synchronous on the calling thread. CUDA:
 * asynchronous on `args->stream` (stats are zeroed on that stream first),
 * with no host synchronisation and no allocation (given a workspace where
 * the kernel needs one), so it can be captured into a CUDA graph. CUDA
 * work happens in the primary context of the kernel's device; the calling
 * thread's current context (a framework's current device) is left as it
 * was, here and in skipattn_kernel_get, and no other device is touched. */
SKIPATTN_C_EXPORT skipattn_status_t skipattn_kernel_launch(
    skipattn_kernel_t kernel, const skipattn_attention_args_t *args);

/* skipattn_kernel_get + skipattn_kernel_launch. */
SKIPATTN_C_EXPORT skipattn_status_t skipattn_attention(
    skipattn_context_t context, const skipattn_attention_desc_t *desc,
    const skipattn_attention_args_t *args);

/* Qualcomm Cloud AI 100: one attention layer as the ONNX model and the
 * companion files qaic-compile takes. Sizes are the specialisations':
 * Prefill (prefill_seq_len rows; none when it is 1) and Decode (1 row),
 * both with `batch` sequences over a cache of ctx_len slots. With
 * cache_write (the default, QEfficient's layer) the model takes the chunk's
 * k/v, writes them into the cache at position_ids and returns the cache as
 * past_key.0_RetainedState / past_value.0_RetainedState. */
typedef struct skipattn_aic_layer_desc {
  uint32_t struct_size;   /* sizeof(skipattn_aic_layer_desc_t)             */
  skipattn_dtype_t dtype; /* F16, or F32 compiled with -convert-to-fp16    */
  int64_t batch, q_heads, kv_heads, head_dim;
  int64_t value_dim;       /* 0: head_dim                                  */
  int64_t prefill_seq_len; /* rows of a prefill chunk; 1: decode only      */
  int64_t ctx_len;         /* cache slots                                  */
  int32_t causal;          /* 1 (default)                                  */
  double scale;            /* 0: 1 / sqrt(head_dim)                        */
  int64_t num_kv_blocks;   /* KV blocks read per row (default 4)          */
  double prefill_factor, decode_factor; /* threshold scale factors; 0: dense */
  int64_t min_keep_blocks;              /* leading blocks always kept (1)  */
  int32_t cache_write;                  /* 1 (default); 0: read-only cache */
  int32_t with_lse, with_stats;         /* extra outputs                   */
  int32_t text_format;                  /* 1: model.onnx as protobuf text  */
} skipattn_aic_layer_desc_t;

SKIPATTN_C_EXPORT void
skipattn_aic_layer_desc_init(skipattn_aic_layer_desc_t *desc);
/* Writes model.onnx, specializations.json and custom_io.yaml into
 * `out_dir` (created if needed). SKIPATTN_ERROR_UNSUPPORTED in a build
 * without the ONNX export. */
SKIPATTN_C_EXPORT skipattn_status_t skipattn_aic_export_layer(
    const skipattn_aic_layer_desc_t *desc, const char *out_dir);

#ifdef __cplusplus
}
#endif

#endif /* SKIPATTN_C_SKIPATTN_H */
