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


def test_bad_strides():
    # Views run without copies on the CPU, but the head dimension must have
    # unit stride.
    q, k, v = arrays()
    wide = np.concatenate([q, q], axis=3)[..., ::2]
    with pytest.raises(skipattn.InvalidArgumentError, match="unit stride on the head dimension"):
        skipattn.attention(wide, k, v)


def test_factor_values():
    q, k, v = arrays()
    with pytest.raises(ValueError, match="finite and >= 0"):
        skipattn.attention(q, k, v, skip_softmax_threshold_scale_factor=-1.0)
    with pytest.raises(ValueError, match="finite and >= 0"):
        skipattn.attention(q, k, v, skip_softmax_threshold_scale_factor=float("nan"))
    with pytest.raises(ValueError, match="per head"):
        skipattn.attention(q, k, v, skip_softmax_threshold_scale_factor=np.ones(3, np.float32))


@needs_cpu_jit
def test_runtime_factor_rule():
    # One rule in the library for every caller: runtime factors must be
    # finite; a value <= 0 is dense (so -2 gives the dense result).
    q, k, v = arrays()
    for bad in (np.nan, np.inf, -np.inf):
        with pytest.raises(skipattn.InvalidArgumentError, match="must be finite"):
            skipattn.attention(q, k, v, skip_softmax_threshold_scale_factor=np.array([bad]))
    dense = skipattn.attention(q, k, v)
    neg = skipattn.attention(q, k, v, skip_softmax_threshold_scale_factor=np.array([-2.0]))
    assert np.array_equal(dense, neg)


@needs_cpu_jit
def test_numpy_scalars_are_numbers():
    # NumPy scalars are valid scalars, exactly as the Python numbers.
    q, k, v = arrays()
    a = skipattn.attention(q, k, v, scale=np.float32(0.125), min_keep_blocks=np.int64(2),
                           skip_softmax_threshold_scale_factor=np.float64(100.0))
    b = skipattn.attention(q, k, v, scale=float(np.float32(0.125)), min_keep_blocks=2,
                           skip_softmax_threshold_scale_factor=100.0)
    assert np.array_equal(a, b)
    with pytest.raises(ValueError, match="scale"):
        skipattn.attention(q, k, v, scale=np.float32(np.nan))
    with pytest.raises(ValueError, match="scale"):
        skipattn.attention(q, k, v, scale=True)


def test_kv_lens_and_options():
    q, k, v = arrays()
    with pytest.raises(ValueError, match="kv_lens must have shape"):
        skipattn.attention(q, k, v, kv_lens=np.array([1, 2], np.int32))
    with pytest.raises(ValueError, match=r"kv_lens must be integers in \[0, 64\]"):
        skipattn.attention(q, k, v, kv_lens=np.array([65], np.int32))
    # Checked before narrowing to int32: 2**32 + 10 is not 10.
    for bad in (2**32 + 10, -5, 2**40):
        with pytest.raises(ValueError, match=r"kv_lens must be integers in \[0, 64\]"):
            skipattn.attention(q, k, v, kv_lens=np.array([bad], np.int64))
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


@needs_cpu_jit
def test_close_while_other_threads_call():
    # Closing a context under running calls must not crash: calls inside the
    # library finish, later ones raise SkipAttnError.
    import threading
    q, k, v = arrays(Sq=8, Skv=128)
    ref = skipattn.attention(q, k, v)
    for trial in range(8):
        ctx = skipattn.Context()
        skipattn.attention(q, k, v, context=ctx)  # compiled before the race
        errors, outputs, stop = [], [], threading.Event()

        def worker():
            while not stop.is_set():
                try:
                    outputs.append(skipattn.attention(q, k, v, context=ctx))
                except skipattn.SkipAttnError as e:
                    errors.append(e)
                    if "closed" in str(e) or "not a live" in str(e):
                        return
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        ctx.close()
        stop.set()
        for t in threads:
            t.join()
        assert all("closed" in str(e) or "not a live" in str(e) for e in errors), errors
        assert all(np.array_equal(o, ref) for o in outputs)
        ctx.close()  # twice is fine


def test_limits_shared_with_the_library():
    # head_dim 32769 once aborted in LLVM; the library's limit answers.
    q = np.zeros((1, 1, 1, 32769), np.float32)
    with pytest.raises(skipattn.InvalidArgumentError, match="head and value dims must be at most 4096"):
        skipattn.attention(q, q, q)
