# One row of the sm_90a benchmarks (sourced by hopper_schedules.sh and
# hopper_tiles.sh): skipattn-run's CUDA-event median of 30 runs on
# structured bf16 inputs with 16 heads, causal FLOPs halved, and the
# kernel's own sparsity.
#   hopper_case <skipattn-run> B S D causal(0|1) factor label [flags...]
hopper_case() {
  local run=$1 B=$2 S=$3 D=$4 causal=$5 f=$6 label=$7 c=""
  shift 7
  [ "$causal" = 1 ] && c="--causal"
  local line
  line=$("$run" --target=cuda --no-check --json --iters=30 --pattern=structured \
    --dtype=bf16 --q-heads=16 --kv-heads=16 --batch="$B" --q-len="$S" \
    --kv-len="$S" --head-dim="$D" $c --threshold-scale-factor="$f" "$@" 2>&1 |
    grep '^{')
  python3 - "$B" "$S" "$D" "$causal" "$f" "$label" "$line" <<'PY'
import json, sys
B, S, D, causal, f, label, line = sys.argv[1:]
B, S, D, causal = int(B), int(S), int(D), causal == "1"
shape = f"B{B} H16 S{S} D{D}" + (" causal" if causal else "")
try:
    r = json.loads(line)
except ValueError:
    print(f"{shape:28s} {f:8s} {label:26s} no result"); sys.exit()
flops = 4.0 * B * 16 * S * S * D * (0.5 if causal else 1.0)
ms = r["run_ms"]
print(f"{shape:28s} {f:8s} {label:26s} {ms:9.3f} {flops / ms / 1e9:9.1f} "
      f"{r.get('sparsity', 0):9.3f}")
PY
}
hopper_header() {
  printf "%-28s %-8s %-26s %9s %9s %9s\n" shape factor "$1" ms TFLOP/s sparsity
}
