#!/usr/bin/env python3
"""CPU throughput of skipattn against PyTorch's CPU scaled_dot_product_attention.

Runs skipattn-run (dense and with skipping on structured inputs at several
threshold factors, printing the *measured* sparsity next to each time) and,
when torch is importable, torch SDPA on the same shapes in the same run.

  python3 bench/cpu_bench.py --build build
"""
import argparse
import json
import os
import statistics
import subprocess
import time

SHAPES = [  # (B, Hq, Hkv, Sq, Skv, D, causal)
    (1, 8, 8, 1024, 1024, 128, False),
    (1, 8, 8, 2048, 2048, 128, True),
    (1, 8, 2, 512, 4096, 128, True),
    (4, 32, 8, 1, 8192, 128, False),
]
FACTORS = [0, 100, 1000, 10000]


def run_ours(build, shape, dtype, factor):
    b, hq, hkv, sq, skv, d, causal = shape
    cmd = [os.path.join(build, "bin", "skipattn-run"), f"--batch={b}", f"--q-heads={hq}",
           f"--kv-heads={hkv}", f"--q-len={sq}", f"--kv-len={skv}", f"--head-dim={d}",
           f"--dtype={dtype}", "--pattern=structured", f"--threshold-scale-factor={factor}",
           "--json", "--no-check"] + (["--causal"] if causal else [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_torch(shape, dtype):
    try:
        import torch
    except ImportError:
        return None
    b, hq, hkv, sq, skv, d, causal = shape
    dt = {"f32": torch.float32, "bf16": torch.bfloat16, "f16": torch.float16}[dtype]
    q = torch.randn(b, hq, sq, d, dtype=dt)
    k = torch.randn(b, hkv, skv, d, dtype=dt)
    v = torch.randn(b, hkv, skv, d, dtype=dt)
    kw = {"enable_gqa": True} if hq != hkv else {}
    f = lambda: torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal, **kw)
    f()
    times = []
    t0 = time.perf_counter()
    while len(times) < 3 or time.perf_counter() - t0 < 0.5:
        a = time.perf_counter()
        f()
        times.append((time.perf_counter() - a) * 1e3)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--dtype", default="bf16")
    args = ap.parse_args()
    print(f"{'shape':<38} {'factor':>7} {'sparsity':>9} {'ms':>9} {'GFLOP/s':>8} {'x dense':>8} {'x torch':>8}")
    for shape in SHAPES:
        torch_ms = run_torch(shape, args.dtype)
        dense_ms = None
        for factor in FACTORS:
            r = run_ours(args.build, shape, args.dtype, factor)
            if factor == 0:
                dense_ms = r["run_ms"]
            name = "B%d Hq%d Hkv%d Sq%d Skv%d D%d%s" % (shape[:6] + (" causal" if shape[6] else "",))
            vs_torch = f"{torch_ms / r['run_ms']:.2f}" if torch_ms else "n/a"
            print(f"{name:<38} {factor:>7} {100 * r['sparsity']:>8.1f}% {r['run_ms']:>9.3f} "
                  f"{r['gflops']:>8.1f} {dense_ms / r['run_ms']:>8.2f} {vs_torch:>8}")
        if torch_ms:
            print(f"{'':<38} {'torch':>7} {'':>9} {torch_ms:>9.3f}")


if __name__ == "__main__":
    main()
