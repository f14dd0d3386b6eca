#!/usr/bin/env bash
# The TMA-store epilogue on sm_90a (--tma-store=1: each math warpgroup
# stages its output rows in its rows of Q and one thread stores them by
# TMA) against every thread storing 32-bit pairs (--tma-store=0), on the
# prefill shapes and a decode shape that keeps one tile per CTA, side by
# side on one GPU.
#   bench/hopper_tma_store.sh <skipattn-run> [extra skipattn-run flags]
set -u
source "$(dirname "${BASH_SOURCE[0]}")/hopper_case.sh"
RUN="$1"; shift
hopper_header "epilogue"
for t in 0 1; do
  hopper_case "$RUN" 4 8192 128 0 0 "tma_store=$t" --tma-store=$t "$@"
  hopper_case "$RUN" 4 8192 128 1 0 "tma_store=$t" --tma-store=$t "$@"
  hopper_case "$RUN" 8 4096 128 0 0 "tma_store=$t" --tma-store=$t "$@"
  hopper_case "$RUN" 2 16384 128 1 0 "tma_store=$t" --tma-store=$t "$@"
  hopper_case "$RUN" 4 8192 64 0 0 "tma_store=$t" --tma-store=$t "$@"
  hopper_case "$RUN" 4 8192 256 0 0 "tma_store=$t" --tma-store=$t "$@"
  hopper_case "$RUN" 16 2048 128 0 0 "tma_store=$t" --tma-store=$t "$@"
done
