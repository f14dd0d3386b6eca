"""PyTorch: tensors on CPU and CUDA, the torch.library operator under
torch.compile, and CUDA-graph capture and replay. Skipped without PyTorch;
the CUDA part without a GPU."""

import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import skipattn  # noqa: E402
from helpers import check, needs_cpu_jit, structured  # noqa: E402

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU")

DEVICES = [pytest.param("cpu", marks=needs_cpu_jit), pytest.param("cuda", marks=cuda)]
DTYPES = {"cpu": [torch.float32, torch.float16, torch.bfloat16],
          "cuda": [torch.float16, torch.bfloat16]}


def tensors(rng, B, Hq, Hkv, Sq, Skv, D, dtype, device):
    q, k, v = structured(rng, B, Hq, Hkv, Sq, Skv, D)
    return tuple(torch.from_numpy(x).to(device=device, dtype=dtype) for x in (q, k, v))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("shape", [(2, 4, 2, 200, 1000, 64, True),
                                   (1, 8, 1, 1, 2048, 128, False),
                                   (2, 2, 2, 128, 512, 128, False)])
def test_dense_and_skip(device, shape):
    B, Hq, Hkv, Sq, Skv, D, causal = shape
    for dtype in DTYPES[device]:
        rng = np.random.default_rng(11)
        q, k, v = tensors(rng, B, Hq, Hkv, Sq, Skv, D, dtype, device)
        out, lse = skipattn.attention(q, k, v, causal=causal, return_lse=True)
        assert out.device == q.device and out.dtype == dtype
        check(q, k, v, out, lse, causal=causal,
              info=skipattn.kernel_info(q, k, v, causal=causal, return_lse=True))
        for factor in (0.3 * Skv,
                       torch.tensor(np.random.default_rng(1).uniform(0.05, 0.8, (B, Hq)) * Skv,
                                    dtype=torch.float32, device=device)):
            kw = dict(causal=causal, skip_softmax_threshold_scale_factor=factor,
                      return_stats=True)
            out, st = skipattn.attention(q, k, v, **kw)
            assert st.dtype == torch.int64 and st.shape == (B, Hq, 2)
            check(q, k, v, out, stats=st, causal=causal, factor=factor,
                  info=skipattn.kernel_info(q, k, v, **kw))


@pytest.mark.parametrize("device", DEVICES)
def test_ragged(device):
    rng = np.random.default_rng(4)
    dtype = torch.bfloat16
    q, k, v = tensors(rng, 3, 4, 2, 130, 900, 64, dtype, device)
    lens = torch.tensor([900, 257, 0], dtype=torch.int32, device=device)
    kw = dict(causal=True, skip_softmax_threshold_scale_factor=200.0, kv_lens=lens,
              return_lse=True, return_stats=True)
    out, lse, st = skipattn.attention(q, k, v, **kw)
    check(q, k, v, out, lse, st, causal=True, factor=200.0, kv_lens=lens,
          info=skipattn.kernel_info(q, k, v, **kw))


@pytest.mark.parametrize("device", DEVICES)
def test_operator_and_compile(device):
    rng = np.random.default_rng(8)
    dtype = torch.float16 if device == "cuda" else torch.float32
    q, k, v = tensors(rng, 1, 4, 2, 128, 640, 64, dtype, device)
    factors = torch.full((1, 4), 150.0, device=device)
    out, lse, st = torch.ops.skipattn.attention(q, k, v, True, None, None, factors,
                                                1, None, True, True)
    info = skipattn.kernel_info(q, k, v, causal=True, return_lse=True, return_stats=True,
                                skip_softmax_threshold_scale_factor=factors)
    check(q, k, v, out, lse, st, causal=True, factor=factors, info=info)
    torch.library.opcheck(torch.ops.skipattn.attention.default,
                          (q, k, v, True, None, None, factors, 1, None, True, True))

    def layer(q, k, v, f):
        o = skipattn.attention(q, k, v, causal=True, skip_softmax_threshold_scale_factor=f)
        return o * 2.0

    compiled = torch.compile(layer, fullgraph=True)
    got = compiled(q, k, v, factors)
    want = layer(q, k, v, factors)
    assert torch.equal(got, want)


