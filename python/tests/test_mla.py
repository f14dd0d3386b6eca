"""MLA decode over a paged latent cache (`skipattn.mla_decode`), against
the float64 model of the same attention: one KV head, keys the cache's
576-wide rows, values their first 512 columns.

The latent cache is built the way a serving engine holds it: sequences'
pages at random places, unused pages NaN, table slots past a length -1.
"""

import math

import numpy as np
import pytest

import skipattn
from helpers import HAS_CPU_JIT, check, structured

try:
    import torch
except ImportError:  # the CPU-only CI environment may lack torch
    torch = None

HAS_CUDA = torch is not None and torch.cuda.is_available()
DEVICES = (["cpu"] if HAS_CPU_JIT else []) + (["cuda"] if HAS_CUDA else [])
RANK, ROPE = 512, 64
WIDTH = RANK + ROPE


def latent_cache(latent, seq_lens, page_size, rng, spare=2):
    """(cache [pages, page_size, 576], table) holding latent [B, Skv, 576]."""
    B, Skv, W = latent.shape
    slots = Skv // page_size
    P = B * slots + spare
    order = rng.permutation(P)
    table = np.full((B, slots), -1, np.int32)
    cache = np.full((P, page_size, W), np.nan, latent.dtype)
    nxt = 0
    for b in range(B):
        for p in range(-(-int(seq_lens[b]) // page_size)):
            table[b, p] = order[nxt]
            cache[order[nxt]] = latent[b, p * page_size:(p + 1) * page_size]
            nxt += 1
    return cache, table


def mla_inputs(rng, B, q_len, H, Skv):
    """Structured queries [B, q_len, H, 576] and latent rows [B, Skv, 576]:
    the heads share a direction the first block leans on fully, so later
    blocks can be skipped."""
    q, k, _ = structured(rng, B, H, 1, q_len, Skv, WIDTH)
    return q.transpose(0, 2, 1, 3).astype(np.float32), k[:, 0].astype(np.float32)


def _on(x, device, dtype):
    if device is None:
        return np.ascontiguousarray(x).astype(dtype)
    return torch.from_numpy(np.ascontiguousarray(x)).to(device).to(dtype)


def _np(x):
    if torch is not None and isinstance(x, torch.Tensor):
        return x.detach().float().cpu().numpy()
    return np.asarray(x, np.float32)


MLA_CASES = [
    # B, q_len, H, page_size, seq_lens (ragged), Skv capacity
    (3, 1, 16, 64, [2048, 777, 65], 2048),
    (2, 2, 16, 32, [1500, 1024], 1536),
    (2, 1, 128, 32, [1024, 333], 1024),
    (2, 2, 128, 64, [1100, 1024], 1152),
]


def _run_case(case, factor, device, dtype):
    B, q_len, H, ps, lens, Skv = case
    rng = np.random.default_rng(hash((B, q_len, H, ps)) % 2**32)
    q, latent = mla_inputs(rng, B, q_len, H, Skv)
    seq_lens = np.array(lens, np.int32)
    cache, table = latent_cache(latent, seq_lens, ps, rng)
    scale = 1.0 / math.sqrt(192.0)  # DeepSeek's qk_nope 128 + rope 64
    if device is None:
        qq, cc, tt, ll = _on(q, None, dtype), _on(cache, None, dtype), table, seq_lens
    else:
        qq, cc = _on(q, device, dtype), _on(cache, device, dtype)
        tt = torch.from_numpy(table).to(device)
        ll = torch.from_numpy(seq_lens).to(device)
    ctx = torch.no_grad() if torch is not None else _Null()
    with ctx:
        out, lse, stats = skipattn.mla_decode(
            qq, cc, None, 128, RANK, ROPE, tt, ll, Skv, bmm1_scale=scale,
            bmm2_scale=0.5, skip_softmax_threshold_scale_factor=factor,
            return_lse=True, return_stats=True)
    assert tuple(out.shape) == (B, q_len, H, RANK)
    assert tuple(lse.shape) == (B, q_len, H)
    # The model: logical K [B, 1, Skv, 576] and V = its latent columns, as
    # the kernel saw them (rounded to the input dtype).
    lat = _np(_on(latent, None if device is None else "cpu", dtype))
    k = lat[:, None]
    v = k[..., :RANK]
    qr = _np(qq).transpose(0, 2, 1, 3)
    keys = cc[:, None]
    info = skipattn.kernel_info(
        qq.transpose(0, 2, 1, 3) if device is None else qq.transpose(1, 2),
        keys, keys[..., :RANK], causal=q_len > 1,
        skip_softmax_threshold_scale_factor=factor, kv_lens=ll,
        return_lse=True, return_stats=True, page_table=tt)
    qref = qr if device is None else \
        torch.from_numpy(np.ascontiguousarray(qr)).to(dtype)
    skipped, total = check(
        qref, k, v, 2.0 * _np(out).transpose(0, 2, 1, 3),
        _np(lse).transpose(0, 2, 1), _np(stats), causal=q_len > 1,
        scale=scale, factor=factor, kv_lens=seq_lens, info=dict(info))
    return skipped, total, info


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


@pytest.mark.skipif(not HAS_CPU_JIT, reason="no CPU JIT")
@pytest.mark.parametrize("case", MLA_CASES)
@pytest.mark.parametrize("factor", [None, 300.0])
def test_mla_decode_cpu_against_reference(case, factor):
    skipped, total, info = _run_case(case, factor, None, np.float32)
    assert total > 0
    if factor is not None:
        assert skipped > 0, "structured inputs should skip blocks"
    else:
        assert skipped == 0


@pytest.mark.skipif(torch is None, reason="needs torch")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("case", [MLA_CASES[0], MLA_CASES[3]])
@pytest.mark.parametrize("factor", [None, 300.0])
def test_mla_decode_bf16(device, case, factor):
    skipped, _, info = _run_case(case, factor, device, torch.bfloat16)
    # Each split keeps its first block: skips need splits of several blocks.
    blocks = -(-case[5] // info["block_kv"])
    if factor is not None and blocks >= 2 * info.get("kv_splits", 1):
        assert skipped > 0


@pytest.mark.skipif(not HAS_CPU_JIT, reason="no CPU JIT")
def test_mla_decode_writes_out_and_lse():
    rng = np.random.default_rng(3)
    B, q_len, H, ps, Skv = 2, 1, 16, 64, 256
    q, latent = mla_inputs(rng, B, q_len, H, Skv)
    lens = np.array([256, 100], np.int32)
    cache, table = latent_cache(latent, lens, ps, rng)
    out = np.empty((B, q_len, H, RANK), np.float32)
    lse = np.empty((B, q_len, H), np.float32)
    got = skipattn.mla_decode(q, cache[:, None], block_tables=table,
                              seq_lens=lens, out=out, lse=lse,
                              bmm1_scale=0.07)
    assert got is out
    again, lse2 = skipattn.mla_decode(q, cache, block_tables=table,
                                      seq_lens=lens, bmm1_scale=0.07,
                                      return_lse=True)
    np.testing.assert_array_equal(again, out)
    np.testing.assert_array_equal(lse2, lse)
    assert np.isfinite(lse).all()


@pytest.mark.skipif(not HAS_CPU_JIT, reason="no CPU JIT")
def test_mla_decode_bad_inputs():
    rng = np.random.default_rng(4)
    q, latent = mla_inputs(rng, 1, 1, 16, 128)
    lens = np.array([128], np.int32)
    cache, table = latent_cache(latent, lens, 64, rng)
    with pytest.raises(skipattn.UnsupportedError, match="sparse MLA"):
        skipattn.mla_decode(q, cache, block_tables=table, seq_lens=lens,
                            sparse_mla_top_k=64)
    with pytest.raises(skipattn.UnsupportedError, match="sinks"):
        skipattn.mla_decode(q, cache, block_tables=table, seq_lens=lens,
                            sinks=np.zeros(16, np.float32))
    with pytest.raises(ValueError, match="576 wide"):
        skipattn.mla_decode(q[..., :512], cache, block_tables=table,
                            seq_lens=lens)
    with pytest.raises(ValueError, match=r"\[pages, 1, page_size, width\]"):
        skipattn.mla_decode(q, np.stack([cache, cache], 1),
                            block_tables=table, seq_lens=lens)
    with pytest.raises(ValueError, match="block_tables and seq_lens"):
        skipattn.mla_decode(q, cache)
    with pytest.raises(ValueError, match="max_seq_len"):
        skipattn.mla_decode(q, cache, block_tables=table, seq_lens=lens,
                            max_seq_len=4096)
