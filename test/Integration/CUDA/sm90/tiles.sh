#!/usr/bin/env bash
# Requested tiles on the GPU, each case checked by skipattn-run against the
# float64 reference at the same tiles (error, log-sum-exp, per-head skip
# decisions): three math warpgroups (--block-q=192) and KV blocks that are
# not powers of two (--block-kv=176, 80). Needs an sm_90a GPU.
#   tiles.sh <path to skipattn-run> [extra skipattn-run flags]
set -u
RUN="$1"; shift
EXTRA=("$@")
WRAP=()
source "$(dirname "${BASH_SOURCE[0]}")/cases.sh"
for c in "" "--causal"; do
  run --block-q=192 --head-dim=64 --dtype=bf16 $c --batch=2 --q-heads=4 --kv-heads=2 --q-len=300 --kv-len=700
  run --block-q=192 --head-dim=64 --dtype=f16 $c --batch=1 --q-heads=2 --kv-heads=2 --q-len=512 --kv-len=512 --pattern=structured --threshold-scale-factor=30 --seed=7
  run --block-kv=176 --head-dim=128 --dtype=bf16 $c --batch=2 --q-heads=4 --kv-heads=2 --q-len=300 --kv-len=700
  run --block-kv=80 --head-dim=256 --dtype=f16 $c --batch=1 --q-heads=2 --kv-heads=1 --q-len=200 --kv-len=900 --pattern=structured --threshold-scale-factor=100
done
run --block-q=192 --dtype=f16 --head-dim=64 --batch=2 --q-heads=4 --kv-heads=4 --q-len=77 --kv-len=3000 --kv-lens=0,2999 --causal
run --block-q=192 --block-kv=64 --dtype=bf16 --head-dim=64 --batch=3 --q-heads=8 --kv-heads=2 --q-len=1 --kv-len=4096 --kv-lens=4096,1,2049 --pattern=structured --threshold-scale-factor=50
run --block-kv=176 --dtype=bf16 --batch=1 --q-heads=4 --kv-heads=2 --q-len=1024 --kv-len=8192 --causal --pattern=structured --threshold-scale-factor=1000 --min-keep-blocks=3
run --block-kv=176 --dtype=bf16 --batch=2 --q-heads=4 --kv-heads=2 --q-len=384 --kv-len=1536 --causal --pattern=structured --threshold-scale-factor=1e-30 --compare-dense
cases_summary tiles
