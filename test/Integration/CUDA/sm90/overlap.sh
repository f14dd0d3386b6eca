#!/usr/bin/env bash
# Prefill with intra-warpgroup overlap (--overlap=1) against the float64
# reference with equal skip decisions: every head dimension and element
# type, causal and not, ragged, one KV block, GQA, skipping with several
# blocks kept and skipped in a row. Needs an sm_90a GPU.
#   overlap.sh <path to skipattn-run> [extra skipattn-run flags]
set -u
RUN="$1"; shift
pass=0; failed=0
run() {
  if "$RUN" --target=cuda --iters=1 --overlap=1 "$@" "${EXTRA[@]}" > /tmp/skipattn-case.log 2>&1; then
    pass=$((pass + 1))
    grep -E "blocks|error " /tmp/skipattn-case.log | sed 's/^/    /' | tr '\n' ' '; echo " <- $*"
  else
    failed=$((failed + 1))
    echo "FAIL: $*"; sed 's/^/    /' /tmp/skipattn-case.log | tail -8
  fi
}
EXTRA=("$@")
for d in 64 128 256; do
  for t in bf16 f16; do
    for c in "" "--causal"; do
      run --head-dim=$d --dtype=$t $c --batch=2 --q-heads=4 --kv-heads=2 --q-len=300 --kv-len=700 --seed=$d
      run --head-dim=$d --dtype=$t $c --batch=1 --q-heads=2 --kv-heads=2 --q-len=512 --kv-len=512 --pattern=structured --threshold-scale-factor=30 --seed=7
    done
  done
done
run --dtype=f16 --head-dim=64 --batch=1 --q-heads=4 --kv-heads=2 --q-len=16 --kv-len=64 --seed=5
run --dtype=bf16 --head-dim=256 --batch=2 --q-heads=2 --kv-heads=1 --q-len=200 --kv-len=64 --causal --pattern=structured --threshold-scale-factor=30
run --dtype=bf16 --causal --batch=3 --q-heads=8 --kv-heads=1 --q-len=256 --kv-len=1000 --kv-lens=1000,517,128 --pattern=structured --threshold-scale-factor=100
run --dtype=f16 --head-dim=64 --batch=2 --q-heads=4 --kv-heads=4 --q-len=77 --kv-len=3000 --kv-lens=0,2999 --causal
run --dtype=bf16 --batch=1 --q-heads=4 --kv-heads=2 --q-len=1024 --kv-len=8192 --causal --pattern=structured --threshold-scale-factor=1000 --min-keep-blocks=3
run --dtype=bf16 --batch=1 --q-heads=2 --kv-heads=1 --q-len=2048 --kv-len=2048 --pattern=structured --threshold-scale-factor=5000 --temperature=0.05
run --dtype=bf16 --causal --batch=1 --q-heads=1 --kv-heads=1 --q-len=64 --kv-len=300 --pattern=structured --threshold-scale-factor=50
run --dtype=bf16 --head-dim=256 --causal --batch=2 --q-heads=4 --kv-heads=1 --q-len=200 --kv-len=2500 --kv-lens=2500,300 --pattern=structured --threshold-scale-factor=100
run --dtype=bf16 --batch=2 --q-heads=4 --kv-heads=4 --q-len=1024 --kv-len=4096 --pattern=structured --threshold-scale-factor=3000 --compare-dense
run --dtype=bf16 --batch=1 --q-heads=4 --kv-heads=4 --q-len=2048 --kv-len=2048 --causal --pattern=structured --threshold-scale-factor=1e-30 --compare-dense
echo "overlap: $pass passed, $failed failed"
[ "$failed" = 0 ]
