#!/usr/bin/env bash
# Skipping decode (GQA 32/8, D 128, bf16, structured inputs) with gated V,
# voting on block n before using block n - 1's V (vote_ahead, the default)
# or not, and the dense kernel beside (bench/hopper_decode_case.sh says
# what a row measures).
#   bench/hopper_vote_ahead.sh <skipattn-run> [extra skipattn-run flags]
set -u
RUN="$1"; shift
source "$(dirname "$0")/hopper_decode_case.sh"
hopper_decode_header mode
for shape in "16 1 8192 30" "16 1 32768 100" "4 1 131072 300" "1 1 131072 1000" "16 4 8192 100"; do
  read -r B Q S f <<< "$shape"
  hopper_decode_case "$RUN" "$B" "$Q" "$S" dense 0 "$@"
  hopper_decode_case "$RUN" "$B" "$Q" "$S" ahead-0 "$f" --vote-ahead=0 "$@"
  hopper_decode_case "$RUN" "$B" "$Q" "$S" ahead-1 "$f" --vote-ahead=1 "$@"
done
