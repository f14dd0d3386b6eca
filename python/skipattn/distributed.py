"""Context-parallel attention over torch.distributed.

The sequence is sharded over the ranks of a process group; each rank
computes partial attention of its queries against one KV shard at a time
and merges the partial outputs exactly through their log-sum-exp. All
communication is torch.distributed's (NCCL on GPUs, gloo on the CPU).

Prefill (`context_parallel_attention`): q, k and v are sharded alike. With
W ranks the sequence is cut into 2W chunks and rank r holds chunks r and
2W-1-r (`shard`), so a causal mask gives every rank the same work. K/V
travel around the ring: at each step a rank sends the shards it holds to
the next rank and receives the previous rank's while it computes.

Decode (`context_parallel_decode`): the KV cache is sharded contiguously,
the (few) query tokens are on every rank; each rank attends to its shard
and the partial results are all-gathered and merged.

Skip-softmax per shard: every kernel call over one KV chunk keeps its own
running maximum and never skips its first block(s) (`min_keep_blocks`),
as a split-KV kernel does. The threshold stays the unsharded one: a call
over n of a sequence's L keys gets the factor scaled by n / L, so that its
lambda = factor / L. `context_parallel_reference` models exactly these
calls in float64, so decisions are comparable.
"""

import math

import numpy as np

from . import _api
from .reference import attention_reference, expand_factors


def _torch():
    import torch
    return torch


def _dist():
    import torch.distributed as dist
    return dist


