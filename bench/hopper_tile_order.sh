#!/usr/bin/env bash
# The tile order of causal prefill on sm_90a: the longest query tiles first
# over groups of (batch, head) pairs (the schedule's choice, --head-group=-1)
# against each head's tiles in a row (--head-group=0), three interleaved
# rounds so that the H200's clock drift hits both alike; dense and
# skipping, and one non-causal shape (whose order does not change) as a
# control.
#   bench/hopper_tile_order.sh <skipattn-run> [extra skipattn-run flags]
set -u
source "$(dirname "${BASH_SOURCE[0]}")/hopper_case.sh"
RUN="$1"; shift
hopper_header "tile order"
for round in 1 2 3; do
  for g in 0 -1; do
    hopper_case "$RUN" 4 8192 128 1 0 "head_group=$g" --head-group=$g "$@"
    hopper_case "$RUN" 2 16384 128 1 0 "head_group=$g" --head-group=$g "$@"
    hopper_case "$RUN" 4 8192 64 1 0 "head_group=$g" --head-group=$g "$@"
    hopper_case "$RUN" 2 16384 128 1 16000 "head_group=$g" --head-group=$g "$@"
  done
done
hopper_case "$RUN" 8 4096 128 0 0 "full, head_group=-1" "$@"
