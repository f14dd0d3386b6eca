"""skipattn.attention on NumPy arrays (CPU JIT) against the float64 model."""

import numpy as np
import pytest

import skipattn
from helpers import check, needs_cpu_jit, structured

pytestmark = needs_cpu_jit

CASES = [
    # B, Hq, Hkv, Sq, Skv, D, causal
    (1, 2, 2, 64, 256, 64, False),
    (2, 4, 2, 100, 300, 32, True),    # GQA, partial tiles, causal
    (2, 8, 2, 1, 1000, 128, False),   # decode: GQA heads packed in a tile
    (1, 4, 1, 130, 130, 64, True),    # MQA, Sq == Skv
]


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("case", CASES)
def test_dense(case, dtype):
    B, Hq, Hkv, Sq, Skv, D, causal = case
    rng = np.random.default_rng(1)
    q = rng.standard_normal((B, Hq, Sq, D)).astype(dtype)
    k = rng.standard_normal((B, Hkv, Skv, D)).astype(dtype)
    v = rng.standard_normal((B, Hkv, Skv, D)).astype(dtype)
    out, lse = skipattn.attention(q, k, v, causal=causal, return_lse=True)
    assert out.shape == (B, Hq, Sq, D) and out.dtype == q.dtype
    assert lse.shape == (B, Hq, Sq) and lse.dtype == np.float32
    info = skipattn.kernel_info(q, k, v, causal=causal, return_lse=True)
    check(q, k, v, out, lse, causal=causal, info=info)


def _factor_values(kind, B, Hq, L, rng):
    """Factors giving lambda = factor / L in (0.05, 0.8)."""
    if kind == "scalar":
        return 0.4 * L
    if kind == "tensor-scalar":
        return np.array(0.4 * L, dtype=np.float32)
    shape = {"per-sequence": (B,), "per-head": (1, Hq)}.get(kind, (B, Hq))
    return (rng.uniform(0.05, 0.8, shape) * L).astype(np.float32)


@pytest.mark.parametrize("kind", ["scalar", "tensor-scalar", "per-sequence",
                                  "per-head", "per-sequence-head"])
@pytest.mark.parametrize("case", CASES[1:3])
def test_skipping(case, kind):
    B, Hq, Hkv, Sq, Skv, D, causal = case
    rng = np.random.default_rng(7)
    q, k, v = (x.astype(np.float32) for x in structured(rng, B, Hq, Hkv, Sq, Skv, D))
    factor = _factor_values(kind, B, Hq, Skv, rng)
    kw = dict(causal=causal, skip_softmax_threshold_scale_factor=factor,
              return_stats=True)
    out, stats = skipattn.attention(q, k, v, **kw)
    skipped, total = check(q, k, v, out, stats=stats, causal=causal,
                           factor=factor, info=skipattn.kernel_info(q, k, v, **kw))
    assert 0 < skipped < total, f"{skipped} of {total} skipped: not a skipping case"


def test_runtime_factor_is_one_kernel():
    rng = np.random.default_rng(3)
    q, k, v = (x.astype(np.float32) for x in structured(rng, 2, 2, 2, 64, 640, 64))
    infos, skips = set(), []
    for f in (0.0, 200.0, 600.0):
        factor = np.array([f, f], dtype=np.float32)
        out, st = skipattn.attention(q, k, v, skip_softmax_threshold_scale_factor=factor,
                                     return_stats=True)
        info = skipattn.kernel_info(q, k, v, skip_softmax_threshold_scale_factor=factor,
                                    return_stats=True)
        infos.add(info["cache_key"])
        skips.append(int(st[..., 1].sum()))
        check(q, k, v, out, stats=st, factor=factor, info=info)
    assert len(infos) == 1
    assert skips[0] == 0 and skips[1] <= skips[2] and skips[2] > 0


def test_ragged_and_min_keep():
    rng = np.random.default_rng(5)
    q, k, v = (x.astype(np.float32) for x in structured(rng, 3, 2, 1, 80, 700, 64))
    lens = np.array([700, 1, 0], dtype=np.int32)
    kw = dict(causal=True, skip_softmax_threshold_scale_factor=300.0,
              min_keep_blocks=3, kv_lens=lens, return_lse=True, return_stats=True)
    out, lse, st = skipattn.attention(q, k, v, **kw)
    check(q, k, v, out, lse, st, causal=True, factor=300.0, min_keep_blocks=3,
          kv_lens=lens, info=skipattn.kernel_info(q, k, v, **kw))
    assert np.all(out[2] == 0) and np.all(np.isneginf(lse[2]))


