# One row of the sm_90a decode benchmarks (sourced by hopper_vote_ahead.sh
# and hopper_decode_ctas.sh): GQA 32/8, D 128, bf16, structured inputs;
# skipattn-run's CUDA-event median of 30 runs, the dense problem's K+V
# bytes per second and the kernel's own sparsity.
#   hopper_decode_case <skipattn-run> B q_len kv_len label factor [flags...]
hopper_decode_case() {
  local run=$1 B=$2 Q=$3 S=$4 label=$5 f=$6
  shift 6
  local line
  line=$("$run" --target=cuda --no-check --json --iters=30 \
    --pattern=structured --dtype=bf16 --q-heads=32 --kv-heads=8 \
    --batch="$B" --q-len="$Q" --kv-len="$S" --head-dim=128 \
    --threshold-scale-factor="$f" "$@" 2>&1 | grep '^{')
  python3 - "$B" "$Q" "$S" "$label" "$f" "$line" <<'PY'
import json, sys
B, Q, S, label, f, line = sys.argv[1:]
shape = f"B{B} Hq32/Hkv8 Sq{Q} Skv{S}"
try:
    r = json.loads(line)
except ValueError:
    print(f"{shape:30s} {label:10s} {f:7s} no result"); sys.exit()
bytes_ = 2.0 * int(B) * 8 * int(S) * 128 * 2
ms = r["run_ms"]
print(f"{shape:30s} {label:10s} {f:7s} {ms:9.4f} {bytes_ / ms / 1e9:9.2f} "
      f"{r.get('sparsity', 0):9.3f}")
PY
}
hopper_decode_header() {
  printf "%-30s %-10s %-7s %9s %9s %9s\n" shape "$1" factor ms TB/s sparsity
}
