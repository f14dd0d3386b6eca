#!/usr/bin/env bash
# Skipping decode (GQA 32/8, D 128, bf16, structured inputs) with gated V,
# voting on block n before using block n - 1's V (vote_ahead, the default)
# or not: skipattn-run's CUDA-event median of 30 runs, the dense problem's
# K+V bytes per second and the kernel's sparsity; the dense kernel beside.
#   bench/hopper_vote_ahead.sh <skipattn-run> [extra skipattn-run flags]
set -u
RUN="$1"; shift
printf "%-34s %-10s %-7s %9s %9s %9s\n" shape mode factor ms TB/s sparsity
for shape in "16 1 8192 30" "16 1 32768 100" "4 1 131072 300" "1 1 131072 1000" "16 4 8192 100"; do
  read -r B Q S f <<< "$shape"
  for mode in dense ahead-0 ahead-1; do
    case $mode in
      dense) args=(--threshold-scale-factor=0) ;;
      ahead-0) args=(--threshold-scale-factor="$f" --vote-ahead=0) ;;
      ahead-1) args=(--threshold-scale-factor="$f" --vote-ahead=1) ;;
    esac
    line=$("$RUN" --target=cuda --no-check --json --iters=30 \
      --pattern=structured --dtype=bf16 --q-heads=32 --kv-heads=8 \
      --batch="$B" --q-len="$Q" --kv-len="$S" --head-dim=128 \
      "${args[@]}" "$@" 2>&1 | grep '^{')
    python3 - "$B" "$Q" "$S" "$mode" "$f" "$line" <<'PY'
import json, sys
B, Q, S, mode, f, line = sys.argv[1:]
shape = f"B{B} Hq32/Hkv8 Sq{Q} Skv{S}"
try:
    r = json.loads(line)
except ValueError:
    print(f"{shape:34s} {mode:10s} {f:7s} no result"); sys.exit()
bytes_ = 2.0 * int(B) * 8 * int(S) * 128 * 2
ms = r["run_ms"]
print(f"{shape:34s} {mode:10s} {f:7s} {ms:9.4f} {bytes_ / ms / 1e9:9.2f} "
      f"{r.get('sparsity', 0):9.3f}")
PY
  done
done
