"""Sentence TF-IDF vectors within one article, the input of every graph and feature.

Dense numpy on purpose: an article has tens of sentences and a few hundred distinct words, and at
that size building scipy sparse matrices (or fitting a TfidfVectorizer per article) costs more
than the whole summary.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..text.cleaning import tokenize

__all__ = ["SentenceVectors", "sentence_vectors"]


@dataclass(frozen=True)
class SentenceVectors:
    matrix: np.ndarray             # sentences x terms, rows of unit length (zero rows stay zero)
    vocabulary: dict[str, int]
    tokens: list[list[str]]

    @cached_property
    def similarity(self) -> np.ndarray:
        """Cosine similarity of every pair of sentences (a fresh copy is safe to modify)."""
        return self.matrix @ self.matrix.T

    def transform(self, text: str) -> np.ndarray:
        """A text (e.g. the title) as a unit vector in this article's term space."""
        vec = np.zeros(len(self.vocabulary))
        for token in tokenize(text):
            j = self.vocabulary.get(token)
            if j is not None:
                vec[j] += 1.0
        norm = np.linalg.norm(vec)
        return vec / norm if norm else vec


def sentence_vectors(sentences: Sequence[str]) -> SentenceVectors:
    tokens = [tokenize(s) for s in sentences]
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for i, toks in enumerate(tokens):
        for t in toks:
            rows.append(i)
            cols.append(vocabulary.setdefault(t, len(vocabulary)))
    n, v = len(sentences), len(vocabulary)
    counts = np.bincount(np.asarray(rows, dtype=np.int64) * v + np.asarray(cols, dtype=np.int64),
                         minlength=n * v).reshape(n, v).astype(float) if v else np.zeros((n, 0))
    df = (counts > 0).sum(axis=0)
    x = counts * (np.log((1 + n) / (1 + df)) + 1.0)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return SentenceVectors(x / norms, vocabulary, tokens)
