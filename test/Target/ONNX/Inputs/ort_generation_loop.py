"""A generation loop of the exported AI 100 layer in ONNX Runtime.

The layer is exported with skipattn.aic.export_layer (cache write on, as
QEfficient runs it). A ragged batch of prompts is prefilled in chunks of
prefill_seq_len rows (right-padded with position -1), then tokens are
decoded one at a time; every step feeds the previous step's
past_key.0_RetainedState/past_value.0_RetainedState back as the cache. The
cache starts as NaN everywhere, as an uninitialised cache may be. A float64
reference holds its own cache, and every step must agree with it: the
output and log-sum-exp of every real row, the per-head skip statistics
(within the reference's near-threshold count), and the retained cache,
which must equal the reference cache exactly at every written position and
keep the old contents everywhere else.
"""

import argparse
import math
import os
import sys

import numpy as np
import onnxruntime as ort

import skipattn.aic
from skipattn.reference import attention_reference

parser = argparse.ArgumentParser()
parser.add_argument("--work", required=True)
args = parser.parse_args()

NP = {"float32": np.float32, "float16": np.float16}
TOL = {"float32": 1e-4, "float16": 3e-3}


def sequence(rng, hq, hkv, n, d):
    """q, k, v for positions [0, n) of one sequence: queries share a
    direction u per KV head, and key stretches of 32 lean on u by a random
    level (the first fully), so later blocks fall far below the running max
    and skipping happens."""
    g = hq // hkv
    u = rng.standard_normal((hkv, 1, d))
    u /= np.linalg.norm(u, axis=-1, keepdims=True)
    a = 4.0 * d ** 0.25
    q = 0.5 * rng.standard_normal((hq, n, d)) + a * np.repeat(u, g, axis=0)
    levels = rng.uniform(0.0, 1.0, (hkv, -(-n // 32)))
    levels[:, 0] = 1.0
    w = np.repeat(levels, 32, axis=1)[:, :n] * rng.uniform(0.8, 1.0, (hkv, n))
    k = 0.5 * rng.standard_normal((hkv, n, d)) + a * w[..., None] * u
    v = rng.standard_normal((hkv, n, d))
    return q, k, v


def run_case(name, dtype, hq, hkv, d, S, C, blocks, prefill, decode, min_keep,
             prompts, steps, seed):
    B = len(prompts)
    work = os.path.join(args.work, name)
    files = skipattn.aic.export_layer(
        work, batch=B, q_heads=hq, kv_heads=hkv, head_dim=d,
        prefill_seq_len=S, ctx_len=C, num_kv_blocks=blocks,
        prefill_factor=prefill, decode_factor=decode,
        min_keep_blocks=min_keep, dtype=dtype, return_lse=True,
        return_stats=True)
    so = ort.SessionOptions()
    so.log_severity_level = 3
    sess = ort.InferenceSession(files["model.onnx"], so,
                                providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    assert names == ["output", "lse", "skip_stats", "past_key.0_RetainedState",
                     "past_value.0_RetainedState"], names

    rng = np.random.default_rng(seed)
    total = [p + steps for p in prompts]
    seqs = [sequence(rng, hq, hkv, n, d) for n in total]
    cast = NP[dtype]
    seqs = [tuple(x.astype(cast) for x in s) for s in seqs]  # what the card sees
    kcache = np.full((B, hkv, C, d), np.nan, dtype=cast)
    vcache = np.full((B, hkv, C, d), np.nan, dtype=cast)
    ref_k = np.zeros((B, hkv, C, d))
    ref_v = np.zeros((B, hkv, C, d))
    written = np.zeros((B, C), dtype=bool)
    bs = -(-C // blocks)
    failures, skipped_total, decisions_total = 0, 0, 0

    chunks = [(i * S, S) for i in range(-(-max(prompts) // S))]
    phases = [("prefill", start, rows) for start, rows in chunks]
    phases += [("decode", None, 1) for _ in range(steps)]
    for step, (phase, start, rows) in enumerate(phases):
        pos = np.full((B, rows), -1, dtype=np.int64)
        for b in range(B):
            if phase == "prefill":
                for s in range(rows):
                    if start + s < prompts[b]:
                        pos[b, s] = start + s
            else:
                pos[b, 0] = prompts[b] + step - len(chunks)
        q = np.zeros((B, hq, rows, d), dtype=cast)
        k = np.zeros((B, hkv, rows, d), dtype=cast)
        v = np.zeros((B, hkv, rows, d), dtype=cast)
        for b in range(B):
            for s in range(rows):
                if pos[b, s] >= 0:
                    q[b, :, s] = seqs[b][0][:, pos[b, s]]
                    k[b, :, s] = seqs[b][1][:, pos[b, s]]
                    v[b, :, s] = seqs[b][2][:, pos[b, s]]
        out, lse, stats, new_k, new_v = sess.run(None, {
            "q": q, "k": k, "v": v, "past_key.0": kcache,
            "past_value.0": vcache, "position_ids": pos})

        # The reference cache takes the chunk's real rows.
        old_k, old_v = kcache, vcache
        for b in range(B):
            for s in range(rows):
                if pos[b, s] >= 0:
                    ref_k[b, :, pos[b, s]] = k[b, :, s]
                    ref_v[b, :, pos[b, s]] = v[b, :, s]
                    written[b, pos[b, s]] = True
        problems = []
        for b in range(B):
            keep = ~written[b]
            if not (np.array_equal(new_k[b][:, written[b]],
                                   ref_k[b][:, written[b]].astype(cast)) and
                    np.array_equal(new_v[b][:, written[b]],
                                   ref_v[b][:, written[b]].astype(cast))):
                problems.append(f"b={b}: written cache slots differ")
            if not (np.array_equal(new_k[b][:, keep], old_k[b][:, keep],
                                   equal_nan=True) and
                    np.array_equal(new_v[b][:, keep], old_v[b][:, keep],
                                   equal_nan=True)):
                problems.append(f"b={b}: unwritten cache slots changed")

        factor = decode if rows == 1 else prefill
        errs, lse_errs, skipped, near_all = [], [], 0, 0
        for b in range(B):
            real = np.flatnonzero(pos[b] >= 0)
            L = int(pos[b].max()) + 1
            visited = -(-L // bs) if L > 0 else 0
            # Padding rows see no key: they never veto and decide nothing,
            # so only the real rows' decisions count.
            want_total = visited * len(real)
            want_skipped = np.zeros(hq, dtype=np.int64)
            near = 0
            if len(real):
                ref, ref_lse, ref_stats, near = attention_reference(
                    q[b:b + 1, :, real], ref_k[b:b + 1], ref_v[b:b + 1],
                    causal=True,
                    factors=None if factor == 0 else np.full((1, hq), factor),
                    min_keep_blocks=min_keep, kv_lens=[L], block_q=len(real),
                    block_kv=bs, heads_per_tile=1, skip_unit=1)
                got = out[b:b + 1, :, real].astype(np.float64)
                if not np.isfinite(got).all():
                    problems.append(f"b={b}: non-finite output")
                    continue
                errs.append(np.linalg.norm(got - ref) /
                            max(np.linalg.norm(ref), 1e-30))
                lse_errs.append(np.abs(lse[b:b + 1, :, real] - ref_lse).max())
                want_skipped = want_skipped + ref_stats[0, :, 1]
                assert (ref_stats[0, :, 0] == visited * len(real)).all()
            if (stats[b, :, 0] != want_total).any():
                problems.append(f"b={b}: decisions {stats[b, :, 0]} != {want_total}")
            diff = int(np.abs(stats[b, :, 1] - want_skipped).sum())
            if diff > near:
                problems.append(f"b={b}: skipped {stats[b, :, 1]} vs reference "
                                f"{want_skipped} (near {near})")
            skipped += int(stats[b, :, 1].sum())
            near_all += near
            decisions_total += int(stats[b, :, 0].sum())
        skipped_total += skipped
        err = max(errs) if errs else 0.0
        lse_err = max(lse_errs) if lse_errs else 0.0
        if err >= TOL[dtype]:
            problems.append(f"relative L2 error {err:.2e}")
        if lse_err >= 50 * TOL[dtype]:
            problems.append(f"LSE error {lse_err:.2e}")
        lens = [int(p.max()) + 1 for p in pos]
        print(f"{name:<18} step {step:<2} {phase:<7} rows={rows:<2} "
              f"L={lens} err={err:.1e} lse={lse_err:.1e} skipped={skipped} "
              f"(near {near_all})" + ("" if not problems else
                                       "  FAIL: " + "; ".join(problems)))
        failures += bool(problems)
        kcache, vcache = new_k, new_v
    if prefill > 0 and skipped_total == 0:
        print(f"{name}: FAIL: nothing was skipped; the inputs do not exercise "
              "skipping")
        failures += 1
    if prefill == 0 and skipped_total != 0:
        print(f"{name}: FAIL: a dense layer skipped blocks")
        failures += 1
    print(f"{name}: {skipped_total} of {decisions_total} decisions skipped")
    return failures


CASES = [
    # name, dtype, Hq, Hkv, D, prefill rows, ctx, blocks, factors, min_keep,
    # prompt lengths (ragged), decode steps
    ("dense-gqa-f32", "float32", 4, 2, 32, 16, 128, 4, 0.0, 0.0, 1,
     [37, 16, 5], 6, 1),
    ("skip-gqa-f32", "float32", 8, 2, 32, 16, 256, 8, 30.0, 15.0, 1,
     [70, 33, 100], 8, 2),
    ("skip-gqa-f16", "float16", 4, 1, 64, 32, 256, 8, 40.0, 18.0, 2,
     [90, 40, 64], 8, 3),
]
failures = sum(run_case(*c) for c in CASES)
print("FAILURES:", failures)
sys.exit(1 if failures else 0)
