#!/usr/bin/env bash
# Kernel time of sm_90a tile choices side by side on one GPU (the default
# warp-specialized schedule; --block-q / --block-kv ask the schedule for
# other tiles).
#   bench/hopper_tiles.sh <skipattn-run> [extra skipattn-run flags]
set -u
source "$(dirname "${BASH_SOURCE[0]}")/hopper_case.sh"
RUN="$1"; shift
EXTRA=("$@")
hopper_header tiles
case_() { # B S D causal factor [tile flags...]
  local args=("$1" "$2" "$3" "$4" "$5")
  shift 5
  hopper_case "$RUN" "${args[@]}" "${*:-default}" "$@" "${EXTRA[@]}"
}
case_ 4 8192 64 0 0
case_ 4 8192 64 0 0 --block-q=192
case_ 4 8192 64 0 0 --block-kv=192
case_ 4 8192 64 0 0 --block-q=192 --block-kv=64
case_ 4 8192 128 0 0
case_ 4 8192 128 0 0 --block-kv=176
case_ 4 8192 128 0 0 --block-kv=160
case_ 4 8192 128 1 0
case_ 4 8192 128 1 0 --block-kv=176
case_ 4 8192 128 0 7000
case_ 4 8192 128 0 7000 --block-kv=176
case_ 4 8192 256 0 0
case_ 4 8192 256 0 0 --block-kv=80
