"""Paged KV caches, left-padded query batches and the FlashInfer-style
entry points, against the float64 model on the logical K/V.

Caches are built the way a serving engine holds them: every sequence's
pages at random places of one buffer, pages no sequence uses filled with
NaN (reading one shows), table slots past a sequence's length -1.
"""

import math

import numpy as np
import pytest

import skipattn
from helpers import HAS_CPU_JIT, TOL, check, structured
from skipattn.reference import to_float64

try:
    import torch
except ImportError:  # the CPU-only CI environment may lack torch
    torch = None

HAS_CUDA = torch is not None and torch.cuda.is_available()
DEVICES = (["cpu"] if HAS_CPU_JIT else []) + (["cuda"] if HAS_CUDA else [])


def make_cache(k, v, kv_lens, page_size, rng, layout="NHD", spare=3):
    """(k_cache, v_cache, table) holding logical k/v [B, Hkv, Skv, D]."""
    B, Hkv, Skv, D = k.shape
    slots = Skv // page_size
    P = B * slots + spare
    order = rng.permutation(P)
    table = np.full((B, slots), -1, np.int32)
    shape = (P, page_size, Hkv, D) if layout == "NHD" else (P, Hkv, page_size, D)
    kc = np.full(shape, np.nan, k.dtype)
    vc = np.full(shape, np.nan, v.dtype)
    nxt = 0
    for b in range(B):
        for p in range(-(-int(kv_lens[b]) // page_size)):
            page = order[nxt]
            nxt += 1
            table[b, p] = page
            rows = slice(p * page_size, (p + 1) * page_size)
            if layout == "NHD":
                kc[page] = k[b, :, rows].transpose(1, 0, 2)
                vc[page] = v[b, :, rows].transpose(1, 0, 2)
            else:
                kc[page] = k[b, :, rows]
                vc[page] = v[b, :, rows]
    return kc, vc, table


def hnd(x, layout):
    return np.swapaxes(x, 1, 2) if layout == "NHD" else x


PAGED_CASES = [
    # B, Hq, Hkv, Sq, Skv, D, causal, page size, layout, kv_lens
    (3, 8, 2, 1, 1024, 128, False, 16, "NHD", [1024, 0, 301]),
    (2, 4, 1, 1, 512, 64, False, 128, "HND", [500, 129]),
    (2, 8, 2, 4, 512, 64, True, 64, "NHD", [512, 77]),       # speculative
    (2, 4, 2, 96, 640, 64, True, 32, "HND", [640, 300]),     # chunked prefill
]


@pytest.mark.skipif(not HAS_CPU_JIT, reason="no CPU JIT")
@pytest.mark.parametrize("case", PAGED_CASES)
@pytest.mark.parametrize("factor", [None, 300.0])
def test_paged_against_reference(case, factor):
    B, Hq, Hkv, Sq, Skv, D, causal, ps, layout, lens = case
    rng = np.random.default_rng(4)
    q, k, v = structured(rng, B, Hq, Hkv, Sq, Skv, D)
    q, k, v = (x.astype(np.float32) for x in (q, k, v))
    kv_lens = np.array(lens, np.int32)
    kc, vc, table = make_cache(k, v, kv_lens, ps, rng, layout)
    out, lse, stats = skipattn.paged_attention(
        q, kc, vc, table, kv_lens, kv_layout=layout, causal=causal,
        skip_softmax_threshold_scale_factor=factor, return_lse=True,
        return_stats=True)
    info = skipattn.kernel_info(
        q, hnd(kc, layout), hnd(vc, layout), causal=causal,
        skip_softmax_threshold_scale_factor=factor, kv_lens=kv_lens,
        return_lse=True, return_stats=True, page_table=table)
    skipped, total = check(q, k, v, out, lse, stats, causal=causal,
                           factor=factor, kv_lens=kv_lens, info=info)
    assert total > 0
    if factor is not None:
        assert skipped > 0


@pytest.mark.skipif(not HAS_CPU_JIT, reason="no CPU JIT")
def test_paged_equals_contiguous_bits():
    # One tiling, one arithmetic: only the addressing differs.
    rng = np.random.default_rng(5)
    B, Hq, Hkv, Skv, D = 2, 8, 2, 768, 64
    q = rng.standard_normal((B, Hq, 1, D)).astype(np.float16)
    k = rng.standard_normal((B, Hkv, Skv, D)).astype(np.float16)
    v = rng.standard_normal((B, Hkv, Skv, D)).astype(np.float16)
    kv_lens = np.array([768, 333], np.int32)
    kc, vc, table = make_cache(k, v, kv_lens, 16, rng)
    a = skipattn.paged_attention(q, kc, vc, table, kv_lens)
    b = skipattn.attention(q, k, v, kv_lens=kv_lens)
    assert np.array_equal(a, b)


@pytest.mark.skipif(not HAS_CPU_JIT, reason="no CPU JIT")
@pytest.mark.parametrize("causal", [True, False])
@pytest.mark.parametrize("factor", [None, 200.0])
def test_left_padded_against_reference(causal, factor):
    rng = np.random.default_rng(6)
    B, Hq, Hkv, Sq, Skv, D = 3, 4, 2, 70, 512, 64
    q, k, v = structured(rng, B, Hq, Hkv, Sq, Skv, D)
    q, k, v = (x.astype(np.float32) for x in (q, k, v))
    q_lens = np.array([70, 5, 0], np.int32)
    kv_lens = np.array([512, 200, 64], np.int32)
    out, lse, stats = skipattn.attention(
        q, k, v, causal=causal, kv_lens=kv_lens, q_lens=q_lens,
        skip_softmax_threshold_scale_factor=factor, return_lse=True,
        return_stats=True)
    info = skipattn.kernel_info(q, k, v, causal=causal, kv_lens=kv_lens,
                                q_lens=q_lens,
                                skip_softmax_threshold_scale_factor=factor,
                                return_lse=True, return_stats=True)
    check(q, k, v, out, lse, stats, causal=causal, factor=factor,
          kv_lens=kv_lens, q_lens=q_lens, info=info)
    # Padding rows: zeros and -inf.
    for b in range(B):
        pad = Sq - q_lens[b]
        assert not out[b, :, :pad].any()
        assert np.isneginf(lse[b, :, :pad]).all()


@pytest.mark.skipif(not HAS_CPU_JIT, reason="no CPU JIT")
def test_left_padded_rows_equal_each_sequence_alone():
    rng = np.random.default_rng(7)
    B, H, Sq, Skv, D = 2, 2, 48, 256, 64
    q = rng.standard_normal((B, H, Sq, D)).astype(np.float32)
    k = rng.standard_normal((B, H, Skv, D)).astype(np.float32)
    v = rng.standard_normal((B, H, Skv, D)).astype(np.float32)
    q_lens = np.array([48, 17], np.int32)
    kv_lens = np.array([256, 100], np.int32)
    out = skipattn.attention(q, k, v, causal=True, kv_lens=kv_lens,
                             q_lens=q_lens)
    for b in range(B):
        n, L = q_lens[b], kv_lens[b]
        alone = skipattn.attention(
            np.ascontiguousarray(q[b:b + 1, :, Sq - n:]),
            np.ascontiguousarray(k[b:b + 1, :, :L]),
            np.ascontiguousarray(v[b:b + 1, :, :L]), causal=True)
        np.testing.assert_allclose(out[b:b + 1, :, Sq - n:], alone,
                                   rtol=1e-5, atol=1e-5)


def _tensor(x, device):
    return torch.from_numpy(np.ascontiguousarray(x)).to(device)


@pytest.mark.skipif(torch is None, reason="needs torch")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("q_len", [1, 2])
def test_batch_decode_flashinfer_interface(device, q_len):
    # trtllm_batch_decode_with_kv_cache's arguments: tokens [B * q_len, H,
    # D], one stacked HND cache [pages, 2, Hkv, page_size, D], a workspace
    # buffer (not used), block tables, seq_lens, max_seq_len, scales.
    rng = np.random.default_rng(8)
    B, Hq, Hkv, Skv, D, ps = 3, 8, 2, 4096, 128, 64
    q, k, v = structured(rng, B, Hq, Hkv, q_len, Skv, D)
    seq_lens = np.array([4096, 2700, 65], np.int32)
    kc, vc, table = make_cache(k, v, seq_lens, ps, rng, "HND")
    kv = np.stack([kc, vc], axis=1)
    dt = torch.bfloat16
    query = _tensor(q.transpose(0, 2, 1, 3).reshape(B * q_len, Hq, D),
                    device).to(dt)
    cache = _tensor(kv, device).to(dt)
    scale = 1.0 / math.sqrt(D)
    with torch.no_grad():
        out, lse, stats = skipattn.batch_decode_with_kv_cache(
            query, cache, None, _tensor(table, device),
            _tensor(seq_lens, device), Skv, scale, 0.5, kv_layout="HND",
            q_len_per_req=q_len, skip_softmax_threshold_scale_factor=500.0,
            return_lse=True, return_stats=True)
    assert out.shape == (B * q_len, Hq, D) and lse.shape == (B * q_len, Hq)
    # Back to [B, H, q_len, D]: the model of the same kernel.
    q_t = query.float().cpu().numpy().reshape(B, q_len, Hq, D).transpose(0, 2, 1, 3)
    o_t = (2.0 * out.float().cpu().numpy()).reshape(B, q_len, Hq, D).transpose(0, 2, 1, 3)
    l_t = lse.cpu().numpy().reshape(B, q_len, Hq).transpose(0, 2, 1)
    k_r = to_float64(_tensor(k, "cpu").to(dt))
    v_r = to_float64(_tensor(v, "cpu").to(dt))
    kh = torch.from_numpy(kv).to(dt)[:, 0].to(device)
    info = skipattn.kernel_info(
        query.reshape(B, q_len, Hq, D).transpose(1, 2), kh, kh,
        causal=q_len > 1, skip_softmax_threshold_scale_factor=500.0,
        kv_lens=_tensor(seq_lens, device), return_lse=True, return_stats=True,
        page_table=_tensor(table, device))
    q_ref = torch.from_numpy(np.ascontiguousarray(q_t)).to(dt)
    skipped, _ = check(q_ref, k_r, v_r,
                       o_t.astype(np.float32), l_t, stats.cpu().numpy(),
                       causal=q_len > 1, factor=500.0, kv_lens=seq_lens,
                       info=dict(info))
    # Each split keeps its first block: skips need splits of several blocks.
    blocks = -(-Skv // info["block_kv"])
    if blocks >= 2 * info["kv_splits"]:
        assert skipped > 0


@pytest.mark.skipif(torch is None, reason="needs torch")
@pytest.mark.parametrize("device", DEVICES)
def test_batch_prefill_flashinfer_interface(device):
    # trtllm_batch_context_with_kv_cache's arguments: packed new tokens with
    # cum_seq_lens_q, each chunk causal and aligned to its own cache length;
    # a vLLM-style stacked NHD cache [2, pages, page_size, Hkv, D].
    rng = np.random.default_rng(9)
    B, Hq, Hkv, Skv, D, ps = 3, 4, 2, 512, 64, 32
    chunks = [40, 1, 17]
    seq_lens = np.array([512, 100, 300], np.int32)
    k = rng.standard_normal((B, Hkv, Skv, D)).astype(np.float32)
    v = rng.standard_normal((B, Hkv, Skv, D)).astype(np.float32)
    kc, vc, table = make_cache(k, v, seq_lens, ps, rng, "NHD")
    cache = np.stack([kc, vc], axis=0)
    tokens = rng.standard_normal((sum(chunks), Hq, D)).astype(np.float32)
    cu = np.concatenate([[0], np.cumsum(chunks)]).astype(np.int32)
    dt = torch.float32 if device == "cpu" else torch.float16
    with torch.no_grad():
        out = skipattn.batch_prefill_with_kv_cache(
            _tensor(tokens, device).to(dt), _tensor(cache, device).to(dt),
            None, _tensor(table, device), _tensor(seq_lens, device),
            max(chunks), Skv, None, 1.0, B, _tensor(cu, device),
            kv_layout="NHD")
    assert out.shape == tokens.shape
    got = out.float().cpu().numpy()
    kr = to_float64(_tensor(k, "cpu").to(dt))
    vr = to_float64(_tensor(v, "cpu").to(dt))
    tq = to_float64(_tensor(tokens, "cpu").to(dt))
    for b in range(B):
        n, L = chunks[b], seq_lens[b]
        qb = tq[cu[b]:cu[b + 1]].transpose(1, 0, 2)  # [H, n, D]
        g = Hq // Hkv
        s = np.einsum("hnd,hkd->hnk", qb, np.repeat(kr[b, :, :L], g, 0)) / math.sqrt(D)
        vis = np.arange(L)[None, :] <= np.arange(n)[:, None] + L - n
        s = np.where(vis[None], s, -np.inf)
        p = np.exp(s - s.max(-1, keepdims=True))
        ref = np.einsum("hnk,hkd->hnd", p / p.sum(-1, keepdims=True),
                        np.repeat(vr[b, :, :L], g, 0)).transpose(1, 0, 2)
        err = np.linalg.norm(got[cu[b]:cu[b + 1]] - ref) / np.linalg.norm(ref)
        assert err < TOL[str(dt).replace("torch.", "")], (b, err)


def test_page_table_from_indptr():
    indptr = np.array([0, 3, 3, 5])
    indices = np.array([7, 2, 9, 4, 0])
    last = np.array([5, 0, 16])
    table, lens = skipattn.page_table_from_indptr(indptr, indices, last, 16)
    assert table.tolist() == [[7, 2, 9], [-1, -1, -1], [4, 0, -1]]
    assert lens.tolist() == [37, 0, 32]
    if torch is not None:
        t2, l2 = skipattn.page_table_from_indptr(
            torch.tensor(indptr), torch.tensor(indices), torch.tensor(last),
            16, max_pages=4)
        assert t2.tolist() == [[7, 2, 9, -1], [-1, -1, -1, -1], [4, 0, -1, -1]]
        assert l2.tolist() == [37, 0, 32]


@pytest.mark.skipif(not HAS_CPU_JIT, reason="no CPU JIT")
def test_paged_bad_inputs():
    rng = np.random.default_rng(10)
    q = rng.standard_normal((2, 4, 1, 64)).astype(np.float32)
    kc = rng.standard_normal((10, 16, 2, 64)).astype(np.float32)
    table = np.array([[0, 1, 2, 3], [4, 5, 6, 7]], np.int32)
    lens = np.array([64, 40], np.int32)
    # A page index outside the cache, in a page the sequence reads.
    bad = table.copy()
    bad[1, 2] = 10
    with pytest.raises(skipattn.InvalidArgumentError, match=r"page_table\[1, 2\] = 10"):
        skipattn.paged_attention(q, kc, kc, bad, lens)
    # ... but slots past a sequence's length are never read.
    ok = table.copy()
    ok[1, 3] = 99
    skipattn.paged_attention(q, kc, kc, ok, lens)
    with pytest.raises(ValueError, match="page_table must have shape"):
        skipattn.paged_attention(q, kc, kc, table[:1], lens)
    with pytest.raises(ValueError, match="kv_layout"):
        skipattn.paged_attention(q, kc, kc, table, lens, kv_layout="XYZ")
    with pytest.raises(ValueError, match="incompatible page caches"):
        skipattn.paged_attention(q, kc, kc[:, :8], table, lens)
    with pytest.raises(ValueError, match="kv_lens must be integers"):
        skipattn.paged_attention(q, kc, kc, table, np.array([65, 1], np.int32))
    with pytest.raises(ValueError, match="q_lens must be integers"):
        skipattn.attention(q, q, q, q_lens=np.array([2, 0], np.int32))


@pytest.mark.skipif(torch is None or not HAS_CPU_JIT, reason="needs torch and the CPU JIT")
def test_paged_call_takes_the_fast_path(monkeypatch):
    # A repeated eager call with int32 tables and lengths on q's device is
    # one launch; the table's and lengths' current values are the launch's.
    rng = np.random.default_rng(11)
    B, Hq, Hkv, Skv, D, ps = 2, 8, 2, 256, 64, 16
    q, k, v = (rng.standard_normal(s).astype(np.float32) for s in
               ((B, Hq, 1, D), (B, Hkv, Skv, D), (B, Hkv, Skv, D)))
    lens = np.array([256, 100], np.int32)
    kc, vc, table = make_cache(k, v, lens, ps, rng, "NHD")
    qt, kt, vt = torch.from_numpy(q), torch.from_numpy(kc), torch.from_numpy(vc)
    tt, lt = torch.from_numpy(table), torch.from_numpy(lens)
    first = skipattn.paged_attention(qt, kt, vt, tt, lt)
    monkeypatch.setattr(skipattn._api, "_checked_call", None)  # slow path gone
    again = skipattn.paged_attention(qt, kt, vt, tt, lt)
    assert torch.equal(first, again)
    # Move sequence 0's first page elsewhere: same answer through the table.
    spare = int(np.setdiff1d(np.arange(kc.shape[0]), table[table >= 0])[0])
    kt[spare], vt[spare] = kt[table[0, 0]].clone(), vt[table[0, 0]].clone()
    kt[table[0, 0]] = float("nan")
    tt[0, 0] = spare
    assert torch.equal(skipattn.paged_attention(qt, kt, vt, tt, lt), first)
    # Shorter lengths change the result (read at launch, not cached).
    lt[0] = 50
    assert not torch.equal(skipattn.paged_attention(qt, kt, vt, tt, lt), first)
