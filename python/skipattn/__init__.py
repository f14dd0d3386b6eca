"""skipattn: skip-softmax attention compiled by an MLIR compiler, in process.

    import skipattn
    out = skipattn.attention(q, k, v, causal=True,
                             skip_softmax_threshold_scale_factor=1000.0)

Works on NumPy arrays (CPU JIT) and PyTorch tensors (CPU, or CUDA on
Hopper). Kernels are compiled on first use for the call's shapes and cached
(in memory, and for CUDA on disk). With PyTorch, the custom operator
`torch.ops.skipattn.attention` is registered for torch.compile and CUDA
graphs. The shared library libskipattn_c is found through
$SKIPATTN_LIBRARY, the package directory, the Python prefix or the loader.
"""

import sys

from ._api import (CompileError, Context, CUDAError, InvalidArgumentError,
                   SkipAttnError, UnsupportedError, attention,
                   default_context, kernel_info, set_default_context)
from .calibration import Calibration, calibrate, measure_sparsity
from .mla import mla_decode
from .paged import (batch_decode_with_kv_cache, batch_prefill_with_kv_cache,
                    page_table_from_indptr, paged_attention)

__version__ = "0.3.0"


def library_version():
    """Version of the loaded libskipattn_c."""
    from ._api import _library
    return _library().skipattn_version().decode()


# With PyTorch already imported, register the operator now so that
# torch.ops.skipattn.attention exists before the first call.
if "torch" in sys.modules:
    from . import torch_ops  # noqa: F401
