from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

from pemilu_nlp.bench.command import add_arguments, run_benchmark
from pemilu_nlp.bench.core import compare_predictions, measure, percentile, timed
from pemilu_nlp.bench.report import format_table


def test_percentile_matches_numpy_and_handles_empty():
    values = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert percentile(values, 50) == 3.0
    assert percentile(values, 95) == pytest.approx(np.percentile(values, 95))
    assert np.isnan(percentile([], 50))


def test_measure_bookkeeping_counts_batches_and_keeps_order():
    calls = []

    def run(batch):
        calls.append(list(batch))
        return [x * 10 for x in batch]

    m, out = measure("part", "variant", run, list(range(7)), batch_size=3, warmup=1, tokens=70)
    assert out == [x * 10 for x in range(7)]
    assert calls[0] == [0, 1, 2] and len(calls) == 4  # one warm-up batch, then 3 timed batches
    assert m.documents == 7 and m.docs_per_second > 0 and m.tokens_per_second > 0
    assert m.latency_doc_p50_ms <= m.latency_batch_p50_ms
    with pytest.raises(ValueError):
        measure("p", "v", run, [1], batch_size=0)


def test_timed_measures_one_whole_call_and_returns_its_output():
    m, out = timed("parallel", "one call", lambda: ["a", "b", "c"], 3, {"jobs": 1})
    assert out == ["a", "b", "c"]
    assert m.documents == 3 and m.docs_per_second > 0 and m.peak_rss_mb > 0 and m.settings == {"jobs": 1}
    assert m.latency_doc_p50_ms == m.latency_doc_p95_ms  # one call: every document waited as long


def test_compare_predictions_agreement_and_difference():
    ref = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    same = compare_predictions(ref, ref)
    assert same == {"agreement": 1.0, "top_topic_agreement": 1.0, "max_probability_difference": 0.0,
                    "noise_to_spread": 0.0, "within_tolerance": True}
    flipped = ref.copy()
    flipped[2, 0] = 0.45  # crosses the 0.5 threshold
    result = compare_predictions(ref, flipped)
    assert result["agreement"] == pytest.approx(2 / 3, abs=1e-4) and result["within_tolerance"] is False
    assert result["max_probability_difference"] == pytest.approx(0.15)
    assert result["top_topic_agreement"] == 1.0  # 0.45 is still row 2's most likely topic
    with pytest.raises(ValueError, match="shapes differ"):
        compare_predictions(ref, ref[:2])


def test_noise_to_spread_and_no_verdict_without_trained_weights():
    ref = np.array([[0.2, 0.5], [0.4, 0.5], [0.6, 0.5]])   # topic 0 spread: std 0.163; topic 1: none
    shifted = ref + np.array([[0.01, 0.0], [-0.01, 0.0], [0.0, 0.0]])
    result = compare_predictions(ref, shifted)
    # std of the differences (0.00816) over the spread of topic 0; the flat topic 1 has no spread to compare with
    assert result["noise_to_spread"] == pytest.approx(np.std([0.01, -0.01, 0.0]) / np.std([0.2, 0.4, 0.6]),
                                                      abs=1e-4)
    random_weights = compare_predictions(ref, shifted, assessable=False)
    assert random_weights["within_tolerance"] is None
    assert random_weights["agreement"] == result["agreement"]
    assert compare_predictions(ref[:1], shifted[:1])["noise_to_spread"] is None


def test_benchmark_json_has_machine_settings_and_every_figure(tmp_path):
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--parts", "text,summarizer", "--docs", "12", "--batch-size", "4"])
    report = run_benchmark(args)
    assert {"machine", "settings", "notes", "results"} <= set(report)
    assert report["machine"]["cpu_count"] and "versions" in report["machine"]
    variants = {(r["part"], r["variant"]) for r in report["results"]}
    assert ("summarizer", "textrank") in variants and any("naive" in v for _, v in variants)
    textrank = next(r for r in report["results"] if r["variant"] == "textrank")
    assert textrank["ratio_to_naive"] > 0 and textrank["documents"] == 12
    json.dumps(report)  # serialisable
    table = format_table(report)
    assert "textrank" in table
    # no naive baseline, no tokens: blank cells, not zeros (part, variant, docs/s, p50, p95, RSS)
    lead_line = next(line for line in table.splitlines() if line.startswith("summarizer lead"))
    assert len(lead_line.split()) == 6


