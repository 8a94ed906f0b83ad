"""The output surface every topic classifier shares, built on two methods each model provides.

A model implements ``predict_proba_matrix`` (documents x topics) and may override ``decide``
(probabilities -> 0/1 decisions; per-topic thresholds by default); this mixin turns them into the
public ``predict``, ``predict_proba`` and ``predict_top``: one string in, one result out; a
sequence in, a list in the same order.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .inputs import as_texts
from .thresholds import apply_thresholds

__all__ = ["TopicClassifierMixin"]


class TopicClassifierMixin:
    classes_: np.ndarray
    thresholds_: np.ndarray

    def predict_proba_matrix(self, X: str | Iterable[str]) -> np.ndarray:
        raise NotImplementedError

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """Binary topic decisions from a probability matrix (the per-topic thresholds)."""
        return apply_thresholds(proba, self.thresholds_)

    def predict_proba(self, X: str | Iterable[str]) -> dict[str, float] | list[dict[str, float]]:
        """Topic -> probability, for one text or for each text of a sequence (same order)."""
        texts, single = as_texts(X)  # a generator is read once, here
        out = [{str(t): float(p) for t, p in zip(self.classes_, row)} for row in self.predict_proba_matrix(texts)]
        return out[0] if single else out

    def predict(self, X: str | Iterable[str]) -> list[str] | list[list[str]]:
        """The topics decided for one text, or for each text of a sequence."""
        texts, single = as_texts(X)
        decisions = self.decide(self.predict_proba_matrix(texts))
        out = [[str(t) for t, d in zip(self.classes_, row) if d] for row in decisions]
        return out[0] if single else out

    def predict_top(self, X: str | Iterable[str]) -> str | list[str]:
        """The single most likely topic (for users who want exactly one)."""
        texts, single = as_texts(X)
        out = [str(t) for t in self.classes_[self.predict_proba_matrix(texts).argmax(axis=1)]]
        return out[0] if single else out
