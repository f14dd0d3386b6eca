#!/usr/bin/env bash
# skipattn developer entry point.
#   ./build.sh run   - install what is missing, build, run the main job
#   ./build.sh test  - install what is missing, build, run the whole test suite
#                      and a short seeded fuzz run of both fuzz targets
#   ./build.sh sanitize - ASan + UBSan build (clang) in ./build-sanitize and
#                       the whole test suite under it
#   ./build.sh fuzz [SECONDS] [-- FLAGS] - libFuzzer + ASan + UBSan build in
#                       ./build-fuzz, then each fuzz target for SECONDS
#                       (default 60) from its seed corpus
#   ./build.sh bundle - self-contained skipattn-run and libskipattn_c (static
#                       MLIR/LLVM, --gc-sections) packed into
#                       .carry/skipattn.tar.xz for an x86-64 Linux machine
#                       with an NVIDIA driver
# Installs Debian packages only when one is missing, configures CMake+Ninja
# once into ./build and builds incrementally, so a second call is quick.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD="${SKIPATTN_BUILD_DIR:-$ROOT/build}"
PACKAGES=(cmake ninja-build g++ ccache python3 llvm-22-dev libmlir-22-dev
          mlir-22-tools llvm-22-tools libomp-22-dev python3-numpy
          python3-pytest python3-setuptools python3-wheel python3-pip
          libonnx-dev libprotobuf-dev)

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
}

# The python3 on PATH runs the package's tests; when it is not Debian's
# (a virtualenv, pyenv) it gets numpy/pytest from PyPI instead of apt.
# ONNX Runtime (which runs the exported AI 100 graphs) exists only on PyPI.
pip_install() {
  python3 -m pip install -q "$@" ||
    python3 -m pip install -q --break-system-packages "$@"
}
python_ready() {
  if ! python3 -c "import numpy, pytest, setuptools, wheel" 2>/dev/null; then
    echo "== installing numpy pytest setuptools wheel for $(command -v python3)"
    pip_install numpy pytest setuptools wheel
  fi
  if ! python3 -c "import onnxruntime" 2>/dev/null; then
    echo "== installing onnxruntime for $(command -v python3)"
    pip_install onnxruntime
  fi
}

# PyTorch and transformers (PyPI only) for the tests of the PyTorch
# operator and the HuggingFace integration on the CPU; the main job needs
# neither.
python_test_ready() {
  if ! python3 -c "import torch, transformers" 2>/dev/null; then
    echo "== installing torch and transformers for $(command -v python3)"
    pip_install torch transformers
  fi
  # cuobjdump and nvdisasm (PyPI's CUDA binary utilities) disassemble the
  # sm_100a cubins whose SASS the Blackwell tests check; the tests skip
  # without them.
  if ! command -v cuobjdump >/dev/null &&
    ! python3 -c "import importlib.util as u, sys; sys.exit(not (u.find_spec('nvidia') and __import__('glob').glob(__import__('nvidia').__path__[0] + '/*/bin/nvdisasm')))" 2>/dev/null; then
    echo "== installing nvidia-cuda-cuobjdump nvidia-cuda-nvdisasm for $(command -v python3)"
    pip_install nvidia-cuda-cuobjdump nvidia-cuda-nvdisasm || true
  fi
}

configure_and_build() {
  python_ready
  if [ ! -f "$BUILD/build.ninja" ]; then
    cmake -G Ninja -S "$ROOT" -B "$BUILD" \
      -DSKIPATTN_PYTHON="$(python3 -c 'import sys; print(sys.executable)')" \
      -DCMAKE_BUILD_TYPE=Release \
      -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
      -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
      -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
  fi
  cmake --build "$BUILD" --target all skipattn-doc
}

# Two clang builds with ASan + UBSan: ./build-sanitize for the test suite,
# ./build-fuzz with libFuzzer coverage for the fuzz targets (coverage
# callbacks would leave libskipattn_c unusable outside libFuzzer).
SANITIZE="${SKIPATTN_SANITIZE_BUILD_DIR:-$ROOT/build-sanitize}"
FUZZ="${SKIPATTN_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
SANITIZER_PACKAGES=(clang-22 libclang-rt-22-dev)
configure_and_build_sanitized() { # build dir, coverage ON/OFF, targets...
  local dir="$1" coverage="$2"
  shift 2
  PACKAGES+=("${SANITIZER_PACKAGES[@]}")
  install_missing
  python_ready
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -G Ninja -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_C_COMPILER=/usr/lib/llvm-22/bin/clang \
      -DCMAKE_CXX_COMPILER=/usr/lib/llvm-22/bin/clang++ \
      -DLLVM_USE_SANITIZER="Address;Undefined" \
      -DLLVM_USE_SANITIZE_COVERAGE="$coverage" \
      -DSKIPATTN_PYTHON="$(python3 -c 'import sys; print(sys.executable)')" \
      -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
      -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
      -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
  fi
  cmake --build "$dir" --target "$@"
}

