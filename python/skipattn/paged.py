"""Attention over a paged KV cache, with the serving frameworks' conventions.

A paged cache keeps each sequence's keys and values in fixed-size pages
scattered over one preallocated buffer; a page table lists each sequence's
pages in order. Key j of sequence b is row j % page_size of page
page_table[b, j // page_size].

Three levels, all running one compiled kernel per shape (no copy of the
cache, no host synchronisation, so every call can be captured into a CUDA
graph once its kernel exists):

* `paged_attention`: the core call, q [B, Hq, Sq, D] as in
  `skipattn.attention`, separate K and V caches, a page table and lengths.
* `batch_decode_with_kv_cache` / `batch_prefill_with_kv_cache`: FlashInfer's
  TensorRT-LLM-backed functions (`trtllm_batch_decode_with_kv_cache`,
  `trtllm_batch_context_with_kv_cache`), same parameter names and order,
  so a FlashInfer user switches by changing the import.
* `page_table_from_indptr`: FlashInfer's kv_indptr / kv_indices /
  kv_last_page_len turned into vLLM's block_tables + seq_lens (planning, on
  the host or as device ops before a graph capture).

Cache layouts: "NHD" is [pages, page_size, Hkv, D] (vLLM, FlashInfer's
default for its own kernels), "HND" is [pages, Hkv, page_size, D]
(FlashInfer's TensorRT-LLM backend). K and V may be one tensor with a
stacked dimension [pages, 2, ...] (FlashInfer) or [2, pages, ...] (vLLM):
both are views, never copied.
"""

from . import _api


def _swap12(x):
    """The view of x with dimensions 1 and 2 exchanged (no copy)."""
    if _api._is_torch(x):
        return x.transpose(1, 2)
    import numpy as np
    return np.swapaxes(x, 1, 2)


def _hnd(cache, kv_layout, what):
    """A cache as its [pages, Hkv, page_size, D] view."""
    if kv_layout not in ("NHD", "HND"):
        raise ValueError(f"kv_layout must be 'NHD' or 'HND', got {kv_layout!r}")
    if len(cache.shape) != 4:
        raise ValueError(f"{what} must be 4-D ({'[pages, page_size, Hkv, D]' if kv_layout == 'NHD' else '[pages, Hkv, page_size, D]'}), got shape {tuple(cache.shape)}")
    return _swap12(cache) if kv_layout == "NHD" else cache


def _split_kv(kv_cache, what="kv_cache"):
    """(k_cache, v_cache) from a pair or from one stacked tensor:
    [pages, 2, ...] (FlashInfer) or [2, pages, ...] (vLLM, recognised by a
    leading 2 and a 5-D shape whose second dimension is not 2)."""
    if isinstance(kv_cache, (tuple, list)):
        if len(kv_cache) != 2:
            raise ValueError(f"{what} as a sequence must be (k_cache, v_cache)")
        return kv_cache[0], kv_cache[1]
    shape = tuple(kv_cache.shape)
    if len(shape) != 5:
        raise ValueError(f"{what} must be (k_cache, v_cache) or one 5-D "
                         f"tensor [pages, 2, ...], got shape {shape}")
    if shape[1] == 2:
        return kv_cache[:, 0], kv_cache[:, 1]
    if shape[0] == 2:
        return kv_cache[0], kv_cache[1]
    raise ValueError(f"{what} of shape {shape} has no dimension of 2 that "
                     f"stacks K and V ([pages, 2, ...] or [2, pages, ...])")


