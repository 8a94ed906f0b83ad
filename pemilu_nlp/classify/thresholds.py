"""Per-topic decision thresholds, shared by every classifier: F1-best on held-out (dev) data, or from
out-of-fold scores of the training articles (:func:`oof_threshold`, the TF-IDF model's default).

A topic with few positives rarely peaks at 0.5; the F1-optimal threshold on held-out data is the
usual fix.  With no positive in dev there is nothing to tune on, so the default stays.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["apply_thresholds", "as_topic_lists", "oof_threshold", "oof_thresholds", "probability_maps", "tune_thresholds"]

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


def _cut_between(scores_desc: np.ndarray, k: int) -> float:
    """A cut that keeps the ``k`` highest scores: midway between the k-th and the (k+1)-th."""
    if k <= 0:
        return min(float(scores_desc[0]) + 1e-6, 1.0)
    if k >= len(scores_desc):
        return max(float(scores_desc[-1]) - 1e-6, 0.0)
    return float(scores_desc[k - 1] + scores_desc[k]) / 2.0


def oof_threshold(y_true: np.ndarray, scores: np.ndarray, *, shrink: float = 5.0,
                  default: float = 0.5) -> float:
    """One topic's threshold from out-of-fold scores of its training articles.

    Two candidate cuts, each midway between two neighbouring sorted scores:

    * ``f1``: the cut with the best F1 on the out-of-fold scores (ties: the one that keeps the
      fewest articles);
    * ``rank``: the cut that keeps exactly as many articles as there are positives (the prior).

    The threshold is ``w * f1 + (1 - w) * rank`` with ``w = n / (n + shrink)`` for ``n``
    positives. With many positives (``n >> shrink``) the F1-optimal cut decides; with one to three
    it is pulled towards the prevalence-matching cut, because an F1 optimum fitted to two or three
    scores lands wherever they happen to fall. No positive at all: ``default`` (the topic's model
    has nothing to say).

    >>> oof_threshold(np.array([1, 1, 0, 0, 0]), np.array([0.9, 0.8, 0.3, 0.2, 0.1]))
    0.55
    """
    y = np.asarray(y_true).astype(bool).ravel()
    s = np.asarray(scores, dtype=float).ravel()
    if y.shape != s.shape:
        raise ValueError(f"y_true {y.shape} and scores {s.shape} must have one length")
    n = int(y.sum())
    if n == 0 or len(y) == 0:
        return float(default)
    order = np.argsort(-s, kind="stable")
    s_desc, y_desc = s[order], y[order]
    # candidate k = number kept, only where the next score differs (a cut cannot split a tie)
    tp = np.cumsum(y_desc)
    k = np.arange(1, len(s) + 1)
    f1 = 2 * tp / (k + n)
    distinct = np.append(s_desc[:-1] > s_desc[1:], True)
    f1 = np.where(distinct, f1, -1.0)
    best_k = int(np.argmax(np.round(f1, 12))) + 1  # first maximum = fewest kept
    rank_k = n
    while rank_k < len(s) and not distinct[rank_k - 1]:  # move past ties
        rank_k += 1
    w = n / (n + shrink)
    return round(w * _cut_between(s_desc, best_k) + (1 - w) * _cut_between(s_desc, rank_k), 10)


def oof_thresholds(y_true: np.ndarray, scores: np.ndarray, *, shrink: float = 5.0,
                   default: float = 0.5) -> np.ndarray:
    """:func:`oof_threshold` for every column of a documents x topics matrix."""
    y_true, scores = np.asarray(y_true), np.asarray(scores, dtype=float)
    if y_true.shape != scores.shape or y_true.ndim != 2:
        raise ValueError(f"y_true {y_true.shape} and scores {scores.shape} must be matrices of one shape")
    return np.array([oof_threshold(y_true[:, j], scores[:, j], shrink=shrink, default=default)
                     for j in range(y_true.shape[1])])


def as_topic_lists(classes: Iterable[Any], decisions: np.ndarray) -> list[list[str]]:
    """Each row of a 0/1 decision matrix as the list of its topics (in ``classes`` order)."""
    names = [str(c) for c in classes]
    return [[c for c, d in zip(names, row) if d] for row in decisions]


def probability_maps(classes: Iterable[Any], proba: np.ndarray) -> list[dict[str, float]]:
    """Each row of a probability matrix as ``{topic: probability}``."""
    names = [str(c) for c in classes]
    return [dict(zip(names, map(float, row))) for row in proba]
