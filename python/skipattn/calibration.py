"""Calibration: the threshold scale factor that gives a target block sparsity.

Skip-softmax skips a KV block when exp(scale * (m_block - m_running)) <
factor / L for every row of a skip unit, so the block sparsity a factor
gives depends on the data. TensorRT-LLM models it per phase as

    factor = a * exp(b * sparsity),

fitted to measured sparsities. `calibrate` does the same with our kernels:
it runs the sample inputs at a log-spaced sweep of factors (one compiled
kernel: the factor is a runtime value), fits a and b by least squares on
ln(factor) against the measured sparsity (weighted towards the target),
and refines the fit with the sparsity measured at its own answer. Call it
once per phase (prefill-shaped and decode-shaped samples), and per layer if
layers differ.
"""

import math

import numpy as np

from ._api import attention

__all__ = ["Calibration", "calibrate", "measure_sparsity"]


class Calibration:
    """The fitted curve `factor = a * exp(b * sparsity)` and the factor for
    the target; `points` holds the (factor, measured sparsity) pairs."""

    def __init__(self, a, b, target, factor, sparsity, points):
        self.a, self.b = a, b
        self.target = target
        self.factor = factor            # for the target
        self.sparsity = sparsity        # measured at `factor` on the samples
        self.points = points

    def factor_for(self, sparsity):
        """The curve's factor for another sparsity (0 < sparsity < 1)."""
        return self.a * math.exp(self.b * sparsity)

    def __repr__(self):
        return (f"Calibration(factor={self.factor:.6g} for sparsity "
                f"{self.target:.3f} (measured {self.sparsity:.3f}), "
                f"a={self.a:.6g}, b={self.b:.6g})")


def _as_sample(s):
    if isinstance(s, dict):
        return s["q"], s["k"], s["v"], s.get("kv_lens")
    if len(s) == 3:
        return s[0], s[1], s[2], None
    q, k, v, lens = s
    return q, k, v, lens


def _factor_value(q, factor):
    """The factor as a runtime value on q's device, so that every factor of
    the sweep runs the same compiled kernel."""
    if type(q).__module__.startswith("torch"):
        import torch
        return torch.tensor(factor, dtype=torch.float32, device=q.device)
    return np.array(factor, dtype=np.float32)


def measure_sparsity(samples, factor, *, causal=False, scale=None,
                     min_keep_blocks=1, context=None):
    """Skipped / total block decisions over `samples` at `factor`.

    samples: (q, k, v) or (q, k, v, kv_lens) tuples or dicts with those
    keys; NumPy arrays or torch tensors, as `skipattn.attention` takes."""
    skipped = total = 0
    for s in samples:
        q, k, v, lens = _as_sample(s)
        _, stats = attention(q, k, v, causal=causal, scale=scale,
                             skip_softmax_threshold_scale_factor=_factor_value(q, factor),
                             min_keep_blocks=min_keep_blocks, kv_lens=lens,
                             return_stats=True, context=context)
        if type(stats).__module__.startswith("torch"):
            stats = stats.cpu().numpy()
        total += int(stats[..., 0].sum())
        skipped += int(stats[..., 1].sum())
    if total == 0:
        raise ValueError("the samples make no skip decisions (is every KV "
                         "length within the first kept blocks?)")
    return skipped / total


def _fit(points, target, width=0.15):
    """Weighted least squares of ln(factor) = ln(a) + b * sparsity over the
    points strictly inside (0, 1), weighted towards the target."""
    inner = [(f, s) for f, s in points if 0.005 < s < 0.995]
    if len(inner) < 2:
        return None
    s = np.array([p[1] for p in inner])
    y = np.log([p[0] for p in inner])
    w = np.exp(-((s - target) / width) ** 2) + 1e-3
    A = np.stack([np.ones_like(s), s], axis=1) * np.sqrt(w)[:, None]
    (ln_a, b), *_ = np.linalg.lstsq(A, y * np.sqrt(w), rcond=None)
    if not b > 0:  # sparsity must grow with the factor
        return None
    return math.exp(ln_a), b


def calibrate(samples, target_sparsity, *, causal=False, scale=None,
              min_keep_blocks=1, factors=None, refine=3, context=None):
    """The factor that gives `target_sparsity` (a fraction of block
    decisions skipped, 0 < target < 1) on `samples`, fitted as
    `factor = a * exp(b * sparsity)`; returns a Calibration.

    samples: (q, k, v) or (q, k, v, kv_lens) tuples (or dicts) shaped like
    the calls to calibrate for (prefill or decode). factors: the sweep
    (default log-spaced over [1e-3, 1e7]). Options as in
    `skipattn.attention`."""
    if not (isinstance(target_sparsity, (int, float)) and
            0 < target_sparsity < 1):
        raise ValueError(f"target_sparsity must lie in (0, 1), got {target_sparsity!r}")
    samples = list(samples)
    if not samples:
        raise ValueError("calibrate needs at least one sample")
    kw = dict(causal=causal, scale=scale, min_keep_blocks=min_keep_blocks,
              context=context)
    sweep = factors if factors is not None else np.logspace(-3, 7, 21)
    points = [(float(f), measure_sparsity(samples, float(f), **kw)) for f in sweep]
    reachable = max(s for _, s in points)
    if reachable < target_sparsity:
        raise ValueError(f"the samples reach at most {reachable:.3f} sparsity "
                         f"over the factors tried; target {target_sparsity}")
    fit = None
    factor = sparsity = None
    for _ in range(refine + 1):
        fit = _fit(points, target_sparsity) or fit
        if fit is None:
            raise ValueError("no factor of the sweep gives a sparsity strictly "
                             "between 0 and 1 on these samples; widen `factors`")
        a, b = fit
        factor = a * math.exp(b * target_sparsity)
        sparsity = measure_sparsity(samples, factor, **kw)
        points.append((factor, sparsity))
        if abs(sparsity - target_sparsity) < 0.01:
            break
    return Calibration(fit[0], fit[1], target_sparsity, factor, sparsity, points)
