"""The feature sentence scorer: a logistic regression learned from IndoSum's gold extractive labels.

Each sentence gets a small vector of features that extractive news summarisers rely on
(position, length, centrality, similarity to the centroid, the lead and the title) and a logistic
regression turns it into the probability of being in the gold summary.  It is small, fast and
saved as safetensors arrays + JSON: a feature model is the right size for the data we have.
(Until issue 13 it was called ``TrainedSummarizer``, method ``"trained"``; both names still work
and warn.)
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.special import expit
from sklearn.utils.validation import check_is_fitted

from ..errors import ModelFormatError
from ..io.persistence import WEIGHTS, ModelFormat, check_array, open_folder, save_folder
from ..validation import number
from .base import MAX_CHARS, MAX_SENTENCES, NOT_FITTED, SUMMARIZER_CONSTRAINTS, Summarizer
from .graph import pagerank
from .vectors import SentenceVectors, sentence_vectors

__all__ = ["FEATURES", "FORMAT", "FeatureSummarizer", "check_features", "sentence_features", "standardization",
           "training_rows"]

#: the allowed range of every saved setting, checked on load
#: the feature scorer's settings and their limits: checked at __init__, set_params, fit and load
PARAMS = {**SUMMARIZER_CONSTRAINTS, "C": number(0, 1e12, low_open=True)}
FORMAT = ModelFormat("pemilu_nlp.sentence_scorer", 1, PARAMS)
FEATURES = (
    "inverse_position", "relative_position", "is_first", "is_second", "is_third", "log_sentences",
    "log_length", "is_short", "centroid_similarity", "title_similarity", "lead_similarity", "textrank",
    "lexrank_degree", "has_quote", "has_digit", "first_x_log_sentences",
)


def sentence_features(sentences: Sequence[str], title: str | None = None,
                      vectors: SentenceVectors | None = None) -> np.ndarray:
    """Features of every sentence of one article (sentences x len(FEATURES))."""
    n = len(sentences)
    vectors = vectors or sentence_vectors(sentences)
    similarity = vectors.similarity.copy()
    np.fill_diagonal(similarity, 0.0)
    matrix = vectors.matrix
    centroid = matrix.mean(axis=0)
    norm = np.linalg.norm(centroid)
    centroid_sim = matrix @ (centroid / norm) if norm else np.zeros(n)
    title_sim = matrix @ vectors.transform(title) if title else np.zeros(n)
    rank = pagerank(similarity)
    rank = rank / rank.max() if rank.max() > 0 else rank
    position = np.arange(n)
    lengths = np.array([len(t) for t in vectors.tokens], dtype=float)
    log_n = math.log(n)
    return np.column_stack([
        1.0 / (1 + position), position / max(n - 1, 1), position == 0, position == 1, position == 2,
        np.full(n, log_n), np.log1p(lengths), lengths < 5, centroid_sim, title_sim, similarity[0],
        rank, (similarity >= 0.1).sum(axis=1) / max(n - 1, 1),
        [('"' in s) or ("“" in s) for s in sentences], [any(c.isdigit() for c in s) for s in sentences],
        (position == 0) * log_n,
    ]).astype(np.float64)


def standardization(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column means and standard deviations of ``x`` (a constant column gets scale 1), so that
    ``(x - mean) / scale`` has zero mean and unit variance: both scorers scale their features so."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    return mean, scale


def training_rows(documents: Sequence[Sequence[str]], gold: Sequence[Sequence[int]],
                  titles: Sequence[str | None] | None = None, *,
                  progress: bool = True) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per document, its sentence features and its 0/1 gold labels (float32), after checking that
    documents, gold lists and titles match."""
    from tqdm.auto import tqdm

    if len(documents) != len(gold) or (titles is not None and len(titles) != len(documents)):
        raise ValueError(f"{len(documents)} documents, {len(gold)} gold lists and "
                         f"{len(titles) if titles is not None else 'no'} titles: they must match")
    if not documents:
        raise ValueError("no training documents")
    features, labels = [], []
    for i, sentences in enumerate(tqdm(documents, desc="sentence features", disable=not progress or len(documents) < 200)):
        features.append(sentence_features(sentences, titles[i] if titles else None))
        label = np.zeros(len(sentences), dtype=np.float32)
        label[list(gold[i])] = 1.0
        labels.append(label)
    return features, labels


