"""HuggingFace transformers: skip-softmax attention as an attention backend.

    import skipattn.hf
    skipattn.hf.register()                  # once: "skipattn" is now known
    model = AutoModelForCausalLM.from_pretrained(..., attn_implementation="skipattn")
    with skipattn.hf.settings(prefill_factor=1000.0, decode_factor=50.0):
        out = model.generate(...)
    skipattn.hf.statistics()                # per layer: decisions, skipped

Every model whose attention goes through transformers' attention interface
(Llama, Mistral, Qwen2, Gemma, ...) runs on skipattn kernels: the CPU JIT
for CPU tensors, the Hopper kernel for CUDA ones. The factor is per phase
(prefill: more than one query row; decode: one), `min_keep_blocks` applies
to both, and `calibrate` (skipattn.calibrate) finds factors for a target
sparsity. Calls skipattn cannot express exactly — a padding mask, a
sliding window, soft-capping, dropout in training — run torch's SDPA
instead and are counted as fallbacks, so results stay right.
"""

import contextlib
import threading

from ._api import attention

__all__ = ["register", "settings", "configure", "statistics",
           "reset_statistics", "attention_forward"]

_lock = threading.Lock()
_config = {"prefill_factor": 0.0, "decode_factor": 0.0, "min_keep_blocks": 1}
# layer index -> [decisions, skipped] (tensors on the layer's device, so
# that collecting them never synchronises), plus call counts.
_stats = {}
_calls = {"skipattn": 0, "fallback": 0}


def configure(*, prefill_factor=None, decode_factor=None, min_keep_blocks=None):
    """Sets the factors (threshold scale factors; 0 is dense) and the
    blocks always kept, for every later call."""
    with _lock:
        for name, value in (("prefill_factor", prefill_factor),
                            ("decode_factor", decode_factor),
                            ("min_keep_blocks", min_keep_blocks)):
            if value is None:
                continue
            if name == "min_keep_blocks":
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"min_keep_blocks must be an int >= 0, got {value!r}")
            elif not (float(value) >= 0 and float(value) < float("inf")):
                raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
            _config[name] = value if name == "min_keep_blocks" else float(value)


@contextlib.contextmanager
def settings(*, prefill_factor=None, decode_factor=None, min_keep_blocks=None):
    """`configure` for the duration of a `with` block."""
    with _lock:
        saved = dict(_config)
    configure(prefill_factor=prefill_factor, decode_factor=decode_factor,
              min_keep_blocks=min_keep_blocks)
    try:
        yield
    finally:
        with _lock:
            _config.update(saved)


def statistics():
    """{layer index: {"decisions", "skipped", "sparsity"}} since the last
    reset, plus "calls" (skipattn kernel calls and SDPA fallbacks)."""
    with _lock:
        out = {}
        for layer, (decisions, skipped) in sorted(_stats.items()):
            d, s = int(decisions), int(skipped)
            out[layer] = {"decisions": d, "skipped": s,
                          "sparsity": s / d if d else 0.0}
        out["calls"] = dict(_calls)
        return out


def reset_statistics():
    with _lock:
        _stats.clear()
        _calls.update(skipattn=0, fallback=0)


def _tma_ready(t):
    """True when the GPU kernel can read `t` in place: a unit stride on D,
    the others multiples of 8 elements, a 16-byte aligned start."""
    st = t.stride()
    return (st[3] == 1 and all(x % 8 == 0 for x in st[:3])
            and t.data_ptr() % 16 == 0)


def _fallback(module, query, key, value, attention_mask, dropout, scaling,
              is_causal, **kwargs):
    from transformers.integrations.sdpa_attention import sdpa_attention_forward
    with _lock:
        _calls["fallback"] += 1
    return sdpa_attention_forward(module, query, key, value, attention_mask,
                                  dropout=dropout, scaling=scaling,
                                  is_causal=is_causal, **kwargs)


def attention_forward(module, query, key, value, attention_mask, dropout=0.0,
                      scaling=None, is_causal=None, **kwargs):
    """transformers' attention function signature: query [B, Hq, Sq, D],
    key/value [B, Hkv, Skv, D] (not repeated for GQA); returns the output
    as [B, Sq, Hq, D] and no attention weights."""
    training = getattr(module, "training", False)
    if (attention_mask is not None or (dropout and training) or
            kwargs.get("softcap") is not None or
            kwargs.get("sliding_window") is not None or
            kwargs.get("position_bias") is not None or
            kwargs.get("s_aux") is not None):
        return _fallback(module, query, key, value, attention_mask, dropout,
                         scaling, is_causal, **kwargs)
    causal = is_causal if is_causal is not None else getattr(module, "is_causal", True)
    with _lock:
        factor = _config["decode_factor" if query.shape[2] == 1 else "prefill_factor"]
        min_keep = _config["min_keep_blocks"]
    # The projections give [B, S, H, D] tensors viewed as [B, H, S, D]: both
    # targets read such views in place. The GPU's TMA needs 16-byte aligned
    # views with 16-byte strides; anything else is copied.
    if query.is_cuda:
        query, key, value = (x if _tma_ready(x) else x.contiguous()
                             for x in (query, key, value))
    out, stats = attention(
        query, key, value,
        causal=bool(causal), scale=scaling,
        skip_softmax_threshold_scale_factor=factor or None,
        min_keep_blocks=min_keep, return_stats=True)
    totals = stats.sum(dim=(0, 1))
    layer = getattr(module, "layer_idx", None)
    with _lock:
        _calls["skipattn"] += 1
        acc = _stats.get(layer)
        if acc is None or acc[0].device != totals.device:
            _stats[layer] = [totals[0].clone(), totals[1].clone()]
        else:
            acc[0] += totals[0]
            acc[1] += totals[1]
    return out.transpose(1, 2), None


def register(name="skipattn"):
    """Registers the attention function (and SDPA's mask builder, which
    passes no mask when a batch has no padding) under `name`, so that
    `attn_implementation=name` selects it."""
    from transformers import AttentionInterface, AttentionMaskInterface
    from transformers.masking_utils import sdpa_mask
    AttentionInterface.register(name, attention_forward)
    AttentionMaskInterface.register(name, sdpa_mask)
    return name