def paged_attention(q, k_cache, v_cache, page_table, kv_lens, *,
                    kv_layout="NHD", causal=False, scale=None,
                    skip_softmax_threshold_scale_factor=None,
                    min_keep_blocks=1, return_lse=False, return_stats=False,
                    context=None, q_lens=None):
    """Attention of q [B, Hq, Sq, D] over a paged KV cache.

    k_cache, v_cache: [pages, page_size, Hkv, D] ("NHD") or [pages, Hkv,
    page_size, D] ("HND"), any view with a unit stride on D. page_table:
    int32 [B, max_pages]; key j of sequence b is row j % page_size of page
    page_table[b, j // page_size]; the sequences' logical KV length is
    max_pages * page_size. kv_lens: int32 [B], each sequence's length
    (None: every sequence fills its max_pages pages). Entries of pages a
    sequence reads must lie in [0, pages): checked for host tensors, the
    caller's contract for device tensors (an entry outside reads zeros on
    the GPU, never faults). Table slots past a sequence's length are never
    read (any value, -1 included).

    q_lens: int32 [B], the real query rows of each sequence, at the end
    of its Sq rows (a left-padded batch, see `skipattn.attention`).
    Everything else (causal, scale, the skip factor, lse, statistics) is
    exactly `skipattn.attention`'s. Page sizes: any on the CPU; 16, 32, 64,
    128 and 256 on the GPU.
    """
    k = _hnd(k_cache, kv_layout, "k_cache")
    v = _hnd(v_cache, kv_layout, "v_cache")
    # A call seen before with int32 tables on q's device: one launch.
    res = _api._fast_attention(q, k, v, causal, scale,
                               skip_softmax_threshold_scale_factor,
                               min_keep_blocks, context, kv_lens, page_table,
                               q_lens, return_lse, return_stats)
    if res is not None:
        return _api._result(*res)
    return _api._checked_call(
        "skipattn.paged_attention", q, k, v, causal, scale,
        skip_softmax_threshold_scale_factor, min_keep_blocks, kv_lens,
        return_lse, return_stats, context, page_table=page_table,
        q_lens=q_lens)


def page_table_from_indptr(kv_indptr, kv_indices, kv_last_page_len,
                           page_size, max_pages=None):
    """FlashInfer's page description as (block_tables, seq_lens).

    kv_indptr [B + 1], kv_indices [nnz] and kv_last_page_len [B] (int)
    become block_tables int32 [B, max_pages] (unused slots -1) and seq_lens
    int32 [B] = (pages - 1) * page_size + last_page_len (0 for a sequence
    without pages). max_pages defaults to the longest sequence's page count,
    which reads kv_indptr on the host: pass it to plan device tensors
    without a synchronisation (FlashInfer's plan() does this on the host
    too)."""
    if _api._is_torch(kv_indptr):
        import torch
        dev = kv_indptr.device
        indptr = kv_indptr.to(torch.int64)
        counts = indptr[1:] - indptr[:-1]
        B = counts.shape[0]
        if max_pages is None:
            max_pages = int(counts.max().item()) if B else 0
        max_pages = max(int(max_pages), 1)
        slot = torch.arange(max_pages, device=dev).unsqueeze(0)
        valid = slot < counts.unsqueeze(1)
        src = (indptr[:-1].unsqueeze(1) + slot).clamp(
            max=max(kv_indices.shape[0] - 1, 0))
        idx = kv_indices.to(torch.int64)
        table = torch.where(valid, idx[src] if idx.numel() else
                            torch.zeros_like(src), torch.full_like(src, -1))
        last = kv_last_page_len.to(torch.int64)
        lens = torch.where(counts > 0, (counts - 1) * page_size + last,
                           torch.zeros_like(counts))
        return table.to(torch.int32), lens.to(torch.int32)
    import numpy as np
    indptr = np.asarray(kv_indptr, dtype=np.int64)
    idx = np.asarray(kv_indices, dtype=np.int64)
    counts = indptr[1:] - indptr[:-1]
    if max_pages is None:
        max_pages = int(counts.max()) if counts.size else 0
    max_pages = max(int(max_pages), 1)
    if (counts > max_pages).any():
        raise ValueError(f"a sequence has more than max_pages={max_pages} pages")
    table = np.full((counts.size, max_pages), -1, dtype=np.int32)
    for b, (start, n) in enumerate(zip(indptr[:-1], counts)):
        table[b, :n] = idx[start:start + n]
    last = np.asarray(kv_last_page_len, dtype=np.int64)
    lens = np.where(counts > 0, (counts - 1) * page_size + last, 0)
    return table, lens.astype(np.int32)


