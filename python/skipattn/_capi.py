"""ctypes binding of the C API in include/skipattn-c/skipattn.h.

Loaded with ctypes so the package has no compiled extension and works with
any CPython 3. The structures mirror the header field by field; the library
checks their `struct_size`, so a mismatch is an error, not memory corruption.
"""

import ctypes
import os
import struct
import sys
from pathlib import Path

SKIPATTN_OK = 0
INVALID_ARGUMENT = 1
UNSUPPORTED = 2
COMPILE = 3
CUDA = 4
INTERNAL = 5

DTYPE_F32, DTYPE_F16, DTYPE_BF16 = 0, 1, 2
DEVICE_CPU, DEVICE_CUDA = 0, 1
FACTOR_NONE, FACTOR_SCALAR, FACTOR_PER_SEQUENCE, FACTOR_PER_HEAD, FACTOR_PER_SEQUENCE_HEAD = range(5)

_i64x4 = ctypes.c_int64 * 4


class ContextOptions(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("cache_dir", ctypes.c_char_p),
        ("cuda_toolkit", ctypes.c_char_p),
        ("chip", ctypes.c_char_p),
        ("use_disk_cache", ctypes.c_int32),
        ("verbosity", ctypes.c_int32),
        ("dump_ir_dir", ctypes.c_char_p),
        ("pass_timing", ctypes.c_int32),
    ]


class AttentionDesc(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("device", ctypes.c_int),
        ("device_index", ctypes.c_int32),
        ("dtype", ctypes.c_int),
        ("batch", ctypes.c_int64),
        ("q_heads", ctypes.c_int64),
        ("kv_heads", ctypes.c_int64),
        ("q_len", ctypes.c_int64),
        ("kv_len", ctypes.c_int64),
        ("head_dim", ctypes.c_int64),
        ("value_dim", ctypes.c_int64),
        ("q_strides", _i64x4),
        ("k_strides", _i64x4),
        ("v_strides", _i64x4),
        ("out_strides", _i64x4),
        ("causal", ctypes.c_int32),
        ("scale", ctypes.c_double),
        ("threshold_scale_factor", ctypes.c_double),
        ("factor_layout", ctypes.c_int),
        ("min_keep_blocks", ctypes.c_int64),
        ("has_kv_lens", ctypes.c_int32),
        ("with_lse", ctypes.c_int32),
        ("with_stats", ctypes.c_int32),
        ("page_size", ctypes.c_int64),
        ("num_pages", ctypes.c_int64),
        ("has_q_lens", ctypes.c_int32),
        ("value_in_key", ctypes.c_int32),
    ]


class AttentionArgs(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("q", ctypes.c_void_p),
        ("k", ctypes.c_void_p),
        ("v", ctypes.c_void_p),
        ("out", ctypes.c_void_p),
        ("kv_lens", ctypes.c_void_p),
        ("skip_factors", ctypes.c_void_p),
        ("lse", ctypes.c_void_p),
        ("stats", ctypes.c_void_p),
        ("stream", ctypes.c_void_p),
        ("workspace", ctypes.c_void_p),
        ("workspace_bytes", ctypes.c_uint64),
        ("page_table", ctypes.c_void_p),
        ("q_lens", ctypes.c_void_p),
    ]


# AttentionArgs as bytes, for the cached call's launch: struct_size, four
# bytes of padding, then the twelve pointers and workspace_bytes in field
# order. Packing the values is cheaper than filling a Structure.
ARGS_PACKING = struct.Struct("=I4x13Q")
assert ARGS_PACKING.size == ctypes.sizeof(AttentionArgs)


def raw_launch(lib):
    """skipattn_kernel_launch taking the kernel as a c_void_p and the
    arguments as ARGS_PACKING bytes (a second function object, so that the
    declared one keeps its checked signature)."""
    f = lib["skipattn_kernel_launch"]
    f.restype = ctypes.c_int
    return f


