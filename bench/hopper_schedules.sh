#!/usr/bin/env bash
# Kernel time of the sm_90a schedules side by side on one GPU: for each
# shape, dense and skipping: warp-specialized with pingpong, warp-specialized
# without (the default), and one role (the math warps' first thread issuing
# the TMA loads).
#   bench/hopper_schedules.sh <skipattn-run> [extra skipattn-run flags]
set -u
source "$(dirname "${BASH_SOURCE[0]}")/hopper_case.sh"
RUN="$1"; shift
hopper_header schedule
case_() { # B S D causal factor
  hopper_case "$RUN" "$@" ws+pp --warp-specialize=true --pingpong=true "${EXTRA[@]}"
  hopper_case "$RUN" "$@" ws --warp-specialize=true --pingpong=false "${EXTRA[@]}"
  hopper_case "$RUN" "$@" one --warp-specialize=false --pingpong=false "${EXTRA[@]}"
}
EXTRA=("$@")
case_ 4 8192 128 0 0
case_ 4 8192 128 1 0
case_ 8 4096 128 0 0
case_ 2 16384 128 1 0
case_ 4 8192 64 0 0
case_ 4 8192 256 0 0
case_ 4 8192 128 0 7000
case_ 2 16384 128 1 16000
