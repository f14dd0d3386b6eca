#!/usr/bin/env python3
"""skipattn inside a PyTorch process, next to SDPA, on one GPU.

1. Host overhead of a cached call: a tiny problem (the GPU idles), many
   calls, wall time per call; for skipattn.attention (eager direct path),
   the torch.ops.skipattn.attention operator, the bare C launch through
   ctypes, and torch SDPA as the yardstick.
2. Kernel time with CUDA events, in the same process: SDPA (cuDNN, flash)
   and skipattn dense and with skipping, on structured inputs.
3. Decode bandwidth (K+V bytes/s) beside SDPA with enable_gqa.

Usage: python3 bench/torch_inprocess.py [--out results.json]
Needs libskipattn_c (SKIPATTN_LIBRARY) and the skipattn package on the path.
"""

import argparse
import ctypes
import json
import math
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

import skipattn
from skipattn import _api, _capi


def host_us(fn, n=200, reps=25):
    """Host microseconds per call of `fn`: the median over `reps` bursts of
    `n` calls, each burst short enough that the launch queue never fills
    (a full queue would time the GPU instead) and started on an idle GPU."""
    for _ in range(50):
        fn()
    times = []
    for _ in range(reps):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        times.append((time.perf_counter() - t0) / n * 1e6)
    torch.cuda.synchronize()
    return float(np.median(times))


def host_overhead(n=200, reps=25):
    """Host microseconds per cached call (host_us) of each way to call."""
    dev = "cuda"
    q = torch.randn(1, 1, 64, 64, device=dev, dtype=torch.bfloat16)
    k = torch.randn(1, 1, 128, 64, device=dev, dtype=torch.bfloat16)
    res = {}
    per_call = lambda fn: host_us(fn, n, reps)
    res["skipattn.attention"] = per_call(lambda: skipattn.attention(q, k, k))
    fac = torch.full((1,), 10.0, device=dev)
    res["skipattn.attention(factor tensor)"] = per_call(
        lambda: skipattn.attention(q, k, k, skip_softmax_threshold_scale_factor=fac))
    res["torch.ops.skipattn.attention"] = per_call(
        lambda: torch.ops.skipattn.attention(q, k, k, False, None, None, None, 1,
                                             None, False, False))
    # The C launch alone: kernel and argument struct prepared once.
    kernel, tq, tk, tv, oshape, *_ = _api._prepare(
        q, k, k, False, None, None, 1, None, False, False, None)
    out = torch.empty(oshape, device=dev, dtype=q.dtype)
    lib = _api._library()
    args = _capi.AttentionArgs(ctypes.sizeof(_capi.AttentionArgs), tq.ptr, tk.ptr,
                               tv.ptr, out.data_ptr(), None, None, None, None,
                               torch.cuda.current_stream().cuda_stream)
    ref = ctypes.byref(args)
    res["C skipattn_kernel_launch (ctypes)"] = per_call(
        lambda: lib.skipattn_kernel_launch(kernel, ref))
    with sdpa_kernel([SDPBackend.FLASH_ATTENTION]):
        res["torch SDPA (flash)"] = per_call(
            lambda: F.scaled_dot_product_attention(q, k, k))
    return res


