#!/usr/bin/env bash
# The GPU numeric matrix: every case runs on the GPU and is checked by
# skipattn-run against the float64 reference (relative L2 error, log-sum-exp,
# per-head skipped-block counts; exit 3 on a mismatch). Needs an sm_90a GPU.
#   matrix.sh <path to skipattn-run> [extra skipattn-run flags]
# MATRIX_WRAP, when set, prefixes every run (e.g. "compute-sanitizer --tool
# racecheck --error-exitcode 9"), so a tool covers the whole matrix.
set -u
RUN="$1"; shift
read -r -a WRAP <<< "${MATRIX_WRAP:-}"
source "$(dirname "${BASH_SOURCE[0]}")/cases.sh"
EXTRA=("$@")
for d in 64 128 256; do
  for t in bf16 f16; do
    for c in "" "--causal"; do
      run --head-dim=$d --dtype=$t $c --batch=2 --q-heads=4 --kv-heads=2 --q-len=300 --kv-len=700 --seed=$d
      run --head-dim=$d --dtype=$t $c --batch=1 --q-heads=2 --kv-heads=2 --q-len=512 --kv-len=512 --pattern=structured --threshold-scale-factor=30 --seed=7
    done
  done
done
# One KV block: the roles' loops fold into a single iteration.
run --dtype=f16 --head-dim=64 --batch=1 --q-heads=4 --kv-heads=2 --q-len=16 --kv-len=64 --seed=5
run --dtype=bf16 --head-dim=256 --batch=2 --q-heads=2 --kv-heads=1 --q-len=200 --kv-len=64 --causal --pattern=structured --threshold-scale-factor=30
# GQA 8:1, ragged lengths, prefill and decode shapes, skipping.
run --dtype=bf16 --causal --batch=3 --q-heads=8 --kv-heads=1 --q-len=256 --kv-len=1000 --kv-lens=1000,517,128 --pattern=structured --threshold-scale-factor=100
run --dtype=bf16 --batch=3 --q-heads=8 --kv-heads=2 --q-len=1 --kv-len=4096 --kv-lens=4096,1,2049 --pattern=structured --threshold-scale-factor=50
run --dtype=f16 --head-dim=64 --batch=2 --q-heads=4 --kv-heads=4 --q-len=77 --kv-len=3000 --kv-lens=0,2999 --causal
run --dtype=bf16 --batch=1 --q-heads=4 --kv-heads=2 --q-len=1024 --kv-len=8192 --causal --pattern=structured --threshold-scale-factor=1000 --min-keep-blocks=3
run --dtype=bf16 --batch=1 --q-heads=2 --kv-heads=1 --q-len=2048 --kv-len=2048 --pattern=structured --threshold-scale-factor=5000 --temperature=0.05
# One tile (B = Hq = 1, Sq <= 128): no parallel loop in the tiled IR.
run --dtype=bf16 --causal --batch=1 --q-heads=1 --kv-heads=1 --q-len=64 --kv-len=300 --pattern=structured --threshold-scale-factor=50
# D = 256 (64-key blocks): ragged, causal, skipping.
run --dtype=bf16 --head-dim=256 --causal --batch=2 --q-heads=4 --kv-heads=1 --q-len=200 --kv-len=2500 --kv-lens=2500,300 --pattern=structured --threshold-scale-factor=100
# Decode schedule: query heads of a KV head packed into one warpgroup and
# KV split over CTAs (merged in the kernel by log-sum-exp): MHA and GQA
# 4/8/32-way, D 64/128/256, speculative (Sq 4 and 16), ragged with empty
# and short sequences, causal, forced split counts, splits with skipping.
run --dtype=bf16 --batch=4 --q-heads=32 --kv-heads=8 --q-len=1 --kv-len=8192 --pattern=structured --threshold-scale-factor=50
run --dtype=bf16 --batch=3 --q-heads=32 --kv-heads=8 --q-len=1 --kv-len=5000 --kv-lens=5000,0,130 --seed=4
run --dtype=f16 --head-dim=64 --batch=2 --q-heads=16 --kv-heads=2 --q-len=1 --kv-len=3000 --kv-lens=3000,1500 --pattern=structured --threshold-scale-factor=30
run --dtype=bf16 --head-dim=256 --batch=1 --q-heads=8 --kv-heads=2 --q-len=1 --kv-len=4100 --pattern=structured --threshold-scale-factor=30
run --dtype=bf16 --batch=2 --q-heads=8 --kv-heads=8 --q-len=1 --kv-len=2000 --seed=9
run --dtype=bf16 --batch=2 --q-heads=32 --kv-heads=1 --q-len=1 --kv-len=1000 --seed=10
run --dtype=bf16 --batch=2 --q-heads=32 --kv-heads=8 --q-len=4 --kv-len=6000 --causal --pattern=structured --threshold-scale-factor=40
run --dtype=f16 --batch=1 --q-heads=16 --kv-heads=4 --q-len=16 --kv-len=2048 --kv-lens=777 --causal
run --dtype=bf16 --batch=1 --q-heads=8 --kv-heads=2 --q-len=1 --kv-len=3000 --kv-splits=7 --pattern=structured --threshold-scale-factor=20
run --dtype=bf16 --batch=1 --q-heads=4 --kv-heads=4 --q-len=100 --kv-len=2000 --kv-splits=3 --causal --seed=11
run --dtype=bf16 --batch=1 --q-heads=8 --kv-heads=2 --q-len=1 --kv-len=700 --kv-splits=1 --pattern=structured --threshold-scale-factor=20
# Runtime factors in decode: uniform over the heads (scalar, per sequence)
# keep heads packed; per head unpacks them.
run --dtype=bf16 --batch=3 --q-heads=32 --kv-heads=8 --q-len=1 --kv-len=6000 --kv-lens=6000,2000,300 --pattern=structured --factor-layout=per-sequence --skip-factors=40,20,5
run --dtype=bf16 --batch=2 --q-heads=16 --kv-heads=4 --q-len=4 --kv-len=3000 --causal --pattern=structured --factor-layout=scalar --skip-factors=30
run --dtype=bf16 --batch=2 --q-heads=8 --kv-heads=2 --q-len=1 --kv-len=3000 --pattern=structured --factor-layout=per-head --skip-factors=10,20,30,40,50,60,70,80
# Gated V loads in prefill (the votes of 2 and 3 math warpgroups ORed).
run --dtype=bf16 --batch=1 --q-heads=4 --kv-heads=2 --q-len=1024 --kv-len=8192 --causal --pattern=structured --threshold-scale-factor=1000 --gate-v=1
run --dtype=f16 --head-dim=64 --batch=2 --q-heads=4 --kv-heads=4 --q-len=500 --kv-len=3000 --kv-lens=3000,1200 --pattern=structured --threshold-scale-factor=300 --gate-v=1
run --dtype=bf16 --head-dim=256 --batch=1 --q-heads=2 --kv-heads=1 --q-len=300 --kv-len=2500 --pattern=structured --threshold-scale-factor=100 --gate-v=1
# Paged KV caches (pages at random places, unused pages NaN, table slots
# past a length -1): pages of 16/32 (several per KV block) and 64/128/256
# (blocks within a page), NHD and HND, decode with splits and skipping,
# speculative, chunked prefill with left-padded chunks (q_lens).
run --dtype=bf16 --batch=4 --q-heads=32 --kv-heads=8 --q-len=1 --kv-len=8192 --kv-lens=8192,100,5000,3001 --page-size=16 --pattern=structured --threshold-scale-factor=50
run --dtype=bf16 --batch=3 --q-heads=32 --kv-heads=8 --q-len=1 --kv-len=4096 --kv-lens=4096,0,130 --page-size=64 --page-layout=hnd --seed=4
run --dtype=f16 --head-dim=64 --batch=2 --q-heads=16 --kv-heads=2 --q-len=1 --kv-len=3072 --kv-lens=3000,1500 --page-size=32 --pattern=structured --threshold-scale-factor=30
run --dtype=bf16 --head-dim=256 --batch=1 --q-heads=8 --kv-heads=2 --q-len=1 --kv-len=4096 --page-size=256 --pattern=structured --threshold-scale-factor=30
run --dtype=bf16 --batch=2 --q-heads=32 --kv-heads=8 --q-len=4 --kv-len=6144 --kv-lens=6000,2500 --causal --page-size=128 --pattern=structured --threshold-scale-factor=40
run --dtype=bf16 --batch=2 --q-heads=8 --kv-heads=2 --q-len=200 --q-lens=200,37 --kv-len=2048 --kv-lens=2048,900 --causal --page-size=16 --pattern=structured --threshold-scale-factor=300
run --dtype=f16 --head-dim=64 --batch=3 --q-heads=4 --kv-heads=4 --q-len=129 --q-lens=129,1,0 --kv-len=1024 --kv-lens=1000,500,64 --causal --page-size=64 --page-layout=hnd
# Left-padded queries without paging, decode units mixing real and padding rows.
run --dtype=bf16 --batch=2 --q-heads=32 --kv-heads=8 --q-len=4 --q-lens=3,1 --kv-len=3000 --causal --pattern=structured --threshold-scale-factor=40
# Two CTAs per SM (decode): 64-key blocks, halved budgets, gated V.
run --dtype=bf16 --batch=4 --q-heads=32 --kv-heads=8 --q-len=1 --kv-len=8192 --kv-lens=8192,100,5000,3001 --ctas-per-sm=2 --pattern=structured --threshold-scale-factor=50
run --dtype=f16 --batch=2 --q-heads=16 --kv-heads=4 --q-len=4 --kv-len=3072 --kv-lens=3000,1700 --causal --ctas-per-sm=2 --page-size=32 --pattern=structured --threshold-scale-factor=30
# Conditional rescale (exponent bases kept within 8 log2 units of the
# maximum): dense, skipping (decisions on the true maximum), D 64 and 256,
# and split decode, whose merge reads the base-relative log-sum-exps.
run --dtype=bf16 --batch=2 --q-heads=8 --kv-heads=2 --q-len=1000 --kv-len=3000 --kv-lens=3000,1700 --causal --rescale-threshold=8
run --dtype=bf16 --batch=1 --q-heads=4 --kv-heads=2 --q-len=1024 --kv-len=8192 --causal --pattern=structured --threshold-scale-factor=1000 --rescale-threshold=8
run --dtype=f16 --head-dim=64 --batch=2 --q-heads=4 --kv-heads=4 --q-len=500 --kv-len=3000 --pattern=structured --threshold-scale-factor=300 --rescale-threshold=8
run --dtype=bf16 --head-dim=256 --batch=1 --q-heads=2 --kv-heads=1 --q-len=300 --kv-len=2500 --pattern=structured --rescale-threshold=4
run --dtype=bf16 --batch=4 --q-heads=32 --kv-heads=8 --q-len=1 --kv-len=8192 --kv-lens=8192,100,5000,3001 --pattern=structured --threshold-scale-factor=50 --rescale-threshold=8
# Factor 1e-30: nothing is skipped and the output equals the dense kernel's.
run --dtype=bf16 --batch=2 --q-heads=4 --kv-heads=2 --q-len=384 --kv-len=1536 --causal --pattern=structured --threshold-scale-factor=1e-30 --compare-dense
run --dtype=f16 --head-dim=64 --batch=1 --q-heads=4 --kv-heads=1 --q-len=129 --kv-len=2000 --threshold-scale-factor=1e-30 --compare-dense
run --dtype=bf16 --batch=4 --q-heads=32 --kv-heads=8 --q-len=1 --kv-len=8192 --pattern=structured --threshold-scale-factor=1e-30 --compare-dense
# Gated V without voting ahead (the decode default votes on block n before
# using block n - 1's V): split, ragged and speculative skipping decode.
run --dtype=bf16 --batch=3 --q-heads=8 --kv-heads=2 --q-len=1 --kv-len=4096 --kv-lens=4096,1,2049 --pattern=structured --threshold-scale-factor=50 --vote-ahead=0
run --dtype=bf16 --batch=2 --q-heads=32 --kv-heads=8 --q-len=4 --kv-len=8192 --kv-lens=8192,3001 --causal --pattern=structured --threshold-scale-factor=100 --vote-ahead=0
# Voting ahead (the decode default) with 16 speculative positions, and
# with forced splits and pages of 16.
run --dtype=bf16 --batch=2 --q-heads=8 --kv-heads=2 --q-len=16 --kv-len=6000 --kv-lens=6000,129 --causal --pattern=structured --threshold-scale-factor=300 --vote-ahead=1
run --dtype=bf16 --batch=2 --q-heads=16 --kv-heads=4 --q-len=1 --kv-len=16384 --kv-lens=16384,700 --kv-splits=7 --page-size=16 --pattern=structured --threshold-scale-factor=300 --vote-ahead=1
# Voting two blocks ahead: sequences of 1, 2 and 3 blocks (the last
# iteration completes what the loop still carries), splits of one and two
# blocks, speculative positions with pages, and a low factor that keeps
# most blocks.
run --dtype=bf16 --batch=4 --q-heads=8 --kv-heads=2 --q-len=1 --kv-len=4096 --kv-lens=4096,1,129,300 --pattern=structured --threshold-scale-factor=50 --vote-ahead=2
run --dtype=bf16 --batch=2 --q-heads=32 --kv-heads=8 --q-len=1 --kv-len=3000 --kv-lens=3000,2000 --kv-splits=12 --pattern=structured --threshold-scale-factor=30 --vote-ahead=2
run --dtype=bf16 --batch=2 --q-heads=32 --kv-heads=8 --q-len=4 --kv-len=8192 --kv-lens=8192,3001 --causal --page-size=64 --pattern=structured --threshold-scale-factor=100 --vote-ahead=2
run --dtype=f16 --batch=2 --q-heads=16 --kv-heads=4 --q-len=1 --kv-len=16384 --kv-lens=16384,700 --pattern=structured --threshold-scale-factor=3 --vote-ahead=2
# MLA (V inside K): 576-wide latent rows, values their first 512 columns,
# two warpgroups splitting the value columns; ragged lengths, pages of 32
# and 64, q_len 1 and 2 (causal), 16 and 128 heads, dense and skipping.
MLA=(--dtype=bf16 --head-dim=576 --value-dim=512 --value-in-key --kv-heads=1 --page-layout=hnd)
run "${MLA[@]}" --batch=3 --q-heads=16 --q-len=1 --kv-len=4096 --kv-lens=4096,777,65 --page-size=64
run "${MLA[@]}" --batch=3 --q-heads=16 --q-len=1 --kv-len=4096 --kv-lens=4096,777,65 --page-size=64 --pattern=structured --threshold-scale-factor=300
run "${MLA[@]}" --batch=2 --q-heads=128 --q-len=2 --kv-len=2048 --kv-lens=2048,1001 --page-size=32 --causal
run "${MLA[@]}" --batch=2 --q-heads=128 --q-len=2 --kv-len=2048 --kv-lens=2048,1001 --page-size=32 --causal --pattern=structured --threshold-scale-factor=300
run "${MLA[@]}" --batch=2 --q-heads=128 --q-len=1 --kv-len=8192 --kv-lens=8192,3000 --page-size=32 --pattern=structured --threshold-scale-factor=1000
run --dtype=f16 --head-dim=576 --value-dim=512 --value-in-key --kv-heads=1 --batch=2 --q-heads=16 --q-len=2 --kv-len=1024 --causal
# The epilogue without TMA (the schedule's default stages each warpgroup's
# rows in Q's shared memory and stores them by TMA): every thread stores
# its pairs; prefill over three warpgroups (D 64), a packed decode tile.
run --dtype=bf16 --head-dim=64 --causal --batch=2 --q-heads=4 --kv-heads=2 --q-len=300 --kv-len=700 --tma-store=0
run --dtype=bf16 --batch=2 --q-heads=4 --kv-heads=2 --q-len=300 --kv-len=700 --pattern=structured --threshold-scale-factor=30 --tma-store=0
run --dtype=bf16 --batch=4 --q-heads=32 --kv-heads=8 --q-len=1 --kv-len=2048 --kv-splits=1 --tma-store=0
# TMA stores of packed decode tiles (a box of 4 heads x 1 position, and
# of 4 heads x the speculative positions past q_len clipped) with one
# split, speculative and ragged.
run --dtype=bf16 --batch=4 --q-heads=32 --kv-heads=8 --q-len=1 --kv-len=2048 --kv-splits=1 --tma-store=1
run --dtype=f16 --head-dim=256 --batch=3 --q-heads=16 --kv-heads=4 --q-len=5 --kv-len=1500 --kv-lens=1500,1,700 --kv-splits=1 --causal --pattern=structured --threshold-scale-factor=30 --tma-store=1
# An output 4 or 8 bytes into its allocation: TMA cannot store it there, so
# the launch runs the same kernel with the threads' own stores (compiled
# on that first launch).
run --dtype=bf16 --causal --batch=2 --q-heads=4 --kv-heads=2 --q-len=300 --kv-len=700 --out-offset=4
# Tile order: longest first over groups of 3 (batch, head) pairs, the
# last group short (3 x 5 pairs = 5 groups; 4 pairs of 2 x 2 with a group
# of 3 leave one); ragged, skipping and split prefill keep their results.
run --dtype=bf16 --causal --batch=3 --q-heads=5 --kv-heads=5 --q-len=700 --kv-len=700 --head-group=3
run --dtype=f16 --causal --batch=2 --q-heads=4 --kv-heads=2 --q-len=450 --kv-len=900 --kv-lens=900,333 --pattern=structured --threshold-scale-factor=30 --head-group=3
run --dtype=bf16 --causal --batch=2 --q-heads=2 --kv-heads=1 --q-len=520 --kv-len=520 --kv-splits=2 --head-group=3
run --dtype=f16 --head-dim=64 --batch=4 --q-heads=32 --kv-heads=8 --q-len=1 --kv-len=2048 --kv-splits=1 --pattern=structured --threshold-scale-factor=30 --out-offset=8
# Split-KV prefill over two math warpgroups with skipping: the merge's
# barrier is not warpgroup 0's vote barrier.
run --dtype=bf16 --batch=1 --q-heads=2 --kv-heads=2 --q-len=300 --kv-len=2000 --pattern=structured --threshold-scale-factor=30 --kv-splits=2
run --dtype=bf16 --causal --batch=2 --q-heads=4 --kv-heads=2 --q-len=256 --kv-len=3000 --kv-lens=3000,900 --pattern=structured --threshold-scale-factor=100 --kv-splits=3
cases_summary matrix
