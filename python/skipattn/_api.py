"""skipattn.attention on NumPy arrays and PyTorch tensors, through the C API.

The hot path of a repeated call is: a tuple key into a dict of compiled
kernels, one argument struct, one C call. Everything that can be checked
without touching tensor data is checked here or in the library, so that bad
calls raise exceptions instead of crashing the interpreter.
"""

import ctypes
import math
import numbers
import threading

from . import _capi

__all__ = [
    "Context", "SkipAttnError", "InvalidArgumentError", "UnsupportedError",
    "CompileError", "CUDAError", "attention", "kernel_info",
    "default_context", "set_default_context",
]


class SkipAttnError(RuntimeError):
    """A failed call into libskipattn_c; `status` is the C status code."""

    def __init__(self, message, status=_capi.INTERNAL):
        super().__init__(message)
        self.status = status


class InvalidArgumentError(SkipAttnError, ValueError):
    pass


class UnsupportedError(SkipAttnError, NotImplementedError):
    pass


class CompileError(SkipAttnError):
    pass


class CUDAError(SkipAttnError):
    pass


_ERRORS = {
    _capi.INVALID_ARGUMENT: InvalidArgumentError,
    _capi.UNSUPPORTED: UnsupportedError,
    _capi.COMPILE: CompileError,
    _capi.CUDA: CUDAError,
}

_lib = None
_lib_lock = threading.RLock()  # default_context() loads the library under it


def _library():
    global _lib
    if _lib is None:
        with _lib_lock:
            if _lib is None:
                _lib = _capi.load_library()
    return _lib


def _check(status):
    if status != _capi.SKIPATTN_OK:
        msg = _library().skipattn_last_error().decode(errors="replace")
        raise _ERRORS.get(status, SkipAttnError)(msg, status)


def _bytes(s):
    return None if s is None else str(s).encode()


class Context:
    """A compiler context: caches, toolchain and instrumentation options.

    cache_dir: CUDA kernel disk cache (default $SKIPATTN_CACHE_DIR or
    ~/.cache/skipattn); cuda_toolkit: root holding bin/ptxas; chip:
    "sm_90a" or "sm_100a" (default: the GPU's; another chip cross-compiles
    kernels that a launch on this GPU refuses); dump_ir_dir: write the IR after every
    pass of every compile below this directory; pass_timing: print pass
    timing; verbosity: 1 reports compiles, 2 every launch (on stderr).
    """

    def __init__(self, cache_dir=None, cuda_toolkit=None, chip=None,
                 use_disk_cache=True, verbosity=0, dump_ir_dir=None,
                 pass_timing=False):
        lib = _library()
        opts = _capi.ContextOptions()
        lib.skipattn_context_options_init(ctypes.byref(opts))
        self._keep = [_bytes(cache_dir), _bytes(cuda_toolkit), _bytes(chip),
                      _bytes(dump_ir_dir)]
        opts.cache_dir, opts.cuda_toolkit, opts.chip, opts.dump_ir_dir = self._keep
        opts.use_disk_cache = 1 if use_disk_cache else 0
        opts.verbosity = int(verbosity)
        opts.pass_timing = 1 if pass_timing else 0
        handle = ctypes.c_void_p()
        _check(lib.skipattn_context_create(ctypes.byref(opts), ctypes.byref(handle)))
        self._handle = handle
        self._kernels = {}
        # Repeated eager torch calls: call signature -> what a launch needs
        # (see _fast_attention).
        self._fast = {}
        # Split-KV kernels: bytes of workspace per kernel, and one zeroed
        # workspace per (kernel, stream), which every launch leaves zeroed.
        self._workspace_bytes = {}
        self._workspaces = {}
        self._lock = threading.Lock()

    def close(self):
        """Destroys the context. Safe while other threads are calling into
        it: calls already inside the library finish, later ones raise
        SkipAttnError (the C API rejects destroyed handles)."""
        lock = getattr(self, "_lock", None)
        if lock is None:
            return
        with lock:
            handle, self._handle = getattr(self, "_handle", None), None
            self._kernels = {}
            self._fast = {}
        if handle:
            _library().skipattn_context_destroy(handle)

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def _kernel(self, key, desc):
        k = self._kernels.get(key)
        if k is None:
            ctx = self._handle
            if not ctx:
                raise SkipAttnError("this skipattn.Context is closed")
            handle = ctypes.c_void_p()
            _check(_library().skipattn_kernel_get(ctx, ctypes.byref(desc),
                                                  ctypes.byref(handle)))
            k = handle.value
            info = _capi.KernelInfo()
            info.struct_size = ctypes.sizeof(info)
            _check(_library().skipattn_kernel_get_info(k, ctypes.byref(info)))
            with self._lock:
                self._kernels[key] = k
                self._workspace_bytes[k] = info.workspace_bytes
        return k

    def _workspace(self, kernel, tq, stream):
        """(pointer, bytes) of a zeroed workspace for a split-KV CUDA kernel
        on `stream`, or (None, 0). Under graph capture a fresh one is
        allocated in the capture (a memset node zeroes it at every replay);
        like any temporary of a captured region, the allocator reuses its
        memory only in stream order."""
        need = self._workspace_bytes.get(kernel, 0)
        if not need or tq.device != "cuda":
            return None, 0
        import torch
        if torch.cuda.is_current_stream_capturing():
            buf = torch.zeros(need, dtype=torch.uint8, device=tq.obj.device)
            return buf.data_ptr(), need
        buf = self._workspaces.get((kernel, stream))
        if buf is None:
            buf = torch.zeros(need, dtype=torch.uint8, device=tq.obj.device)
            with self._lock:
                self._workspaces[(kernel, stream)] = buf
        return buf.data_ptr(), need