def _left_pad(query, cum_seq_lens_q, B, max_q):
    """Packed tokens [T, H, D] as a left-padded [B, H, max_q, D] view, each
    sequence's real query count [B], and the function taking a [B, max_q,
    ...] result back to the tokens' order. Device tensors stay on the
    device (index arithmetic, no synchronisation)."""
    T = query.shape[0]
    if _api._is_torch(query):
        import torch
        dev = query.device
        cu = torch.as_tensor(cum_seq_lens_q, device=dev).to(torch.int64)
        lens = cu[1:B + 1] - cu[:B]
        pos = torch.arange(max_q, device=dev)
        first = max_q - lens
        src = cu[:B, None] + pos[None, :] - first[:, None]
        src = torch.where(pos[None, :] >= first[:, None], src,
                          torch.zeros_like(src)).clamp(0, max(T - 1, 0))
        padded = query[src] if T else query.new_zeros(
            (B, max_q) + tuple(query.shape[1:]))
        t = torch.arange(T, device=dev)
        b_of = torch.searchsorted(cu[1:B + 1], t, right=True).clamp(max=B - 1)
        i_of = first[b_of] + t - cu[b_of]

        def back(x):
            return x[b_of, i_of]
        return _swap12(padded), lens.to(torch.int32), back
    import numpy as np
    q = np.asarray(query)
    cu = np.asarray(cum_seq_lens_q, dtype=np.int64)
    lens = cu[1:B + 1] - cu[:B]
    if (lens < 0).any() or (lens > max_q).any():
        raise ValueError(f"cum_seq_lens_q must be non-decreasing with chunks "
                         f"of at most max_q_len={max_q} tokens")
    pos = np.arange(max_q)
    first = max_q - lens
    src = np.where(pos[None, :] >= first[:, None],
                   cu[:B, None] + pos[None, :] - first[:, None], 0)
    src = np.clip(src, 0, max(T - 1, 0))
    padded = q[src] if T else np.zeros((B, max_q) + q.shape[1:], q.dtype)
    t = np.arange(T)
    b_of = np.minimum(np.searchsorted(cu[1:B + 1], t, side="right"), B - 1)
    i_of = first[b_of] + t - cu[b_of]

    def back(x):
        return x[b_of, i_of]
    return _swap12(np.ascontiguousarray(padded)), lens.astype(np.int32), back


def _scaled(out, bmm2_scale):
    if bmm2_scale is None or bmm2_scale == 1.0:
        return out
    out *= bmm2_scale
    return out


def _finish(res, to_tokens, bmm2_scale, out, return_lse):
    """A wrapper's result in token order: out (scaled by bmm2_scale and
    written into `out` when given), then lse [tokens, H] and stats.
    `to_tokens` takes a [B, S, H, ...] array to [tokens, H, ...]."""
    o = res[0] if isinstance(res, tuple) else res
    tokens = _scaled(to_tokens(_swap12(o)), bmm2_scale)
    if out is not None:
        out[...] = tokens
        tokens = out
    if not isinstance(res, tuple):
        return tokens
    extra = list(res[1:])
    if return_lse:
        # [B, H, S] -> [B, S, H] -> FlashInfer's token order.
        extra[0] = to_tokens(_swap12(extra[0][..., None])[..., 0])
    return (tokens,) + tuple(extra)


def _tokens_to_bhsd(query, batch, q_len):
    """[batch * q_len, H, D] tokens as the [B, H, q_len, D] view."""
    H, D = query.shape[1], query.shape[2]
    x = query.reshape(batch, q_len, H, D)
    return _swap12(x)


def batch_decode_with_kv_cache(query, kv_cache, workspace_buffer=None,
                               block_tables=None, seq_lens=None,
                               max_seq_len=None, bmm1_scale=None,
                               bmm2_scale=1.0, window_left=-1, out=None,
                               kv_layout="HND", q_len_per_req=1,
                               skip_softmax_threshold_scale_factor=None,
                               return_lse=False, return_stats=False,
                               context=None):
    """Batch decode over a paged KV cache, FlashInfer's
    `trtllm_batch_decode_with_kv_cache` interface.

    query [B * q_len_per_req, Hq, D] (q_len_per_req > 1: speculative
    decoding, the tokens of a request causal among themselves and
    bottom-right aligned to its cache); kv_cache: (k_cache, v_cache) or one
    tensor [pages, 2, ...] in kv_layout ("HND" [pages, Hkv, page_size, D],
    FlashInfer's default here, or "NHD"); block_tables int32 [B, max_pages];
    seq_lens int32 [B] (the cache lengths, new tokens included).
    bmm1_scale: the softmax scale (q_scale * k_scale * sm_scale; None:
    1/sqrt(D)); bmm2_scale multiplies the output. workspace_buffer is
    accepted for compatibility and not used (split-KV kernels keep their
    own per-stream workspace); max_seq_len is the table's capacity
    (max_pages * page_size) when given, and only checked. Sliding windows
    (window_left >= 0) are not supported. Returns out [B * q_len, Hq, D]
    (written into `out` when given), then lse and stats when asked for.
    """
    if window_left is not None and window_left >= 0:
        raise _api.UnsupportedError("sliding-window attention "
                                    "(window_left >= 0) is not supported")
    if block_tables is None or seq_lens is None:
        raise ValueError("block_tables and seq_lens are required")
    k_cache, v_cache = _split_kv(kv_cache)
    if len(query.shape) != 3:
        raise ValueError(f"query must be [batch * q_len_per_req, heads, dim], "
                         f"got shape {tuple(query.shape)}")
    q_len = int(q_len_per_req)
    if q_len < 1 or query.shape[0] % q_len:
        raise ValueError(f"q_len_per_req={q_len_per_req} must divide the "
                         f"{query.shape[0]} query tokens")
    B = query.shape[0] // q_len
    q = _tokens_to_bhsd(query, B, q_len)
    page_size = (k_cache.shape[1] if kv_layout == "NHD" else k_cache.shape[2])
    if max_seq_len is not None and len(block_tables.shape) == 2 and \
            max_seq_len > block_tables.shape[1] * page_size:
        raise ValueError(f"max_seq_len={max_seq_len} exceeds the block "
                         f"table's {block_tables.shape[1]} pages of "
                         f"{page_size}")
    res = paged_attention(
        q, k_cache, v_cache, block_tables, seq_lens, kv_layout=kv_layout,
        causal=q_len > 1, scale=bmm1_scale,
        skip_softmax_threshold_scale_factor=skip_softmax_threshold_scale_factor,
        return_lse=return_lse, return_stats=return_stats, context=context)
    return _finish(res, lambda x: x.reshape((B * q_len,) + tuple(x.shape[2:])),
                   bmm2_scale, out, return_lse)


