"""HuggingFace transformers: attn_implementation="skipattn" on a small
Llama-architecture model built from a config with random weights (no
downloads), against the model's own SDPA attention."""

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

import skipattn  # noqa: E402
import skipattn.hf  # noqa: E402
from helpers import HAS_CPU_JIT  # noqa: E402

DEVICES = [pytest.param("cpu", marks=pytest.mark.skipif(not HAS_CPU_JIT, reason="no CPU JIT")),
           pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(),
                                                         reason="no CUDA GPU"))]


def model_on(device):
    """GQA Llama (4 query / 2 KV heads, head dim 64 on the GPU's f16, 64 on
    the CPU's f32). The q/k projections are scaled up so that attention is
    peaked enough for skipping to happen at moderate factors."""
    skipattn.hf.register()
    torch.manual_seed(0)
    cfg = transformers.LlamaConfig(
        vocab_size=256, hidden_size=256, intermediate_size=512,
        num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
        max_position_embeddings=2048)
    model = transformers.LlamaForCausalLM(cfg).eval()
    with torch.no_grad():
        for layer in model.model.layers:
            layer.self_attn.q_proj.weight.mul_(3.0)
            layer.self_attn.k_proj.weight.mul_(3.0)
    if device == "cuda":
        model = model.to(device=device, dtype=torch.float16)
    return model


def generate(model, impl, ids, mask=None, **factors):
    model.set_attn_implementation(impl)
    with torch.no_grad(), skipattn.hf.settings(**factors):
        return model.generate(ids, attention_mask=mask if mask is not None
                              else torch.ones_like(ids), max_new_tokens=8,
                              do_sample=False, output_logits=True,
                              return_dict_in_generate=True)


@pytest.mark.parametrize("device", DEVICES)
def test_generate_matches_sdpa(device):
    model = model_on(device)
    ids = torch.randint(0, 256, (2, 600), generator=torch.Generator().manual_seed(1)).to(device)
    ref = generate(model, "sdpa", ids)
    # Dense (factor 0) and a factor too small to skip: the same tokens.
    for f in (0.0, 1e-30):
        skipattn.hf.reset_statistics()
        got = generate(model, "skipattn", ids, prefill_factor=f, decode_factor=f)
        assert torch.equal(got.sequences, ref.sequences)
        st = skipattn.hf.statistics()
        assert st["calls"]["skipattn"] == 2 * 8 and st["calls"]["fallback"] == 0
        # (The Hopper kernel counts its padding rows' decisions as skips at
        # any factor > 0, so only the dense build reports none there.)
        if f == 0.0 or device == "cpu":
            assert all(st[layer]["skipped"] == 0 for layer in (0, 1)), st
    # Skipping: the smallest factor of a geometric sweep that skips (a
    # random model's attention is flat, so the first skipping factors are
    # the ones whose result stays close): statistics per layer, and logits
    # close to SDPA's.
    ref_logits = torch.stack(ref.logits).float()
    for i in range(30):
        f = 40.0 * 1.15 ** i
        skipattn.hf.reset_statistics()
        got = generate(model, "skipattn", ids, prefill_factor=f, decode_factor=f)
        st = skipattn.hf.statistics()
        if sum(st[layer]["skipped"] for layer in (0, 1)) > 0:
            break
    else:
        pytest.fail("no factor of the sweep skipped a block")
    got_logits = torch.stack(got.logits).float()
    err = float((got_logits - ref_logits).norm() / ref_logits.norm())
    assert err < 0.1, (f, err, st)


@pytest.mark.parametrize("device", DEVICES)
def test_padding_falls_back_to_sdpa(device):
    # A left-padded batch needs a mask skipattn does not take: SDPA runs,
    # counted as a fallback, with the same tokens.
    model = model_on(device)
    ids = torch.randint(0, 256, (2, 64), generator=torch.Generator().manual_seed(2)).to(device)
    mask = torch.ones_like(ids)
    mask[1, :10] = 0
    ref = generate(model, "sdpa", ids, mask)
    skipattn.hf.reset_statistics()
    got = generate(model, "skipattn", ids, mask)
    assert torch.equal(got.sequences, ref.sequences)
    assert skipattn.hf.statistics()["calls"]["fallback"] > 0


def test_settings_are_scoped_and_checked():
    with skipattn.hf.settings(prefill_factor=10.0, decode_factor=2.0):
        assert skipattn.hf._config["prefill_factor"] == 10.0
    assert skipattn.hf._config["prefill_factor"] == 0.0
    with pytest.raises(ValueError, match="finite and >= 0"):
        skipattn.hf.configure(decode_factor=-1.0)
    with pytest.raises(ValueError, match="min_keep_blocks"):
        skipattn.hf.configure(min_keep_blocks=-2)