@cuda
def test_cuda_graph_capture_and_replay():
    rng = np.random.default_rng(9)
    q, k, v = tensors(rng, 2, 4, 2, 256, 2048, 128, torch.bfloat16, "cuda")
    factors = torch.zeros(2, device="cuda")
    kw = dict(causal=True, skip_softmax_threshold_scale_factor=factors, return_stats=True)
    skipattn.attention(q, k, v, **kw)  # compile and load before capture
    torch.cuda.synchronize()
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        out, st = skipattn.attention(q, k, v, **kw)
    info = skipattn.kernel_info(q, k, v, **kw)
    seen = []
    for f in ([0.0, 0.0], [300.0, 900.0], [1500.0, 0.0]):
        factors.copy_(torch.tensor(f))
        g.replay()
        torch.cuda.synchronize()
        check(q, k, v, out, stats=st, causal=True, factor=factors.clone(), info=info)
        seen.append(int(st[..., 1].sum()))
    assert seen[0] == 0 and seen[1] > 0 and seen[2] > 0


@pytest.mark.parametrize("device", DEVICES)
def test_torch_errors(device):
    q = torch.randn(1, 4, 16, 64, device=device, dtype=torch.float16)
    k = torch.randn(1, 2, 64, 64, device=device, dtype=torch.float16)
    if device == "cuda":  # TMA strides are multiples of 16 bytes
        wide = torch.randn(1, 16, 4, 65, device=device, dtype=torch.float16)
        with pytest.raises(skipattn.InvalidArgumentError, match="multiples of 8"):
            skipattn.attention(wide[..., :64].transpose(1, 2), k, k)
    with pytest.raises(TypeError, match="share a dtype"):
        skipattn.attention(q, k.float(), k)
    with pytest.raises(ValueError, match="finite and >= 0"):
        skipattn.attention(q, k, k, skip_softmax_threshold_scale_factor=-3.0)
    if device == "cuda":
        with pytest.raises(ValueError, match="one device"):
            skipattn.attention(q, k.cpu(), k)
        with pytest.raises(skipattn.UnsupportedError, match="f16 or bf16"):
            skipattn.attention(q.float(), k.float(), k.float())


@cuda
def test_cuda_int64_kv_lens_keep_the_device_rule():
    # Device lengths are not read on the host (no sync); int64 values are
    # clamped to [0, Skv] before narrowing, as the kernel clamps int32 ones,
    # so 2**32 + 10 runs as Skv, never as 10.
    rng = np.random.default_rng(5)
    q, k, v = tensors(rng, 2, 4, 2, 16, 256, 64, torch.bfloat16, "cuda")
    full = torch.tensor([256, 256], dtype=torch.int32, device="cuda")
    want = skipattn.attention(q, k, v, kv_lens=full)
    wrapped = torch.tensor([2**32 + 10, 256], dtype=torch.int64, device="cuda")
    got = skipattn.attention(q, k, v, kv_lens=wrapped)
    assert torch.equal(got, want)


@pytest.mark.parametrize("device", DEVICES)
def test_forward_only(device):
    dtype = torch.float16 if device == "cuda" else torch.float32
    q = torch.randn(1, 4, 16, 64, device=device, dtype=dtype, requires_grad=True)
    k = torch.randn(1, 2, 64, 64, device=device, dtype=dtype)
    with pytest.raises(RuntimeError, match="forward-only"):
        skipattn.attention(q, k, k)
    with torch.no_grad():
        out = skipattn.attention(q, k, k)
    assert out.shape == (1, 4, 16, 64) and not out.requires_grad


@pytest.mark.parametrize("device", DEVICES)
def test_empty_tensors(device):
    dtype = torch.float16 if device == "cuda" else torch.float32
    q = torch.randn(0, 4, 16, 64, device=device, dtype=dtype)
    k = torch.randn(0, 2, 64, 64, device=device, dtype=dtype)
    got = skipattn.attention(q, k, k)
    assert isinstance(got, torch.Tensor), type(got)
    assert got.shape == q.shape and got.device == q.device and got.dtype == dtype


@pytest.mark.parametrize("device", DEVICES)
def test_repeated_calls_take_the_cached_path(device):
    # The second call of a signature skips the checks (a dict lookup and one
    # launch); it must give the same result, and any change of shape,
    # dtype, device or option must not reuse the kernel.
    from skipattn import _api
    dtype = torch.float16 if device == "cuda" else torch.float32
    rng = np.random.default_rng(4)
    q, k, v = tensors(rng, 1, 4, 2, 96, 512, 64, dtype, device)
    first = skipattn.attention(q, k, v, causal=True)
    ctx = skipattn.default_context()
    assert any(key[0] == q.shape for key in ctx._fast)
    again = skipattn.attention(q, k, v, causal=True)
    assert torch.equal(first, again)
    q2 = q[:, :, :64].contiguous()   # another shape: the slow path again
    check(q2, k, v, skipattn.attention(q2, k, v, causal=True), causal=True,
          info=skipattn.kernel_info(q2, k, v, causal=True))
    dense = skipattn.attention(q, k, v)  # another option
    check(q, k, v, dense, info=skipattn.kernel_info(q, k, v))
    # Autograd still refuses on the cached signature.
    with pytest.raises(RuntimeError, match="forward-only"):
        skipattn.attention(q.clone().requires_grad_(), k, v, causal=True)


