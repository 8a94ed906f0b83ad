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
