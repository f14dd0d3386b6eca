"""Bad calls raise clear exceptions and never crash the interpreter."""

import numpy as np
import pytest

import skipattn
from helpers import needs_cpu_jit


def arrays(B=1, Hq=4, Hkv=2, Sq=16, Skv=64, D=32, dtype=np.float32):
    rng = np.random.default_rng(0)
    return (rng.standard_normal((B, Hq, Sq, D)).astype(dtype),
            rng.standard_normal((B, Hkv, Skv, D)).astype(dtype),
            rng.standard_normal((B, Hkv, Skv, D)).astype(dtype))


def test_heads_not_multiple():
    q, k, v = arrays(Hq=4, Hkv=3)
    with pytest.raises(skipattn.InvalidArgumentError, match="multiple of KV heads"):
        skipattn.attention(q, k, v)


def test_wrong_rank_and_shapes():
    q, k, v = arrays()
    with pytest.raises(ValueError, match="4-D"):
        skipattn.attention(q[0], k, v)
    with pytest.raises(ValueError, match="incompatible shapes"):
        skipattn.attention(q, k[:, :, :10], v)


def test_dtypes():
    q, k, v = arrays()
    with pytest.raises(TypeError, match="share a dtype"):
        skipattn.attention(q, k.astype(np.float16), v)
    with pytest.raises(TypeError, match="unsupported dtype"):
        skipattn.attention(q.astype(np.float64), k.astype(np.float64), v.astype(np.float64))
    with pytest.raises(TypeError, match="NumPy array or a torch.Tensor"):
        skipattn.attention([[1.0]], k, v)


def test_non_contiguous():
    q, k, v = arrays()
    qt = np.swapaxes(np.ascontiguousarray(np.swapaxes(q, 1, 2)), 1, 2)
    with pytest.raises(skipattn.InvalidArgumentError, match="contiguous"):
        skipattn.attention(qt, k, v)


def test_factor_values():
    q, k, v = arrays()
    with pytest.raises(ValueError, match="finite and >= 0"):
        skipattn.attention(q, k, v, skip_softmax_threshold_scale_factor=-1.0)
    with pytest.raises(ValueError, match="finite and >= 0"):
        skipattn.attention(q, k, v, skip_softmax_threshold_scale_factor=float("nan"))
    with pytest.raises(ValueError, match="finite and >= 0"):
        skipattn.attention(q, k, v, skip_softmax_threshold_scale_factor=np.array([-2.0]))
    with pytest.raises(ValueError, match="per head"):
        skipattn.attention(q, k, v, skip_softmax_threshold_scale_factor=np.ones(3, np.float32))


def test_kv_lens_and_options():
    q, k, v = arrays()
    with pytest.raises(ValueError, match="kv_lens must have shape"):
        skipattn.attention(q, k, v, kv_lens=np.array([1, 2], np.int32))
    with pytest.raises(ValueError, match=r"kv_lens must lie in \[0, 64\]"):
        skipattn.attention(q, k, v, kv_lens=np.array([65], np.int32))
    with pytest.raises(ValueError, match="min_keep_blocks"):
        skipattn.attention(q, k, v, min_keep_blocks=-1)
    with pytest.raises(ValueError, match="scale"):
        skipattn.attention(q, k, v, scale=0.0)


@needs_cpu_jit
def test_errors_keep_the_library_usable():
    q, k, v = arrays()
    with pytest.raises(skipattn.SkipAttnError):
        skipattn.attention(q, k[:, :1].repeat(3, axis=1), v[:, :1].repeat(3, axis=1))
    out = skipattn.attention(q, k, v)
    assert np.isfinite(out).all()