def check_features(folder: Path, config: dict) -> None:
    """A saved scorer's feature list must be :data:`FEATURES`, in order."""
    if config.get("features") != list(FEATURES):
        raise ModelFormatError(f"{folder}: the model was trained on other features: {config.get('features')}")


class FeatureSummarizer(Summarizer):
    """Scores sentences with a logistic regression over :data:`FEATURES` (method ``"features"``).

    >>> from pemilu_nlp.summarize import get_summarizer
    >>> scorer = get_summarizer("features")   # the shipped model: models/summarizer-features
    >>> [s.index for s in scorer("KPU menetapkan DPT. Bawaslu mengawasi. Polisi berjaga.", 1)]
    [0]
    """

    name = "features"
    _parameter_constraints = PARAMS

    def __init__(self, *, C: float = 1.0, mmr_lambda: float | None = None, max_sentences: int | None = MAX_SENTENCES,
                 max_chars: int | None = MAX_CHARS):
        super().__init__(mmr_lambda=mmr_lambda, max_sentences=max_sentences, max_chars=max_chars)
        self.C = C
        self._validate_params()

    def fit(self, documents: Sequence[Sequence[str]], gold: Sequence[Sequence[int]],
            titles: Sequence[str | None] | None = None) -> FeatureSummarizer:
        """Learn from documents (lists of sentences) and the indices of their gold sentences."""
        from sklearn.linear_model import LogisticRegression

        self._validate_params()
        features, labels = training_rows(documents, gold, titles)
        x, y = np.vstack(features), np.concatenate(labels).astype(np.float64)
        self.mean_, self.scale_ = standardization(x)
        lr = LogisticRegression(C=self.C, max_iter=2000).fit((x - self.mean_) / self.scale_, y)
        self.coef_, self.intercept_ = lr.coef_[0].astype(np.float64), float(lr.intercept_[0])
        return self

    def _score(self, sentences: Sequence[str], title: str | None, vectors: SentenceVectors | None) -> np.ndarray:
        check_is_fitted(self, "coef_", msg=NOT_FITTED)
        x = (sentence_features(sentences, title, vectors) - self.mean_) / self.scale_
        return expit(x @ self.coef_ + self.intercept_)

    def save(self, folder: str | Path, *, metrics: dict | None = None) -> Path:
        """``weights.safetensors`` (coefficients and feature scaling) and ``config.json``, sealed."""
        check_is_fitted(self, "coef_", msg=NOT_FITTED)
        return save_folder(folder, FORMAT, params={"C": self.C, "mmr_lambda": self.mmr_lambda},
                           arrays={"coef": self.coef_, "intercept": np.array([self.intercept_]),
                                   "mean": self.mean_, "scale": self.scale_},
                           config={"features": list(FEATURES), "metrics": metrics or {}})

    @classmethod
    def load(cls, folder: str | Path) -> FeatureSummarizer:
        """Load a folder written by :meth:`save`; a malformed one is a :class:`ModelFormatError`."""
        opened = open_folder(folder, FORMAT, files=[WEIGHTS])
        check_features(opened.folder, opened.config)
        n = len(FEATURES)
        arrays = opened.arrays({"coef": (n,), "intercept": (1,), "mean": (n,), "scale": (n,)})
        check_array(opened.folder, "weights.safetensors scale", arrays["scale"], positive=True)
        model = opened.build(cls)
        model.coef_, model.intercept_ = arrays["coef"], float(arrays["intercept"][0])
        model.mean_, model.scale_ = arrays["mean"], arrays["scale"]
        return model