def _chunks(x, parts, dim=2):
    n = x.shape[dim]
    if n % parts:
        raise ValueError(f"sequence length {n} is not a multiple of {parts} "
                         f"(2 x world size)")
    return list(x.split(n // parts, dim=dim))


def shard(x, rank, world_size, dim=2):
    """This rank's part of a full [B, H, S, D] tensor in the load-balanced
    layout: chunks `rank` and `2 * world_size - 1 - rank` of 2W chunks,
    concatenated along the sequence."""
    torch = _torch()
    c = _chunks(x, 2 * world_size, dim)
    return torch.cat([c[rank], c[2 * world_size - 1 - rank]], dim=dim)


def unshard(parts, dim=2):
    """The full tensor from every rank's `shard` (a list indexed by rank)."""
    torch = _torch()
    w = len(parts)
    chunks = [None] * (2 * w)
    for r, p in enumerate(parts):
        a, b = p.split(p.shape[dim] // 2, dim=dim)
        chunks[r], chunks[2 * w - 1 - r] = a, b
    return torch.cat(chunks, dim=dim)


def merge(out_a, lse_a, out_b, lse_b):
    """Exact merge of two partial attentions over disjoint keys: outputs
    [..., S, D] (float32) weighted by exp(lse - max); rows that saw no key
    (lse = -inf) contribute nothing."""
    torch = _torch()
    m = torch.maximum(lse_a, lse_b)
    m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
    wa, wb = torch.exp(lse_a - m), torch.exp(lse_b - m)
    s = wa + wb
    safe = torch.where(s > 0, s, torch.ones_like(s))
    out = (out_a * wa[..., None] + out_b * wb[..., None]) / safe[..., None]
    lse = torch.where(s > 0, m + torch.log(safe),
                      torch.full_like(m, -math.inf))
    return out, lse


def _chunk_lens(kv_lens, start, size, batch, device):
    """Keys of each sequence inside [start, start + size): int32 [B]."""
    torch = _torch()
    if kv_lens is None:
        return torch.full((batch,), size, dtype=torch.int32, device=device)
    lens = torch.as_tensor(kv_lens, device=device).to(torch.int64)
    return (lens - start).clamp(0, size).to(torch.int32)


def _call_factor(factor, lens, total, batch, heads, device):
    """Per-call runtime factors [B, Hq]: the global factor scaled by the
    chunk's share of each sequence (lambda = factor / total length)."""
    torch = _torch()
    f = expand_factors(factor, batch, heads)
    if f is None:
        return None
    f = torch.as_tensor(f, dtype=torch.float32, device=device)
    share = (lens.to(torch.float32) /
             total.to(device).clamp(min=1).to(torch.float32))
    return (f * share[:, None]).contiguous()


def _partial(q, k, v, causal, scale, factor, min_keep_blocks, lens, total,
             context):
    """One kernel call over one KV chunk: (out float32, lse, stats)."""
    torch = _torch()
    B, Hq = q.shape[0], q.shape[1]
    f = _call_factor(factor, lens, total, B, Hq, q.device)
    out, lse, stats = _api.attention(
        q, k, v, causal=causal, scale=scale,
        skip_softmax_threshold_scale_factor=f,
        min_keep_blocks=min_keep_blocks, kv_lens=lens, return_lse=True,
        return_stats=True, context=context)
    empty = (lens == 0)[:, None, None]
    lse = torch.where(empty, torch.full_like(lse, -math.inf), lse)
    return out.float(), lse, stats


def _totals(kv_lens, seq, batch, device):
    torch = _torch()
    if kv_lens is None:
        return torch.full((batch,), seq, dtype=torch.int64, device=device)
    return torch.as_tensor(kv_lens, device=device).to(torch.int64).clamp(0, seq)


def _check_inputs(q, k, v, what):
    torch = _torch()
    for name, t in (("q", q), ("k", k), ("v", v)):
        if not isinstance(t, torch.Tensor) or t.dim() != 4:
            raise ValueError(f"{what}: {name} must be a 4-D torch tensor "
                             f"[B, H, S, D]")
    if torch.is_grad_enabled() and any(t.requires_grad for t in (q, k, v)):
        raise RuntimeError(f"{what} is forward-only: inputs that require "
                           f"grad are not supported")


def context_parallel_attention(q, k, v, *, group=None, causal=False,
                               scale=None,
                               skip_softmax_threshold_scale_factor=None,
                               min_keep_blocks=1, kv_lens=None,
                               return_lse=False, return_stats=False,
                               context=None):
    """Prefill attention over a sequence sharded on the ranks of `group`.

    q, k, v: this rank's `shard` of [B, H, S, D] tensors (each holds 2 of
    the 2W chunks of length c = S / 2W). `kv_lens` (int [B], the full
    sequences' lengths) masks keys past them; with `causal` it must be
    None (the bottom-right mask of a ragged sequence is not sharded).
    Returns this rank's output shard [B, Hq, 2c, Dv], then its lse and its
    queries' statistics (decisions, skipped, summed over the calls) when
    asked for. K/V shards circulate around the ring, each send and receive
    overlapping the step's computation.
    """
    torch, dist = _torch(), _dist()
    _check_inputs(q, k, v, "context_parallel_attention")
    if causal and kv_lens is not None:
        raise ValueError("context_parallel_attention: causal attention with "
                         "kv_lens is not supported (pass one or the other)")
    world = dist.get_world_size(group)
    rank = dist.get_rank(group)
    B, Hq, S2, _ = q.shape
    if S2 % 2 or k.shape[2] != S2 or v.shape[2] != S2:
        raise ValueError("context_parallel_attention: q, k and v shards must "
                         "hold two chunks of one length each")
    c = S2 // 2
    seq = 2 * world * c
    total = _totals(kv_lens, seq, B, q.device)
    my_chunks = (rank, 2 * world - 1 - rank)
    q_parts = q.split(c, dim=2)
    acc = [None, None]
    stats = torch.zeros((B, Hq, 2), dtype=torch.int64, device=q.device)

    # Point-to-point calls name global ranks.
    dst, prv = ((dist.get_global_rank(group, r) if group else r)
                for r in ((rank + 1) % world, (rank - 1) % world))
    held_k, held_v, src = k.contiguous(), v.contiguous(), rank
    for step in range(world):
        reqs, nxt_k, nxt_v = [], None, None
        if step + 1 < world:
            nxt_k, nxt_v = torch.empty_like(held_k), torch.empty_like(held_v)
            # One batch: NCCL launches the sends and receives together (as
            # separate calls every rank would send first and wait).
            reqs = dist.batch_isend_irecv([
                dist.P2POp(dist.isend, held_k, dst, group=group),
                dist.P2POp(dist.isend, held_v, dst, group=group),
                dist.P2POp(dist.irecv, nxt_k, prv, group=group),
                dist.P2POp(dist.irecv, nxt_v, prv, group=group)])
        kv_chunks = (src, 2 * world - 1 - src)
        k_parts, v_parts = held_k.split(c, dim=2), held_v.split(c, dim=2)
        for qi, qc in enumerate(my_chunks):
            for kj, kc in enumerate(kv_chunks):
                if causal and kc > qc:
                    continue
                lens = _chunk_lens(kv_lens, kc * c, c, B, q.device)
                o, l, st = _partial(q_parts[qi].contiguous(),
                                    k_parts[kj].contiguous(),
                                    v_parts[kj].contiguous(),
                                    causal and kc == qc, scale,
                                    skip_softmax_threshold_scale_factor,
                                    min_keep_blocks, lens, total, context)
                stats += st
                acc[qi] = (o, l) if acc[qi] is None else merge(*acc[qi], o, l)
        for r in reqs:
            r.wait()
        if step + 1 < world:
            held_k, held_v = nxt_k, nxt_v
            src = (src - 1) % world
    out = torch.cat([acc[0][0], acc[1][0]], dim=2).to(q.dtype)
    lse = torch.cat([acc[0][1], acc[1][1]], dim=2)
    return _api._result(out, lse if return_lse else None,
                        stats if return_stats else None)


def context_parallel_decode(q, k, v, *, group=None, causal=False, scale=None,
                            skip_softmax_threshold_scale_factor=None,
                            min_keep_blocks=1, kv_lens=None, return_lse=False,
                            return_stats=False, context=None):
    """Decode over a KV cache sharded contiguously on the ranks of `group`.

    q: [B, Hq, Sq, D], the same on every rank. k, v: this rank's shard of
    the cache, keys [rank * n, (rank + 1) * n) of the full length W * n.
    `kv_lens` are the full sequences' lengths. Every rank returns the full
    output (and lse, and the statistics summed over all ranks). `causal`
    is only meaningful with one query token, where it changes nothing.
    """
    torch, dist = _torch(), _dist()
    _check_inputs(q, k, v, "context_parallel_decode")
    if causal and q.shape[2] != 1:
        raise ValueError("context_parallel_decode: a causal mask over a "
                         "sharded cache needs one query token")
    world = dist.get_world_size(group)
    rank = dist.get_rank(group)
    B, Hq = q.shape[0], q.shape[1]
    n = k.shape[2]
    total = _totals(kv_lens, world * n, B, q.device)
    lens = _chunk_lens(kv_lens, rank * n, n, B, q.device)
    o, l, st = _partial(q.contiguous(), k.contiguous(), v.contiguous(), False,
                        scale, skip_softmax_threshold_scale_factor,
                        min_keep_blocks, lens, total, context)
    outs = [torch.empty_like(o) for _ in range(world)]
    lses = [torch.empty_like(l) for _ in range(world)]
    dist.all_gather(outs, o.contiguous(), group=group)
    dist.all_gather(lses, l.contiguous(), group=group)
    dist.all_reduce(st, group=group)
    out, lse = outs[0], lses[0]
    for r in range(1, world):
        out, lse = merge(out, lse, outs[r], lses[r])
    return _api._result(out.to(q.dtype), lse if return_lse else None,
                        st if return_stats else None)


def context_parallel_reference(q, k, v, world_size, *, causal=False,
                               scale=None, factor=None, min_keep_blocks=1,
                               kv_lens=None, decode=False, tiling=None):
    """The float64 model of the sharded computation on full tensors: the
    same kernel calls (one per query chunk and KV chunk, each with its own
    running maximum and the scaled factor) through `attention_reference`,
    merged by log-sum-exp. `tiling` is the kernel's (kernel_info) for one
    call. Returns (out, lse, stats, near) over the full sequence."""
    torch = _torch()
    q64, k64, v64 = (torch.as_tensor(np.asarray(x.double().cpu()))
                     for x in (q, k, v))
    B, Hq, Sq, _ = q64.shape
    S = k64.shape[2]
    tiling = dict(tiling or {})
    keys = ("block_q", "block_kv", "heads_per_tile", "skip_unit", "kv_splits")
    tiles = {key: tiling[key] for key in keys if key in tiling}
    total = _totals(kv_lens, S, B, "cpu")

    def call(qc, kc, vc, diag, start, size):
        lens = _chunk_lens(kv_lens, start, size, B, "cpu").numpy()
        # lambda = factor / L: the factor scaled by the chunk's share of
        # the sequence, in float32 as the kernel reads it.
        fc = expand_factors(factor, B, Hq)
        if fc is not None:
            share = (lens.astype(np.float32) /
                     np.maximum(total.numpy(), 1).astype(np.float32))
            fc = (fc.astype(np.float32) * share[:, None]).astype(np.float64)
        out, lse, st, near = attention_reference(
            qc.numpy(), kc.numpy(), vc.numpy(), causal=diag, scale=scale,
            factors=fc, min_keep_blocks=min_keep_blocks, kv_lens=lens,
            **tiles)
        lse = np.where(lens[:, None, None] == 0, -np.inf, lse)
        return torch.as_tensor(out), torch.as_tensor(lse), st, near

    stats = np.zeros((B, Hq, 2), dtype=np.int64)
    near = 0
    if decode:
        n = S // world_size
        acc = None
        for r in range(world_size):
            sl = slice(r * n, (r + 1) * n)
            o, l, st, nr = call(q64, k64[:, :, sl], v64[:, :, sl], False,
                                r * n, n)
            stats, near = stats + st, near + nr
            acc = (o, l) if acc is None else merge(*acc, o, l)
        return acc[0].numpy(), acc[1].numpy(), stats, near
    parts = 2 * world_size
    c = S // parts
    outs, lses = [], []
    for qc in range(parts):
        acc = None
        for kc in range(parts):
            if causal and kc > qc:
                continue
            qs, ks = slice(qc * c, (qc + 1) * c), slice(kc * c, (kc + 1) * c)
            o, l, st, nr = call(q64[:, :, qs], k64[:, :, ks], v64[:, :, ks],
                                causal and kc == qc, kc * c, c)
            stats[:, :, :] += st
            near += nr
            acc = (o, l) if acc is None else merge(*acc, o, l)
        outs.append(acc[0])
        lses.append(acc[1])
    return (torch.cat(outs, dim=2).numpy(), torch.cat(lses, dim=2).numpy(),
            stats, near)
