"""Context-parallel attention: two processes over gloo on the CPU give the
single-process result (dense) and the modelled sharding's decisions
(skipping), causal and not, with ragged lengths; decode likewise."""

import os
import tempfile

import numpy as np
import pytest

from helpers import needs_cpu_jit, structured

torch = pytest.importorskip("torch")
dist = pytest.importorskip("torch.distributed")
if not dist.is_available():
    pytest.skip("torch.distributed is not available", allow_module_level=True)

WORLD = 2


def _full(seed, B, Hq, Hkv, Sq, Skv, D, kind):
    rng = np.random.default_rng(seed)
    if kind == "structured":
        q, k, v = structured(rng, B, Hq, Hkv, Sq, Skv, D)
    else:
        q = rng.standard_normal((B, Hq, Sq, D))
        k = rng.standard_normal((B, Hkv, Skv, D))
        v = rng.standard_normal((B, Hkv, Skv, D))
    return tuple(torch.from_numpy(x.astype(np.float32)) for x in (q, k, v))


def _check_case(rank, case):
    import skipattn
    from skipattn import distributed as cp

    B, Hq, Hkv, D = 2, 4, 2, 64
    mode, causal, factor, kv_lens = (case["mode"], case["causal"],
                                     case["factor"], case["kv_lens"])
    lens = None if kv_lens is None else torch.tensor(kv_lens, dtype=torch.int32)
    kind = "structured" if factor else "random"
    if mode == "prefill":
        S = 512
        q, k, v = _full(7, B, Hq, Hkv, S, S, D, kind)
        ql, kl, vl = (cp.shard(x, rank, WORLD) for x in (q, k, v))
        out, lse, stats = cp.context_parallel_attention(
            ql, kl, vl, causal=causal, kv_lens=lens,
            skip_softmax_threshold_scale_factor=factor, return_lse=True,
            return_stats=True)
        parts = [torch.empty_like(out) for _ in range(WORLD)]
        dist.all_gather(parts, out)
        got = cp.unshard(parts)
        lparts = [torch.empty_like(lse) for _ in range(WORLD)]
        dist.all_gather(lparts, lse)
        got_lse = cp.unshard([x[..., None] for x in lparts])[..., 0]
        dist.all_reduce(stats)
        c = S // (2 * WORLD)

        def info(sq, skv):
            # The kernel's tiling for one call of the sharded run's shapes.
            return skipattn.kernel_info(
                q[:, :, :sq], k[:, :, :skv], v[:, :, :skv], causal=causal,
                return_lse=True, return_stats=True,
                kv_lens=torch.full((B,), skv, dtype=torch.int32),
                skip_softmax_threshold_scale_factor=(
                    None if not factor else torch.ones((B, Hq))))
    else:
        Sq, n = 1, 1024
        q, k, v = _full(11, B, Hq, Hkv, Sq, WORLD * n, D, kind)
        kl, vl = (x[:, :, rank * n:(rank + 1) * n] for x in (k, v))
        got, got_lse, stats = cp.context_parallel_decode(
            q, kl, vl, causal=causal, kv_lens=lens,
            skip_softmax_threshold_scale_factor=factor, return_lse=True,
            return_stats=True)
        info = skipattn.kernel_info(
            q, kl, vl, return_lse=True, return_stats=True,
            kv_lens=torch.full((B,), n, dtype=torch.int32),
            skip_softmax_threshold_scale_factor=(
                None if not factor else torch.ones((B, Hq))))

    ref, ref_lse, ref_stats, near = cp.context_parallel_reference(
        q, k, v, WORLD, causal=causal, factor=factor, kv_lens=kv_lens,
        decode=mode == "decode", tiling=info)
    err = np.linalg.norm(got.double().numpy() - ref) / np.linalg.norm(ref)
    assert err < 1e-4, f"{case}: relative L2 error {err:.2e} to the model"
    fin = np.isfinite(ref_lse)
    assert (np.isfinite(got_lse.numpy()) == fin).all(), case
    assert np.abs(got_lse.numpy()[fin] - ref_lse[fin]).max() < 1e-3, case
    s = stats.numpy()
    assert (s[..., 0] == ref_stats[..., 0]).all(), f"{case}: decisions differ"
    diff = np.abs(s[..., 1] - ref_stats[..., 1]).sum()
    assert diff <= near, f"{case}: skipped blocks differ by {diff} (near {near})"
    if factor:
        assert s[..., 1].sum() > 0, f"{case}: nothing was skipped"
    else:
        # Dense: the single-process kernel on the unsharded problem.
        one = skipattn.attention(q, k, v, causal=causal, kv_lens=lens)
        e1 = (got - one).norm() / one.norm()
        assert e1 < 1e-4, f"{case}: {e1:.2e} from the single-process result"


