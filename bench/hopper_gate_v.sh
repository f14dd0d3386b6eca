#!/usr/bin/env bash
# Prefill with skipping, V loads issued before the vote (gate-v=0, the
# prefill default) or only for blocks a math warpgroup keeps (gate-v=1, the
# decode default), side by side on one GPU.
#   bench/hopper_gate_v.sh <skipattn-run> [extra skipattn-run flags]
set -u
source "$(dirname "${BASH_SOURCE[0]}")/hopper_case.sh"
RUN="$1"; shift
hopper_header "V loads"
for g in 0 1; do
  hopper_case "$RUN" 4 8192 128 0 7000 "gate-v=$g" --gate-v=$g "$@"
  hopper_case "$RUN" 2 16384 128 1 16000 "gate-v=$g" --gate-v=$g "$@"
  hopper_case "$RUN" 4 8192 64 0 7000 "gate-v=$g" --gate-v=$g "$@"
done
