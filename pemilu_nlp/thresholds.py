"""Per-topic decision thresholds, tuned on the dev split and shared by every classifier.

A topic with few positives rarely peaks at 0.5; the F1-optimal threshold on held-out data is the
usual fix.  With no positive in dev there is nothing to tune on, so the default stays.
"""
from __future__ import annotations

import numpy as np

__all__ = ["apply_thresholds", "tune_thresholds"]

DEFAULT_GRID = np.round(np.arange(0.05, 0.951, 0.025), 4)


def _f1(tp: int, fp: int, fn: int) -> float:
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def tune_thresholds(y_true: np.ndarray, proba: np.ndarray, *, grid: np.ndarray | None = None,
                    default: float = 0.5, min_positives: int = 5) -> np.ndarray:
    """For each column, the grid threshold with the best F1 (ties: the one nearest ``default``).

    A topic with fewer than ``min_positives`` positives keeps ``default``: a threshold fitted to
    three or four examples lands wherever they happen to score and generalises badly.

    >>> y = np.array([[1]] * 5 + [[0]] * 2); p = np.array([[0.4], [0.38], [0.36], [0.35], [0.3], [0.2], [0.1]])
    >>> float(tune_thresholds(y, p)[0]) > 0.2
    True
    """
    y_true = np.asarray(y_true).astype(bool)
    proba = np.asarray(proba, dtype=float)
    if y_true.shape != proba.shape or y_true.ndim != 2:
        raise ValueError(f"y_true {y_true.shape} and proba {proba.shape} must be matrices of one shape")
    grid = DEFAULT_GRID if grid is None else np.asarray(grid, dtype=float)
    thresholds = np.full(y_true.shape[1], default)
    for j in range(y_true.shape[1]):
        positives = y_true[:, j]
        if positives.sum() < min_positives:
            continue
        best, best_key = default, (-1.0, 0.0)
        for t in grid:
            pred = proba[:, j] >= t
            tp = int((pred & positives).sum())
            score = _f1(tp, int((pred & ~positives).sum()), int((~pred & positives).sum()))
            key = (round(score, 10), -abs(t - default))
            if key > best_key:
                best, best_key = float(t), key
        thresholds[j] = best
    return thresholds


def apply_thresholds(proba: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Binary decisions: probability at or above the topic's threshold."""
    return (np.asarray(proba) >= np.asarray(thresholds)[None, :]).astype(np.int8)
