#!/usr/bin/env bash
# Intra-warpgroup overlap on sm_90a (--overlap=1: block n - 1's P.V on the
# tensor cores during block n's softmax) against the loop that waits for
# each P.V (--overlap=0), dense prefill (the option's scope), side by side
# on one GPU.
#   bench/hopper_overlap.sh <skipattn-run> [extra skipattn-run flags]
set -u
source "$(dirname "${BASH_SOURCE[0]}")/hopper_case.sh"
RUN="$1"; shift
hopper_header "overlap"
for o in 0 1; do
  hopper_case "$RUN" 4 8192 128 0 0 "overlap=$o" --overlap=$o "$@"
  hopper_case "$RUN" 4 8192 128 1 0 "overlap=$o" --overlap=$o "$@"
  hopper_case "$RUN" 8 4096 128 0 0 "overlap=$o" --overlap=$o "$@"
  hopper_case "$RUN" 2 16384 128 1 0 "overlap=$o" --overlap=$o "$@"
  hopper_case "$RUN" 4 8192 64 0 0 "overlap=$o" --overlap=$o "$@"
  hopper_case "$RUN" 4 8192 256 0 0 "overlap=$o" --overlap=$o "$@"
done
