#!/usr/bin/env python3
"""skipattn's CPU kernels and PyTorch's CPU SDPA in one process.

Both run on the same tensors (structured inputs, torch CPU tensors) with
the same thread count (OMP_NUM_THREADS for skipattn's OpenMP runtime,
torch.set_num_threads for torch). Where Sq != Skv a causal mask is given to
torch explicitly, bottom-right aligned as skipattn's (torch's is_causal
aligns top-left, which would be a different, smaller problem). Times are
medians of repeated calls after a warm-up (the first call compiles, or
loads from the kernel cache). Skipping rows report the kernel's own
sparsity and the error against torch's float32 result.

  SKIPATTN_LIBRARY=build/lib/libskipattn_c.so PYTHONPATH=python \\
    python3 bench/cpu_inprocess.py [--threads N] [--out results.json]
"""

import argparse
import json
import os
import statistics
import sys
import time

SHAPES = [  # (B, Hq, Hkv, Sq, Skv, D, causal, dtype)
    (1, 8, 8, 1024, 1024, 128, False, "bfloat16"),
    (1, 8, 2, 512, 4096, 128, True, "bfloat16"),
    (4, 32, 8, 1, 8192, 128, False, "bfloat16"),
    (1, 8, 8, 1024, 1024, 64, True, "float32"),
]
FACTORS = [10, 100]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--out")
    args = ap.parse_args()
    # Before libomp starts (skipattn loads it with its first kernel).
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    import numpy as np
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(args.threads)
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..",
                                    "python", "tests"))
    import skipattn
    from helpers import structured

    def median_ms(fn, min_time=0.5):
        fn()
        times, t0 = [], time.perf_counter()
        while len(times) < 3 or time.perf_counter() - t0 < min_time:
            a = time.perf_counter()
            fn()
            times.append((time.perf_counter() - a) * 1e3)
        return statistics.median(times)

    rows = []
    for (B, Hq, Hkv, Sq, Skv, D, causal, dtype) in SHAPES:
        dt = getattr(torch, dtype)
        q, k, v = (torch.from_numpy(x.astype(np.float32)).to(dt)
                   for x in structured(np.random.default_rng(0), B, Hq, Hkv,
                                       Sq, Skv, D))
        kw = {"enable_gqa": True} if Hq != Hkv else {}
        mask = None
        if causal and Sq != Skv:
            i = torch.arange(Sq)[:, None]
            j = torch.arange(Skv)[None, :]
            mask = j <= i + (Skv - Sq)
        tcausal = causal and mask is None

        def torch_call():
            return F.scaled_dot_product_attention(q, k, v, attn_mask=mask,
                                                  is_causal=tcausal, **kw)

        ref = F.scaled_dot_product_attention(q.float(), k.float(), v.float(),
                                             attn_mask=mask,
                                             is_causal=tcausal, **kw)
        shape = (f"B{B} H{Hq}/{Hkv} Sq{Sq} Skv{Skv} D{D} {dtype}" +
                 (" causal" if causal else ""))
        t_torch = median_ms(torch_call)
        t_dense = median_ms(lambda: skipattn.attention(q, k, v, causal=causal))
        out = skipattn.attention(q, k, v, causal=causal)
        err = float((out.float() - ref).norm() / ref.norm())
        row = {"shape": shape, "threads": args.threads, "torch_ms": t_torch,
               "skipattn_dense_ms": t_dense, "dense_rel_err": err,
               "dense_ratio": t_torch / t_dense}
        # The same call over a paged cache (pages of 16 at shuffled places,
        # NHD): what the extra table lookup per key row costs.
        ps = 16
        perm = torch.randperm(B * (Skv // ps))
        table = perm.view(B, Skv // ps).to(torch.int32)

        def paged(x):
            pages = x.view(B, Hkv, Skv // ps, ps, D).permute(0, 2, 3, 1, 4)
            cache = torch.empty((B * (Skv // ps), ps, Hkv, D), dtype=x.dtype)
            cache[perm] = pages.reshape(-1, ps, Hkv, D)
            return cache
        kc, vc = paged(k), paged(v)
        lens = torch.full((B,), Skv, dtype=torch.int32)
        row["paged16_ms"] = median_ms(lambda: skipattn.paged_attention(
            q, kc, vc, table, lens, causal=causal))
        row["paged16_vs_contiguous"] = row["paged16_ms"] / t_dense
        for f in FACTORS:
            out, st = skipattn.attention(
                q, k, v, causal=causal, return_stats=True,
                skip_softmax_threshold_scale_factor=f)
            t = median_ms(lambda: skipattn.attention(
                q, k, v, causal=causal, skip_softmax_threshold_scale_factor=f))
            row[f"skip{f}_ms"] = t
            row[f"skip{f}_sparsity"] = float(st[..., 1].sum() / st[..., 0].sum())
            row[f"skip{f}_rel_err"] = float((out.float() - ref).norm() /
                                            ref.norm())
            row[f"skip{f}_ratio"] = t_torch / t
        rows.append(row)
        print(json.dumps(row), flush=True)
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
