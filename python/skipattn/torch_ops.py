"""The PyTorch operator `torch.ops.skipattn.attention`.

A `torch.library` custom op with CPU and CUDA kernels and a fake (meta)
implementation, so that it traces under `torch.compile` and records into CUDA
graphs (the CUDA kernel only enqueues work on the current stream: no host
synchronisation, no allocation besides the outputs, which come from the
caching allocator). Forward only: no autograd formula is registered.

    out, lse, stats = torch.ops.skipattn.attention(
        q, k, v, causal, scale, factor, factors, min_keep_blocks, kv_lens,
        return_lse, return_stats, page_table=None, q_lens=None,
        v_loads=False)

`factor` is a compiled-in float (or None), `factors` a runtime tensor (or
None); lse/stats are empty tensors when not asked for (stats [B, Hq, 4]
with the V loads when v_loads); with a page_table,
k and v are page caches seen as [pages, Hkv, page_size, D] (see
`skipattn.paged_attention`); q_lens makes a left-padded batch. Most code calls
`skipattn.attention`, which uses this operator while compiling and a direct
path (less dispatch overhead) in eager mode.
"""

from typing import Optional, Tuple

import torch

from . import _api

Tensor = torch.Tensor


@torch.library.custom_op("skipattn::attention", mutates_args=())
def _attention(q: Tensor, k: Tensor, v: Tensor, causal: bool,
               scale: Optional[float], factor: Optional[float],
               factors: Optional[Tensor], min_keep_blocks: int,
               kv_lens: Optional[Tensor], return_lse: bool,
               return_stats: bool, page_table: Optional[Tensor] = None,
               q_lens: Optional[Tensor] = None, v_loads: bool = False
               ) -> Tuple[Tensor, Tensor, Tensor]:
    raise NotImplementedError(
        f"skipattn::attention has no kernel for device {q.device.type!r} "
        "(cpu and cuda)")


def _run(q, k, v, causal, scale, factor, factors, min_keep_blocks, kv_lens,
         return_lse, return_stats, page_table, q_lens, v_loads):
    if factor is not None and factors is not None:
        raise ValueError("give either a scalar factor or a factor tensor")
    given = factors if factors is not None else factor
    # Statistics columns: 2, or 4 with the V loads.
    if return_stats:
        return_stats = 4 if v_loads else 2
    # A signature the eager path has seen launches without its checks.
    res = _api._fast_attention(q, k, v, causal, scale, given, min_keep_blocks,
                               None, kv_lens, page_table, q_lens, return_lse,
                               return_stats)
    if res is not None:
        out, lse, stats = res
    else:
        out, lse, stats = _api._attention_impl(
            q, k, v, causal, scale, given, min_keep_blocks, kv_lens,
            return_lse, return_stats, page_table=page_table, q_lens=q_lens)
    # A custom op returns fresh tensors, never None: empty ones stand in.
    if lse is None:
        lse = q.new_empty((0,), dtype=torch.float32)
    if stats is None:
        stats = q.new_empty((0,), dtype=torch.int64)
    return out, lse, stats


@_attention.register_kernel("cpu")
def _attention_cpu(q, k, v, causal, scale, factor, factors,
                   min_keep_blocks, kv_lens, return_lse, return_stats,
                   page_table=None, q_lens=None, v_loads=False):
    return _run(q, k, v, causal, scale, factor, factors, min_keep_blocks,
                kv_lens, return_lse, return_stats, page_table, q_lens, v_loads)


@_attention.register_kernel("cuda")
def _attention_cuda(q, k, v, causal, scale, factor, factors,
                    min_keep_blocks, kv_lens, return_lse, return_stats,
                    page_table=None, q_lens=None, v_loads=False):
    return _run(q, k, v, causal, scale, factor, factors, min_keep_blocks,
                kv_lens, return_lse, return_stats, page_table, q_lens, v_loads)


@_attention.register_fake
def _attention_fake(q, k, v, causal, scale, factor, factors, min_keep_blocks,
                    kv_lens, return_lse, return_stats, page_table=None,
                    q_lens=None, v_loads=False):
    if q.dim() != 4 or k.dim() != 4 or v.dim() != 4:
        raise ValueError("q, k and v must be 4-D [batch, heads, seq, dim]")
    B, Hq, Sq, _ = q.shape
    out = q.new_empty((B, Hq, Sq, v.shape[3]))
    lse = q.new_empty((B, Hq, Sq) if return_lse else (0,), dtype=torch.float32)
    stats = q.new_empty((B, Hq, 4 if v_loads else 2) if return_stats else (0,),
                        dtype=torch.int64)
    return out, lse, stats


def use_operator():
    """Go through the operator while torch.compile traces; eager calls take
    the direct path."""
    compiler = getattr(torch, "compiler", None)
    return bool(compiler and compiler.is_compiling())


def call_operator(q, k, v, causal, scale, factor, min_keep_blocks, kv_lens,
                  return_lse, return_stats, page_table=None, q_lens=None):
    scalar, tensor = None, None
    if isinstance(factor, Tensor):
        tensor = factor
    elif factor is not None:
        scalar = float(factor)
    return torch.ops.skipattn.attention(
        q, k, v, bool(causal), scale, scalar, tensor, int(min_keep_blocks),
        kv_lens, bool(return_lse), bool(return_stats), page_table=page_table,
        q_lens=q_lens, v_loads=_api._stats_columns(return_stats) == 4)
