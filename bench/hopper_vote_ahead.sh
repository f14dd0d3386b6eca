#!/usr/bin/env bash
# Skipping decode (GQA 32/8, D 128, bf16, structured inputs) with gated V,
# voting one or two blocks ahead of P.V (vote_ahead = 1, 2; 0 with
# VOTE_AHEAD_MODES="0 1 2"), the dense kernel beside, at two factors per
# shape (bench/hopper_decode_case.sh says what a row measures). Rounds
# (ROUNDS, default 2) repeat the whole sweep, so that the modes are
# interleaved in time.
#   bench/hopper_vote_ahead.sh <skipattn-run> [extra skipattn-run flags]
set -u
RUN="$1"; shift
source "$(dirname "$0")/hopper_decode_case.sh"
hopper_decode_header mode
for round in $(seq "${ROUNDS:-2}"); do
  for shape in "16 1 8192 300 1000" "16 1 32768 1000 3000" \
               "4 1 131072 30000 100000" "1 1 131072 30000 100000" \
               "16 4 8192 300 1000"; do
    read -r B Q S f1 f2 <<< "$shape"
    hopper_decode_case "$RUN" "$B" "$Q" "$S" dense 0 "$@"
    for f in "$f1" "$f2"; do
      for a in ${VOTE_AHEAD_MODES:-1 2}; do
        hopper_decode_case "$RUN" "$B" "$Q" "$S" "ahead-$a" "$f" \
          --vote-ahead="$a" "$@"
      done
    done
  done
done
