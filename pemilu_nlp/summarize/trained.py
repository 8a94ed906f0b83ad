"""A supervised sentence scorer learned from IndoSum's gold extractive labels.

Each sentence gets a small vector of features that extractive news summarisers rely on
(position, length, centrality, similarity to the centroid, the lead and the title) and a logistic
regression turns it into the probability of being in the gold summary.  It is small, fast and
saved as safetensors arrays + JSON: a feature model is the right size for the data we have.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import ModelFormatError
from ..persistence import (
    check_array,
    check_params,
    check_shapes,
    number,
    optional,
    read_config,
    safetensors_header,
    write_config,
)
from .base import MAX_CHARS, MAX_SENTENCES, Summarizer
from .graph import pagerank
from .vectors import SentenceVectors, sentence_vectors

__all__ = ["FEATURES", "TrainedSummarizer", "sentence_features"]

FORMAT = "pemilu_nlp.sentence_scorer"
FORMAT_VERSION = 1
#: the allowed range of every saved setting, checked on load
PARAMS = {"C": number(0, 1e12, low_open=True), "mmr_lambda": optional(number(0, 1, low_open=True))}
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


class TrainedSummarizer(Summarizer):
    """Scores sentences with a logistic regression over :data:`FEATURES`."""

    name = "trained"

    def __init__(self, *, C: float = 1.0, mmr_lambda: float | None = None, max_sentences: int | None = MAX_SENTENCES,
                 max_chars: int | None = MAX_CHARS):
        super().__init__(mmr_lambda=mmr_lambda, max_sentences=max_sentences, max_chars=max_chars)
        self.C = C

    def fit(self, documents: Sequence[Sequence[str]], gold: Sequence[Sequence[int]],
            titles: Sequence[str | None] | None = None) -> TrainedSummarizer:
        """Learn from documents (lists of sentences) and the indices of their gold sentences."""
        from sklearn.linear_model import LogisticRegression
        from tqdm.auto import tqdm

        if len(documents) != len(gold):
            raise ValueError(f"{len(documents)} documents but {len(gold)} gold index lists")
        xs, ys = [], []
        for i, sentences in enumerate(tqdm(documents, desc="sentence features", disable=len(documents) < 200)):
            xs.append(sentence_features(sentences, titles[i] if titles else None))
            label = np.zeros(len(sentences))
            label[list(gold[i])] = 1
            ys.append(label)
        x, y = np.vstack(xs), np.concatenate(ys)
        self.mean_ = x.mean(axis=0)
        self.scale_ = x.std(axis=0)
        self.scale_[self.scale_ == 0] = 1.0
        lr = LogisticRegression(C=self.C, max_iter=2000).fit((x - self.mean_) / self.scale_, y)
        self.coef_, self.intercept_ = lr.coef_[0].astype(np.float64), float(lr.intercept_[0])
        return self

    def _score(self, sentences: Sequence[str], title: str | None, vectors: SentenceVectors | None) -> np.ndarray:
        if not hasattr(self, "coef_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("this TrainedSummarizer is not fitted: call fit() or TrainedSummarizer.load()")
        x = (sentence_features(sentences, title, vectors) - self.mean_) / self.scale_
        return 1.0 / (1.0 + np.exp(-(x @ self.coef_ + self.intercept_)))

    def save(self, folder: str | Path, *, metrics: dict | None = None) -> Path:
        from safetensors.numpy import save_file
        from sklearn.exceptions import NotFittedError

        if not hasattr(self, "coef_"):
            raise NotFittedError("nothing to save: this TrainedSummarizer is not fitted")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        save_file({"coef": self.coef_, "intercept": np.array([self.intercept_]), "mean": self.mean_,
                   "scale": self.scale_}, str(folder / "weights.safetensors"))
        write_config(folder, {"format": FORMAT, "format_version": FORMAT_VERSION, "features": list(FEATURES),
                              "params": {"C": self.C, "mmr_lambda": self.mmr_lambda}, "metrics": metrics or {}},
                     files=["weights.safetensors"])
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> TrainedSummarizer:
        from safetensors import SafetensorError
        from safetensors.numpy import load_file

        folder = Path(folder)
        config = read_config(folder, expected_format=FORMAT, supported_versions=[FORMAT_VERSION],
                             files=["weights.safetensors"])
        if config.get("features") != list(FEATURES):
            raise ModelFormatError(f"{folder}: the model was trained on other features: {config.get('features')}")
        params = check_params(folder, config.get("params", {}), PARAMS)
        n = len(FEATURES)
        check_shapes(folder, "weights.safetensors", safetensors_header(folder, "weights.safetensors"),
                     {"coef": (n,), "intercept": (1,), "mean": (n,), "scale": (n,)})
        try:
            arrays = load_file(str(folder / "weights.safetensors"))
        except (SafetensorError, OSError, ValueError) as err:
            raise ModelFormatError(f"{folder}: cannot read the weights ({err})") from None
        for name in ("coef", "intercept", "mean"):
            check_array(folder, f"weights.safetensors {name}", arrays[name])
        check_array(folder, "weights.safetensors scale", arrays["scale"], positive=True)
        model = cls(**params)
        model.coef_, model.intercept_ = arrays["coef"], float(arrays["intercept"][0])
        model.mean_, model.scale_ = arrays["mean"], arrays["scale"]
        return model