def host_breakdown(n=200, reps=25):
    """Where a cached skipattn.attention call's host time goes: each step
    of the fast path timed alone (same method as host_overhead)."""
    dev = "cuda"
    q = torch.randn(1, 1, 64, 64, device=dev, dtype=torch.bfloat16)
    k = torch.randn(1, 1, 128, 64, device=dev, dtype=torch.bfloat16)
    skipattn.attention(q, k, k)
    ctx = _api.default_context()
    kp = k.data_ptr()
    key = _api._fast_key(q, k, k, False, None, None, 1, _api._NO_INTS, kp, kp)
    kernel, oshape, device, index, need, like_q = ctx._fast[key]
    stream = torch._C._cuda_getCurrentRawStream(index)
    out = torch.empty(oshape, dtype=q.dtype, device=device)
    lib = _api._library()
    per_call = lambda fn: host_us(fn, n, reps)

    def args():
        return _capi.AttentionArgs(_api._ARGS_SIZE, q.data_ptr(), k.data_ptr(),
                                   k.data_ptr(), out.data_ptr(), None, None,
                                   None, None, stream, None, 0, None, None)
    a = args()
    ref = ctypes.byref(a)
    packed = _api._pack_args(_api._ARGS_SIZE, q.data_ptr(), kp, kp,
                             out.data_ptr(), 0, 0, 0, 0, stream, 0, 0, 0, 0)
    steps = {
        "empty call": lambda: None,
        "torch.empty": lambda: torch.empty(oshape, dtype=q.dtype, device=device),
        "current stream": lambda: torch._C._cuda_getCurrentRawStream(index),
        "key + lookup": lambda: ctx._fast.get(_api._fast_key(
            q, k, k, False, None, None, 1, _api._NO_INTS, k.data_ptr(),
            k.data_ptr())),
        "torch.empty_like": lambda: torch.empty_like(q),
        "packed args": lambda: _api._pack_args(
            _api._ARGS_SIZE, q.data_ptr(), kp, kp, out.data_ptr(), 0, 0, 0, 0,
            stream, 0, 0, 0, 0),
        "grad/compile checks": lambda: (torch.is_grad_enabled(),
                                        torch.compiler.is_compiling()),
        "AttentionArgs": args,
        "C launch (ctypes, prepared)": lambda: lib.skipattn_kernel_launch(kernel.value, ref),
        "C launch (raw, packed)": lambda: _api._raw_launch(kernel, packed),
        "_fast_attention": lambda: _api._fast_attention(
            q, k, k, False, None, None, 1, None),
        "skipattn.attention": lambda: skipattn.attention(q, k, k),
    }
    return {name: per_call(fn) for name, fn in steps.items()}


