#!/usr/bin/env bash
# Decode (GQA 32/8, D 128, bf16, structured inputs) with one or two CTAs
# per SM, dense and skipping (bench/hopper_decode_case.sh says what a row
# measures).
#   bench/hopper_decode_ctas.sh <skipattn-run> [extra skipattn-run flags]
set -u
RUN="$1"; shift
source "$(dirname "$0")/hopper_decode_case.sh"
hopper_decode_header ctas
for shape in "16 8192 150" "16 32768 600" "4 131072 2400" "1 131072 2400"; do
  read -r B S f <<< "$shape"
  for ctas in 1 2; do
    for factor in 0 "$f"; do
      hopper_decode_case "$RUN" "$B" 1 "$S" "$ctas" "$factor" \
        --ctas-per-sm="$ctas" "$@"
    done
  done
done
