"""The contract every topic classifier keeps: scikit-learn's multi-label conventions, plus friendly forms.

scikit-learn's tools (``cross_validate``, ``GridSearchCV``, ``clone``, scorers) need ``predict`` to
return an indicator matrix and ``predict_proba`` a probability matrix over ``classes_``; that is
what :class:`TopicClassifier` gives.  People mostly want topic names: ``predict_topics``,
``topic_probabilities`` and ``predict_top`` take one text (one result) or a sequence (a list in
the same order).

A model implements three hooks and inherits the rest:

``_fit(texts, Y, dev=None, **fit_params)``
    learn from texts and their label matrix (``Y``: texts x ``classes_``); ``dev`` is
    ``(texts, Y)`` when held-out data was given (IndoBERT uses it for early stopping).
``_proba(texts)``
    probabilities, texts x ``classes_``.
``_oof_proba(texts, Y)``
    out-of-fold probabilities of the training texts (only for ``thresholds="oof"``); a model may
    also choose here what it decides with those scores (TF-IDF: its cue-prior weights), so that
    the thresholds are chosen on the scores it will produce.

:meth:`TopicClassifier.fit` owns what is common: the schema, ``classes_``, label checking and the
per-topic decision thresholds by the rule in the ``thresholds`` setting:

* ``"oof"``: from out-of-fold scores of the training texts (every labelled example counts);
* ``"dev"``: F1-best on the ``X_dev``/``y_dev`` given to ``fit`` (0.5 when none is given);
* ``"fixed"``: 0.5 for every topic.
"""
from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from ..inputs import as_texts, binarize_labels
from ..io.schema import SchemaLike, as_schema
from .thresholds import apply_thresholds, as_topic_lists, oof_thresholds, probability_maps, tune_thresholds

__all__ = ["THRESHOLD_RULES", "TopicClassifier"]

THRESHOLD_RULES = ("oof", "dev", "fixed")


def _batch(X: Any, method: str) -> list[str]:
    """The texts of a batch; one bare string is refused (scikit-learn reads X as a sequence)."""
    if isinstance(X, str):
        raise TypeError(f"{method} takes a sequence of texts (scikit-learn's convention: one row per text); "
                        f"wrap one text in a list, or use predict_topics(text) / topic_probabilities(text)")
    return as_texts(X)[0]