_default = None


def default_context():
    global _default
    if _default is None:
        with _lib_lock:
            if _default is None:
                _default = Context()
    return _default


def set_default_context(ctx):
    """Makes `ctx` the context of calls that do not name one."""
    global _default
    if not isinstance(ctx, Context):
        raise TypeError("set_default_context expects a skipattn.Context")
    _default = ctx


# -- tensors ----------------------------------------------------------------

class _T:
    """What the C API needs of one array or tensor."""
    __slots__ = ("obj", "device", "index", "dtype", "shape", "strides", "ptr")


def _is_real(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _is_torch(x):
    return type(x).__module__.startswith("torch")


def _dtype_code(name):
    return {"float32": _capi.DTYPE_F32, "float16": _capi.DTYPE_F16,
            "bfloat16": _capi.DTYPE_BF16}.get(name)


def _wrap(x, what):
    t = _T()
    t.obj = x
    if _is_torch(x):
        t.device = x.device.type
        t.index = x.device.index or 0
        t.dtype = str(x.dtype).replace("torch.", "")
        t.shape = tuple(x.shape)
        t.strides = tuple(x.stride())
        t.ptr = x.data_ptr()
    elif hasattr(x, "__array_interface__") and hasattr(x, "strides"):
        t.device = "cpu"
        t.index = 0
        t.dtype = x.dtype.name
        t.shape = tuple(x.shape)
        item = x.dtype.itemsize
        t.strides = tuple(s // item for s in x.strides)
        if any(s % item for s in x.strides):
            raise ValueError(f"{what}: strides are not a multiple of the element size")
        t.ptr = x.__array_interface__["data"][0]
    else:
        raise TypeError(f"{what} must be a NumPy array or a torch.Tensor, "
                        f"got {type(x).__name__}")
    return t


def _new_like(t, shape, dtype):
    """An uninitialised array/tensor on t's device."""
    if _is_torch(t.obj):
        import torch
        dt = {"float32": torch.float32, "int64": torch.int64}.get(dtype, t.obj.dtype)
        return torch.empty(shape, dtype=dt, device=t.obj.device)
    import numpy as np
    dt = np.dtype(dtype) if dtype in ("float32", "int64") else t.obj.dtype
    return np.empty(shape, dtype=dt)


def _as(t, dtype, what):
    """t as a contiguous `dtype` (int32/float32) object on the same device."""
    x = t.obj
    if _is_torch(x):
        import torch
        want = getattr(torch, dtype)
        if x.dtype != want:
            if x.is_floating_point() != (dtype == "float32"):
                raise TypeError(f"{what} must be {dtype}, got {x.dtype}")
            x = x.to(want)
        x = x.contiguous()
    else:
        import numpy as np
        x = np.asarray(x)
        if (x.dtype.kind == "f") != (dtype == "float32"):
            raise TypeError(f"{what} must be {dtype}, got {x.dtype}")
        x = np.ascontiguousarray(x, dtype=dtype)
    return _wrap(x, what)


def _int32_on(x, what, tq, shape, upper):
    """An int32 buffer of `x` (of `shape`) on q's device. Host values are
    checked before narrowing (2**32 + 10 must not run as 10); device values
    are not read (no sync): clamped into [0, upper] before narrowing."""
    t = _wrap(x, what)
    if t.shape != shape:
        raise ValueError(f"{what} must have shape {shape}, got {t.shape}")
    if t.device != tq.device or t.index != tq.index:
        raise ValueError(f"{what} must be on q's device")
    if t.device == "cpu":
        vals = t.obj.reshape(-1).tolist()
        if any(isinstance(v, float) or v < 0 or v > upper for v in vals):
            raise ValueError(f"{what} must be integers in [0, {upper}], "
                             f"got {vals[:16]}")
    elif _is_torch(t.obj) and t.dtype != "int32" and \
            not t.obj.is_floating_point():
        t = _wrap(t.obj.clamp(0, upper), what)
    return _as(t, "int32", what)


def _stats_columns(return_stats):
    """Columns of the statistics a call asks for: 0 (False), 2 (True:
    decisions, skipped) or 4 ("v_loads": also the V block loads and those
    a skip left out). 2 and 4 stand for themselves."""
    if return_stats is True:
        return 2
    if return_stats is None or return_stats is False:
        return 0
    if isinstance(return_stats, str):
        if return_stats == "v_loads":
            return 4
    elif isinstance(return_stats, int) and return_stats in (0, 2, 4):
        return return_stats
    raise ValueError("return_stats must be False, True (stats [B, Hq, 2]) or "
                     f"'v_loads' (stats [B, Hq, 4]), got {return_stats!r}")


def _prepare(q, k, v, causal, scale, factor, min_keep_blocks, kv_lens,
             return_lse, return_stats, context, page_table=None,
             q_lens=None):
    """Checks the call; returns the kernel, the wrapped q/k/v, the output
    shape and the factor, length and page-table buffers. With a page table,
    k and v are page caches seen as [pages, Hkv, page_size, D]."""
    cols = _stats_columns(return_stats)
    tq, tk, tv = _wrap(q, "q"), _wrap(k, "k"), _wrap(v, "v")
    for name, t in (("q", tq), ("k", tk), ("v", tv)):
        if len(t.shape) != 4:
            raise ValueError(f"{name} must be 4-D [batch, heads, seq, dim], "
                             f"got shape {t.shape}")
    if not (_is_torch(q) == _is_torch(k) == _is_torch(v)):
        raise TypeError("q, k and v must all be NumPy arrays or all torch tensors")
    if not (tq.device == tk.device == tv.device and tq.index == tk.index == tv.index):
        raise ValueError(f"q, k and v must be on one device, got "
                         f"{tq.device}:{tq.index}, {tk.device}:{tk.index}, "
                         f"{tv.device}:{tv.index}")
    if not (tq.dtype == tk.dtype == tv.dtype):
        raise TypeError(f"q, k and v must share a dtype, got {tq.dtype}, "
                        f"{tk.dtype}, {tv.dtype}")
    code = _dtype_code(tq.dtype)
    if code is None:
        raise TypeError(f"unsupported dtype {tq.dtype} (float32, float16 or bfloat16)")
    if tq.device not in ("cpu", "cuda"):
        raise ValueError(f"unsupported device {tq.device!r} (cpu or cuda)")
    B, Hq, Sq, D = tq.shape
    _, Hkv, Skv, _ = tk.shape
    tbuf, pages, page_size = None, 0, 0
    if page_table is not None:
        # Skv counts logical keys: the table's columns times the page size.
        pages, page_size = tk.shape[0], Skv
        if tv.shape[0] != pages or tv.shape[1] != Hkv or \
                tv.shape[2] != page_size or tk.shape[3] != D:
            raise ValueError(f"incompatible page caches k {tk.shape}, v "
                             f"{tv.shape} for q {tq.shape}: expected "
                             f"[pages, Hkv, page_size, D] views of both")
        tt = _wrap(page_table, "page_table")
        if len(tt.shape) != 2 or tt.shape[0] != B:
            raise ValueError(f"page_table must have shape ({B}, max_pages), "
                             f"got {tt.shape}")
        Skv = tt.shape[1] * page_size
        if page_size == 0 or pages == 0:
            raise ValueError("a paged KV cache needs pages and rows per page")
        # Entries are checked at launch (host) or are the caller's contract
        # (device, see skipattn.h); int32 narrowing must not wrap them.
        if tt.device == "cpu":
            vals = tt.obj.reshape(-1).tolist()
            if any(isinstance(x, float) or not -2**31 <= x < 2**31 for x in vals):
                raise ValueError("page_table entries must be int32 page indices")
        if tt.device != tq.device or tt.index != tq.index:
            raise ValueError("page_table must be on q's device")
        tbuf = _as(tt, "int32", "page_table")
    elif tk.shape[0] != B or tv.shape[0] != B or tv.shape[1] != Hkv or \
            tv.shape[2] != Skv or tk.shape[3] != D:
        raise ValueError(f"incompatible shapes q {tq.shape}, k {tk.shape}, "
                         f"v {tv.shape}: expected q [B, Hq, Sq, D], "
                         f"k [B, Hkv, Skv, D], v [B, Hkv, Skv, Dv]")
    Dv = tv.shape[3]
    # Any real number (Python, NumPy or 0-d scalars alike); bools are not.
    if scale is not None:
        if not _is_real(scale) or not (math.isfinite(float(scale)) and float(scale) > 0):
            raise ValueError(f"scale must be a positive finite number, got {scale!r}")
        scale = float(scale)
    if isinstance(min_keep_blocks, bool) or \
            not isinstance(min_keep_blocks, numbers.Integral) or min_keep_blocks < 0:
        raise ValueError(f"min_keep_blocks must be an int >= 0, got {min_keep_blocks!r}")
    min_keep_blocks = int(min_keep_blocks)
    if B * Hq * Sq * Dv == 0 or Skv == 0:
        # Nothing to compute (as torch SDPA: an empty result), or no keys: a
        # row that sees no key outputs 0 with log-sum-exp -inf.
        return None, tq, tk, tv, (B, Hq, Sq, Dv), None, None, None, None

    # Factor values are checked by the library, one rule for every caller:
    # a compiled-in factor must be finite and >= 0; runtime factors must be
    # finite, one <= 0 is dense (host values checked at launch, skipattn.h).
    scalar, layout, fbuf = 0.0, _capi.FACTOR_NONE, None
    if factor is None:
        pass
    elif _is_real(factor):
        scalar = float(factor)
    else:
        ft = _wrap(factor, "skip_softmax_threshold_scale_factor")
        if ft.device != tq.device or ft.index != tq.index:
            raise ValueError("the skip factor tensor must be on q's device")
        shape = ft.shape
        if shape in ((), (1,)):
            layout = _capi.FACTOR_SCALAR
        elif shape == (B,):
            layout = _capi.FACTOR_PER_SEQUENCE
        elif shape == (1, Hq):
            layout = _capi.FACTOR_PER_HEAD
        elif shape == (B, Hq):
            layout = _capi.FACTOR_PER_SEQUENCE_HEAD
        else:
            raise ValueError(
                f"skip factor tensor of shape {shape}: use () or (1,) for one "
                f"value, ({B},) per sequence, (1, {Hq}) per head or ({B}, {Hq})")
        fbuf = _as(ft, "float32", "skip_softmax_threshold_scale_factor")
    lbuf = None if kv_lens is None else _int32_on(kv_lens, "kv_lens", tq,
                                                   (B,), Skv)
    qbuf = None if q_lens is None else _int32_on(q_lens, "q_lens", tq,
                                                 (B,), Sq)

    # V inside K (MLA's latent cache): v is a narrower view of k's rows,
    # the same memory; a GPU kernel then loads each block once.
    vink = Dv < D and tv.ptr == tk.ptr and \
        tuple(tv.strides[:3]) == tuple(tk.strides[:3])
    dev = _capi.DEVICE_CUDA if tq.device == "cuda" else _capi.DEVICE_CPU
    key = (vink, dev, tq.index, code, tq.shape, tk.shape, Dv, tq.strides, tk.strides,
           tv.strides, bool(causal), scale, scalar, layout, min_keep_blocks,
           lbuf is not None, bool(return_lse), cols, pages,
           page_size, qbuf is not None)
    ctx = context or default_context()
    kernel = ctx._kernels.get(key)
    if kernel is None:
        desc = _capi.AttentionDesc()
        _library().skipattn_attention_desc_init(ctypes.byref(desc))
        desc.device, desc.device_index, desc.dtype = dev, tq.index, code
        desc.batch, desc.q_heads, desc.kv_heads = B, Hq, Hkv
        desc.q_len, desc.kv_len, desc.head_dim, desc.value_dim = Sq, Skv, D, Dv
        desc.q_strides[:] = tq.strides
        desc.k_strides[:] = tk.strides
        desc.v_strides[:] = tv.strides
        desc.out_strides[:] = (Hq * Sq * Dv, Sq * Dv, Dv, 1)
        desc.causal = 1 if causal else 0
        desc.scale = float(scale) if scale is not None else 0.0
        desc.threshold_scale_factor = scalar
        desc.factor_layout = layout
        desc.min_keep_blocks = min_keep_blocks
        desc.has_kv_lens = 1 if lbuf is not None else 0
        desc.with_lse = 1 if return_lse else 0
        desc.with_stats = cols // 2
        desc.page_size, desc.num_pages = page_size, pages
        desc.has_q_lens = 1 if qbuf is not None else 0
        desc.value_in_key = 1 if vink else 0
        kernel = ctx._kernel(key, desc)
    return kernel, tq, tk, tv, (B, Hq, Sq, Dv), fbuf, lbuf, tbuf, qbuf


def _stream(t):
    if t.device != "cuda":
        return None
    import torch
    return torch.cuda.current_stream(t.obj.device).cuda_stream


def _launch(kernel, tq, tk, tv, out, lse, stats, fbuf, lbuf, stream,
            workspace=(None, 0), tbuf=None, qbuf=None):
    a = _capi.AttentionArgs(ctypes.sizeof(_capi.AttentionArgs), tq.ptr, tk.ptr,
                            tv.ptr, out, lbuf.ptr if lbuf else None,
                            fbuf.ptr if fbuf else None, lse, stats, stream,
                            workspace[0], workspace[1],
                            tbuf.ptr if tbuf else None,
                            qbuf.ptr if qbuf else None)
    _check(_library().skipattn_kernel_launch(kernel, ctypes.byref(a)))


def _ptr(x):
    if x is None:
        return None
    return x.data_ptr() if _is_torch(x) else x.__array_interface__["data"][0]


def _attention_impl(q, k, v, causal=False, scale=None, factor=None,
                    min_keep_blocks=1, kv_lens=None, return_lse=False,
                    return_stats=False, context=None, page_table=None,
                    q_lens=None):
    kernel, tq, tk, tv, oshape, fbuf, lbuf, tbuf, qbuf = _prepare(
        q, k, v, causal, scale, factor, min_keep_blocks, kv_lens, return_lse,
        return_stats, context, page_table, q_lens)
    out = _new_like(tq, oshape, tq.dtype)
    lse = _new_like(tq, oshape[:3], "float32") if return_lse else None
    cols = _stats_columns(return_stats)
    stats = _new_like(tq, oshape[:2] + (cols,), "int64") if cols else None
    if kernel is None:  # an empty call: no kernel, nothing to launch
        out[...] = 0
        if lse is not None:
            lse[...] = -math.inf
        if stats is not None:
            stats[...] = 0
        return out, lse, stats
    stream = _stream(tq)
    ws = (context or default_context())._workspace(kernel, tq, stream)
    _launch(kernel, tq, tk, tv, _ptr(out), _ptr(lse), _ptr(stats), fbuf, lbuf,
            stream, ws, tbuf, qbuf)
    if _is_torch(q):
        _remember_fast(q, k, v, causal, scale, factor, min_keep_blocks,
                       context, kernel, oshape, kv_lens, page_table, q_lens,
                       return_lse, return_stats)
    return out, lse, stats


def attention(q, k, v, *, causal=False, scale=None,
              skip_softmax_threshold_scale_factor=None, min_keep_blocks=1,
              kv_lens=None, q_lens=None, return_lse=False, return_stats=False,
              context=None):
    """Skip-softmax attention, compiled for the call's shapes on first use.

    q [B, Hq, Sq, D], k [B, Hkv, Skv, D], v [B, Hkv, Skv, Dv], contiguous,
    float32/float16/bfloat16: NumPy arrays (CPU) or torch tensors (CPU or
    CUDA; CUDA work goes to the current stream). Hq must be a multiple of
    Hkv (GQA). `causal` aligns the mask bottom-right; `scale` defaults to
    1/sqrt(D).

    skip_softmax_threshold_scale_factor: None or 0 is dense attention. A
    number is compiled into the kernel. An array/tensor is read at run time
    (one kernel serves every value): shape () or (1,) one value, (B,) per
    sequence, (1, Hq) per head, (B, Hq) both. A block is skipped when
    exp(scale * (m_block - m_running)) < factor / kv_len for every row of a
    skip unit; the first `min_keep_blocks` blocks of a tile are kept.

    kv_lens: int32 [B] actual KV lengths (keys past them are masked).
    q_lens: int32 [B], a left-padded batch: sequence b's real queries are
    its last q_lens[b] rows; the rows before see nothing (zeros, lse -inf)
    and take no part in skip decisions, and the causal mask is aligned to
    each sequence (its last real row sees its whole KV length).
    Returns out [B, Hq, Sq, Dv], then lse [B, Hq, Sq] (float32, natural log)
    and stats [B, Hq, 2] (int64: decisions, skipped) when asked for. A
    decision is one skip unit (rows deciding together) against one KV
    block, counted at the head of the unit's first row; units without a row
    that sees a key (padding past Sq, rows the causal mask hides entirely)
    decide nothing and are not counted. A skipped block saves its softmax
    and its P.V product; its V load only where the schedule gates V and
    every unit of the tile skips it. return_stats="v_loads" gives stats
    [B, Hq, 4]: also the V block loads and how many of them were left out
    (on CUDA one per tile and visited block, at the tile's first head; on
    the CPU one per decision; docs/embedding.md).
    """
    res = _fast_attention(q, k, v, causal, scale,
                          skip_softmax_threshold_scale_factor, min_keep_blocks,
                          context, kv_lens, None, q_lens, return_lse,
                          return_stats)
    if res is not None:
        return _result(*res)
    return _checked_call("skipattn.attention", q, k, v, causal, scale,
                         skip_softmax_threshold_scale_factor, min_keep_blocks,
                         kv_lens, return_lse, return_stats, context,
                         q_lens=q_lens)


def _checked_call(what, q, k, v, causal, scale, factor, min_keep_blocks,
                  kv_lens, return_lse, return_stats, context, page_table=None,
                  q_lens=None):
    """The checked path of `attention` and `paged_attention`: torch inputs
    that require grad are refused (forward-only), torch.compile traces the
    operator, everything else runs directly."""
    if _is_torch(q):
        import torch
        if torch.is_grad_enabled() and any(
                getattr(x, "requires_grad", False) for x in (q, k, v)):
            raise RuntimeError(
                f"{what} is forward-only (it has no backward): "
                "inputs that require grad would silently get no gradients. "
                "Call it under torch.no_grad() or torch.inference_mode(), or "
                "pass detached tensors")
        from . import torch_ops
        if torch_ops.use_operator():
            out, lse, stats = torch_ops.call_operator(
                q, k, v, causal, scale, factor, min_keep_blocks, kv_lens,
                return_lse, return_stats, page_table=page_table,
                q_lens=q_lens)
            return _result(out, lse if return_lse else None,
                           stats if return_stats else None)
    out, lse, stats = _attention_impl(
        q, k, v, causal, scale, factor, min_keep_blocks, kv_lens, return_lse,
        return_stats, context, page_table=page_table, q_lens=q_lens)
    return _result(out, lse, stats)


_torch = None  # the torch module, once a torch call has been seen


_NOT_FAST = object()


def _fast_factor(factor, q):
    """The fast path's view of a factor: (key part, pointer to pass), or
    _NOT_FAST. A number is part of the kernel; a float32 contiguous tensor
    on q's device is read at run time (its shape picks the kernel's factor
    layout, its values are the launch's); anything else (another dtype, a
    view, NumPy) goes through the slow path's conversion."""
    if factor is None or _is_real(factor):
        return factor, None
    torch = _torch
    if type(factor) is torch.Tensor and factor.dtype == torch.float32 and \
            factor.is_contiguous() and factor.device == q.device:
        return ("tensor", tuple(factor.shape)), factor.data_ptr()
    return _NOT_FAST


def _fast_ints(q, x):
    """The fast path's view of an int32 launch buffer (lengths, a page
    table): (key part, pointer), None when absent, or _NOT_FAST. Only an
    int32 contiguous tensor on q's device passes as it is (its values are
    the launch's: checked by the library on the CPU, the caller's contract
    on the GPU, as on the slow path); anything else takes the slow path's
    conversion."""
    if x is None:
        return None, None
    torch = _torch
    if type(x) is torch.Tensor and x.dtype == torch.int32 and \
            x.is_contiguous() and x.device == q.device:
        return tuple(x.shape), x.data_ptr()
    return _NOT_FAST


def _fast_key(q, k, v, causal, scale, factor, min_keep_blocks, ints, kp, vp,
              outs=0):
    # Everything the slow path's checks and the kernel depend on; any
    # change of shape, strides, dtype or device is a different key.
    # `factor` is _fast_factor's key part, `ints` the shapes of the
    # lengths, page table and query lengths (None if absent), kp and vp
    # K's and V's addresses (V inside K is another kernel), `outs` the
    # extra outputs (1: lse, 2: stats; another kernel too).
    return (q.shape, k.shape, v.shape, q.stride(), k.stride(), v.stride(),
            q.dtype, k.dtype, v.dtype, q.device, k.device, v.device,
            causal, scale, factor, min_keep_blocks, ints, kp == vp, outs)


def _extra_outputs(return_lse, return_stats):
    """The extra outputs' part of a fast-path key: 1 lse, 2 or 4 the
    statistics' columns."""
    return (1 if return_lse else 0) | _stats_columns(return_stats)


_NO_INTS = (None, None, None)
_pack_args = _capi.ARGS_PACKING.pack
_raw_launch = None  # _capi.raw_launch(_lib), once a call was remembered


def _fast_attention(q, k, v, causal, scale, factor, min_keep_blocks, context,
                    kv_lens=None, page_table=None, q_lens=None,
                    return_lse=False, return_stats=False):
    """The cached eager torch call: a dict lookup on the call's signature,
    an output allocation and one C launch. None when the call is not one
    (NumPy, a factor or length tensor that needs converting, autograd or
    tracing, or not seen before); the slow path then checks everything and
    records the signature. Every step here is on the host's critical path
    of a decode step: the common case (no lengths, a number or no factor)
    takes no helper calls. Returns (out, lse, stats), None for an output
    not asked for."""
    torch = _torch
    if torch is None or type(q) is not torch.Tensor:
        return None
    # Under torch.compile the checked path traces the operator.
    if torch.compiler.is_compiling():
        return None
    if factor is None or _is_real(factor):
        fkey, fptr = factor, 0
    else:
        fast = _fast_factor(factor, q)
        if fast is _NOT_FAST:
            return None
        fkey, fptr = fast
        fptr = fptr or 0
    if kv_lens is None and page_table is None and q_lens is None:
        ikey, lens, table, qlens = _NO_INTS, 0, 0, 0
    else:
        ints = [_fast_ints(q, x) for x in (kv_lens, page_table, q_lens)]
        if _NOT_FAST in ints:
            return None
        ikey = tuple(i[0] for i in ints)
        lens, table, qlens = (i[1] or 0 for i in ints)
    if torch.is_grad_enabled() and (q.requires_grad or k.requires_grad or
                                    v.requires_grad):
        return None
    ctx = context or _default
    if ctx is None:
        return None
    kp, vp = k.data_ptr(), v.data_ptr()
    entry = ctx._fast.get(_fast_key(
        q, k, v, causal, scale, fkey, min_keep_blocks, ikey, kp, vp,
        _extra_outputs(return_lse, return_stats)))
    if entry is None:
        return None
    kernel, oshape, device, index, need, like_q = entry
    stream = torch._C._cuda_getCurrentRawStream(index) if index >= 0 else 0
    ws = 0
    if need:
        # Split-KV: the stream's workspace, once the slow path made one
        # (and never under capture, where the slow path allocates its own).
        buf = ctx._workspaces.get((kernel.value, stream))
        if buf is None or torch.cuda.is_current_stream_capturing():
            return None
        ws = buf.data_ptr()
    # The output is contiguous [B, Hq, Sq, Dv]: like a contiguous q when
    # Dv = D (cheaper than naming shape, dtype and device).
    out = torch.empty_like(q) if like_q else \
        torch.empty(oshape, dtype=q.dtype, device=device)
    # The library zeroes the statistics on the stream before the kernel.
    lse = stats = None
    lp = sp = 0
    if return_lse:
        lse = torch.empty(oshape[:3], dtype=torch.float32, device=device)
        lp = lse.data_ptr()
    if return_stats:
        cols = 2 if return_stats is True else _stats_columns(return_stats)
        stats = torch.empty(oshape[:2] + (cols,), dtype=torch.int64,
                            device=device)
        sp = stats.data_ptr()
    status = _raw_launch(kernel, _pack_args(
        _ARGS_SIZE, q.data_ptr(), kp, vp, out.data_ptr(), lens, fptr, lp, sp,
        stream, ws, need, table, qlens))
    if status:
        _check(status)
    return out, lse, stats


_ARGS_SIZE = ctypes.sizeof(_capi.AttentionArgs)


def _remember_fast(q, k, v, causal, scale, factor, min_keep_blocks, context,
                   kernel, oshape, kv_lens=None, page_table=None, q_lens=None,
                   return_lse=False, return_stats=False):
    """Records a checked eager torch call for _fast_attention."""
    global _torch, _raw_launch
    import torch
    # The launch function first: _fast_attention runs once _torch is set.
    if _raw_launch is None:
        _raw_launch = _capi.raw_launch(_library())
    _torch = torch
    fast = _fast_factor(factor, q)
    ints = [_fast_ints(q, x) for x in (kv_lens, page_table, q_lens)]
    if fast is _NOT_FAST or _NOT_FAST in ints or kernel is None:
        return
    ctx = context or default_context()
    index = (q.device.index or 0) if q.device.type == "cuda" else -1
    key = _fast_key(q, k, v, causal, scale, fast[0], min_keep_blocks,
                    tuple(i[0] for i in ints), k.data_ptr(), v.data_ptr(),
                    _extra_outputs(return_lse, return_stats))
    like_q = q.is_contiguous() and tuple(q.shape) == tuple(oshape)
    with ctx._lock:
        if ctx._handle:
            ctx._fast[key] = (ctypes.c_void_p(kernel), oshape, q.device, index,
                              ctx._workspace_bytes.get(kernel, 0), like_q)


def _result(out, lse, stats):
    if lse is None and stats is None:
        return out
    return (out,) + tuple(x for x in (lse, stats) if x is not None)


def kernel_info(q, k, v, *, causal=False, scale=None,
                skip_softmax_threshold_scale_factor=None, min_keep_blocks=1,
                kv_lens=None, q_lens=None, return_lse=False,
                return_stats=False, context=None, page_table=None):
    """Compiles (or fetches) the kernel `attention` would use for these
    arguments and describes it: cache key, where it came from, compile time
    and the tiling (block_q, block_kv, heads_per_tile, skip_unit,
    kv_splits) that fixes which rows decide together. With page_table, k
    and v are page caches seen as [pages, Hkv, page_size, D] (the view
    `paged_attention` passes)."""
    kernel, *_ = _prepare(q, k, v, causal, scale,
                          skip_softmax_threshold_scale_factor, min_keep_blocks,
                          kv_lens, return_lse, return_stats, context,
                          page_table, q_lens)
    if kernel is None:
        raise ValueError("an empty call (a zero size) compiles no kernel")
    info = _capi.KernelInfo()
    info.struct_size = ctypes.sizeof(info)
    _check(_library().skipattn_kernel_get_info(kernel, ctypes.byref(info)))
    return {"cache_key": info.cache_key.decode(), "source": info.source.decode(),
            "compile_ms": info.compile_ms, "block_q": info.block_q,
            "block_kv": info.block_kv, "heads_per_tile": info.heads_per_tile,
            "skip_unit": info.skip_unit, "kv_splits": info.kv_splits}
