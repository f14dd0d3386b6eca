"""Qualcomm Cloud AI 100: export one attention layer for qaic-compile.

    import skipattn.aic
    files = skipattn.aic.export_layer(
        "aic", batch=1, q_heads=32, kv_heads=8, head_dim=128,
        prefill_seq_len=128, ctx_len=4096, num_kv_blocks=8,
        prefill_factor=587.0, decode_factor=16.5)

writes model.onnx, specializations.json and custom_io.yaml, the inputs of

    qaic-compile -m=aic/model.onnx -aic-hw -aic-hw-version=2.0 \\
        -convert-to-fp16 -aic-num-cores=16 -compile-only \\
        -network-specialization-config=aic/specializations.json \\
        -custom-IO-list-file=aic/custom_io.yaml -aic-binary-dir=aic/qpc

The model is QEfficient's attention layer: inputs q, the chunk's k and v,
the cache past_key.0/past_value.0 and position_ids (-1 for padding rows);
outputs output (then lse and skip_stats when asked for) and the written
cache as past_key.0_RetainedState/past_value.0_RetainedState, which stay on
the card between steps. Skipping uses lambda = factor / L_b with L_b from
each sequence's positions and the factor of the phase (seq_len 1: decode).
"""

import ctypes
import os

from . import _capi
from ._api import _check, _library

__all__ = ["export_layer"]


def _positive_int(name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return value


def export_layer(out_dir, *, batch, q_heads, kv_heads, head_dim,
                 prefill_seq_len, ctx_len, num_kv_blocks=4,
                 prefill_factor=0.0, decode_factor=0.0, min_keep_blocks=1,
                 dtype="float16", value_dim=None, causal=True, scale=None,
                 cache_write=True, return_lse=False, return_stats=False,
                 text=False):
    """Writes the layer's model.onnx, specializations.json and
    custom_io.yaml into `out_dir` and returns their paths.

    Sizes are those of the specialisations: Prefill with `prefill_seq_len`
    rows (none when it is 1: a decode-only layer) and Decode with one row,
    for `batch` sequences over `ctx_len` cache slots. `num_kv_blocks` KV
    blocks are read per row; `prefill_factor`/`decode_factor` are the
    threshold scale factors of the two phases (0: dense); the first
    `min_keep_blocks` blocks are always kept. dtype "float16", or
    "float32" for a model compiled with -convert-to-fp16. `cache_write`
    False exports a layer that only reads the cache (no k/v inputs, no
    retained state). `text` writes model.onnx as protobuf text.
    """
    codes = {"float16": _capi.DTYPE_F16, "float32": _capi.DTYPE_F32}
    if dtype not in codes:
        raise ValueError(f"dtype must be 'float16' or 'float32', got {dtype!r}")
    lib = _library()
    d = _capi.AICLayerDesc()
    lib.skipattn_aic_layer_desc_init(ctypes.byref(d))
    d.dtype = codes[dtype]
    d.batch = _positive_int("batch", batch)
    d.q_heads = _positive_int("q_heads", q_heads)
    d.kv_heads = _positive_int("kv_heads", kv_heads)
    d.head_dim = _positive_int("head_dim", head_dim)
    d.value_dim = 0 if value_dim is None else _positive_int("value_dim", value_dim)
    d.prefill_seq_len = _positive_int("prefill_seq_len", prefill_seq_len)
    d.ctx_len = _positive_int("ctx_len", ctx_len)
    d.num_kv_blocks = _positive_int("num_kv_blocks", num_kv_blocks)
    d.min_keep_blocks = _positive_int("min_keep_blocks", min_keep_blocks, 0)
    d.prefill_factor = float(prefill_factor)
    d.decode_factor = float(decode_factor)
    d.causal = 1 if causal else 0
    d.scale = 0.0 if scale is None else float(scale)
    d.cache_write = 1 if cache_write else 0
    d.with_lse = 1 if return_lse else 0
    if return_stats not in (True, False):
        raise ValueError("the AIC layer's statistics are [B, Hq, 2] "
                         "(decisions, skipped): return_stats must be True or "
                         f"False, got {return_stats!r}")
    d.with_stats = 1 if return_stats else 0
    d.text_format = 1 if text else 0
    out_dir = os.fspath(out_dir)
    _check(lib.skipattn_aic_export_layer(ctypes.byref(d), out_dir.encode()))
    return {name: os.path.join(out_dir, name)
            for name in ("model.onnx", "specializations.json", "custom_io.yaml")}
