"""The TF-IDF recipes under repeated nested cross-validation: what ``pemilu-nlp evaluate --cv`` prints.

Two recipes, compared on the same folds:

``before``
    The model as shipped until issue 12: vocabulary and idf from the labelled training texts, fitted
    on part of each training fold, thresholds tuned on the rest (topics with 5+ positives there;
    0.5 otherwise).
``after``
    The shipped recipe: vocabulary and idf learned once without labels (the corpus texts plus any
    unlabelled news), per-topic regressions on every training article, the schema's cue prior
    (``cue_prior``, :mod:`pemilu_nlp.classify.cues`) and thresholds, both from inner out-of-fold scores.

Thresholds are chosen inside each training fold only (see :mod:`pemilu_nlp.learn.crossval`).  Articles
that a model's scores chose for reading (:attr:`~pemilu_nlp.io.corpus.Article.selected_by_model`) are
trained on in every fold and never scored.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..classify.cues import cue_scores
from ..io.corpus import label_matrix, load_corpus, model_chosen
from ..io.schema import topic_ids
from .crossval import (
    TextModelScorer,
    bootstrap_summary,
    format_cv_table,
    recipe_oof,
    recipe_oof_cue_prior,
    recipe_today,
    run_cv,
)

__all__ = ["RECIPES", "evaluate_cv", "format_cv_table"]

RECIPES = ("before", "after")


def evaluate_cv(corpus: str | Path, *, recipes: Sequence[str] = RECIPES, unlabelled: Sequence[str | Path] = (),
                n_splits: int = 5, n_repeats: int = 3, seed: int = 0, n_boot: int = 1000,
                params: dict[str, Any] | None = None, progress: bool = False) -> dict[str, Any]:
    """Repeated nested CV of each recipe over the corpus; per recipe (``recipes``) the summary of
    :func:`~pemilu_nlp.learn.crossval.bootstrap_summary` (macro-F1 over all topics and per-topic P/R/F1,
    each with a bootstrap 95 % interval).  Articles a model chose for reading are trained on in
    every fold and never scored: ``scored_articles``, ``training_only_articles`` and
    ``training_only_positives`` (per topic) say how many."""
    from ..classify.tfidf.classifier import OOF_REPEATS, HeadScorer, TfidfTopicClassifier
    from ..io.unlabelled import load_unlabelled_texts

    unknown = [r for r in recipes if r not in RECIPES]
    if unknown:
        raise ValueError(f"unknown recipe(s) {unknown}; choose from {', '.join(RECIPES)}")
    articles = load_corpus(corpus)
    texts = [a.model_text for a in articles]
    topics = list(topic_ids())
    Y = label_matrix(articles, topics)
    train_only = model_chosen(articles)
    params = dict(params or {})
    cv = {"n_splits": n_splits, "n_repeats": n_repeats, "seed": seed, "train_only": train_only, "progress": progress}
    predictions = {}
    if "before" in recipes:
        # solver as shipped until now; the recipe chooses the thresholds, the model's own are not used
        before = {"dual": False, **params, "thresholds": "fixed"}
        scorer = TextModelScorer(texts, lambda: TfidfTopicClassifier(**before))
        predictions["before"] = run_cv(scorer, Y, {"x": recipe_today()}, **cv)["x"]
    if "after" in recipes:
        extra = load_unlabelled_texts(list(unlabelled)) if unlabelled else []
        model = TfidfTopicClassifier(**{"dual": True, **params}).fit_features(texts + extra)
        recipe = recipe_oof_cue_prior(cue_scores(model.cue_counts(texts))) if model.cue_prior else recipe_oof()
        # inner out-of-fold scores as the shipped fit makes them (OOF_REPEATS repeats)
        predictions["after"] = run_cv(HeadScorer(model, model.transform(texts)), Y, {"x": recipe},
                                      inner_repeats=OOF_REPEATS, **cv)["x"]
    return {"corpus": str(corpus), "n_splits": n_splits, "n_repeats": n_repeats, "seed": seed,
            "unlabelled": [str(p) for p in unlabelled], "params": params,
            "scored_articles": int((~train_only).sum()), "training_only_articles": int(train_only.sum()),
            "training_only_positives": dict(zip(topics, map(int, Y[train_only].sum(axis=0)))),
            "recipes": {name: bootstrap_summary(Y[~train_only], p, topics, n_boot=n_boot, seed=seed)
                        for name, p in predictions.items()}}
