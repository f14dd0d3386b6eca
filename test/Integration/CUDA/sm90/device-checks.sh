#!/usr/bin/env bash
# The GPU checks of one lease on an sm_90 machine, from the self-contained
# bundle (./build.sh bundle): the numeric matrix, requested tiles
# (tiles.sh), the matrix under
# compute-sanitizer memcheck, racecheck and synccheck, and the package's
# CUDA tests (pytest) against the bundle's libskipattn_c. Logs go to $OUT.
#   test/Integration/CUDA/sm90/device-checks.sh [.carry/skipattn.tar.xz]
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../../.." && pwd)"
BUNDLE="${1:-$ROOT/.carry/skipattn.tar.xz}"
OUT="${OUT:-/tmp/skipattn-out}"
mkdir -p "$OUT" /tmp/skipattn-bundle
tar -C /tmp/skipattn-bundle -xJf "$BUNDLE"
RUN=/tmp/skipattn-bundle/skipattn/bin/skipattn-run
CACHE=/tmp/skipattn-cache
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
status=0
step() { # name, command...
  local name="$1"; shift
  local t0=$SECONDS
  if "$@" > "$OUT/$name.log" 2>&1; then r=ok; else r=FAIL; status=1; fi
  echo "$name: $r ($((SECONDS - t0)) s) $(tail -1 "$OUT/$name.log")"
}
step matrix bash "$HERE/matrix.sh" "$RUN" --cache-dir=$CACHE
step tiles bash "$HERE/tiles.sh" "$RUN" --cache-dir=$CACHE
for tool in memcheck racecheck synccheck; do
  step "$tool" env MATRIX_WRAP="compute-sanitizer --tool $tool --error-exitcode 9" \
    bash "$HERE/matrix.sh" "$RUN" --cache-dir=$CACHE
done
if python3 -c "import pytest, torch" 2>/dev/null; then
  step pytest env SKIPATTN_LIBRARY=/tmp/skipattn-bundle/skipattn/lib/libskipattn_c.so \
    SKIPATTN_CACHE_DIR=$CACHE PYTHONPATH="$ROOT/python" \
    python3 -m pytest -q -p no:cacheprovider "$ROOT/python/tests" -k "cuda or torch"
else
  echo "pytest: not available on this machine"
fi
exit $status