@pytest.mark.parametrize("device", DEVICES)
def test_cached_path_with_lse_and_statistics(device):
    # Calls asking for the log-sum-exp and statistics (what the
    # HuggingFace integration asks for on every layer) take the cached path
    # too: a signature per choice of extra outputs, fresh buffers every
    # call (the statistics zeroed by the library, not accumulated), and the
    # same results as the checked call.
    dtype = torch.float16 if device == "cuda" else torch.float32
    rng = np.random.default_rng(21)
    q, k, v = tensors(rng, 2, 4, 2, 80, 700, 64, dtype, device)
    ctx = skipattn.Context()
    kw = dict(causal=True, skip_softmax_threshold_scale_factor=200.0,
              context=ctx)
    first = skipattn.attention(q, k, v, return_lse=True, return_stats=True, **kw)
    assert any(key[-1] == 3 for key in ctx._fast)
    for _ in range(2):
        again = skipattn.attention(q, k, v, return_lse=True, return_stats=True, **kw)
        assert all(torch.equal(a, b) for a, b in zip(first, again))
        assert again[2] is not first[2]
    check(q, k, v, again[0], again[1], causal=True, factor=200.0,
          stats=again[2], info=skipattn.kernel_info(
              q, k, v, return_lse=True, return_stats=True, **kw))
    assert int(again[2][..., 1].sum()) > 0
    # Statistics alone: another signature, the same counts.
    _, st = skipattn.attention(q, k, v, return_stats=True, **kw)
    _, st2 = skipattn.attention(q, k, v, return_stats=True, **kw)
    assert any(key[-1] == 2 for key in ctx._fast)
    assert torch.equal(st, first[2]) and torch.equal(st2, first[2])
    # Through the operator as well.
    from skipattn import torch_ops  # noqa: F401 (registers the operator)
    o, l, s = torch.ops.skipattn.attention(q, k, v, True, None, 200.0, None, 1,
                                           None, True, True)
    assert torch.equal(o, first[0]) and torch.equal(s, first[2])


@cuda
@pytest.mark.parametrize("D", [64, 128, 256])
def test_cuda_strided_views_without_copies(D):
    # [B, S, H, D] tensors (the HuggingFace / flash-attn layout) viewed as
    # [B, H, S, D]: the kernel reads them in place through TMA maps with
    # their strides, and checks against float64 like a contiguous call.
    rng = np.random.default_rng(D)
    B, Hq, Hkv, Sq, Skv = 2, 4, 2, 200, 700
    q, k, v = tensors(rng, B, Hq, Hkv, Sq, Skv, D, torch.bfloat16, "cuda")
    qv, kv_, vv = (x.transpose(1, 2).contiguous().transpose(1, 2) for x in (q, k, v))
    assert not qv.is_contiguous() and torch.equal(qv, q)
    for causal, factor in ((False, 0.0), (True, 0.3 * Skv)):
        out, lse, st = skipattn.attention(
            qv, kv_, vv, causal=causal, return_lse=True, return_stats=True,
            skip_softmax_threshold_scale_factor=factor)
        ref, rlse, rst = skipattn.attention(
            q, k, v, causal=causal, return_lse=True, return_stats=True,
            skip_softmax_threshold_scale_factor=factor)
        assert torch.equal(out, ref) and torch.equal(lse, rlse) and torch.equal(st, rst)
        check(qv, kv_, vv, out, lse, causal=causal, factor=factor, stats=st,
              info=skipattn.kernel_info(qv, kv_, vv, causal=causal, return_lse=True,
                                        return_stats=True,
                                        skip_softmax_threshold_scale_factor=factor))


@cuda
@pytest.mark.parametrize("shape", [(4, 32, 8, 1, 8192, 128), (3, 16, 2, 4, 3000, 64),
                                   (2, 8, 8, 1, 2500, 256), (2, 32, 8, 16, 1024, 128)])
