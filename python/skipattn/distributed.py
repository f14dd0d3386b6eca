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

Skip-softmax per shard: a rank makes one kernel call per held K/V shard
(two on its own shard under a causal mask, `_step_calls`); every call keeps
its own running maximum and never skips its first block(s)
(`min_keep_blocks`), as a split-KV kernel does. The threshold stays the unsharded one: a call
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
    """Per-call runtime factors: the global factor scaled by the chunk's
    share of each sequence (lambda = factor / total length). [B] when the
    factor does not vary over the heads, so that the kernel reads one
    factor per tile and may pack the heads of a KV head into one tile;
    [B, Hq] otherwise."""
    torch = _torch()
    f = expand_factors(factor, batch, heads)
    if f is None:
        return None
    if (f == f[:, :1]).all():
        f = f[:, 0]
    f = torch.as_tensor(f, dtype=torch.float32, device=device)
    share = (lens.to(torch.float32) /
             total.to(device).clamp(min=1).to(torch.float32))
    return (f * (share if f.dim() == 1 else share[:, None])).contiguous()


def _step_calls(rank, src, causal):
    """The kernel calls of `rank` while it holds the K/V shard of rank
    `src`, as (query chunks, key chunks, causal): chunk 0 is a shard's low
    chunk (r), chunk 1 its high one (2W - 1 - r). Chunks next to each other
    in a shard go into one call, so each call's keys are a whole shard or
    its low half: without a mask one call; with it, on the rank's own
    shard the low query chunk against the low key chunk (diagonal) and the
    high one against both key chunks (bottom-right aligned: all of the low
    chunk, the diagonal of the high one); a shard from a lower rank is seen
    by both query chunks through its low chunk only, one from a higher
    rank by the high query chunk through both of its chunks."""
    if not causal:
        return [((0, 1), (0, 1), False)]
    if src == rank:
        return [((0,), (0,), True), ((1,), (0, 1), True)]
    if src < rank:
        return [((0, 1), (0,), False)]
    return [((1,), (0, 1), False)]


def _select(x, chunks, c):
    """The listed chunks (0, 1 or both, in order) of a two-chunk shard, as
    a view along the sequence."""
    lo = chunks[0] * c
    return x[:, :, lo:lo + len(chunks) * c]


def _held_lens(kv_lens, chunks, c, batch, device):
    """Valid keys of the concatenated global chunks `chunks` (increasing):
    the valid keys of a sequence are a prefix of it, so they are a prefix
    of the concatenation too."""
    lens = _chunk_lens(kv_lens, chunks[0] * c, c, batch, device)
    for j in chunks[1:]:
        lens = lens + _chunk_lens(kv_lens, j * c, c, batch, device)
    return lens


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


def _check_stats(return_stats, what):
    # The ranks' statistics are summed decision counts; V loads are a
    # per-tile count of each rank's kernels and are not offered here.
    if return_stats not in (True, False):
        raise ValueError(f"{what}: return_stats must be True or False (the "
                         "statistics are [B, Hq, 2]: decisions, skipped), "
                         f"got {return_stats!r}")


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
    _check_stats(return_stats, "context_parallel_attention")
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
        for qsel, ksel, diag in _step_calls(rank, src, causal):
            qv = _select(q, qsel, c)
            kv, vv = _select(held_k, ksel, c), _select(held_v, ksel, c)
            lens = _held_lens(kv_lens, [kv_chunks[j] for j in ksel], c, B,
                              q.device)
            o, l, st = _partial(qv, kv, vv, diag, scale,
                                skip_softmax_threshold_scale_factor,
                                min_keep_blocks, lens, total, context)
            stats += st
            for i, qi in enumerate(qsel):
                part = (o[:, :, i * c:(i + 1) * c], l[:, :, i * c:(i + 1) * c])
                acc[qi] = part if acc[qi] is None else merge(*acc[qi], *part)
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
    _check_stats(return_stats, "context_parallel_decode")
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
    same kernel calls (`_step_calls` of every rank and ring step, each with
    its own running maximum and the scaled factor) through
    `attention_reference`, merged by log-sum-exp. `tiling` is the kernel's
    (kernel_info), or a function of a call's (query rows, keys) giving it
    where calls of different shapes tile differently. Returns (out, lse,
    stats, near) over the full sequence."""
    torch = _torch()
    q64, k64, v64 = (torch.as_tensor(np.asarray(x.double().cpu()))
                     for x in (q, k, v))
    B, Hq, Sq, _ = q64.shape
    S = k64.shape[2]
    keys = ("block_q", "block_kv", "heads_per_tile", "skip_unit", "kv_splits")

    def tiles(sq, skv):
        t = dict((tiling(sq, skv) if callable(tiling) else tiling) or {})
        return {key: t[key] for key in keys if key in t}

    total = _totals(kv_lens, S, B, "cpu")

    def call(qc, kc, vc, diag, chunks):
        lens = _held_lens(kv_lens, chunks, kc.shape[2] // len(chunks), B,
                          "cpu").numpy()
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
            **tiles(qc.shape[2], kc.shape[2]))
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
                                [r])
            stats, near = stats + st, near + nr
            acc = (o, l) if acc is None else merge(*acc, o, l)
        return acc[0].numpy(), acc[1].numpy(), stats, near
    parts = 2 * world_size
    c = S // parts

    def rows(x, chunks):
        return torch.cat([x[:, :, j * c:(j + 1) * c] for j in chunks], dim=2)

    acc = [None] * parts
    for r in range(world_size):
        mine = (r, parts - 1 - r)
        for step in range(world_size):
            src = (r - step) % world_size
            held = (src, parts - 1 - src)
            for qsel, ksel, diag in _step_calls(r, src, causal):
                qcs, kcs = [mine[i] for i in qsel], [held[j] for j in ksel]
                o, l, st, nr = call(rows(q64, qcs), rows(k64, kcs),
                                    rows(v64, kcs), diag, kcs)
                stats[:, :, :] += st
                near += nr
                for i, qc in enumerate(qcs):
                    part = (o[:, :, i * c:(i + 1) * c],
                            l[:, :, i * c:(i + 1) * c])
                    acc[qc] = part if acc[qc] is None else merge(*acc[qc],
                                                                 *part)
    return (torch.cat([a[0] for a in acc], dim=2).numpy(),
            torch.cat([a[1] for a in acc], dim=2).numpy(),
            stats, near)
