#!/usr/bin/env bash
# Dense prefill with intra-warpgroup overlap forced (--overlap=1, also at
# D = 64's three math warpgroups) against the float64 reference: every
# head dimension and element type, causal and not, ragged with empty and
# one-key sequences, one and two KV blocks, GQA. Needs an sm_90a GPU.
#   overlap.sh <path to skipattn-run> [extra skipattn-run flags]
set -u
RUN="$1"; shift
WRAP=()
source "$(dirname "${BASH_SOURCE[0]}")/cases.sh"
EXTRA=(--overlap=1 "$@")
for d in 64 128 256; do
  for t in bf16 f16; do
    for c in "" "--causal"; do
      run --head-dim=$d --dtype=$t $c --batch=2 --q-heads=4 --kv-heads=2 --q-len=300 --kv-len=700 --seed=$d
      run --head-dim=$d --dtype=$t $c --batch=1 --q-heads=2 --kv-heads=2 --q-len=512 --kv-len=512 --pattern=structured --seed=7
    done
  done
done
# One KV block (the loop folds to its tail), two, and one tile.
run --dtype=f16 --head-dim=64 --batch=1 --q-heads=4 --kv-heads=2 --q-len=16 --kv-len=64 --seed=5
run --dtype=bf16 --head-dim=256 --batch=2 --q-heads=2 --kv-heads=1 --q-len=200 --kv-len=64 --causal --pattern=structured
run --dtype=bf16 --batch=1 --q-heads=2 --kv-heads=2 --q-len=256 --kv-len=200 --seed=12
run --dtype=bf16 --causal --batch=1 --q-heads=1 --kv-heads=1 --q-len=64 --kv-len=300 --pattern=structured
# GQA, ragged lengths (empty and one-key sequences), long causal rows.
run --dtype=bf16 --causal --batch=3 --q-heads=8 --kv-heads=1 --q-len=256 --kv-len=1000 --kv-lens=1000,517,128 --pattern=structured
run --dtype=f16 --head-dim=64 --batch=2 --q-heads=4 --kv-heads=4 --q-len=77 --kv-len=3000 --kv-lens=0,2999 --causal
run --dtype=bf16 --batch=3 --q-heads=4 --kv-heads=2 --q-len=130 --kv-len=900 --kv-lens=900,1,257 --seed=13
run --dtype=bf16 --batch=1 --q-heads=4 --kv-heads=2 --q-len=1024 --kv-len=8192 --causal --pattern=structured
run --dtype=bf16 --head-dim=256 --causal --batch=2 --q-heads=4 --kv-heads=1 --q-len=200 --kv-len=2500 --kv-lens=2500,300 --pattern=structured
run --dtype=bf16 --batch=1 --q-heads=2 --kv-heads=1 --q-len=2048 --kv-len=2048 --pattern=structured --temperature=0.05
cases_summary overlap