def batch_prefill_with_kv_cache(query, kv_cache, workspace_buffer=None,
                                block_tables=None, seq_lens=None,
                                max_q_len=None, max_kv_len=None,
                                bmm1_scale=None, bmm2_scale=1.0,
                                batch_size=None, cum_seq_lens_q=None,
                                cum_seq_lens_kv=None, window_left=-1,
                                out=None, kv_layout="HND", causal=True,
                                skip_softmax_threshold_scale_factor=None,
                                return_lse=False, return_stats=False,
                                context=None):
    """Batch prefill (chunked prefill) over a paged KV cache, FlashInfer's
    `trtllm_batch_context_with_kv_cache` interface.

    query [total_tokens, Hq, D] packed by cum_seq_lens_q [B + 1] (the new
    tokens of each sequence, already written into its cache pages);
    seq_lens int32 [B] each sequence's cache length including its new
    tokens; the causal mask is bottom-right aligned per sequence (a chunk's
    last token sees the whole cache). max_q_len is the longest chunk
    (read from cum_seq_lens_q when None, a host synchronisation for device
    tensors: pass it under CUDA graphs). Chunks are run left-padded to
    max_q_len in one kernel: padding rows are masked to nothing and take no
    part in skip decisions, so outputs and decisions are those of each
    sequence alone. Other parameters as `batch_decode_with_kv_cache`.
    Returns out [total_tokens, Hq, D], then lse [total_tokens, Hq] and
    stats when asked for.
    """
    if window_left is not None and window_left >= 0:
        raise _api.UnsupportedError("sliding-window attention "
                                    "(window_left >= 0) is not supported")
    if block_tables is None or seq_lens is None or cum_seq_lens_q is None:
        raise ValueError("block_tables, seq_lens and cum_seq_lens_q are "
                         "required")
    k_cache, v_cache = _split_kv(kv_cache)
    if len(query.shape) != 3:
        raise ValueError(f"query must be [total_tokens, heads, dim], got "
                         f"shape {tuple(query.shape)}")
    B = len(cum_seq_lens_q) - 1 if batch_size is None else int(batch_size)
    if max_q_len is None:
        c = cum_seq_lens_q.tolist() if hasattr(cum_seq_lens_q, "tolist") \
            else list(cum_seq_lens_q)
        max_q_len = max((int(c[i + 1]) - int(c[i]) for i in range(B)),
                        default=0)
    max_q_len = max(int(max_q_len), 1)
    q_pad, q_lens, gather_back = _left_pad(query, cum_seq_lens_q, B, max_q_len)
    res = paged_attention(
        q_pad, k_cache, v_cache, block_tables, seq_lens, kv_layout=kv_layout,
        causal=causal, scale=bmm1_scale,
        skip_softmax_threshold_scale_factor=skip_softmax_threshold_scale_factor,
        return_lse=return_lse, return_stats=return_stats, context=context,
        q_lens=q_lens)
    return _finish(res, gather_back, bmm2_scale, out, return_lse)