def test_unknown_part_is_a_clear_error():
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    with pytest.raises(ValueError, match="unknown parts"):
        run_benchmark(parser.parse_args(["--parts", "gpu-magic"]))


def test_plot_writes_a_png_of_throughput_per_precision(tmp_path):
    pytest.importorskip("matplotlib")
    from pemilu_nlp.bench.report import plot

    rows = [{"part": "indobert", "docs_per_second": 2.0 * bs, "settings": {
        "precision": p, "batch_size": bs, "max_length": 128, "length_grouping": True}}
        for p in ("fp32", "bf16") for bs in (1, 8)]
    rows.append({"part": "indobert", "docs_per_second": 1.0, "settings": {"precision": "fp32"}})  # naive row
    plot({"machine": {"cpu": "test"}, "results": rows}, tmp_path / "p.png")
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"


def test_indobert_part_on_a_saved_tiny_classifier(tmp_path):
    """The whole IndoBERT part, naive pipeline included, on a 2-layer BERT saved as a classifier."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from pemilu_nlp.bench.data import load_articles
    from pemilu_nlp.bench.indobert import bench_indobert, window_tokens
    from pemilu_nlp.classify.indobert.model import IndoBertTopicClassifier
    from pemilu_nlp.testing import build_bert

    articles = load_articles(None, 6, seed=1)
    base = build_bert(tmp_path / "bert", load_articles(None, 60), vocab_size=800)
    IndoBertTopicClassifier.untrained(str(base), device="cpu", progress=False, max_length=128).save(tmp_path / "clf")
    results, note = bench_indobert(articles, device="cpu", batch_sizes=[1, 4], max_lengths=[64, 32],
                                   precisions=["fp32", "bf16"], model_dir=str(tmp_path / "clf"), corpus=None,
                                   workdir=tmp_path)
    assert "trained model" in note
    by_name = {r.variant: r for r in results}
    naive = by_name.pop("naive transformers.pipeline, one document at a time")
    same = by_name.pop("naive transformers.pipeline, one document at a time, first 64 tokens")
    assert naive.documents == same.documents == 6 and naive.ratio_to_naive is None
    # the like-for-like baseline of the first-window rows reads the first window only
    assert same.settings["truncation"].startswith("first 64 tokens") and naive.settings["truncation"].startswith("first 128")
    for r in by_name.values():  # each row against the baseline that reads what it reads
        baseline = same if r.settings["max_windows"] == 1 else naive
        assert r.settings["naive_baseline"] == baseline.variant
        assert r.ratio_to_naive == round(r.docs_per_second / baseline.docs_per_second, 2)
    # first-window variants only at the longest length, with their own fp32 reference
    first = [r for r in by_name.values() if r.settings["max_windows"] == 1]
    assert {r.settings["max_length"] for r in first} == {64}
    assert {r.variant for r in first} == {f"{p} bs={bs} len=64 first window" for p in ("fp32", "bf16") for bs in (1, 4)}
    for r in by_name.values():
        assert r.documents == 6 and r.ratio_to_naive is not None
        assert r.quality["within_tolerance"] is not None  # trained weights: a verdict is given
        if r.settings["precision"] == "fp32":
            assert r.quality["agreement"] == 1.0 and r.quality["max_probability_difference"] < 1e-5
    # each length gets the model's own overlap, capped at a quarter window (not the previous length's)
    assert {r.settings["max_length"]: r.settings["stride"] for r in by_name.values()} == {32: 8, 64: 16}
    whole = by_name["fp32 bs=4 len=64"].settings["windows"]
    assert whole > by_name["fp32 bs=4 len=64 first window"].settings["windows"] == 6
    # the windows and tokens behind tokens/s are the ones the classifier itself reads
    model = IndoBertTopicClassifier.load(tmp_path / "clf", device="cpu").set_params(max_length=64, stride=16)
    windows, tokens = window_tokens(model, articles)
    _, owner = model.window_logits(articles)
    assert windows == len(owner) == whole and windows < tokens <= 64 * windows
