#!/usr/bin/env bash
# Kernel time of the sm_90a schedules side by side on one GPU: for each
# shape, dense and skipping: warp-specialized with pingpong (the default),
# warp-specialized without, and one role (the math warps' first thread
# issuing the TMA loads). Times are skipattn-run's CUDA-event
# medians on structured inputs; sparsity is the kernel's own count.
#   bench/hopper_schedules.sh <skipattn-run> [extra skipattn-run flags]
set -u
RUN="$1"; shift
printf "%-34s %-8s %-8s %10s %10s %9s\n" shape factor schedule ms TFLOP/s sparsity
case_() { # B S D causal factor
  local B=$1 S=$2 D=$3 causal=$4 f=$5 c=""
  shift 5
  [ "$causal" = 1 ] && c="--causal"
  for sched in ws+pp ws one; do
    case $sched in
      ws+pp) flags="--warp-specialize=true --pingpong=true" ;;
      ws) flags="--warp-specialize=true --pingpong=false" ;;
      one) flags="--warp-specialize=false --pingpong=false" ;;
    esac
    line=$("$RUN" --target=cuda --no-check --json --iters=30 --pattern=structured \
      --dtype=bf16 --q-heads=16 --kv-heads=16 --batch="$B" --q-len="$S" \
      --kv-len="$S" --head-dim="$D" $c --threshold-scale-factor="$f" \
      $flags "$@" 2>&1 | grep '^{')
    python3 - "$B" "$S" "$D" "$causal" "$f" "$sched" "$line" <<'PY'
import json, sys
B, S, D, causal, f, ws, line = sys.argv[1:]
B, S, D, causal = int(B), int(S), int(D), causal == "1"
try:
    r = json.loads(line)
except ValueError:
    print(f"B{B} S{S} D{D}{' causal' if causal else ''}: no result"); sys.exit()
flops = 4.0 * B * 16 * S * S * D * (0.5 if causal else 1.0)
ms = r["run_ms"]
shape = f"B{B} H16 S{S} D{D}" + (" causal" if causal else "")
print(f"{shape:34s} {f:8s} {ws:8s} {ms:10.3f} {flops / ms / 1e9:10.1f} {r.get('sparsity', 0):9.3f}")
PY
  done
}
case_ 4 8192 128 0 0 "$@"
case_ 4 8192 128 1 0 "$@"
case_ 8 4096 128 0 0 "$@"
case_ 2 16384 128 1 0 "$@"
case_ 4 8192 64 0 0 "$@"
case_ 4 8192 256 0 0 "$@"
case_ 4 8192 128 0 7000 "$@"
case_ 2 16384 128 1 16000 "$@"
