"""Multi-head latent attention (DeepSeek MLA) decode over a paged latent
cache, with FlashInfer's `trtllm_batch_decode_with_kv_cache_mla` interface.

In MLA decode every query head attends to one shared latent cache: each
token keeps one 576-wide row, 512 compressed ("latent", kv_lora_rank)
columns followed by 64 rotary columns. The keys are the whole row, the
values its first 512 columns. skipattn runs it as the attention of
`skipattn.attention` with one KV head, head dimension 576 and value
dimension 512, where K and V are two views of the same cache (no copy):

    K = cache[pages, 1, page_size, 576]     (the whole row)
    V = cache[pages, 1, page_size, :512]    (the latent columns)

so the float64 reference, the skip decisions and the statistics are those
of that attention. A skipped block still read its K rows (the vote needs
them); what skipping saves is the exponentials and the P.V products over
the latent columns.
"""

from . import _api
from .paged import _scaled, _swap12, paged_attention


def _latent_cache(kv_cache):
    """The [pages, page_size, width] view of a [pages, page_size, width] or
    [pages, 1, page_size, width] cache."""
    shape = tuple(kv_cache.shape)
    if len(shape) == 4:
        if shape[1] != 1:
            raise ValueError(f"a 4-D kv_cache must be [pages, 1, page_size, "
                             f"width], got shape {shape}")
        return kv_cache[:, 0]
    if len(shape) != 3:
        raise ValueError(f"kv_cache must be [pages, page_size, width] or "
                         f"[pages, 1, page_size, width], got shape {shape}")
    return kv_cache


def mla_decode(query, kv_cache, workspace_buffer=None, qk_nope_head_dim=None,
               kv_lora_rank=512, qk_rope_head_dim=64, block_tables=None,
               seq_lens=None, max_seq_len=None, sparse_mla_top_k=0, out=None,
               bmm1_scale=1.0, bmm2_scale=1.0, sinks=None,
               skip_softmax_threshold_scale_factor=None, enable_pdl=None,
               backend="auto", is_var_seq=True, uses_shared_paged_kv_idx=True,
               lse=None, return_lse=False, return_stats=False, context=None):
    """MLA decode, FlashInfer's `trtllm_batch_decode_with_kv_cache_mla`
    (same parameter names and order, so switching is changing the import).

    query [B, q_len, H, kv_lora_rank + qk_rope_head_dim]: the absorbed
    queries (q_len > 1: speculative tokens, causal among themselves and
    bottom-right aligned to their sequence's cache). kv_cache [pages,
    page_size, kv_lora_rank + qk_rope_head_dim] (or with a unit dimension
    after pages); block_tables int32 [B, max_pages]; seq_lens int32 [B],
    each sequence's cache length including its new tokens. bmm1_scale is
    the scale of the scores (softmax scale times any q/k dequantisation
    scales), bmm2_scale multiplies the output. The skip threshold of
    sequence b is skip_softmax_threshold_scale_factor / seq_lens[b]
    (None or 0: dense).

    Returns out [B, q_len, H, kv_lora_rank] (written into `out` when
    given), then lse [B, q_len, H] (natural log of the scaled scores'
    sum of exponentials; written into `lse` when given) when return_lse,
    then the statistics [B, H, 2] (decisions, skipped) when return_stats.

    Accepted for compatibility and not used: workspace_buffer (split-KV
    kernels keep their own per-stream workspace), qk_nope_head_dim (the
    absorbed query has kv_lora_rank + qk_rope_head_dim columns whatever
    it was), enable_pdl, backend, is_var_seq and uses_shared_paged_kv_idx.
    Not supported, with an error: sparse MLA (sparse_mla_top_k > 0) and
    attention sinks.
    """
    if sparse_mla_top_k:
        raise _api.UnsupportedError("sparse MLA (sparse_mla_top_k > 0) is not "
                                    "supported")
    if sinks is not None:
        raise _api.UnsupportedError("attention sinks are not supported")
    if block_tables is None or seq_lens is None:
        raise ValueError("block_tables and seq_lens are required")
    if len(query.shape) != 4:
        raise ValueError(f"query must be [batch, q_len, heads, width], got "
                         f"shape {tuple(query.shape)}")
    width = int(kv_lora_rank) + int(qk_rope_head_dim)
    cache = _latent_cache(kv_cache)
    if query.shape[3] != width or cache.shape[2] != width:
        raise ValueError(
            f"query and kv_cache rows must be kv_lora_rank + "
            f"qk_rope_head_dim = {width} wide, got {query.shape[3]} and "
            f"{cache.shape[2]}")
    q_len = query.shape[1]
    page_size = cache.shape[1]
    if max_seq_len is not None and len(block_tables.shape) == 2 and \
            max_seq_len > block_tables.shape[1] * page_size:
        raise ValueError(f"max_seq_len={max_seq_len} exceeds the block "
                         f"table's {block_tables.shape[1]} pages of "
                         f"{page_size}")
    keys = cache[:, None]                       # [pages, 1, page_size, 576]
    values = cache[:, None, :, :kv_lora_rank]   # its latent columns
    want_lse = return_lse or lse is not None
    res = paged_attention(
        _swap12(query), keys, values, block_tables, seq_lens,
        kv_layout="HND", causal=q_len > 1, scale=bmm1_scale,
        skip_softmax_threshold_scale_factor=skip_softmax_threshold_scale_factor,
        return_lse=want_lse, return_stats=return_stats, context=context)
    if isinstance(res, tuple):
        o, extra = res[0], list(res[1:])
    else:
        o, extra = res, []
    o = _scaled(_swap12(o), bmm2_scale)         # [B, q_len, H, 512]
    if out is not None:
        out[...] = o
        o = out
    result = [o]
    if want_lse:
        l = _swap12(extra.pop(0)[..., None])[..., 0]  # [B, q_len, H]
        if lse is not None:
            lse[...] = l
            l = lse
        if return_lse:
            result.append(l)
    if return_stats:
        result.append(extra.pop(0))
    return result[0] if len(result) == 1 else tuple(result)
