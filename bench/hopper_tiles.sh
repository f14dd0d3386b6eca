#!/usr/bin/env bash
# Kernel time of sm_90a tile choices side by side on one GPU (the default
# warp-specialized schedule; --block-q / --block-kv ask the schedule for
# other tiles). skipattn-run's CUDA-event medians on structured inputs.
#   bench/hopper_tiles.sh <skipattn-run> [extra skipattn-run flags]
set -u
RUN="$1"; shift
printf "%-28s %-8s %-26s %9s %9s %9s\n" shape factor tiles ms TFLOP/s sparsity
case_() { # B S D causal factor tile-flags...
  local B=$1 S=$2 D=$3 causal=$4 f=$5 c=""
  shift 5
  [ "$causal" = 1 ] && c="--causal"
  line=$("$RUN" --target=cuda --no-check --json --iters=30 --pattern=structured \
    --dtype=bf16 --q-heads=16 --kv-heads=16 --batch="$B" --q-len="$S" \
    --kv-len="$S" --head-dim="$D" $c --threshold-scale-factor="$f" \
    "$@" "${EXTRA[@]}" 2>&1 | grep '^{')
  python3 - "$B" "$S" "$D" "$causal" "$f" "${*:-default}" "$line" <<'PY'
import json, sys
B, S, D, causal, f, tiles, line = sys.argv[1:]
B, S, D, causal = int(B), int(S), int(D), causal == "1"
shape = f"B{B} S{S} D{D}" + (" causal" if causal else "")
try:
    r = json.loads(line)
except ValueError:
    print(f"{shape:28s} {f:8s} {tiles:26s} no result"); sys.exit()
flops = 4.0 * B * 16 * S * S * D * (0.5 if causal else 1.0)
ms = r["run_ms"]
print(f"{shape:28s} {f:8s} {tiles:26s} {ms:9.3f} {flops / ms / 1e9:9.1f} {r.get('sparsity', 0):9.3f}")
PY
}
EXTRA=("$@")
case_ 4 8192 64 0 0
case_ 4 8192 64 0 0 --block-q=192
case_ 4 8192 64 0 0 --block-kv=192
case_ 4 8192 64 0 0 --block-q=192 --block-kv=64
case_ 4 8192 128 0 0
case_ 4 8192 128 0 0 --block-kv=176
case_ 4 8192 128 0 0 --block-kv=160
case_ 4 8192 128 1 0
case_ 4 8192 128 1 0 --block-kv=176
case_ 4 8192 128 0 7000
case_ 4 8192 128 0 7000 --block-kv=176
case_ 4 8192 256 0 0
case_ 4 8192 256 0 0 --block-kv=80
