#!/usr/bin/env bash
# Decode (GQA 32/8, D 128, bf16, structured inputs) with one or two CTAs
# per SM, dense and skipping, K+V bytes per second of the dense problem:
# skipattn-run's CUDA-event median of 30 runs and the kernel's sparsity.
#   bench/hopper_decode_ctas.sh <skipattn-run> [extra skipattn-run flags]
set -u
RUN="$1"; shift
printf "%-26s %-6s %-7s %9s %9s %9s\n" shape ctas factor ms TB/s sparsity
for shape in "16 8192 150" "16 32768 600" "4 131072 2400" "1 131072 2400"; do
  read -r B S f <<< "$shape"
  for ctas in 1 2; do
    for factor in 0 "$f"; do
      line=$("$RUN" --target=cuda --no-check --json --iters=30 \
        --pattern=structured --dtype=bf16 --q-heads=32 --kv-heads=8 \
        --batch="$B" --q-len=1 --kv-len="$S" --head-dim=128 \
        --threshold-scale-factor="$factor" --ctas-per-sm="$ctas" "$@" 2>&1 |
        grep '^{')
      python3 - "$B" "$S" "$ctas" "$factor" "$line" <<'PY'
import json, sys
B, S, ctas, f, line = sys.argv[1:]
shape = f"B{B} Hq32/Hkv8 Skv{S}"
try:
    r = json.loads(line)
except ValueError:
    print(f"{shape:26s} {ctas:6s} {f:7s} no result"); sys.exit()
bytes_ = 2.0 * int(B) * 8 * int(S) * 128 * 2
ms = r["run_ms"]
print(f"{shape:26s} {ctas:6s} {f:7s} {ms:9.4f} {bytes_ / ms / 1e9:9.2f} "
      f"{r.get('sparsity', 0):9.3f}")
PY
    done
  done
done