def _worker(rank, init_file, cases, failures):
    dist.init_process_group("gloo", init_method=f"file://{init_file}",
                            rank=rank, world_size=WORLD)
    try:
        for case in cases:
            try:
                _check_case(rank, case)
            except AssertionError as e:
                failures.put(f"rank {rank}: {e}")
                raise
    finally:
        dist.destroy_process_group()


CASES = [
    {"mode": "prefill", "causal": False, "factor": None, "kv_lens": [512, 300]},
    {"mode": "prefill", "causal": True, "factor": None, "kv_lens": None},
    {"mode": "prefill", "causal": False, "factor": 20.0, "kv_lens": [512, 389]},
    {"mode": "prefill", "causal": True, "factor": 20.0, "kv_lens": None},
    {"mode": "decode", "causal": False, "factor": None, "kv_lens": [2048, 700]},
    {"mode": "decode", "causal": True, "factor": 30.0, "kv_lens": [2048, 1500]},
]


@needs_cpu_jit
def test_two_gloo_ranks_match_one_process():
    import torch.multiprocessing as mp
    ctx = mp.get_context("spawn")
    failures = ctx.Queue()
    with tempfile.TemporaryDirectory() as d:
        init = os.path.join(d, "init")
        procs = [ctx.Process(target=_worker, args=(r, init, CASES, failures))
                 for r in range(WORLD)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(timeout=600)
    msgs = []
    while not failures.empty():
        msgs.append(failures.get())
    assert all(p.exitcode == 0 for p in procs), msgs or [p.exitcode for p in procs]


def test_merge_is_exact_for_disjoint_keys():
    from skipattn import distributed as cp
    rng = np.random.default_rng(0)
    s = torch.from_numpy(rng.standard_normal((1, 2, 5, 8)))
    v = torch.from_numpy(rng.standard_normal((1, 2, 8, 3)))

    def part(lo, hi):
        w = torch.softmax(s[..., lo:hi], dim=-1)
        return w @ v[:, :, lo:hi], torch.logsumexp(s[..., lo:hi], dim=-1)

    out, lse = cp.merge(*part(0, 3), *part(3, 8))
    full, full_lse = part(0, 8)
    assert torch.allclose(out, full, atol=1e-12)
    assert torch.allclose(lse, full_lse, atol=1e-12)
    # A part that saw no key contributes nothing.
    empty = (torch.zeros_like(full), torch.full_like(full_lse, -np.inf))
    out, lse = cp.merge(*empty, full, full_lse)
    assert torch.allclose(out, full) and torch.allclose(lse, full_lse)


def test_shard_and_unshard_round_trip():
    from skipattn import distributed as cp
    x = torch.arange(2 * 3 * 16 * 2, dtype=torch.float32).reshape(2, 3, 16, 2)
    parts = [cp.shard(x, r, 4) for r in range(4)]
    assert all(p.shape == (2, 3, 4, 2) for p in parts)
    assert torch.equal(cp.unshard(parts), x)
    with pytest.raises(ValueError, match="not a multiple"):
        cp.shard(x[:, :, :15], 0, 4)


def test_statistics_are_decision_counts():
    # The ranks' statistics are summed decision counts ([B, Hq, 2]); the
    # V-load columns are refused before anything is communicated.
    from skipattn import distributed as cp
    x = torch.zeros(1, 2, 8, 16)
    for fn in (cp.context_parallel_attention, cp.context_parallel_decode):
        with pytest.raises(ValueError, match="return_stats must be True or False"):
            fn(x, x, x, return_stats="v_loads")
