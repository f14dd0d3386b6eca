#!/usr/bin/env bash
# FlashAttention-4's conditional rescale on sm_90a: each row's exponent
# base kept until the maximum passes it by more than t log2 units
# (--rescale-threshold=t; 0 rescales on every block), dense and skipping,
# side by side on one GPU.
#   bench/hopper_rescale.sh <skipattn-run> [extra skipattn-run flags]
set -u
source "$(dirname "${BASH_SOURCE[0]}")/hopper_case.sh"
RUN="$1"; shift
hopper_header "rescale"
for t in 0 8; do
  for f in 0 7000; do
    hopper_case "$RUN" 4 8192 128 0 $f "threshold=$t" --rescale-threshold=$t "$@"
    hopper_case "$RUN" 4 8192 128 1 $f "threshold=$t" --rescale-threshold=$t "$@"
    hopper_case "$RUN" 4 8192 64 0 $f "threshold=$t" --rescale-threshold=$t "$@"
  done
done
