#!/usr/bin/env bash
# skipattn developer entry point.
#   ./build.sh run   - install what is missing, build, run the main job
#   ./build.sh test  - install what is missing, build, run the whole test suite
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
    configure_and_build
    cd "$BUILD" && ctest -V --no-tests=error
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