def structured(B, H, S, D, dev, dtype, seed=0):
    rng = np.random.default_rng(seed)
    u = rng.standard_normal((B, H, 1, D))
    u /= np.linalg.norm(u, axis=-1, keepdims=True)
    a = 4.0 * D ** 0.25
    q = 0.5 * rng.standard_normal((B, H, S, D)) + a * u
    nb = -(-S // 128)
    lv = rng.uniform(0.0, 1.0, (B, H, nb))
    lv[:, :, 0] = 1.0
    w = np.repeat(lv, 128, axis=2)[:, :, :S] * rng.uniform(0.8, 1.0, (B, H, S))
    k = 0.5 * rng.standard_normal((B, H, S, D)) + a * w[..., None] * u
    v = rng.standard_normal((B, H, S, D))
    return tuple(torch.from_numpy(x).to(dev, dtype) for x in (q, k, v))


def time_ms(fn, iters=20):
    """Median of `iters` single calls, each between two events."""
    return time_ms_queued(fn, iters=1, reps=iters)


PREFILL_SHAPES = [(4, 16, 8192, 128, False), (4, 16, 8192, 128, True),
                  (8, 16, 4096, 128, False), (2, 16, 16384, 128, True),
                  (4, 16, 8192, 64, False), (4, 16, 8192, 256, False)]


def kernels(shapes=PREFILL_SHAPES):
    """Prefill (B, H, S, D, causal) shapes beside cuDNN and FA2: dense, and
    skipping at the factor calibrated for ~70 % sparsity."""
    rows = []
    for (B, H, S, D, causal) in shapes:
        q, k, v = structured(B, H, S, D, "cuda", torch.bfloat16)
        flops = 4.0 * B * H * S * S * D * (0.5 if causal else 1.0)
        r = {"shape": f"B{B} H{H} S{S} D{D}" + (" causal" if causal else "")}
        for name, be in (("cudnn", SDPBackend.CUDNN_ATTENTION),
                         ("flash", SDPBackend.FLASH_ATTENTION)):
            try:
                with sdpa_kernel([be]):
                    r[name + "_ms"] = time_ms(
                        lambda: F.scaled_dot_product_attention(q, k, v, is_causal=causal))
            except RuntimeError as e:
                r[name + "_ms"] = None
        r["skipattn_dense_ms"] = time_ms(lambda: skipattn.attention(q, k, v, causal=causal))
        # The factor for ~70 % block sparsity on these inputs, calibrated
        # (a fixed factor's sparsity depends on the inputs and length).
        cal = skipattn.calibrate([(q, k, v)], 0.7, causal=causal)
        r["factor"] = cal.factor
        factor = torch.full((1,), cal.factor, device="cuda")
        out, st = skipattn.attention(q, k, v, causal=causal, return_stats=True,
                                     skip_softmax_threshold_scale_factor=factor)
        r["sparsity"] = float(st[..., 1].sum() / st[..., 0].sum())
        r["skipattn_skip_ms"] = time_ms(lambda: skipattn.attention(
            q, k, v, causal=causal, skip_softmax_threshold_scale_factor=factor))
        ref = F.scaled_dot_product_attention(q.float(), k.float(), v.float(), is_causal=causal)
        r["skip_rel_err_vs_dense_fp32"] = float((out.float() - ref).norm() / ref.norm())
        for key in ("cudnn_ms", "flash_ms", "skipattn_dense_ms", "skipattn_skip_ms"):
            if r.get(key):
                r[key.replace("_ms", "_tflops")] = flops / (r[key] * 1e9)
        rows.append(r)
        print(json.dumps(r), flush=True)
    return rows


def input_effect(B=4, H=16, S=8192, D=128, rounds=3):
    """Dense prefill beside cuDNN on three kinds of inputs of one shape:
    the structured ones kernels() uses, unit normals and normals scaled
    by 0.1. Same kernels, same shapes: any difference between the rows is
    the data's (the GPU's clock under its power limit depends on how many
    bits toggle), which skipattn-run's and this file's figures differ
    in."""
    flops = 4.0 * B * H * S * S * D
    sets = {"structured": structured(B, H, S, D, "cuda", torch.bfloat16)}
    g = torch.Generator(device="cuda").manual_seed(0)
    unit = tuple(torch.randn((B, H, S, D), generator=g, device="cuda",
                             dtype=torch.bfloat16) for _ in range(3))
    sets["normal"] = unit
    sets["normal*0.1"] = tuple(x * 0.1 for x in unit)
    rows = []
    for r in range(rounds):
        for name, (q, k, v) in sets.items():
            row = {"round": r, "inputs": name}
            with sdpa_kernel([SDPBackend.CUDNN_ATTENTION]):
                row["cudnn_tflops"] = flops / (time_ms(
                    lambda: F.scaled_dot_product_attention(q, k, v)) * 1e9)
            row["skipattn_tflops"] = flops / (time_ms(
                lambda: skipattn.attention(q, k, v)) * 1e9)
            row["ratio"] = row["skipattn_tflops"] / row["cudnn_tflops"]
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


def structured_decode(B, Hq, Hkv, Sq, S, D, dev, dtype, seed=0):
    """Decode inputs: every query head shares its KV head's direction, so
    the keys' 128-key blocks are relevant to varying degrees."""
    rng = np.random.default_rng(seed)
    u = rng.standard_normal((B, Hkv, 1, D))
    u /= np.linalg.norm(u, axis=-1, keepdims=True)
    a = 4.0 * D ** 0.25
    uq = np.repeat(u, Hq // Hkv, axis=1)
    q = 0.5 * rng.standard_normal((B, Hq, Sq, D)) + a * uq
    nb = -(-S // 128)
    lv = rng.uniform(0.0, 1.0, (B, Hkv, nb)) ** 2
    lv[:, :, 0] = 1.0
    w = np.repeat(lv, 128, axis=2)[:, :, :S] * rng.uniform(0.8, 1.0, (B, Hkv, S))
    k = 0.5 * rng.standard_normal((B, Hkv, S, D)).astype(np.float32) + \
        (a * w[..., None] * u).astype(np.float32)
    v = rng.standard_normal((B, Hkv, S, D)).astype(np.float32)
    return tuple(torch.from_numpy(np.ascontiguousarray(x)).to(dev, dtype)
                 for x in (q, k, v))


# Decode shapes (batch, query tokens, KV length), GQA 32/8, D 128.
DECODE_SHAPES = [(16, 1, 8192), (16, 1, 32768), (4, 1, 131072),
                 (1, 1, 131072), (16, 4, 8192)]


def decode_inputs(B, Hq, Hkv, Sq, S, D):
    """bf16 CUDA decode inputs and the K+V bytes they hold."""
    q, k, v = structured_decode(B, Hq, Hkv, Sq, S, D, "cuda", torch.bfloat16)
    return q, k, v, 2.0 * B * Hkv * S * D * 2


def closest_sparsity(run, factors, target, refine=False):
    """(factor, sparsity, output) of the factor whose measured sparsity is
    closest to `target`; `run(f)` returns (out, stats). With `refine`, the
    geometric midpoints between the best factor of the grid and its
    neighbours are tried too (each factor is a compile)."""
    best = None
    def measure(f):
        nonlocal best
        out, st = run(f)
        sp = float(st[..., 1].sum() / st[..., 0].sum())
        if best is None or abs(sp - target) < abs(best[1] - target):
            best = (f, sp, out)
    for f in factors:
        measure(f)
    if refine:
        i = list(factors).index(best[0])
        for j in (i - 1, i + 1):
            if 0 <= j < len(factors):
                measure(round(float(np.sqrt(factors[i] * factors[j])), 3))
    return best


def decode(target=0.7, shapes=None, refine=False):
    """Decode bandwidth (K and V bytes per second, GQA 32/8, D 128, bf16)
    beside SDPA with enable_gqa; skipping at the factor whose measured
    sparsity is closest to `target`. Speculative rows (Sq > 1) attend to
    every key (SDPA's is_causal would align top-left and see 4 keys).
    `shapes` defaults to DECODE_SHAPES; `refine` calibrates the factor
    closer to `target` (closest_sparsity)."""
    rows = []
    for (B, Sq, S) in shapes or DECODE_SHAPES:
        Hq, Hkv, D = 32, 8, 128
        q, k, v, kv_bytes = decode_inputs(B, Hq, Hkv, Sq, S, D)
        r = {"shape": f"B{B} Hq{Hq}/Hkv{Hkv} Sq{Sq} Skv{S} D{D}"}
        for name, be in (("cudnn", SDPBackend.CUDNN_ATTENTION),
                         ("flash", SDPBackend.FLASH_ATTENTION)):
            try:
                with sdpa_kernel([be]):
                    r[name + "_ms"] = time_ms(lambda: F.scaled_dot_product_attention(
                        q, k, v, enable_gqa=True))
            except RuntimeError:
                r[name + "_ms"] = None
        info = skipattn.kernel_info(q, k, v)
        r["tiling"] = {x: info[x] for x in ("block_q", "block_kv", "heads_per_tile",
                                            "kv_splits")}
        r["skipattn_dense_ms"] = time_ms(lambda: skipattn.attention(q, k, v))
        dense = skipattn.attention(q, k, v).float()
        f, sp, out = closest_sparsity(
            lambda f: skipattn.attention(q, k, v, return_stats=True,
                                         skip_softmax_threshold_scale_factor=f),
            (3.0, 10.0, 30.0, 100.0, 300.0, 1000.0), target, refine)
        r["factor"], r["sparsity"] = f, sp
        r["skipattn_skip_ms"] = time_ms(lambda: skipattn.attention(
            q, k, v, skip_softmax_threshold_scale_factor=f))
        r["skip_rel_err_vs_dense"] = float((out.float() - dense).norm() / dense.norm())
        for key in ("cudnn_ms", "flash_ms", "skipattn_dense_ms", "skipattn_skip_ms"):
            if r.get(key):
                r[key.replace("_ms", "_tbps")] = kv_bytes / (r[key] * 1e9)
        rows.append(r)
        print(json.dumps(r), flush=True)
        del q, k, v, dense, out
        torch.cuda.empty_cache()
    return rows


def time_ms_queued(fn, iters=10, reps=5):
    """Median over `reps` of the mean time of `iters` calls queued back to
    back: the host's per-call work (the checked Python path of a call with
    a page table or lengths) overlaps the kernels instead of idling the GPU
    between two events."""
    for _ in range(3):
        fn()
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    ts = []
    for _ in range(reps):
        s.record()
        for _ in range(iters):
            fn()
        e.record()
        e.synchronize()
        ts.append(s.elapsed_time(e) / iters)
    return float(np.median(ts))


def paged_cache(k, v, page_size, layout="NHD"):
    """k, v [B, Hkv, S, D] copied into a paged cache whose pages lie at
    shuffled places (as a serving engine's after a while), and its table."""
    B, Hkv, S, D = k.shape
    slots = S // page_size
    P = B * slots
    perm = torch.randperm(P, device=k.device)
    table = perm.view(B, slots).to(torch.int32)
    def place(x):
        pages = x.view(B, Hkv, slots, page_size, D).permute(0, 2, 3, 1, 4)
        cache = torch.empty((P, page_size, Hkv, D), dtype=x.dtype, device=x.device)
        cache[perm] = pages.reshape(P, page_size, Hkv, D)
        return cache if layout == "NHD" else cache.permute(0, 2, 1, 3).contiguous()
    return place(k), place(v), table


def paged_decode(target=0.7):
    """Decode over a paged KV cache (pages of 16 and 64, NHD, shuffled) beside
    the same kernel on contiguous K/V and cuDNN, dense and skipping."""
    rows = []
    for (B, Sq, S) in DECODE_SHAPES:
        Hq, Hkv, D = 32, 8, 128
        q, k, v, kv_bytes = decode_inputs(B, Hq, Hkv, Sq, S, D)
        lens = torch.full((B,), S, dtype=torch.int32, device="cuda")
        r = {"shape": f"B{B} Hq{Hq}/Hkv{Hkv} Sq{Sq} Skv{S} D{D}"}
        try:
            with sdpa_kernel([SDPBackend.CUDNN_ATTENTION]):
                r["cudnn_ms"] = time_ms_queued(lambda: F.scaled_dot_product_attention(
                    q, k, v, enable_gqa=True))
        except RuntimeError:
            r["cudnn_ms"] = None
        causal = Sq > 1
        r["contiguous_ms"] = time_ms_queued(lambda: skipattn.attention(
            q, k, v, kv_lens=lens, causal=causal))
        ref = skipattn.attention(q, k, v, kv_lens=lens, causal=causal).float()
        for ps in (16, 64):
            kc, vc, table = paged_cache(k, v, ps)
            call = lambda f=None: skipattn.paged_attention(
                q, kc, vc, table, lens, causal=causal,
                skip_softmax_threshold_scale_factor=f)
            r[f"paged{ps}_ms"] = time_ms_queued(call)
            out = call().float()
            r[f"paged{ps}_rel_err_vs_contiguous"] = float((out - ref).norm() / ref.norm())
            f, sp, o = closest_sparsity(
                lambda f: skipattn.paged_attention(
                    q, kc, vc, table, lens, causal=causal, return_stats=True,
                    skip_softmax_threshold_scale_factor=f),
                (3.0, 10.0, 30.0, 100.0, 300.0), target)
            r[f"paged{ps}_skip_factor"], r[f"paged{ps}_sparsity"] = f, sp
            r[f"paged{ps}_skip_ms"] = time_ms_queued(lambda: call(f))
            r[f"paged{ps}_skip_rel_err_vs_dense"] = float((o.float() - ref).norm() / ref.norm())
            del kc, vc, table
        for key in list(r):
            if key.endswith("_ms") and r[key]:
                r[key.replace("_ms", "_tbps")] = kv_bytes / (r[key] * 1e9)
        rows.append(r)
        print(json.dumps(r), flush=True)
        del q, k, v, ref
        torch.cuda.empty_cache()
    return rows


def paged_dense():
    """Dense decode over a paged cache (pages of 16 and 64, NHD, shuffled)
    against contiguous K/V with the same lengths, kernel time only (no
    cuDNN, no skipping: the quick form of paged_decode)."""
    rows = []
    for (B, Sq, S) in DECODE_SHAPES:
        if Sq != 1:
            continue
        Hq, Hkv, D = 32, 8, 128
        q, k, v, _ = decode_inputs(B, Hq, Hkv, Sq, S, D)
        lens = torch.full((B,), S, dtype=torch.int32, device="cuda")
        r = {"shape": f"B{B} Hq{Hq}/Hkv{Hkv} Sq{Sq} Skv{S} D{D}"}
        r["contiguous_ms"] = time_ms_queued(
            lambda: skipattn.attention(q, k, v, kv_lens=lens))
        for ps in (16, 64):
            kc, vc, table = paged_cache(k, v, ps)
            r[f"paged{ps}_ms"] = time_ms_queued(
                lambda: skipattn.paged_attention(q, kc, vc, table, lens))
            r[f"paged{ps}_ratio"] = r[f"paged{ps}_ms"] / r["contiguous_ms"]
            del kc, vc, table
        rows.append(r)
        print(json.dumps(r), flush=True)
        del q, k, v
        torch.cuda.empty_cache()
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    a = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = True
    over = host_overhead()
    for k_, v_ in over.items():
        print(f"host overhead per call  {k_:40s} {v_:7.2f} us", flush=True)
    rows = kernels()
    dec = decode()
    if a.out:
        json.dump({"device": torch.cuda.get_device_name(), "torch": torch.__version__,
                   "host_overhead_us": over, "kernels": rows, "decode": dec},
                  open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
