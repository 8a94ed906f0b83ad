"""Experiment code shared by benchmarks/ scripts (benchmarks.lib): learning-curve reading, the head zoo."""
from __future__ import annotations

import pytest

from benchmarks.lib.al_simulation import labels_to_reach
from benchmarks.lib.heads import HEADS, make_head


def test_labels_to_reach_interpolates_the_last_crossing():
    labels = [100, 200, 300, 400]
    assert labels_to_reach(labels, [0.5, 0.7, 0.6, 0.8], 0.7) == pytest.approx(350.0)  # dips below after 200
    assert labels_to_reach(labels, [0.8, 0.9, 0.9, 0.9], 0.7) == 100.0  # above from the start
    assert labels_to_reach(labels, [0.5, 0.6, 0.6, 0.65], 0.7) is None  # never reached


def test_every_head_fits_and_an_unknown_head_is_named():
    import numpy as np

    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.1, 0.9], [0.9, 0.2], [0.2, 0.8], [0.8, 0.1]])
    y = np.array([0, 1, 0, 1, 0, 1])
    for name in HEADS:
        assert make_head(name).fit(X, y) is not None
    with pytest.raises(ValueError, match="unknown head 'forest'"):
        make_head("forest")


def test_the_cv_report_table_counts_scored_and_training_only_positives_apart():
    from benchmarks.rare_topics_report import before_after

    def summary(support: int, f1: float) -> dict:
        stat = {"mean": f1, "ci95": [f1 - 0.1, f1 + 0.1]}
        return {"support": support, "precision": stat, "recall": stat, "f1": stat}

    recipe = {"macro_f1": {"mean": 0.5, "ci95": [0.4, 0.6]},
              "per_topic": {"audiensi": summary(19, 0.3), "pemilu": summary(313, 0.9)}}
    table = before_after({"recipes": {"before": recipe, "after": recipe}, "training_only_positives": {"audiensi": 12}})
    assert "| audiensi | 19 (+12) |" in table and "| pemilu | 313 |" in table
    assert "| pemilu | 313 |" in before_after({"recipes": {"before": recipe, "after": recipe}})  # older JSON
