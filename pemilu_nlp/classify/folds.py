"""Multi-label stratified folds and out-of-fold scores: what a model's own rule (thresholds, cue
weights) is chosen on, inside its training data, and what cross-validation (:mod:`pemilu_nlp.learn.crossval`)
builds on.

scorer
    Anything with ``fit_score(fit_idx, Y_fit, eval_idx) -> scores`` (``len(eval_idx) x topics``):
    fit on the articles ``fit_idx`` with label matrix ``Y_fit`` and score the articles ``eval_idx``.
"""
from __future__ import annotations

from typing import Protocol

import numpy as np

__all__ = ["Scorer", "multilabel_folds", "oof_scores", "scored_folds"]


class Scorer(Protocol):
    def fit_score(self, fit_idx: np.ndarray, Y_fit: np.ndarray, eval_idx: np.ndarray) -> np.ndarray: ...


def multilabel_folds(Y: np.ndarray, n_splits: int = 5, *, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Multi-label stratified K-fold (iterative stratification; articles without a topic form
    their own column), so each positive of a rare topic is held out exactly once and the
    positives spread over as many folds as there are of them."""
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold

    Y = np.asarray(Y)
    if n_splits < 2 or n_splits > len(Y):
        raise ValueError(f"n_splits must be between 2 and the number of articles ({len(Y)}), got {n_splits}")
    from ..io.corpus import stratification_columns

    strat = stratification_columns(Y).astype(int)
    splitter = MultilabelStratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return [(np.asarray(a), np.asarray(b)) for a, b in splitter.split(np.zeros(len(Y)), strat)]


def scored_folds(Y: np.ndarray, n_splits: int = 5, *, seed: int = 0,
                 train_only: np.ndarray | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`multilabel_folds` over the articles that may be scored; the ``train_only`` ones
    (a boolean mask, e.g. articles a model chose for reading) are in every training part and in
    no test part.  Indices are into all of ``Y``."""
    Y = np.asarray(Y)
    if train_only is None:
        return multilabel_folds(Y, n_splits, seed=seed)
    train_only = np.asarray(train_only, dtype=bool)
    if train_only.shape != (len(Y),):
        raise ValueError(f"train_only must be one flag per article ({len(Y)}), got shape {train_only.shape}")
    if not train_only.any():
        return multilabel_folds(Y, n_splits, seed=seed)
    scored, extra = np.flatnonzero(~train_only), np.flatnonzero(train_only)
    if len(scored) < n_splits:
        raise ValueError(f"{len(scored)} article(s) can be scored ({len(extra)} of {len(Y)} were chosen by a model's "
                         f"scores and only train): too few for {n_splits} folds")
    return [(np.sort(np.concatenate([scored[fit], extra])), scored[test])
            for fit, test in multilabel_folds(Y[scored], n_splits, seed=seed)]


def oof_scores(scorer: Scorer, idx: np.ndarray, Y: np.ndarray, *, n_splits: int = 5, n_repeats: int = 1,
               seed: int = 0) -> np.ndarray:
    """Out-of-fold scores of the articles ``idx`` (``Y`` are their labels), averaged over repeats.

    Only ``idx`` is ever fitted on or scored: this is what keeps a training fold's rule blind to
    its test articles.
    """
    idx = np.asarray(idx)
    total = np.zeros(Y.shape, dtype=float)
    for r in range(n_repeats):
        for inner_fit, inner_eval in multilabel_folds(Y, min(n_splits, len(idx)), seed=seed + 1000 * r):
            total[inner_eval] += scorer.fit_score(idx[inner_fit], Y[inner_fit], idx[inner_eval])
    return total / n_repeats
