# -*- Python -*-
# lit configuration of the skipattn regression suite.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "SKIPATTN"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.skipattn_obj_root, "test")

# Sanitizer builds pass their options through.
llvm_config.with_system_environment(["HOME", "TMPDIR", "ASAN_OPTIONS",
                                     "UBSAN_OPTIONS", "LSAN_OPTIONS"])
llvm_config.use_default_substitutions()
config.substitutions.append(("%examples", os.path.join(config.skipattn_src_root, "examples")))

tool_dirs = [config.skipattn_tools_dir, config.llvm_tools_dir]
tools = ["skipattn-opt", "skipattn-capi-test", "skipattn-capi-hardening-test",
         "skipattn-opt-fuzzer", "skipattn-capi-fuzzer", "FileCheck", "not", "count", "split-file"]
if os.path.exists(os.path.join(config.skipattn_tools_dir, "skipattn-run")):
    tools.append("skipattn-run")
    config.available_features.add("skipattn-run")
# Hosts with AVX-512 BF16 dot products run the bf16-products kernels.
try:
    with open("/proc/cpuinfo") as cpuinfo:
        if "avx512_bf16" in cpuinfo.read():
            config.available_features.add("avx512bf16")
except OSError:
    pass
# skipattn-translate exists when the ONNX export is built (SKIPATTN_ENABLE_AIC).
if os.path.exists(os.path.join(config.skipattn_tools_dir, "skipattn-translate")):
    tools.append("skipattn-translate")
    config.available_features.add("onnx-export")
llvm_config.add_tool_substitutions(tools, tool_dirs)

# ptxas (CUDA toolkit) assembles the generated PTX in the Hopper tests.
import shutil
for root in [os.environ.get("SKIPATTN_CUDA_TOOLKIT", ""), os.environ.get("CUDA_HOME", ""), "/usr/local/cuda"]:
    if root and os.access(os.path.join(root, "bin", "ptxas"), os.X_OK):
        config.available_features.add("ptxas")
        config.substitutions.append(("%cuda_toolkit", root))
        break
# cuobjdump disassembles the sm_100a cubins (no Blackwell GPU runs them
# here): from the toolkit or PATH, else PyPI's nvidia-cuda-cuobjdump.
def find_cuobjdump():
    for root in [os.environ.get("SKIPATTN_CUDA_TOOLKIT", ""),
                 os.environ.get("CUDA_HOME", ""), "/usr/local/cuda"]:
        exe = os.path.join(root, "bin", "cuobjdump") if root else ""
        if exe and os.access(exe, os.X_OK):
            return exe
    if shutil.which("cuobjdump"):
        return shutil.which("cuobjdump")
    import glob, subprocess, sys
    py = getattr(config, "skipattn_python", "") or sys.executable
    try:
        paths = subprocess.run(
            [py, "-c", "import site, sys; print('\\n'.join(site.getsitepackages() + [site.getusersitepackages()] + sys.path))"],
            capture_output=True, text=True, timeout=30).stdout.split()
    except Exception:
        paths = []
    for sp in paths:
        for exe in glob.glob(os.path.join(sp, "nvidia", "*", "bin", "cuobjdump")):
            if os.access(exe, os.X_OK):
                return exe
    return None
# cuobjdump -sass runs nvdisasm, looked for on PATH: the one beside it
# (PyPI's nvidia-cuda-nvdisasm installs into the same bin) goes first.
cuobjdump = find_cuobjdump()
if cuobjdump:
    bindir = os.path.dirname(cuobjdump)
    search = bindir + os.pathsep + os.environ.get("PATH", "")
    if any(os.access(os.path.join(d, "nvdisasm"), os.X_OK)
           for d in search.split(os.pathsep) if d):
        config.available_features.add("cuobjdump")
        config.substitutions.append(
            ("%cuobjdump", f"env PATH={search} {cuobjdump}"))
# The interpreter CMake was configured with (build.sh passes the one whose
# numpy/pytest it made sure of); else python3 from PATH.
python = getattr(config, "skipattn_python", "") or shutil.which("python3") or "python3"
# In an ASan build, programs not built here (the Python interpreter, an
# example built by the system compiler) load the instrumented
# libskipattn_c with the ASan runtime preloaded; CPython is not
# instrumented, so its leaks are not reported.
asan_rt = getattr(config, "skipattn_asan_runtime", "")
preload = (f"env LD_PRELOAD={asan_rt} ASAN_OPTIONS=detect_leaks=0 "
           if asan_rt else "")
config.substitutions.append(("%asan_preload", preload))
# ...and an executable the system compiler links against it needs the
# runtime's symbols at link time.
config.substitutions.append(("%asan_link",
                             f"-DCMAKE_EXE_LINKER_FLAGS={asan_rt}" if asan_rt else ""))
config.substitutions.append(("%pyexe", preload + python))
config.substitutions.append(("%test_inputs", os.path.join(config.test_source_root, "Inputs")))
# The GPU suite (test/Integration/CUDA) runs only where asked for and an
# sm_90 GPU is present: SKIPATTN_GPU_TESTS=1.
if os.environ.get("SKIPATTN_GPU_TESTS") == "1":
    config.available_features.add("cuda-sm90")
import ctypes
try:
    ctypes.CDLL("libcuda.so.1")
except OSError:
    config.available_features.add("no-cuda-driver")

# The C API library, the Python package and the CMake used to build the
# embedding example against an installed tree.
config.substitutions.append(("%skipattn_lib", os.path.join(config.skipattn_obj_root, "lib", "libskipattn_c.so")))
config.substitutions.append(("%skipattn_obj_root", config.skipattn_obj_root))
config.substitutions.append(("%pysrc", os.path.join(config.skipattn_src_root, "python")))
config.substitutions.append(("%cmake", shutil.which("cmake") or "cmake"))
import subprocess
if subprocess.run([python, "-c", "import numpy, pytest"],
                  capture_output=True).returncode == 0:
    config.available_features.add("python-numpy")
if subprocess.run([python, "-c", "import numpy, onnxruntime"],
                  capture_output=True).returncode == 0:
    config.available_features.add("onnxruntime")
if shutil.which("cmake"):
    config.available_features.add("cmake")
