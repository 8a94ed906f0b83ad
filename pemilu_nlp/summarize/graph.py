"""Graph centrality summarisers: TextRank (PageRank over cosine similarity) and LexRank.

Both build one sentence graph from TF-IDF cosine similarity and rank it by power iteration on a
dense matrix (articles have tens of sentences, so dense numpy beats sparse bookkeeping).  A
position prior and the similarity to the title can be mixed into the score; their weights were
tuned on the IndoSum dev part (see docs/summaries.md), not guessed.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..validation import number, optional
from .base import MAX_CHARS, MAX_SENTENCES, SUMMARIZER_CONSTRAINTS, Summarizer
from .vectors import SentenceVectors, sentence_vectors

__all__ = ["LexRankSummarizer", "TextRankSummarizer", "pagerank"]


def pagerank(weights: np.ndarray, *, damping: float = 0.85, tol: float = 1e-8, max_iter: int = 200) -> np.ndarray:
    """Stationary distribution of a random walk that follows ``weights`` with probability
    ``damping`` and jumps uniformly otherwise.  Rows with no edge jump uniformly.

    >>> np.round(pagerank(np.array([[0, 1.], [1, 0]])), 3)
    array([0.5, 0.5])
    """
    n = len(weights)
    if n == 0:
        return np.zeros(0)
    out = weights.sum(axis=1, keepdims=True)
    transition = np.where(out > 0, weights / np.where(out > 0, out, 1), 1.0 / n)
    rank = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        new = (1 - damping) / n + damping * transition.T @ rank
        if np.abs(new - rank).sum() < tol:
            return new
        rank = new
    return rank


#: a graph method's limits: weights are finite, damping a probability, LexRank's threshold in [0, 1)
GRAPH_CONSTRAINTS = {
    **SUMMARIZER_CONSTRAINTS, "position_weight": number(-1e6, 1e6), "title_weight": number(-1e6, 1e6),
    "damping": number(0, 1), "threshold": optional(number(0, 1, high_open=True)),
}


class _GraphSummarizer(Summarizer):
    _parameter_constraints = GRAPH_CONSTRAINTS

    def __init__(self, *, position_weight: float = 0.0, title_weight: float = 0.0,
                 mmr_lambda: float | None = None, max_sentences: int | None = MAX_SENTENCES,
                 max_chars: int | None = MAX_CHARS):
        super().__init__(mmr_lambda=mmr_lambda, max_sentences=max_sentences, max_chars=max_chars)
        self.position_weight = position_weight
        self.title_weight = title_weight
        self._validate_params()

    def centrality(self, similarity: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def sentence_graph(self, sentences: Sequence[str], title: str | None,
                       vectors: SentenceVectors | None) -> tuple[np.ndarray, np.ndarray | None]:
        """Sentence x sentence similarity (a fresh matrix) and each sentence's similarity to the
        title (``None`` when the title is not used): TF-IDF cosine here, encoder cosine in
        :class:`~pemilu_nlp.summarize.embedding.EmbeddingCentralitySummarizer`."""
        vectors = vectors or sentence_vectors(sentences)
        to_title = vectors.matrix @ vectors.transform(title) if self.title_weight and title else None
        return vectors.similarity.copy(), to_title

    def _score(self, sentences: Sequence[str], title: str | None, vectors: SentenceVectors | None) -> np.ndarray:
        similarity, to_title = self.sentence_graph(sentences, title, vectors)
        np.fill_diagonal(similarity, 0.0)
        scores = self.centrality(similarity)
        peak = scores.max()
        scores = scores / peak if peak > 0 else scores
        if self.position_weight:
            scores = scores + self.position_weight / (1.0 + np.arange(len(sentences)))
        if to_title is not None:
            scores = scores + self.title_weight * to_title
        return scores

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(position_weight={self.position_weight}, "
                f"title_weight={self.title_weight}, mmr_lambda={self.mmr_lambda})")


class TextRankSummarizer(_GraphSummarizer):
    """TextRank (Mihalcea & Tarau, 2004) with TF-IDF cosine edge weights and damping 0.85."""

    name = "textrank"

    def __init__(self, *, damping: float = 0.85, position_weight: float = 0.0, title_weight: float = 0.0,
                 mmr_lambda: float | None = None, max_sentences: int | None = MAX_SENTENCES,
                 max_chars: int | None = MAX_CHARS):
        super().__init__(position_weight=position_weight, title_weight=title_weight, mmr_lambda=mmr_lambda,
                         max_sentences=max_sentences, max_chars=max_chars)
        self.damping = damping
        self._validate_params()

    def centrality(self, similarity: np.ndarray) -> np.ndarray:
        return pagerank(similarity, damping=self.damping)


class LexRankSummarizer(_GraphSummarizer):
    """LexRank (Erkan & Radev, 2004): eigenvector centrality of the similarity graph.

    With ``threshold`` set, edges are similarities at or above it, unweighted (the paper's
    LexRank with threshold); with ``threshold=None`` the cosine values are the weights
    (continuous LexRank).
    """

    name = "lexrank"

    def __init__(self, *, threshold: float | None = 0.1, damping: float = 0.85, position_weight: float = 0.0,
                 title_weight: float = 0.0, mmr_lambda: float | None = None,
                 max_sentences: int | None = MAX_SENTENCES, max_chars: int | None = MAX_CHARS):
        super().__init__(position_weight=position_weight, title_weight=title_weight, mmr_lambda=mmr_lambda,
                         max_sentences=max_sentences, max_chars=max_chars)
        self.threshold = threshold
        self.damping = damping
        self._validate_params()

    def centrality(self, similarity: np.ndarray) -> np.ndarray:
        weights = similarity if self.threshold is None else (similarity >= self.threshold).astype(float)
        if self.threshold is not None:
            np.fill_diagonal(weights, 0.0)
        return pagerank(weights, damping=self.damping)
