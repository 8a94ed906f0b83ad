"""Repeated stratified cross-validation for a few-shot, multi-label problem.

A fixed test split with one to seven positives per rare topic cannot rank methods: one article
more or less moves F1 by 0.2.  Here every article is a test article once per repeat, and a
decision rule (a threshold, a calibration) is chosen **inside each training fold only**: its
out-of-fold scores come from inner folds of the training part, so no test article is ever seen
while the rule is chosen (``tests/learn/test_crossval.py`` checks this with a spy scorer).

Trade-off: nested CV multiplies fits (outer folds x (1 + inner folds) per repeat), so the
scorers here work on document features that do not depend on labels and are computed once.

Vocabulary
----------
scorer
    Anything with ``fit_score(fit_idx, Y_fit, eval_idx) -> scores`` (``len(eval_idx) x topics``):
    fit on the articles ``fit_idx`` with label matrix ``Y_fit`` and score the articles ``eval_idx``.
recipe
    ``recipe(fold) -> binary predictions`` for the fold's test articles, where ``fold`` is a
    :class:`Fold` that computes (once) the test scores and the inner out-of-fold scores.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..classify.folds import Scorer, multilabel_folds, oof_scores, scored_folds
from ..classify.thresholds import apply_thresholds, oof_thresholds, tune_thresholds

__all__ = [
    "Fold",
    "Scorer",
    "TextModelScorer",
    "bootstrap_summary",
    "format_cv_table",
    "multilabel_folds",
    "oof_scores",
    "recipe_fixed",
    "recipe_oof",
    "recipe_oof_cue_prior",
    "recipe_prior_shift",
    "recipe_today",
    "run_cv",
    "scored_folds",
]


class TextModelScorer:
    """Fit a whole text model (vocabulary included) on the fitted articles' texts; for recipes whose
    features are learned from the labelled training texts, e.g. the TF-IDF model as shipped until now."""

    def __init__(self, texts: Sequence[str], factory: Callable[[], Any]):
        self.texts, self.factory = list(texts), factory

    def fit_score(self, fit_idx: np.ndarray, Y_fit: np.ndarray, eval_idx: np.ndarray) -> np.ndarray:
        model = self.factory().fit([self.texts[i] for i in fit_idx], Y_fit)
        return model.predict_proba([self.texts[i] for i in eval_idx])


@dataclass
class Fold:
    """One outer fold; scores are computed on first use and shared by every recipe."""

    scorer: Scorer
    Y: np.ndarray
    train_idx: np.ndarray
    test_idx: np.ndarray
    seed: int = 0
    inner_splits: int = 5
    inner_repeats: int = 1
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def Y_train(self) -> np.ndarray:
        return self.Y[self.train_idx]

    @property
    def test_scores(self) -> np.ndarray:
        if "test" not in self._cache:
            self._cache["test"] = self.scorer.fit_score(self.train_idx, self.Y_train, self.test_idx)
        return self._cache["test"]

    @property
    def oof(self) -> np.ndarray:
        if "oof" not in self._cache:
            self._cache["oof"] = oof_scores(self.scorer, self.train_idx, self.Y_train, n_splits=self.inner_splits,
                                            n_repeats=self.inner_repeats, seed=self.seed + 7)
        return self._cache["oof"]


Recipe = Callable[[Fold], np.ndarray]


def recipe_oof(shrink: float = 5.0) -> Recipe:
    """Thresholds from inner out-of-fold scores (:func:`~pemilu_nlp.classify.thresholds.oof_thresholds`)."""
    def recipe(fold: Fold) -> np.ndarray:
        return apply_thresholds(fold.test_scores, oof_thresholds(fold.Y_train, fold.oof, shrink=shrink))
    return recipe


def recipe_oof_cue_prior(cue: np.ndarray, shrink: float = 5.0) -> Recipe:
    """The shipped TF-IDF rule: per-topic cue-prior weights (:func:`~pemilu_nlp.classify.cues.choose_cue_weights`)
    and thresholds, both from inner out-of-fold scores; ``cue``: every article's label-free cue
    scores (documents x topics, :func:`~pemilu_nlp.classify.cues.cue_scores`)."""
    from ..classify.cues import blend, choose_cue_weights

    def recipe(fold: Fold) -> np.ndarray:
        cue_train = cue[fold.train_idx]
        weights = choose_cue_weights(fold.Y_train, fold.oof, cue_train, shrink=shrink)
        thresholds = oof_thresholds(fold.Y_train, blend(fold.oof, cue_train, weights), shrink=shrink)
        return apply_thresholds(blend(fold.test_scores, cue[fold.test_idx], weights), thresholds)
    return recipe


def recipe_fixed(threshold: float = 0.5) -> Recipe:
    """One fixed threshold for every topic (e.g. 0.5 on calibrated probabilities)."""
    def recipe(fold: Fold) -> np.ndarray:
        return apply_thresholds(fold.test_scores, np.full(fold.Y.shape[1], threshold))
    return recipe


def recipe_prior_shift() -> Recipe:
    """Prior-shift correction of a class-balanced model: it was trained as if each topic had prior
    1/2; moving the odds to the training prior ``pi`` and deciding at 1/2 is the threshold
    ``1 - pi`` on the uncorrected probability."""
    def recipe(fold: Fold) -> np.ndarray:
        prior = fold.Y_train.mean(axis=0)
        return apply_thresholds(fold.test_scores, np.where(prior > 0, 1.0 - prior, 0.5))
    return recipe


def recipe_today(dev_share: float = 0.2, min_positives: int = 5) -> Recipe:
    """The shipped rule until now: fit on part of the training fold, tune thresholds on the rest
    (a 'dev' part) for topics with at least ``min_positives`` dev positives, 0.5 otherwise."""
    def recipe(fold: Fold) -> np.ndarray:
        parts = multilabel_folds(fold.Y_train, max(2, round(1 / dev_share)), seed=fold.seed + 3)
        fit, dev = parts[0]
        fit_idx, dev_idx = fold.train_idx[fit], fold.train_idx[dev]
        # two calls (one fit each) so that the thresholds provably come from dev scores alone
        dev_scores = fold.scorer.fit_score(fit_idx, fold.Y[fit_idx], dev_idx)
        thresholds = tune_thresholds(fold.Y[dev_idx], dev_scores, min_positives=min_positives)
        return apply_thresholds(fold.scorer.fit_score(fit_idx, fold.Y[fit_idx], fold.test_idx), thresholds)
    return recipe


def run_cv(scorer: Scorer, Y: np.ndarray, recipes: dict[str, Recipe], *, n_splits: int = 5, n_repeats: int = 3,
           seed: int = 0, inner_splits: int = 5, inner_repeats: int = 1, train_only: np.ndarray | None = None,
           progress: bool = False) -> dict[str, np.ndarray]:
    """Pooled test predictions of each recipe: ``{name: array (repeats x scored documents x topics)}``.

    In each repeat every article is predicted once, by the recipe run on the fold that holds it out.
    Articles flagged ``train_only`` (see :func:`scored_folds`) are trained on in every fold and
    never predicted: the rows are those of ``Y[~train_only]`` (all of ``Y`` without the flag).
    """
    from tqdm.auto import tqdm

    Y = np.asarray(Y).astype(np.int8)
    scored = np.ones(len(Y), bool) if train_only is None else ~np.asarray(train_only, dtype=bool)
    out = {name: np.zeros((n_repeats, *Y.shape), dtype=np.int8) for name in recipes}
    jobs = [(r, k, fit, test) for r in range(n_repeats)
            for k, (fit, test) in enumerate(scored_folds(Y, n_splits, seed=seed + r, train_only=train_only))]
    for r, k, train_idx, test_idx in tqdm(jobs, desc="folds", disable=not progress):
        fold = Fold(scorer, Y, train_idx, test_idx, seed=seed + 100 * r + k, inner_splits=inner_splits,
                    inner_repeats=inner_repeats)
        for name, recipe in recipes.items():
            out[name][r][test_idx] = recipe(fold)
    return {name: p[:, scored] for name, p in out.items()}


def _prf(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        r = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        f = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
    return p, r, f


def bootstrap_summary(Y: np.ndarray, predictions: np.ndarray, topics: Sequence[str], *, n_boot: int = 1000,
                      seed: int = 0) -> dict[str, Any]:
    """Per-topic precision/recall/F1 and macro-F1 over all topics, with bootstrap 95 % intervals.

    ``predictions`` is ``repeats x documents x topics``: each figure is the mean over repeats of the
    pooled score; an interval resamples articles (the same resample for every repeat). A topic
    without a positive in a resample is left out of that resample's macro-F1.
    """
    Y = np.asarray(Y).astype(float)
    P = np.asarray(predictions).astype(float)
    if P.ndim == 2:
        P = P[None]
    if P.shape[1:] != Y.shape:
        raise ValueError(f"predictions {P.shape} do not match labels {Y.shape}")
    n = len(Y)
    rng = np.random.default_rng(seed)
    weights = np.vstack([np.ones(n), rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot)])  # row 0: the data

    def scores(w: np.ndarray) -> tuple[np.ndarray, ...]:
        tp = np.einsum("bn,rnt->brt", w, P * Y)
        fp = np.einsum("bn,rnt->brt", w, P * (1 - Y))
        fn = np.einsum("bn,rnt->brt", w, (1 - P) * Y)
        p, r, f = _prf(tp, fp, fn)
        present = (w @ Y) > 0                                                  # b x t
        macro = np.nanmean(np.where(present[:, None, :], f, np.nan), axis=2)  # b x r
        return p.mean(1), r.mean(1), f.mean(1), macro.mean(1)

    p, r, f, macro = [np.concatenate(parts) for parts in
                      zip(*(scores(weights[i:i + 250]) for i in range(0, len(weights), 250)))]

    def stat(values: np.ndarray) -> dict[str, float]:
        low, high = np.percentile(values[1:], [2.5, 97.5])
        return {"mean": round(float(values[0]), 4), "ci95": [round(float(low), 4), round(float(high), 4)]}

    return {"documents": n, "repeats": int(P.shape[0]), "bootstrap": n_boot, "macro_f1": stat(macro),
            "per_topic": {t: {"support": int(Y[:, j].sum()), "precision": stat(p[:, j]), "recall": stat(r[:, j]),
                              "f1": stat(f[:, j])} for j, t in enumerate(topics)}}


def format_cv_table(summaries: dict[str, dict], title: str = "") -> str:
    """Recipes side by side: macro-F1 with interval, then per-topic F1 (and P/R for one recipe)."""
    lines = [title] if title else []
    names = list(summaries)
    first = summaries[names[0]]
    lines.append(f"{first['documents']} articles, {first['repeats']} repeats, bootstrap 95 % intervals "
                 f"({first['bootstrap']} resamples)")

    def cell(s: dict) -> str:
        return f"{s['mean']:.3f} [{s['ci95'][0]:.2f}-{s['ci95'][1]:.2f}]"

    width = 22
    lines.append(f"{'':<24}{'n':>5}" + "".join(f"{n[:width - 1]:>{width}}" for n in names))
    lines.append(f"{'macro-F1 (all topics)':<24}{'':>5}" + "".join(f"{cell(summaries[n]['macro_f1']):>{width}}"
                                                                    for n in names))
    for topic, s in first["per_topic"].items():
        lines.append(f"{topic:<24}{s['support']:>5}" + "".join(
            f"{cell(summaries[n]['per_topic'][topic]['f1']):>{width}}" for n in names))
    if len(names) == 1:
        lines.append("")
        lines.append(f"{'topic':<24}{'precision':>22}{'recall':>22}")
        for topic, s in first["per_topic"].items():
            lines.append(f"{topic:<24}{cell(s['precision']):>22}{cell(s['recall']):>22}")
    return "\n".join(lines)
