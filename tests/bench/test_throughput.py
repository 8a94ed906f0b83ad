from __future__ import annotations

import argparse
import subprocess
import sys

from conftest import ROOT

from pemilu_nlp.bench.command import add_arguments, run_benchmark
from pemilu_nlp.bench.data import load_pool, short_articles


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_import_pemilu_nlp_imports_neither_ray_nor_onnxruntime_nor_torch():
    code = ("import sys, pemilu_nlp, pemilu_nlp.scale.parallel, pemilu_nlp.backends.cpu\n"
            "heavy = sorted(m for m in ('ray', 'onnxruntime', 'onnx', 'torch', 'pyarrow', 'pandas') if m in sys.modules)\n"
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == ""


def test_every_bench_json_records_the_cpu_instruction_sets():
    report = run_benchmark(_args("--parts", "text", "--docs", "4", "--batch-size", "2"))
    flags = report["machine"]["cpu_flags"]
    for key in ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_tile", "amx_int8", "avx512_bf16", "amx_bf16"):
        assert key in flags
    auto = report["machine"]["auto_cpu_precision"]
    assert auto["precision"] in ("fp32", "bf16") and auto["why"]  # int8 is never automatic


def test_parallel_part_compares_jobs_with_identical_output():
    report = run_benchmark(_args("--parts", "parallel", "--parallel-docs", "40", "--parallel-summary-docs", "10",
                                 "--jobs-list", "1,2", "--chunk-size", "10"))
    rows = report["results"]
    assert [r["settings"]["jobs"] for r in rows] == [1, 2, 1, 2]
    assert all(r["quality"]["identical_to_jobs_1"] for r in rows)
    assert all(r["documents"] in (40, 10) and r["docs_per_second"] > 0 and r["peak_rss_mb"] > 0 for r in rows)


def test_pool_is_drawn_with_replacement_and_short_articles_are_distinct(tmp_path):
    pool = tmp_path / "p.jsonl"
    pool.write_text('{"title": "Judul", "text": "satu dua tiga empat"}\n{"text": "lima enam"}\n\n', "utf-8")
    texts = load_pool(pool, 5)
    assert len(texts) == 5 and set(texts) == {"Judul\nsatu dua tiga empat", "lima enam"}
    assert short_articles(["satu dua tiga empat lima"], 5, words=2) == [
        "satu dua", "dua tiga", "tiga empat", "empat lima", "satu dua"]  # windows slide, words stay real
    assert short_articles(texts[:2], 2, words=3)[1] in ("satu dua tiga", "lima enam")


def test_the_ray_engine_without_ray_is_a_named_error(monkeypatch):
    import pytest

    from pemilu_nlp.errors import MissingDependencyError
    from pemilu_nlp.scale.ray_engine import annotate

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(MissingDependencyError, match=r"pemilu-nlp\[ray\]"):
        annotate("news.jsonl")


def test_tfidf_confident_means_every_topic_far_from_its_threshold_in_log_odds():
    import numpy as np

    from pemilu_nlp.bench.cascade import tfidf_confident

    proba = np.array([[0.9, 0.05], [0.55, 0.05], [0.1, 0.45]])
    assert tfidf_confident(proba, np.array([0.5, 0.5]), 1.0).tolist() == [True, False, False]
    assert tfidf_confident(proba, np.array([0.5, 0.5]), 0.0).all()
    # a rare topic with a low threshold: 0.001 is far below 0.02 (3 log-odds), 0.03 is near it
    low = np.array([[0.9, 0.001], [0.9, 0.03]])
    assert tfidf_confident(low, np.array([0.5, 0.02]), 1.0).tolist() == [True, False]


class _FakeBert:
    """Stands in for IndoBERT: agrees with TF-IDF except on texts containing 'beda'."""

    precision = "fp32"

    def __init__(self):
        from pemilu_nlp.registry import load_default

        self.tfidf = load_default()
        self.calls = []

    def predict_proba(self, texts):
        self.calls.append(len(texts))
        proba = self.tfidf.predict_proba(texts)
        proba[[i for i, t in enumerate(texts) if "beda" in t], 0] = 0.999
        return proba

    def decide(self, proba):
        return self.tfidf.decide(proba)


def test_cascade_sends_only_unconfident_texts_and_reports_agreement():
    from pemilu_nlp.bench.cascade import bench_cascade
    from pemilu_nlp.bench.data import load_articles

    texts = load_articles(None, 30, seed=4)
    texts[3] += " beda"
    bert = _FakeBert()
    rows, info = bench_cascade(texts, bert, margins=(0.0, 0.02, 4.0), target_agreement=0.99)
    bert_only, _tfidf_only, cascade = rows
    sweep = {s["margin"]: s for s in info["sweep"]}
    assert sweep[0.0]["share_sent_to_indobert"] == 0.0          # margin 0: TF-IDF answers all
    shares = [sweep[m]["share_sent_to_indobert"] for m in (0.0, 0.02, 4.0)]
    assert shares == sorted(shares) and shares[-1] > 0  # a wider margin sends more on
    assert bert_only.quality["agreement_with_indobert_only"] == 1.0
    assert cascade.quality["agreement_with_indobert_only"] == sweep[cascade.settings["margin"]]["agreement_with_indobert_only"]
    assert bert.calls[-1] == round(sweep[cascade.settings["margin"]]["share_sent_to_indobert"] * 30)
