"""Sentence TF-IDF vectors within one article, the input of every graph and feature.

Written with numpy/scipy instead of a fitted TfidfVectorizer per article: building a vectorizer
costs more than the whole summary of a 30-sentence article.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..text import tokenize

__all__ = ["SentenceVectors", "sentence_vectors"]


@dataclass(frozen=True)
class SentenceVectors:
    matrix: sp.csr_matrix          # sentences x terms, rows of unit length (zero rows stay zero)
    vocabulary: dict[str, int]
    tokens: list[list[str]]

    @property
    def similarity(self) -> np.ndarray:
        """Cosine similarity of every pair of sentences (dense: articles are short)."""
        return np.asarray((self.matrix @ self.matrix.T).todense())

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
    n = len(sentences)
    counts = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(vocabulary)))
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=len(vocabulary))
    idf = np.log((1 + n) / (1 + df)) + 1.0
    x = counts.multiply(idf[None, :]).tocsr()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return SentenceVectors(sp.csr_matrix(sp.diags(1 / norms) @ x), vocabulary, tokens)
