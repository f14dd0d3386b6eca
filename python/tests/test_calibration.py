"""skipattn.calibrate: the factor for a target block sparsity, fitted on
calibration inputs and checked on held-out inputs of the same kind."""

import numpy as np
import pytest

import skipattn
from helpers import needs_cpu_jit, structured


def samples(seeds, B=1, Hq=4, Hkv=2, Sq=64, Skv=2048, D=64):
    out = []
    for seed in seeds:
        q, k, v = structured(np.random.default_rng(seed), B, Hq, Hkv, Sq, Skv, D)
        out.append(tuple(x.astype(np.float32) for x in (q, k, v)))
    return out


@needs_cpu_jit
@pytest.mark.parametrize("target", [0.3, 0.5, 0.7])
def test_target_sparsity_on_held_out_inputs(target):
    cal = skipattn.calibrate(samples(range(8)), target, causal=True)
    assert cal.b > 0 and abs(cal.sparsity - target) < 0.03, cal
    held_out = skipattn.measure_sparsity(samples(range(100, 108)), cal.factor,
                                         causal=True)
    assert abs(held_out - target) <= 0.05, (cal, held_out)


@needs_cpu_jit
def test_decode_phase():
    # Decode-shaped samples (one query row, GQA) calibrate on their own.
    dec = lambda seeds: samples(seeds, B=2, Hq=8, Hkv=2, Sq=1, Skv=4096)
    cal = skipattn.calibrate(dec(range(6)), 0.6)
    held_out = skipattn.measure_sparsity(dec(range(50, 56)), cal.factor)
    assert abs(held_out - 0.6) <= 0.05, (cal, held_out)
    # The fitted curve is increasing: a higher target needs a larger factor.
    assert cal.factor_for(0.8) > cal.factor_for(0.4)


def test_bad_arguments():
    with pytest.raises(ValueError, match="target_sparsity"):
        skipattn.calibrate(samples([0]), 1.5)
    with pytest.raises(ValueError, match="at least one sample"):
        skipattn.calibrate([], 0.5)