class AICLayerDesc(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("dtype", ctypes.c_int),
        ("batch", ctypes.c_int64),
        ("q_heads", ctypes.c_int64),
        ("kv_heads", ctypes.c_int64),
        ("head_dim", ctypes.c_int64),
        ("value_dim", ctypes.c_int64),
        ("prefill_seq_len", ctypes.c_int64),
        ("ctx_len", ctypes.c_int64),
        ("causal", ctypes.c_int32),
        ("scale", ctypes.c_double),
        ("num_kv_blocks", ctypes.c_int64),
        ("prefill_factor", ctypes.c_double),
        ("decode_factor", ctypes.c_double),
        ("min_keep_blocks", ctypes.c_int64),
        ("cache_write", ctypes.c_int32),
        ("with_lse", ctypes.c_int32),
        ("with_stats", ctypes.c_int32),
        ("text_format", ctypes.c_int32),
    ]


class KernelInfo(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("cache_key", ctypes.c_char_p),
        ("source", ctypes.c_char_p),
        ("compile_ms", ctypes.c_double),
        ("block_q", ctypes.c_int64),
        ("block_kv", ctypes.c_int64),
        ("heads_per_tile", ctypes.c_int64),
        ("skip_unit", ctypes.c_int64),
        ("kv_splits", ctypes.c_int64),
        ("workspace_bytes", ctypes.c_uint64),
    ]


def _candidates():
    """Where libskipattn_c may be, most specific first."""
    env = os.environ.get("SKIPATTN_LIBRARY")
    if env:
        yield Path(env)
        return
    here = Path(__file__).resolve().parent
    yield here / "lib" / "libskipattn_c.so"
    for prefix in (sys.prefix, sys.base_prefix, "/usr/local", "/usr"):
        yield Path(prefix) / "lib" / "libskipattn_c.so"
    # Last: the dynamic loader's own search (LD_LIBRARY_PATH, ld.so.cache).
    yield Path("libskipattn_c.so.1")


def load_library():
    tried = []
    for path in _candidates():
        if path.is_absolute() and not path.exists():
            tried.append(f"{path} (missing)")
            continue
        try:
            lib = ctypes.CDLL(str(path))
        except OSError as e:
            tried.append(f"{path} ({e})")
            continue
        _declare(lib)
        return lib
    raise ImportError(
        "skipattn: cannot load libskipattn_c; build it (./build.sh) or install "
        "it (cmake --install), then set SKIPATTN_LIBRARY to its path. Tried: "
        + "; ".join(tried))


def _declare(lib):
    P = ctypes.POINTER
    sig = {
        "skipattn_version": (ctypes.c_char_p, []),
        "skipattn_last_error": (ctypes.c_char_p, []),
        "skipattn_status_string": (ctypes.c_char_p, [ctypes.c_int]),
        "skipattn_context_options_init": (None, [P(ContextOptions)]),
        "skipattn_context_create": (ctypes.c_int, [P(ContextOptions), P(ctypes.c_void_p)]),
        "skipattn_context_destroy": (ctypes.c_int, [ctypes.c_void_p]),
        "skipattn_attention_desc_init": (None, [P(AttentionDesc)]),
        "skipattn_attention_args_init": (None, [P(AttentionArgs)]),
        "skipattn_kernel_get": (ctypes.c_int, [ctypes.c_void_p, P(AttentionDesc), P(ctypes.c_void_p)]),
        "skipattn_kernel_get_info": (ctypes.c_int, [ctypes.c_void_p, P(KernelInfo)]),
        "skipattn_kernel_launch": (ctypes.c_int, [ctypes.c_void_p, P(AttentionArgs)]),
        "skipattn_attention": (ctypes.c_int, [ctypes.c_void_p, P(AttentionDesc), P(AttentionArgs)]),
        "skipattn_attention_desc_check": (ctypes.c_int, [P(AttentionDesc)]),
        "skipattn_aic_layer_desc_init": (None, [P(AICLayerDesc)]),
        "skipattn_aic_export_layer": (ctypes.c_int, [P(AICLayerDesc), ctypes.c_char_p]),
    }
    for name, (res, args) in sig.items():
        fn = getattr(lib, name)
        fn.restype = res
        fn.argtypes = args