class TopicClassifier(ClassifierMixin, BaseEstimator):
    """Base of the topic classifiers: multi-label, one probability and one decision per topic."""

    classes_: np.ndarray
    thresholds_: np.ndarray

    # ------------------------------------------------------------------------------------ hooks
    def _fit(self, texts: list[str], Y: np.ndarray, *, dev: tuple[list[str], np.ndarray] | None = None,
             **fit_params: Any) -> None:
        raise NotImplementedError

    def _proba(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def _oof_proba(self, texts: list[str], Y: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} has no out-of-fold scores; use thresholds='dev'")

    def _tune_on(self, texts: list[str], Y: np.ndarray) -> None:
        """Choose the decision settings on held-out data (per-topic F1-best thresholds by default)."""
        self.thresholds_ = tune_thresholds(Y, self._proba(texts))

    @classmethod
    def from_settings(cls, **settings: Any) -> TopicClassifier:
        """A new classifier from flat setting names (``pemilu-nlp train --params``); a model that
        groups settings (IndoBERT's training arguments) sorts them here."""
        return cls(**settings)

    # ------------------------------------------------------------------------------------ fitting
    def fit(self, X: Iterable[str], y: Any, *, X_dev: Iterable[str] | None = None, y_dev: Any = None,
            schema: SchemaLike = None, **fit_params: Any) -> TopicClassifier:
        """Learn from texts ``X`` and labels ``y`` (topic-id lists, or an indicator matrix in
        schema order), then set each topic's threshold by the ``thresholds`` rule.

        ``schema``: the topics (default: the shipped schema; a schema file, a model folder or a
        list of topics), saved with the model; ``X_dev``/``y_dev``: held-out data for
        ``thresholds="dev"`` (and early stopping where a model has it)."""
        rule = getattr(self, "thresholds", "fixed")
        if rule not in THRESHOLD_RULES:
            raise ValueError(f"thresholds must be one of {', '.join(THRESHOLD_RULES)}, got {rule!r}")
        texts = _batch(X, "fit")
        self.schema_ = as_schema(schema)
        self.classes_ = np.array([t.id for t in self.schema_])
        Y = binarize_labels(y, list(self.classes_), n=len(texts))
        _warn_always_positive(self.classes_, Y)
        dev = None
        if X_dev is not None:
            dev_texts = _batch(X_dev, "fit (X_dev)")
            dev = (dev_texts, binarize_labels(y_dev, list(self.classes_), n=len(dev_texts)))
        self._fit(texts, Y, dev=dev, **fit_params)
        self.thresholds_ = np.full(len(self.classes_), 0.5)
        self.threshold_source_ = "fixed"
        if rule == "oof":
            self.thresholds_ = oof_thresholds(Y, self._oof_proba(texts, Y))
            self.threshold_source_ = "oof"
        elif rule == "dev" and dev is not None:
            self._tune_on(*dev)
            self.threshold_source_ = "dev"
        return self

    def tune_thresholds(self, X: Iterable[str], y: Any) -> TopicClassifier:
        """Re-choose the decision thresholds on held-out data ``X``/``y`` (after :meth:`fit`)."""
        check_is_fitted(self, "classes_")
        texts = _batch(X, "tune_thresholds")
        self._tune_on(texts, binarize_labels(y, list(self.classes_), n=len(texts)))
        self.threshold_source_ = "dev"
        return self

    # ------------------------------------------------------------------------------------ scikit-learn surface
    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        """Probabilities, texts x ``classes_`` (scikit-learn's multi-label convention)."""
        check_is_fitted(self, "classes_")
        return self._proba(_batch(X, "predict_proba"))

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """0/1 decisions from a probability matrix (the per-topic thresholds)."""
        return apply_thresholds(proba, self.thresholds_)

    def predict(self, X: Iterable[str]) -> np.ndarray:
        """Topic decisions as an indicator matrix, texts x ``classes_`` (int8 0/1)."""
        return np.asarray(self.decide(self.predict_proba(X)), dtype=np.int8)

    # ------------------------------------------------------------------------------------ friendly surface
    def topics_and_probabilities(self, X: str | Iterable[str]) -> tuple[list[list[str]], list[dict[str, float]]]:
        """Each text's topics and its topic -> probability map, from one pass of the model."""
        check_is_fitted(self, "classes_")
        texts, _ = as_texts(X)
        proba = self._proba(texts)
        return as_topic_lists(self.classes_, self.decide(proba)), probability_maps(self.classes_, proba)

    def predict_topics(self, X: str | Iterable[str]) -> list[str] | list[list[str]]:
        """The topics decided for one text, or for each text of a sequence (same order)."""
        topics, _ = self.topics_and_probabilities(X)
        return topics[0] if isinstance(X, str) else topics

    def topic_probabilities(self, X: str | Iterable[str]) -> dict[str, float] | list[dict[str, float]]:
        """Topic -> probability, for one text or for each text of a sequence (same order)."""
        _, probabilities = self.topics_and_probabilities(X)
        return probabilities[0] if isinstance(X, str) else probabilities

    def predict_top(self, X: str | Iterable[str]) -> str | list[str]:
        """The single most likely topic (for users who want exactly one)."""
        check_is_fitted(self, "classes_")
        texts, single = as_texts(X)
        out = [str(t) for t in self.classes_[self._proba(texts).argmax(axis=1)]]
        return out[0] if single else out


def _warn_always_positive(classes: np.ndarray, Y: np.ndarray) -> None:
    """A topic that every training text has is learned as "always": say so, it is rarely meant."""
    always = [str(t) for t, column in zip(classes, Y.T) if len(column) > 1 and column.all()]
    if always:
        warnings.warn(f"topic(s) {', '.join(always)}: every training text is labelled with it, so the model "
                      "learns nothing about it and predicts it for every text; add texts without it",
                      UserWarning, stacklevel=3)

