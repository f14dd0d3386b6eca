"""Inputs and checks shared by the Python tests."""

import numpy as np

import skipattn
from skipattn.reference import attention_reference, expand_factors, to_float64

def _has_cpu_jit():
    try:
        x = np.ones((1, 1, 1, 32), np.float32)
        skipattn.attention(x, x, x)
        return True
    except skipattn.UnsupportedError:
        return False  # a GPU-only build (the self-contained bundle)


HAS_CPU_JIT = _has_cpu_jit()
needs_cpu_jit = __import__("pytest").mark.skipif(
    not HAS_CPU_JIT, reason="this libskipattn_c has no CPU JIT")

TOL = {"float32": 1e-4, "float16": 3e-3, "bfloat16": 1e-2}


def structured(rng, B, Hq, Hkv, Sq, Skv, D, block=64):
    """Inputs where skipping happens: each KV head has a direction u that
    queries share; block n's keys lean on u with a random level, the first
    block fully, so later blocks sit 0..16 (scaled) below the first."""
    g = Hq // Hkv
    u = rng.standard_normal((B, Hkv, 1, D))
    u /= np.linalg.norm(u, axis=-1, keepdims=True)
    a = 4.0 * D ** 0.25
    q = 0.5 * rng.standard_normal((B, Hq, Sq, D)) + a * np.repeat(u, g, axis=1)
    levels = rng.uniform(0.0, 1.0, (B, Hkv, -(-Skv // block)))
    levels[:, :, 0] = 1.0
    w = np.repeat(levels, block, axis=2)[:, :, :Skv] * rng.uniform(0.8, 1.0, (B, Hkv, Skv))
    k = 0.5 * rng.standard_normal((B, Hkv, Skv, D)) + a * w[..., None] * u
    v = rng.standard_normal((B, Hkv, Skv, D))
    return q, k, v


def check(q, k, v, out, lse=None, stats=None, *, causal=False, scale=None,
          factor=None, min_keep_blocks=1, kv_lens=None, q_lens=None, info):
    """Compares a result with the float64 model at the kernel's tiling."""
    B, Hq = q.shape[:2]
    ref, ref_lse, ref_stats, near = attention_reference(
        q, k, v, causal=causal, scale=scale,
        factors=expand_factors(factor, B, Hq), min_keep_blocks=min_keep_blocks,
        kv_lens=None if kv_lens is None else to_float64(kv_lens).astype(int),
        block_q=info["block_q"], block_kv=info["block_kv"],
        heads_per_tile=info["heads_per_tile"], skip_unit=info["skip_unit"],
        kv_splits=info.get("kv_splits", 1),
        q_lens=None if q_lens is None else to_float64(q_lens).astype(int))
    got = to_float64(out)
    dtype = str(getattr(q, "dtype", "")).replace("torch.", "")
    err = np.linalg.norm(got - ref) / max(np.linalg.norm(ref), 1e-30)
    assert np.isfinite(got).all(), "non-finite output"
    assert err < TOL[dtype], f"relative L2 error {err:.3e} >= {TOL[dtype]}"
    if lse is not None:
        l = to_float64(lse)
        fin = np.isfinite(ref_lse)
        assert (np.isfinite(l) == fin).all(), "LSE -inf pattern differs"
        assert np.abs(l[fin] - ref_lse[fin]).max(initial=0) < 50 * TOL[dtype]
    if stats is not None:
        s = to_float64(stats).astype(np.int64)
        assert (s[..., 0] == ref_stats[..., 0]).all(), "decision counts differ"
        diff = np.abs(s[..., 1] - ref_stats[..., 1]).sum()
        assert diff <= near, f"skipped blocks differ by {diff} (near {near})"
        return int(s[..., 1].sum()), int(s[..., 0].sum())
    return None