def test_cuda_decode_packed_and_split(shape):
    # Decode shapes take the decode schedule: the query heads of a KV head
    # share a warpgroup and the KV blocks are split over CTAs, merged in the
    # kernel; the reference models the same packing and splits.
    B, Hq, Hkv, Sq, Skv, D = shape
    rng = np.random.default_rng(21)
    q, k, v = tensors(rng, B, Hq, Hkv, Sq, Skv, D, torch.bfloat16, "cuda")
    lens = torch.tensor(([Skv, 1, Skv // 3, 0] * B)[:B], dtype=torch.int32, device="cuda")
    for factor in (None, 0.02 * Skv):
        kw = dict(causal=Sq > 1, skip_softmax_threshold_scale_factor=factor, kv_lens=lens,
                  return_lse=True, return_stats=True)
        out, lse, st = skipattn.attention(q, k, v, **kw)
        info = skipattn.kernel_info(q, k, v, **kw)
        assert info["kv_splits"] >= 1 and info["heads_per_tile"] >= 1
        check(q, k, v, out, lse, st, causal=Sq > 1, factor=factor, kv_lens=lens,
              info=info)


@cuda
def test_cuda_split_decode_under_graph_capture():
    # The split-KV workspace of the capture stream is allocated and zeroed
    # in stream order during capture; replays keep the counters balanced.
    rng = np.random.default_rng(22)
    q, k, v = tensors(rng, 2, 32, 8, 1, 16384, 128, torch.bfloat16, "cuda")
    kw = dict(skip_softmax_threshold_scale_factor=50.0, return_stats=True)
    info = skipattn.kernel_info(q, k, v, **kw)
    assert info["kv_splits"] > 1 and info["heads_per_tile"] == 4
    skipattn.attention(q, k, v, **kw)
    torch.cuda.synchronize()
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        out, st = skipattn.attention(q, k, v, **kw)
    for _ in range(3):
        st.zero_()
        g.replay()
        torch.cuda.synchronize()
        check(q, k, v, out, stats=st, factor=50.0, info=info)


@pytest.mark.parametrize("device", DEVICES)
def test_factor_tensor_takes_the_fast_path(device):
    # A float32 contiguous factor tensor is read at launch: after one checked
    # call, repeated calls take the cached path with the tensor's current
    # values (the kernel is the same for any values).
    rng = np.random.default_rng(12)
    q, k, v = tensors(rng, 1, 4, 2, 64, 1024, 64, torch.float16, device)
    ctx = skipattn.Context()
    f = torch.full((1, 4), 300.0, device=device)
    skipattn.attention(q, k, v, skip_softmax_threshold_scale_factor=f, context=ctx)
    assert any(isinstance(key[14], tuple) and key[14][0] == "tensor"
               for key in ctx._fast)
    for value in (0.0, 700.0):
        f.fill_(value)
        fast = skipattn.attention(q, k, v, skip_softmax_threshold_scale_factor=f,
                                  context=ctx)
        slow, _ = skipattn.attention(q, k, v, skip_softmax_threshold_scale_factor=f,
                                     return_lse=True, context=ctx)
        assert torch.equal(fast, slow)
    ctx.close()


@pytest.mark.skipif(not torch.cuda.is_available() or torch.cuda.device_count() < 2,
                    reason="needs two CUDA GPUs")
def test_cuda_second_device():
    # Kernels run in the primary context of their tensors' device: prefill,
    # split-KV decode (its workspace on that device) and the cached path.
    rng = np.random.default_rng(23)
    for shape in [(2, 8, 2, 200, 1000, 128, True), (2, 32, 8, 1, 9000, 128, False)]:
        B, Hq, Hkv, Sq, Skv, D, causal = shape
        q, k, v = tensors(rng, B, Hq, Hkv, Sq, Skv, D, torch.bfloat16, "cuda:1")
        kw = dict(causal=causal, skip_softmax_threshold_scale_factor=0.02 * Skv,
                  return_lse=True, return_stats=True)
        with torch.cuda.device(0):  # the current device does not matter
            out, lse, st = skipattn.attention(q, k, v, **kw)
        assert out.device == q.device
        check(q, k, v, out, lse, st, causal=causal, factor=0.02 * Skv,
              info=skipattn.kernel_info(q, k, v, **kw))
        first = skipattn.attention(q, k, v, causal=causal)
        again = skipattn.attention(q, k, v, causal=causal)
        assert torch.equal(first, again)


@pytest.mark.skipif(not torch.cuda.is_available() or torch.cuda.device_count() < 2,
                    reason="needs two CUDA GPUs")
def test_cuda_calls_leave_the_current_device_alone():
    # A call on another device's tensors does not move the caller's current
    # device (the CUDA runtime reads it from the thread's current context).
    rng = np.random.default_rng(29)
    q, k, v = tensors(rng, 1, 8, 2, 64, 300, 128, torch.bfloat16, "cuda:1")
    for current in (0, 1):
        with torch.cuda.device(current):
            skipattn.attention(q, k, v, causal=True)
            skipattn.attention(q, k, v, return_lse=True, return_stats=True)
            assert torch.cuda.current_device() == current
            x = torch.ones(4, device="cuda")
            assert x.device.index == current


NVIDIA_SMI = shutil.which("nvidia-smi")


@pytest.mark.skipif(not torch.cuda.is_available() or torch.cuda.device_count() < 2
                    or NVIDIA_SMI is None, reason="needs two CUDA GPUs and nvidia-smi")
def test_cuda_process_on_one_device_opens_no_context_on_another():
    # A process that works on GPU 1 only (one process per GPU, as in
    # distributed serving) must not open a context on GPU 0: it would take
    # its memory and time-slice with the process that owns it.
    code = textwrap.dedent("""
        import os, subprocess, torch, skipattn
        torch.cuda.set_device(1)
        q = torch.randn(1, 8, 64, 128, device="cuda", dtype=torch.bfloat16)
        k = torch.randn(1, 2, 300, 128, device="cuda", dtype=torch.bfloat16)
        with torch.inference_mode():
            skipattn.attention(q, k, k, causal=True)
            skipattn.attention(q, k, k, return_lse=True, return_stats=True)
        torch.cuda.synchronize()
        smi = lambda *a: subprocess.run([%r, *a, "--format=csv,noheader"],
                                        capture_output=True, text=True).stdout
        bus0 = smi("--query-gpu=pci.bus_id", "-i", "0").strip().lower()
        mine = [l.split(",")[1].strip().lower()
                for l in smi("--query-compute-apps=pid,gpu_bus_id").splitlines()
                if l.split(",")[0].strip() == str(os.getpid())]
        print(bus0, mine)
        assert mine and bus0 not in mine, (bus0, mine)
    """ % NVIDIA_SMI)
    env = dict(os.environ)
    env.pop("CUDA_VISIBLE_DEVICES", None)
    env["CUDA_DEVICE_ORDER"] = "PCI_BUS_ID"  # torch's 0 is nvidia-smi's 0
    r = subprocess.run([sys.executable, "-c", code], capture_output=True,
                       text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("device", DEVICES)
def test_statistics_with_v_loads(device):
    # return_stats="v_loads": stats [B, Hq, 4], the decisions and skips of
    # return_stats=True followed by the V block loads and those a skip
    # left out. The CPU reads V per unit (the V columns are the decision
    # columns); a CUDA tile loads V once for all its units: a packed
    # decode (one unit per tile, V gated on its vote) saves one load per
    # skip, a prefill (V loaded before the votes) saves none.
    dtype = torch.float16 if device == "cuda" else torch.float32
    rng = np.random.default_rng(5)
    ctx = skipattn.Context()
    # Factors that skip some blocks of these random inputs on both targets;
    # 16 sequences keep the decode's CUDA splits at 8 blocks each (a
    # split's first block is never skipped).
    for B, Hq, Hkv, Sq, Skv, causal, factor in (
            (2, 4, 2, 80, 700, True, 500.0), (16, 8, 2, 1, 4096, False, 3000.0)):
        q, k, v = tensors(rng, B, Hq, Hkv, Sq, Skv, 64, dtype, device)
        kw = dict(causal=causal, skip_softmax_threshold_scale_factor=factor,
                  context=ctx)
        _, st2 = skipattn.attention(q, k, v, return_stats=True, **kw)
        for _ in range(2):  # the checked call, then the cached one
            _, st4 = skipattn.attention(q, k, v, return_stats="v_loads", **kw)
            assert st4.shape == (B, Hq, 4)
            assert torch.equal(st4[..., :2], st2)
        decisions, skipped, loads, saved = (
            int(x) for x in st4.sum(dim=(0, 1)))
        assert decisions > 0 and skipped > 0
        if device == "cpu":
            assert torch.equal(st4[..., 2:], st4[..., :2])
        elif Sq == 1:
            assert (loads, saved) == (decisions, skipped)
        else:
            assert saved == 0 and 0 < loads <= decisions
        from skipattn import torch_ops  # noqa: F401 (registers the operator)
        _, _, s = torch.ops.skipattn.attention(
            q, k, v, causal, None, factor, None, 1, None, False, True,
            v_loads=True)
        assert torch.equal(s, st4)
    with pytest.raises(ValueError, match="return_stats must be"):
        skipattn.attention(q, k, v, return_stats="v", context=ctx)
