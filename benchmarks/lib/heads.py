"""Per-topic binary classifiers ("heads") over a fixed document-feature matrix, for cross-validation
(the rare-topic experiments of issue 12: ``benchmarks/rare_topics.py``).

The TF-IDF model is one binary classifier per topic over label-free features; when the features
are computed once (vocabulary and idf fitted on unlabelled text), comparing heads under nested
cross-validation costs only the heads' fits.  Each head returns a score per article that grows
with the topic's likelihood; thresholds are chosen on out-of-fold scores, so scores need not be
calibrated probabilities (except for recipes that decide at a fixed 0.5).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["HEADS", "FeatureScorer", "SelfTrainingScorer", "make_head"]


def _lr(C: float = 32.0, **_: Any):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, class_weight="balanced", solver="liblinear", dual=True, max_iter=2000,
                              random_state=0)


def _calibrated(base: str, method: str, C: float = 32.0, **_: Any):
    from sklearn.svm import LinearSVC

    estimator = _lr(C) if base == "lr" else LinearSVC(C=C, class_weight="balanced", random_state=0)
    return _CalibratedFewShot(estimator, method)


class _CalibratedFewShot:
    """``CalibratedClassifierCV`` with as many folds as the rarer class allows (2 to 5)."""

    def __init__(self, estimator: Any, method: str):
        self.estimator, self.method = estimator, method

    def fit(self, X, y):
        from sklearn.calibration import CalibratedClassifierCV

        folds = int(min(5, np.bincount(y, minlength=2).min()))
        if folds < 2:  # one positive: nothing to calibrate on, the raw model decides
            self.model_ = self.estimator.fit(X, y)
        else:
            self.model_ = CalibratedClassifierCV(self.estimator, method=self.method, cv=folds).fit(X, y)
        return self

    def score(self, X) -> np.ndarray:
        if hasattr(self.model_, "predict_proba"):
            return self.model_.predict_proba(X)[:, 1]
        return 1.0 / (1.0 + np.exp(-self.model_.decision_function(X)))


def _svm(C: float = 1.0, **_: Any):
    from sklearn.svm import LinearSVC

    return LinearSVC(C=C, class_weight="balanced", random_state=0)


def _cnb(alpha: float = 0.3, **_: Any):
    from sklearn.naive_bayes import ComplementNB

    return ComplementNB(alpha=alpha)


def _sgd(alpha: float = 1e-4, **_: Any):
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(loss="modified_huber", alpha=alpha, class_weight="balanced", max_iter=50, tol=None,
                         random_state=0)


HEADS: dict[str, Callable[..., Any]] = {
    "lr": _lr,
    "svm": _svm,
    "svm_sigmoid": lambda **kw: _calibrated("svm", "sigmoid", **kw),
    "lr_sigmoid": lambda **kw: _calibrated("lr", "sigmoid", **kw),
    "lr_isotonic": lambda **kw: _calibrated("lr", "isotonic", **kw),
    "cnb": _cnb,
    "sgd": _sgd,
}


def make_head(name: str, **params: Any) -> Any:
    if name not in HEADS:
        raise ValueError(f"unknown head {name!r}; choose one of {', '.join(HEADS)}")
    return HEADS[name](**params)


def _score(model: Any, X) -> np.ndarray:
    if hasattr(model, "score") and isinstance(model, _CalibratedFewShot):
        return model.score(X)
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)[:, 1]
    return np.asarray(model.decision_function(X), dtype=float)


class FeatureScorer:
    """Fit one head per topic on rows of a fixed feature matrix ``X`` (a :class:`pemilu_nlp.learn.crossval.Scorer`).

    ``params`` may give per-topic settings: ``{"C": 32}`` or ``{"C": [4, 32, ...]}`` (one a topic).
    A topic with no positive (or no negative) among the fitted rows scores a constant.
    """

    def __init__(self, X: Any, head: str = "lr", **params: Any):
        self.X, self.head, self.params = X, head, params

    def _params(self, j: int) -> dict[str, Any]:
        return {k: (v[j] if isinstance(v, (list, tuple, np.ndarray)) else v) for k, v in self.params.items()}

    def fit_score(self, fit_idx: np.ndarray, Y_fit: np.ndarray, eval_idx: np.ndarray) -> np.ndarray:
        X_fit, X_eval = self.X[fit_idx], self.X[eval_idx]
        out = np.zeros((len(eval_idx), Y_fit.shape[1]))
        for j in range(Y_fit.shape[1]):
            y = np.asarray(Y_fit[:, j]).astype(int)
            if y.min() == y.max():
                out[:, j] = float(y.max())
                continue
            out[:, j] = _score(self._fit_topic(j, X_fit, y), X_eval)
        return out

    def _fit_topic(self, j: int, X_fit: Any, y: np.ndarray) -> Any:
        return make_head(self.head, **self._params(j)).fit(X_fit, y)


class SelfTrainingScorer(FeatureScorer):
    """Self-training over unlabelled articles: fit, score the pool, add each topic's pool articles
    scoring at least ``cut`` as positives (at most ``max_ratio`` times the labelled positives), refit.

    ``pool`` rows must hold no labelled article (a corpus article in the pool would leak its own
    test label back as a pseudo-label). ``cue_pool`` (pool x topics, optional): a candidate must
    also carry at least ``min_cues`` of the topic's schema cues.
    """

    def __init__(self, X: Any, pool: Any, *, cut: float = 0.5, max_ratio: float = 1.0, cue_pool: Any = None,
                 min_cues: int = 1, head: str = "lr", **params: Any):
        super().__init__(X, head, **params)
        self.pool, self.cut, self.max_ratio = pool, cut, max_ratio
        self.cue_pool, self.min_cues = cue_pool, min_cues
        self.added_: list[int] = []

    def _fit_topic(self, j: int, X_fit: Any, y: np.ndarray) -> Any:
        import scipy.sparse as sp

        model = super()._fit_topic(j, X_fit, y)
        pool_scores = _score(model, self.pool)
        candidates = np.flatnonzero(pool_scores >= self.cut)
        if self.cue_pool is not None:
            candidates = candidates[np.asarray(self.cue_pool)[candidates, j] >= self.min_cues]
        limit = int(self.max_ratio * y.sum())
        candidates = candidates[np.argsort(-pool_scores[candidates])][:limit]
        self.added_.append(len(candidates))
        if not len(candidates):
            return model
        stacked = sp.vstack([X_fit, self.pool[candidates]]) if sp.issparse(X_fit) else \
            np.vstack([X_fit, self.pool[candidates]])
        return super()._fit_topic(j, stacked, np.r_[y, np.ones(len(candidates), int)])
