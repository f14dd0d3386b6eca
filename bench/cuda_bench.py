#!/usr/bin/env python3
"""Hopper benchmark: skipattn kernels next to PyTorch SDPA (cuDNN, flash).

Prefill shapes of docs/performance.md (B*S = 32k tokens, 16 heads, bf16).
Our kernels run through `skipattn-run --target=cuda --json` (CUDA-event
median, JIT cache warm) on the same GPU right after the PyTorch anchors are
timed in this process; dense (factor 0) and skipping on structured inputs
at several factors, with the measured block sparsity printed beside each
time. Writes a table, a JSON file and a PNG of speedup against sparsity.

  python3 bench/cuda_bench.py --run build-static/bin/skipattn-run --out DIR
"""
import argparse
import json
import os
import subprocess
import sys


def tflops(b, h, s, d, causal, ms):
    f = 4.0 * b * h * s * s * d
    if causal:
        f /= 2
    return f / (ms * 1e-3) / 1e12


def torch_times(b, h, s, d, causal):
    import torch
    from torch.nn.attention import SDPBackend, sdpa_kernel
    import triton.testing as tt
    q, k, v = (torch.randn(b, h, s, d, device="cuda", dtype=torch.bfloat16)
               for _ in range(3))
    res = {}
    for name, be in (("cudnn", SDPBackend.CUDNN_ATTENTION),
                     ("flash", SDPBackend.FLASH_ATTENTION)):
        try:
            with sdpa_kernel(be):
                fn = lambda: torch.nn.functional.scaled_dot_product_attention(
                    q, k, v, is_causal=causal)
                fn()
                res[name] = tt.do_bench(fn, warmup=100, rep=500,
                                        return_mode="median")
        except Exception as e:  # a backend missing for this shape
            print(f"  {name}: unavailable ({e})", file=sys.stderr)
    del q, k, v
    torch.cuda.empty_cache()
    return res


def ours(run, b, h, s, d, causal, factor, extra=()):
    cmd = [run, "--target=cuda", "--no-check", "--json", f"--batch={b}",
           f"--q-heads={h}", f"--kv-heads={h}", f"--q-len={s}",
           f"--kv-len={s}", f"--head-dim={d}", "--dtype=bf16",
           f"--threshold-scale-factor={factor}", "--iters=30", *extra]
    if causal:
        cmd.append("--causal")
    if factor > 0:
        cmd.append("--pattern=structured")
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(" ".join(cmd) + "\n" + out.stderr[-2000:])
    line = [l for l in out.stdout.splitlines() if l.startswith("{")][-1]
    return json.loads(line)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", default="build/bin/skipattn-run")
    ap.add_argument("--out", default=".")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    shapes = [(4, 16, 8192, 128, False), (4, 16, 8192, 128, True),
              (8, 16, 4096, 128, False), (8, 16, 4096, 128, True),
              (4, 16, 8192, 64, False), (2, 16, 16384, 128, True)]
    if a.quick:
        shapes = shapes[:2]
    rows = []
    print(f"{'shape':34} {'cuDNN':>8} {'flash':>8} {'ours':>8}  ratio/cuDNN")
    for b, h, s, d, causal in shapes:
        t = torch_times(b, h, s, d, causal)
        o = ours(a.run, b, h, s, d, causal, 0)
        r = dict(b=b, h=h, s=s, d=d, causal=causal, ours_ms=o["run_ms"],
                 compile_ms=o["compile_ms"], **{k + "_ms": v for k, v in t.items()})
        rows.append(r)
        tf = lambda ms: tflops(b, h, s, d, causal, ms)
        c = t.get("cudnn")
        print(f"B{b} H{h} S{s} D{d} {'causal' if causal else 'full':6}    "
              f"{tf(c) if c else 0:8.1f} {tf(t.get('flash', 1e9)):8.1f} "
              f"{tf(o['run_ms']):8.1f}  {c / o['run_ms'] if c else 0:.3f}")
    # Skipping against our dense kernel and cuDNN dense, on structured data.
    sk = []
    b, h, s, d = 4, 16, 8192, 128
    for causal in (False, True):
        dense = ours(a.run, b, h, s, d, causal, 0, ["--pattern=structured"])
        base = [r for r in rows if (r["s"], r["d"], r["causal"]) == (s, d, causal)]
        cud = base[0].get("cudnn_ms") if base else None
        # lambda = factor / L must stay below 1 to skip anything (L = 8192).
        for factor in ([1000, 3000, 5000, 7000, 8000] if not a.quick else [6000]):
            o = ours(a.run, b, h, s, d, causal, factor)
            sk.append(dict(causal=causal, factor=factor, sparsity=o["sparsity"],
                           ms=o["run_ms"], dense_ms=dense["run_ms"],
                           cudnn_ms=cud))
            print(f"skip S{s} {'causal' if causal else 'full':6} factor {factor:>7}: "
                  f"sparsity {100 * o['sparsity']:5.1f}%  {o['run_ms']:.3f} ms  "
                  f"{dense['run_ms'] / o['run_ms']:.2f}x own dense  "
                  f"{(cud / o['run_ms']) if cud else 0:.2f}x cuDNN dense")
    json.dump(dict(dense=rows, skip=sk), open(os.path.join(a.out, "cuda_bench.json"), "w"),
              indent=1)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6, 4))
        for causal in (False, True):
            pts = sorted((x["sparsity"], x["dense_ms"] / x["ms"]) for x in sk
                         if x["causal"] == causal)
            ax.plot([p[0] * 100 for p in pts], [p[1] for p in pts], "o-",
                    label="causal" if causal else "non-causal")
        ax.axhline(1.0, color="gray", lw=0.5)
        ax.set_xlabel("measured block sparsity (%)")
        ax.set_ylabel("speedup over own dense kernel")
        ax.set_title(f"skipattn H100, B{b} H{h} S{s} D{d} bf16")
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(a.out, "cuda_speedup.png"), dpi=120)
    except Exception as e:
        print("plot skipped:", e, file=sys.stderr)


if __name__ == "__main__":
    main()