# Bounded fuzzing of both targets from their seed corpora (new inputs go
# to a scratch corpus; crashes are written as crash-* files and fail).
run_fuzzers() {
  local seconds="$1"
  shift
  local work="$FUZZ/fuzz"
  mkdir -p "$work/opt" "$work/capi"
  python3 "$ROOT/test/Fuzz/Inputs/make_opt_corpus.py" "$work/opt-seed" \
    "$ROOT/test" "$ROOT/examples"
  python3 "$ROOT/test/Fuzz/Inputs/make_capi_corpus.py" "$work/capi-seed"
  export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1"
  for t in opt capi; do
    echo "== fuzzing skipattn-$t-fuzzer for ${seconds}s"
    (cd "$work" && "$FUZZ/bin/skipattn-$t-fuzzer" "$work/$t" \
      "$work/$t-seed" "$ROOT/test/Fuzz/Inputs/regressions/$t" \
      -max_total_time="$seconds" -timeout=60 -rss_limit_mb=8192 \
      -print_final_stats=1 "$@")
  done
}

cmd="${1:-}"
case "$cmd" in
  run)
    install_missing
    configure_and_build
    shift
    if [ -x "$BUILD/bin/skipattn-run" ]; then
      # The main job: structured inputs with skipping on, on the CPU.
      exec "$BUILD/bin/skipattn-run" --batch=2 --q-heads=8 --kv-heads=2 \
        --q-len=512 --kv-len=4096 --head-dim=128 --dtype=bf16 --causal \
        --pattern=structured --threshold-scale-factor=1000 "$@"
    fi
    exec "$BUILD/bin/skipattn-opt" "$ROOT/examples/gqa_causal_skip.mlir" \
      --pass-pipeline='builtin.module(func.func(skipattn-tile{pack-gqa=true},skipattn-insert-skip-predicates,canonicalize,cse))'
    ;;
  test)
    install_missing
    python_test_ready
    configure_and_build
    (cd "$BUILD" && ctest -V --no-tests=error)
    # A short, seeded (reproducible) libFuzzer run of both targets from
    # their seed corpora in the clang ASan + UBSan build; a finding fails.
    configure_and_build_sanitized "$FUZZ" ON skipattn-opt-fuzzer \
      skipattn-capi-fuzzer
    rm -rf "$FUZZ/fuzz"
    run_fuzzers 300 -seed=1 -runs=30000
    ;;
  sanitize)
    configure_and_build_sanitized "$SANITIZE" OFF all
    cd "$SANITIZE"
    /usr/lib/llvm-22/bin/lit -sv test
    ;;
  fuzz)
    seconds="${2:-60}"
    shift $(($# < 2 ? $# : 2))
    [ "${1:-}" = "--" ] && shift
    configure_and_build_sanitized "$FUZZ" ON skipattn-opt-fuzzer \
      skipattn-capi-fuzzer
    run_fuzzers "$seconds" "$@"
    ;;
  bundle)
    install_missing
    STATIC="${SKIPATTN_STATIC_BUILD_DIR:-$ROOT/build-static}"
    if [ ! -f "$STATIC/build.ninja" ]; then
      cmake -G Ninja -S "$ROOT" -B "$STATIC" -DCMAKE_BUILD_TYPE=Release \
        -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
        -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
        -DSKIPATTN_LINK_MLIR_DYLIB=OFF -DSKIPATTN_CPU_JIT=OFF \
        -DSKIPATTN_ENABLE_AIC=OFF \
        -DCMAKE_EXE_LINKER_FLAGS="-Wl,--gc-sections" \
        -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
    fi
    cmake --build "$STATIC" --target skipattn-run skipattn_c
    mkdir -p "$ROOT/.carry/skipattn/bin" "$ROOT/.carry/skipattn/lib"
    strip -o "$ROOT/.carry/skipattn/bin/skipattn-run" "$STATIC/bin/skipattn-run"
    strip -o "$ROOT/.carry/skipattn/lib/libskipattn_c.so.1" \
      "$STATIC/lib/libskipattn_c.so.1"
    ln -sf libskipattn_c.so.1 "$ROOT/.carry/skipattn/lib/libskipattn_c.so"
    tar -C "$ROOT/.carry" -cJf "$ROOT/.carry/skipattn.tar.xz" skipattn
    rm -rf "$ROOT/.carry/skipattn"
    ls -la "$ROOT/.carry/skipattn.tar.xz"
    ;;
  *)
    echo "usage: $0 run|test|bundle" >&2
    exit 2
    ;;
esac
