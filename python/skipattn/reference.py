"""Float64 NumPy model of blocked skip-softmax attention.

The same semantics as the compiler's C++ reference (lib/Reference): online
softmax over KV blocks of one query tile, with the canonical skip predicate
exp(scale * (m_block - m_running)) < factor / L evaluated per skip unit, the
first block and the first `min_keep_blocks` blocks of a tile kept, padding
and fully masked rows never vetoing. The tiling (block_q, block_kv,
heads_per_tile, skip_unit) decides which rows decide together; take it from
`skipattn.kernel_info` to model a compiled kernel exactly.
"""

import math

import numpy as np


def to_float64(x):
    """An array or tensor (any float dtype, any device) as a float64 array."""
    if type(x).__module__.startswith("torch"):
        x = x.detach().float().cpu().numpy()
    return np.asarray(x, dtype=np.float64)


def attention_reference(q, k, v, *, causal=False, scale=None, factors=None,
                        min_keep_blocks=1, kv_lens=None, block_q=64,
                        block_kv=64, heads_per_tile=1, skip_unit=0,
                        kv_splits=1, q_lens=None):
    """Returns (out, lse, stats, near).

    factors: None (dense) or a float64 [B, Hq] array of threshold scale
    factors. `near` counts decisions with a row within 1e-3 (natural-log
    units) of its threshold, where float32 rounding may flip the kernel's
    decision; skipped counts may differ from the kernel's by at most that.
    Only skip units with a row that sees keys count as decisions.
    kv_splits: split-KV ranges per tile, each with its own running max and
    first block kept, merged through their log-sum-exp.
    q_lens: a left-padded batch, sequence b's real rows are its last
    q_lens[b]; the rows before see nothing and decide nothing.
    """
    q, k, v = to_float64(q), to_float64(k), to_float64(v)
    B, Hq, Sq, D = q.shape
    _, Hkv, Skv, _ = k.shape
    Dv = v.shape[3]
    group = Hq // Hkv
    heads, bq, bkv = heads_per_tile, block_q, block_kv
    rows = heads * bq
    unit = skip_unit or rows
    c = scale if scale is not None else 1.0 / math.sqrt(D)
    skipping = factors is not None
    out = np.zeros((B, Hq, Sq, Dv))
    lse = np.full((B, Hq, Sq), -np.inf)
    stats = np.zeros((B, Hq, 2), dtype=np.int64)
    near = 0
    static_blocks = max(-(-Skv // bkv), 1)
    splits = min(max(int(kv_splits), 1), static_blocks)
    per = -(-static_blocks // splits)
    for b in range(B):
        L = Skv if kv_lens is None else int(min(max(int(kv_lens[b]), 0), Skv))
        q_start = 0 if q_lens is None else Sq - int(min(max(int(q_lens[b]), 0), Sq))
        for hg in range(Hq // heads):
            h0 = hg * heads
            hkv = h0 // group
            for p0 in range(0, Sq, bq):
                visible = L
                if causal:
                    last = min(p0 + bq, Sq)
                    visible = min(max(last + L - Sq, 0), L)
                if p0 + bq <= q_start:
                    visible = 0
                n_blocks = -(-visible // bkv)
                r_head = h0 + np.arange(rows) // bq
                r_pos = p0 + np.arange(rows) % bq
                valid = (r_pos < Sq) & (r_pos >= q_start)
                qt = np.zeros((rows, D))
                qt[valid] = q[b, r_head[valid], r_pos[valid]]
                lim = np.where(valid, L, 0)
                if causal:
                    lim = np.where(valid, np.minimum(L, np.maximum(r_pos + 1 + L - Sq, 0)), 0)
                p_out = np.zeros((splits, rows, Dv))
                p_lse = np.full((splits, rows), -np.inf)
                for sp in range(splits):
                    lo, hi = min(sp * per, n_blocks), min(sp * per + per, n_blocks)
                    m = np.full(rows, -np.inf)
                    l = np.zeros(rows)
                    acc = np.zeros((rows, Dv))
                    for n in range(lo, hi):
                        j = n * bkv + np.arange(bkv)
                        jj = np.minimum(j, Skv - 1)
                        s = c * (qt @ k[b, hkv, jj].T)
                        s[j[None, :] >= lim[:, None]] = -np.inf
                        for u0 in range(0, rows, unit):
                            u = slice(u0, u0 + unit)
                            skip = False
                            if skipping:
                                f = float(factors[b, h0 + u0 // bq])
                                lam = f / L if L > 0 else math.inf
                                ll = math.log(lam) if (f > 0 and lam < 1) else -math.inf
                                allowed = ll != -math.inf and n - lo >= max(1, min_keep_blocks)
                                mb = s[u].max(axis=1)
                                live = mb != -np.inf
                                with np.errstate(invalid="ignore"):
                                    diff = mb[live] - m[u][live]
                                skip = allowed and bool(np.all(diff < ll))
                                if allowed and np.any(lim[u] > 0) and np.any(
                                        np.isfinite(diff) & (np.abs(diff - ll) < 1e-3)):
                                    near += 1
                            if np.any(lim[u] > 0):
                                h = h0 + u0 // bq
                                stats[b, h, 0] += 1
                                stats[b, h, 1] += skip
                            if skip:
                                continue
                            su = s[u]
                            mb = su.max(axis=1)
                            m_new = np.maximum(m[u], mb)
                            # Rows that have seen no key yet stay untouched.
                            live = m_new != -np.inf
                            safe = np.where(live, m_new, 0.0)
                            p = np.where(live[:, None], np.exp(su - safe[:, None]), 0.0)
                            alpha = np.where(live, np.exp(m[u] - safe), 1.0)
                            l[u] = l[u] * alpha + p.sum(axis=1)
                            acc[u] = acc[u] * alpha[:, None] + p @ v[b, hkv, jj]
                            m[u] = np.where(live, m_new, m[u])
                    with np.errstate(divide="ignore"):
                        p_out[sp] = acc / np.maximum(l, 1e-30)[:, None]
                        p_lse[sp] = np.where(l > 0, m + np.log(np.where(l > 0, l, 1.0)), -np.inf)
                mx = p_lse.max(axis=0)
                seen = mx != -np.inf
                w = np.where(seen[None, :], np.exp(p_lse - np.where(seen, mx, 0.0)[None, :]), 0.0)
                wsum = w.sum(axis=0)
                o = np.einsum("sr,srd->rd", w, p_out) / np.maximum(wsum, 1e-300)[:, None]
                with np.errstate(divide="ignore"):
                    ls = np.where(seen, mx + np.log(np.where(seen, wsum, 1.0)), -np.inf)
                out[b, r_head[valid], r_pos[valid]] = o[valid]
                lse[b, r_head[valid], r_pos[valid]] = ls[valid]
    return out, lse, stats, near


def expand_factors(factor, B, Hq):
    """The [B, Hq] float64 factors of a `skip_softmax_threshold_scale_factor`
    argument (None, a number, or an array/tensor of shape (), (1,), (B,),
    (1, Hq) or (B, Hq)); None when dense."""
    if factor is None:
        return None
    if isinstance(factor, (int, float)):
        return None if factor == 0 else np.full((B, Hq), float(factor))
    f = to_float64(factor).astype(np.float32).astype(np.float64)
    if f.shape in ((), (1,)):
        return np.full((B, Hq), f.reshape(()))
    if f.shape == (B,):
        return np.repeat(f[:, None], Hq, axis=1)
    return np.broadcast_to(f, (B, Hq)).copy()
