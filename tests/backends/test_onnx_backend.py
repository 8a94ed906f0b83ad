"""The ONNX Runtime backend on a tiny BERT (skipped when the [onnx] extra is not installed)."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from pemilu_nlp.bench import load_articles

pytest.importorskip("torch")
pytest.importorskip("onnxruntime", reason='the ONNX backend needs the [onnx] extra: pip install "pemilu-nlp[onnx]"')
pytestmark = pytest.mark.onnx


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from pemilu_nlp.classify.indobert.model import IndoBertTopicClassifier
    from pemilu_nlp.testing import build_bert

    base = build_bert(tmp_path_factory.mktemp("bert"), load_articles(None, 60), vocab_size=800)
    return IndoBertTopicClassifier.untrained(str(base), device="cpu", progress=False, max_length=64, stride=16,
                                             precision="fp32")


def test_onnx_fp32_matches_torch_and_int8_stays_close(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("PEMILU_NLP_CACHE", str(tmp_path))
    texts = load_articles(None, 12, seed=2)
    reference = tiny.predict_proba(texts)
    try:
        tiny.set_params(precision="onnx-fp32")
        fp32 = tiny.predict_proba(texts)
        tiny.set_params(precision="onnx-int8")
        int8 = tiny.predict_proba(texts)
    finally:
        tiny.set_params(precision="fp32")
    assert np.abs(fp32 - reference).max() < 1e-5
    assert 0 < np.abs(int8 - reference).max() < 0.1  # quantised: close, not equal
    assert len(list(tmp_path.glob("onnx/*/int8.onnx"))) == 1


def test_the_cache_is_reused_and_rebuilt_when_the_weights_change(tiny, tmp_path):
    import torch

    from pemilu_nlp.backends import onnx as onnx_backend

    first = onnx_backend.onnx_model(tiny.model_, cache_dir=tmp_path)
    stamp = first.path.stat().st_mtime_ns
    again = onnx_backend.onnx_model(tiny.model_, cache_dir=tmp_path)
    assert again.path == first.path and again.path.stat().st_mtime_ns == stamp  # not exported again
    changed = __import__("copy").deepcopy(tiny.model_)
    with torch.no_grad():
        changed.classifier.bias += 1.0
    other = onnx_backend.onnx_model(changed, cache_dir=tmp_path)
    assert other.path != first.path
    ids = torch.ones((1, 8), dtype=torch.long)
    with torch.inference_mode():
        expected = changed(input_ids=ids, attention_mask=ids).logits.numpy()
    got = other(input_ids=ids, attention_mask=ids).logits.numpy()
    assert np.abs(got - expected).max() < 0.1 and np.abs(got - first(input_ids=ids, attention_mask=ids).logits.numpy()).min() > 0.5


def test_a_missing_extra_is_a_named_error(tiny, monkeypatch):
    from pemilu_nlp.backends import onnx as onnx_backend
    from pemilu_nlp.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(MissingDependencyError, match=r"pemilu-nlp\[onnx\]"):
        onnx_backend.onnx_model(tiny.model_)


def test_the_bench_puts_onnx_int8_beside_torch_int8_and_the_naive_pipeline(tiny, tmp_path, monkeypatch):
    from pemilu_nlp.bench import bench_indobert

    monkeypatch.setenv("PEMILU_NLP_CACHE", str(tmp_path / "cache"))
    tiny.save(tmp_path / "clf")
    results, _ = bench_indobert(load_articles(None, 4, seed=1), device="cpu", batch_sizes=[4], max_lengths=[64],
                                precisions=["fp32", "int8", "onnx-int8"], model_dir=str(tmp_path / "clf"),
                                corpus=None, workdir=tmp_path)
    rows = {r.variant: r for r in results}
    assert {"int8 bs=4 len=64", "onnx-int8 bs=4 len=64", "naive transformers.pipeline, one document at a time"} <= set(rows)
    onnx = rows["onnx-int8 bs=4 len=64"]
    assert onnx.ratio_to_naive is not None and onnx.quality["within_tolerance"] is not None
    assert onnx.quality["max_probability_difference"] < 0.1