def test_bfloat16_if_available():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    rng = np.random.default_rng(2)
    bf = ml_dtypes.bfloat16
    q = rng.standard_normal((1, 2, 70, 64)).astype(bf)
    k = rng.standard_normal((1, 2, 200, 64)).astype(bf)
    v = rng.standard_normal((1, 2, 200, 64)).astype(bf)
    out = skipattn.attention(q, k, v, causal=True)
    check(q, k, v, out, causal=True, info=skipattn.kernel_info(q, k, v, causal=True))


def test_context_options(tmp_path):
    ctx = skipattn.Context(dump_ir_dir=str(tmp_path / "ir"), verbosity=0)
    q = np.ones((1, 1, 8, 32), np.float32)
    out = skipattn.attention(q, q, q, context=ctx)
    assert np.allclose(out, 1.0)
    dumped = list((tmp_path / "ir").rglob("*.mlir"))
    assert len(dumped) > 5, "expected the IR after every pass"
    ctx.close()


def test_empty_inputs_give_empty_outputs():
    # As torch SDPA: a zero batch, head count or query length is an empty
    # result, not an error; no keys at all means rows that see no key.
    rng = np.random.default_rng(3)
    k = rng.standard_normal((2, 2, 64, 32)).astype(np.float32)
    for shape in [(0, 4, 8, 32), (2, 0, 8, 32), (2, 4, 0, 32)]:
        q = np.ones(shape, np.float32)
        kk = k[:shape[0]]
        out, lse, st = skipattn.attention(q, kk, kk, return_lse=True, return_stats=True)
        assert out.shape == shape and lse.shape == shape[:3] and st.shape == shape[:2] + (2,)
    q = rng.standard_normal((2, 4, 8, 32)).astype(np.float32)
    none = np.ones((2, 2, 0, 32), np.float32)
    out, lse = skipattn.attention(q, none, none, return_lse=True)
    assert out.shape == q.shape and (out == 0).all() and np.isneginf(lse).all()


@needs_cpu_jit
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_strided_views_without_copies(dtype):
    # [B, S, H, D] arrays (transformers' and flash-attn's layout) seen as
    # [B, H, S, D]: the kernel reads the view; results equal the contiguous
    # call's and the float64 reference's, dense and skipping, GQA, causal.
    rng = np.random.default_rng(8)
    B, Hq, Hkv, Sq, Skv, D = 2, 4, 2, 80, 300, 32
    q, k, v = structured(rng, B, Hq, Hkv, Sq, Skv, D)
    nhd = [np.ascontiguousarray(np.swapaxes(x, 1, 2)).astype(dtype) for x in (q, k, v)]
    views = [np.swapaxes(x, 1, 2) for x in nhd]          # strided, no copy
    dense = [np.ascontiguousarray(x) for x in views]
    assert not views[0].flags.c_contiguous
    for factor in (None, 30.0):
        kw = dict(causal=True, skip_softmax_threshold_scale_factor=factor,
                  return_lse=True, return_stats=True)
        got, lse, st = skipattn.attention(*views, **kw)
        want, _, st2 = skipattn.attention(*dense, **kw)
        assert np.array_equal(got, want) and np.array_equal(st, st2)
        check(*dense, got, lse, stats=st, causal=True, factor=factor,
              info=skipattn.kernel_info(*views, **kw))


def test_decode_splits_kv_when_tiles_are_few(monkeypatch):
    # One sequence and one KV head give one tile: with more threads than
    # tiles the CPU kernel splits the KV blocks (each split its own running
    # max and first block), which the model reproduces from kernel_info.
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    q, k, v = (x.astype("float32") for x in
               structured(np.random.default_rng(5), 1, 4, 1, 1, 4096, 128))
    for factor in (None, 300.0):
        kw = dict(skip_softmax_threshold_scale_factor=factor, return_lse=True,
                  return_stats=True)
        out, lse, st = skipattn.attention(q, k, v, **kw)
        info = skipattn.kernel_info(q, k, v, **kw)
        assert info["kv_splits"] == 4 and info["heads_per_tile"] == 4
        check(q, k, v, out, lse, st, factor=factor, info=info)
