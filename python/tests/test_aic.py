"""skipattn.aic.export_layer: the files qaic-compile takes, from one layer
description; the model's interface checked with ONNX Runtime when present."""

import json

import pytest

import skipattn
import skipattn.aic


def export(tmp_path, **kw):
    args = dict(batch=2, q_heads=4, kv_heads=2, head_dim=32, prefill_seq_len=16,
                ctx_len=128, num_kv_blocks=4, prefill_factor=30.0,
                decode_factor=10.0)
    args.update(kw)
    try:
        return skipattn.aic.export_layer(tmp_path, **args)
    except skipattn.UnsupportedError:
        pytest.skip("this libskipattn_c has no ONNX export")


def specs(files):
    with open(files["specializations.json"]) as f:
        return json.load(f)["specializations"]


def test_prefill_and_decode_specialisations(tmp_path):
    files = export(tmp_path)
    got = specs(files)
    assert [s["_graph_name"] for s in got] == ["Prefill", "Decode"]
    assert got[0] == {"_graph_name": "Prefill", "batch_size": "2",
                      "ctx_len": "128", "seq_len": "16"}
    assert got[1]["seq_len"] == "1" and got[1]["ctx_len"] == "128"
    io = open(files["custom_io.yaml"]).read()
    for name in ("past_key.0", "past_value.0", "past_key.0_RetainedState",
                 "past_value.0_RetainedState"):
        assert f"IOName: {name}\n" in io


def test_decode_only_layer_has_one_specialisation(tmp_path):
    got = specs(export(tmp_path, prefill_seq_len=1))
    assert [s["_graph_name"] for s in got] == ["Decode"]


def test_interface(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    for cache_write in (True, False):
        files = export(tmp_path / str(cache_write), cache_write=cache_write,
                       dtype="float32", return_lse=True)
        sess = ort.InferenceSession(files["model.onnx"],
                                    providers=["CPUExecutionProvider"])
        inputs = [i.name for i in sess.get_inputs()]
        outputs = [o.name for o in sess.get_outputs()]
        if cache_write:
            assert inputs == ["q", "k", "v", "past_key.0", "past_value.0", "position_ids"]
            assert outputs == ["output", "lse", "past_key.0_RetainedState",
                               "past_value.0_RetainedState"]
        else:
            assert inputs == ["q", "past_key.0", "past_value.0", "position_ids"]
            assert outputs == ["output", "lse"]


def test_bad_layers(tmp_path):
    with pytest.raises(skipattn.InvalidArgumentError, match="multiple of KV heads"):
        export(tmp_path, q_heads=3)
    with pytest.raises(skipattn.InvalidArgumentError, match="exceeds the context length"):
        export(tmp_path, prefill_seq_len=256)
    with pytest.raises(skipattn.InvalidArgumentError, match="num_kv_blocks"):
        export(tmp_path, num_kv_blocks=1000)
    with pytest.raises(skipattn.InvalidArgumentError, match="finite and >= 0"):
        export(tmp_path, decode_factor=float("nan"))
    with pytest.raises(ValueError, match="dtype"):
        export(tmp_path, dtype="bfloat16")
    with pytest.raises(ValueError, match="batch"):
        export(tmp_path, batch=0)


def test_statistics_are_decision_counts(tmp_path):
    # The AIC graph's statistics are [B, Hq, 2]; the V-load columns of the
    # CPU and CUDA kernels are refused with a clear error.
    with pytest.raises(ValueError, match="return_stats must be True or False"):
        skipattn.aic.export_layer(tmp_path, batch=2, q_heads=4, kv_heads=2,
                                  head_dim=32, prefill_seq_len=16, ctx_len=128,
                                  return_stats="v_loads")


def test_c_api_refuses_v_load_statistics(tmp_path):
    # The C entry point checks with_stats itself: 2 (the CPU and CUDA
    # kernels' V-load columns) is an invalid argument for an AIC layer.
    import ctypes
    from skipattn import _api, _capi
    lib = _api._library()
    d = _capi.AICLayerDesc()
    lib.skipattn_aic_layer_desc_init(ctypes.byref(d))
    d.batch, d.q_heads, d.kv_heads, d.head_dim = 2, 4, 2, 32
    d.prefill_seq_len, d.ctx_len, d.num_kv_blocks = 16, 128, 4
    d.with_stats = 2
    with pytest.raises(skipattn.InvalidArgumentError,
                       match="the AIC layer's with_stats must be 0 or 1"):
        _api._check(lib.skipattn_aic_export_layer(
            ctypes.byref(d), str(tmp_path).encode()))
