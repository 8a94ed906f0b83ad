from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

from pemilu_nlp.bench import (
    add_arguments,
    compare_predictions,
    format_table,
    measure,
    percentile,
    run_benchmark,
)


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


def test_compare_predictions_agreement_and_difference():
    ref = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    same = compare_predictions(ref, ref)
    assert same == {"agreement": 1.0, "top_topic_agreement": 1.0, "max_probability_difference": 0.0,
                    "within_tolerance": True}
    flipped = ref.copy()
    flipped[2, 0] = 0.45  # crosses the 0.5 threshold
    result = compare_predictions(ref, flipped)
    assert result["agreement"] == pytest.approx(2 / 3, abs=1e-4) and result["within_tolerance"] is False
    assert result["max_probability_difference"] == pytest.approx(0.15)
    assert result["top_topic_agreement"] == 1.0  # 0.45 is still row 2's most likely topic
    with pytest.raises(ValueError, match="shapes differ"):
        compare_predictions(ref, ref[:2])


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
    assert "textrank" in format_table(report)


def test_unknown_part_is_a_clear_error():
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    with pytest.raises(ValueError, match="unknown parts"):
        run_benchmark(parser.parse_args(["--parts", "gpu-magic"]))


def test_plot_writes_a_png_of_throughput_per_precision(tmp_path):
    pytest.importorskip("matplotlib")
    from pemilu_nlp.bench import plot

    rows = [{"part": "indobert", "docs_per_second": 2.0 * bs, "settings": {
        "precision": p, "batch_size": bs, "max_length": 128, "length_grouping": True}}
        for p in ("fp32", "bf16") for bs in (1, 8)]
    rows.append({"part": "indobert", "docs_per_second": 1.0, "settings": {"precision": "fp32"}})  # naive row
    plot({"machine": {"cpu": "test"}, "results": rows}, tmp_path / "p.png")
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
