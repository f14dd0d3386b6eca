#!/usr/bin/env python3
"""Context-parallel causal prefill over the GPUs of one host, against the
same attention on one GPU, in the same run.

Each of the W ranks (one process per GPU, NCCL) builds the same structured
inputs, keeps its load-balanced shard (`skipattn.distributed.shard`) and
runs `context_parallel_attention`; rank 0 then runs `skipattn.attention`
on the whole sequence. Times are medians of CUDA-synchronised wall times
(the context-parallel time is the slowest rank's). Dense and with
skipping; the skipping rows report each side's measured sparsity and the
error of the sharded output against the one-GPU one.

Usage: python3 bench/context_parallel.py [--seq 262144] [--gpus 2] [--out f]
Needs libskipattn_c (SKIPATTN_LIBRARY) and the skipattn package on the path.
"""

import argparse
import json
import os
import tempfile
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

import skipattn
from skipattn import distributed as cp


def structured(B, Hq, Hkv, S, D, seed=0):
    """Queries share a direction with their KV head; 128-key blocks of keys
    lean towards it to varying degrees (so blocks differ in relevance)."""
    g = torch.Generator(device="cuda").manual_seed(seed)
    u = torch.randn(B, Hkv, 1, D, device="cuda", generator=g)
    u = u / u.norm(dim=-1, keepdim=True)
    a = 4.0 * D ** 0.25
    q = 0.5 * torch.randn(B, Hq, S, D, device="cuda", generator=g) + \
        a * u.repeat_interleave(Hq // Hkv, dim=1)
    nb = -(-S // 128)
    lv = torch.rand(B, Hkv, nb, device="cuda", generator=g) ** 2
    lv[:, :, 0] = 1.0
    w = lv.repeat_interleave(128, dim=2)[:, :, :S] * \
        (0.8 + 0.2 * torch.rand(B, Hkv, S, device="cuda", generator=g))
    k = 0.5 * torch.randn(B, Hkv, S, D, device="cuda", generator=g) + \
        a * w[..., None] * u
    v = torch.randn(B, Hkv, S, D, device="cuda", generator=g)
    return tuple(x.to(torch.bfloat16).contiguous() for x in (q, k, v))


def timed(fn, iters):
    times = []
    for _ in range(iters):
        torch.cuda.synchronize()
        dist.barrier()
        t = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2]


def worker(rank, world, a, init, out):
    torch.cuda.set_device(rank)
    dist.init_process_group("nccl", init_method=init, rank=rank,
                            world_size=world, device_id=torch.device("cuda", rank))
    B, Hq, Hkv, S, D = 1, 32, 8, a.seq, 128
    q, k, v = structured(B, Hq, Hkv, S, D)
    qs, ks, vs = (cp.shard(x, rank, world) for x in (q, k, v))
    rows = []
    with torch.inference_mode():
        for factor in [None] + a.factor:
            kw = dict(causal=True, skip_softmax_threshold_scale_factor=factor)
            o, st = cp.context_parallel_attention(qs, ks, vs, return_stats=True, **kw)
            t_cp = timed(lambda: cp.context_parallel_attention(qs, ks, vs, **kw), a.iters)
            t_max = torch.tensor([t_cp], device="cuda")
            t_all = [torch.empty_like(t_max) for _ in range(world)]
            dist.all_gather(t_all, t_max)
            dist.all_reduce(t_max, op=dist.ReduceOp.MAX)
            sp = st[..., 1].sum() / st[..., 0].sum()
            sp_all = [torch.empty_like(sp) for _ in range(world)]
            dist.all_gather(sp_all, sp)
            st_all = st.clone()
            dist.all_reduce(st_all)
            parts = [torch.empty_like(o) for _ in range(world)]
            dist.all_gather(parts, o)
            r = {"shape": f"B{B} Hq{Hq}/Hkv{Hkv} S{S} D{D} causal", "gpus": world,
                 "factor": factor, "cp_s": float(t_max.item()),
                 "cp_sparsity": float(st_all[..., 1].sum() / st_all[..., 0].sum()),
                 "cp_rank_s": [float(t.item()) for t in t_all],
                 "cp_rank_sparsity": [float(x.item()) for x in sp_all]}
            if rank == 0:
                full = cp.unshard(parts)
                del parts
                one, st1 = skipattn.attention(q, k, v, return_stats=True, **kw)
                t_one = []
                for _ in range(a.iters):
                    torch.cuda.synchronize()
                    t = time.perf_counter()
                    skipattn.attention(q, k, v, **kw)
                    torch.cuda.synchronize()
                    t_one.append(time.perf_counter() - t)
                r["one_gpu_s"] = sorted(t_one)[len(t_one) // 2]
                r["one_gpu_sparsity"] = float(st1[..., 1].sum() / st1[..., 0].sum())
                r["speedup"] = r["one_gpu_s"] / r["cp_s"]
                r["rel_err_vs_one_gpu"] = float(
                    (full.float() - one.float()).norm() / one.float().norm())
                r["finite"] = [bool(torch.isfinite(x).all()) for x in (full, one)]
                flops = 4.0 * B * Hq * S * S * D * 0.5
                r["one_gpu_tflops"] = flops / r["one_gpu_s"] / 1e12
                r["cp_tflops_per_gpu"] = flops / r["cp_s"] / 1e12 / world
                print(json.dumps(r), flush=True)
                rows.append(r)
                del full, one
            dist.barrier()
    if rank == 0 and out:
        json.dump({"device": torch.cuda.get_device_name(), "rows": rows},
                  open(out, "w"), indent=1)
    dist.destroy_process_group()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seq", type=int, default=262144)
    ap.add_argument("--gpus", type=int, default=2)
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--factor", type=float, nargs="*", default=[300.0],
                    help="skip factors to run besides dense")
    ap.add_argument("--out")
    a = ap.parse_args()
    init = "file://" + os.path.join(tempfile.mkdtemp(), "rendezvous")
    mp.spawn(worker, args=(a.gpus, a, init, a.out), nprocs=a.gpus, join=True)


if __name__ == "__main__":
    main()
