# The GPU case runner shared by matrix.sh, tiles.sh and overlap.sh (sourced):
# `run <skipattn-run flags>` runs one case on the GPU, checked by skipattn-run
# against the float64 reference (exit 3 on a mismatch), with RUN the
# skipattn-run binary, WRAP an optional prefix (e.g. a compute-sanitizer
# tool) and EXTRA the flags every case gets; `cases_summary <name>` prints
# the counts and fails when a case did.
pass=0; failed=0
run() {
  local log=/tmp/skipattn-case.$$.log
  if "${WRAP[@]}" "$RUN" --target=cuda --iters=1 "$@" "${EXTRA[@]}" > "$log" 2>&1; then
    pass=$((pass + 1))
    grep -E "blocks|V loads|error " "$log" | sed 's/^/    /' | tr '\n' ' '; echo " <- $*"
  else
    failed=$((failed + 1))
    echo "FAIL: $*"; sed 's/^/    /' "$log" | tail -8
  fi
}
cases_summary() {
  echo "$1: $pass passed, $failed failed"
  [ "$failed" -eq 0 ]
}
