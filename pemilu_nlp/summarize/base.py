"""The summariser contract: ``summarizer(text, count)`` -> chosen sentences in document order.

A summariser only has to score sentences; choosing the top k, redundancy control (MMR) and
restoring document order live here, once, for every method (as in sumy).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ..inputs import BYTES_GIVEN, check_summary_input, is_blank
from ..text import clean_text, split_sentences
from .vectors import SentenceVectors, sentence_vectors

__all__ = ["Summarizer", "SummarySentence", "parse_count", "prepare_sentences"]

_SHARE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$")


@dataclass(frozen=True)
class SummarySentence:
    """A chosen sentence: its position in the article, its text and the method's score."""

    index: int
    text: str
    score: float


def parse_count(count: int | str, n_sentences: int) -> int:
    """Number of sentences to return for ``count`` (an int >= 1, the same as a string, or a share
    such as ``"20%"``).

    >>> parse_count("25%", 12), parse_count(5, 3), parse_count("2", 9)
    (3, 3, 2)
    """
    if isinstance(count, bool):
        raise ValueError(f"count must be a positive int or a share like '20%', got {count!r}")
    if isinstance(count, int | np.integer):
        if count < 1:
            raise ValueError(f"count must be a positive int or a share like '20%', got {count!r}")
        return min(int(count), n_sentences)
    if isinstance(count, str) and re.fullmatch(r"[0-9]+", count.strip()) and int(count) >= 1:
        return min(int(count), n_sentences)  # "3" from a command line or a config file
    if isinstance(count, str):
        match = _SHARE.match(count)
        if match and 0 < float(match.group(1)) <= 100:
            return max(1, min(n_sentences, int(n_sentences * float(match.group(1)) / 100 + 0.5)))  # half up
    raise ValueError(f"count must be a positive int or a share between 0% and 100% such as '20%', got {count!r}")


def prepare_sentences(text: str | Sequence[str]) -> list[str]:
    """A raw article is cleaned and split; a list of sentences is used as given."""
    check_summary_input(text)
    if isinstance(text, str):
        if is_blank(text):
            raise ValueError("text is empty or whitespace only")
        sentences = split_sentences(clean_text(text))
        if not sentences:  # all furniture: fall back to the raw text rather than return nothing
            sentences = split_sentences(text)
        sentences = [s for s in sentences if not is_blank(s)]
        if not sentences:
            raise ValueError("text has no sentence (only invisible or format characters)")
        return sentences
    sentences = list(text)
    if not sentences:
        raise ValueError("no sentences given")
    for i, sentence in enumerate(sentences):
        if not isinstance(sentence, str):
            raise TypeError(f"sentence {i} must be str, got {type(sentence).__name__}")
    if all(is_blank(s) for s in sentences):
        raise ValueError("all sentences are empty")
    return sentences


def check_mmr_lambda(value: float | None) -> float | None:
    """``value`` if it is None or a number in (0, 1]; otherwise a ``ValueError`` saying so."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating) or not 0 < value <= 1:
        raise ValueError(f"mmr_lambda must be None or a number in (0, 1], got {value!r}")
    return float(value)


def mmr_select(scores: np.ndarray, similarity: np.ndarray, k: int, lam: float) -> list[int]:
    """Maximal marginal relevance: trade score against similarity to what is already chosen.

    A sentence identical to a chosen one (similarity ~1) is never picked.
    """
    span = float(scores.max() - scores.min())
    relevance = (scores - scores.min()) / span if span > 0 else np.ones_like(scores)
    chosen: list[int] = []
    candidates = list(range(len(scores)))
    while candidates and len(chosen) < k:
        if chosen:
            redundancy = similarity[np.ix_(candidates, chosen)].max(axis=1)
            candidates = [c for c, r in zip(candidates, redundancy) if r < 0.999]
            if not candidates:
                break
            redundancy = similarity[np.ix_(candidates, chosen)].max(axis=1)
        else:
            redundancy = np.zeros(len(candidates))
        value = lam * relevance[candidates] - (1 - lam) * redundancy
        best = candidates[int(np.argmax(value))]
        chosen.append(best)
        candidates.remove(best)
    return chosen


class Summarizer:
    """Base of every method: subclasses implement :meth:`score`.

    Parameters
    ----------
    mmr_lambda : float or None
        With a value in (0, 1], choose sentences by maximal marginal relevance (1.0 = pure
        score, lower = less redundancy); ``None`` takes the top scores.
    """

    name = "base"
    uses_vectors = True  # whether _score needs the sentence TF-IDF vectors

    def __init__(self, *, mmr_lambda: float | None = None):
        self.mmr_lambda = check_mmr_lambda(mmr_lambda)

    def score(self, sentences: Sequence[str], title: str | None = None) -> np.ndarray:
        """One score per sentence (higher = more summary-worthy)."""
        return self._score(sentences, title, None)

    def _score(self, sentences: Sequence[str], title: str | None, vectors: SentenceVectors | None) -> np.ndarray:
        raise NotImplementedError

    def summarize(self, text: str | Sequence[str], count: int | str = 3, *,
                  title: str | None = None) -> list[SummarySentence]:
        """The ``count`` best sentences of ``text``, in document order, with index and score."""
        sentences = prepare_sentences(text)
        k = parse_count(count, len(sentences))
        vectors = sentence_vectors(sentences) if self.uses_vectors or self.mmr_lambda is not None else None
        scores = np.asarray(self._score(sentences, title, vectors), dtype=float)
        # a given list may hold empty entries: they keep their indices but are never chosen
        eligible = np.flatnonzero([not is_blank(s) for s in sentences])
        k = min(k, len(eligible))
        if self.mmr_lambda is not None and k < len(eligible):
            picked = mmr_select(scores[eligible], vectors.similarity[np.ix_(eligible, eligible)], k, self.mmr_lambda)
        else:
            # stable: on ties the earlier sentence wins
            picked = list(np.argsort(-scores[eligible], kind="stable")[:k])
        chosen = eligible[picked]
        return [SummarySentence(int(i), sentences[i], float(scores[i])) for i in sorted(chosen)]

    __call__ = summarize

    def summarize_many(self, texts: Iterable[str | Sequence[str]], count: int | str = 3, *,
                       titles: Sequence[str | None] | None = None) -> list[list[SummarySentence]]:
        """N texts in, N summaries out, in order; an empty text raises ``ValueError`` naming it.

        Each text is a raw article or a list of its sentences; one string counts as one text.
        """
        if isinstance(texts, str):
            texts = [texts]
        elif isinstance(texts, bytes | bytearray):
            raise TypeError(BYTES_GIVEN)
        try:
            texts = list(texts)
        except TypeError:
            raise TypeError(f"expected a sequence of texts, got {type(texts).__name__}") from None
        if not texts:
            raise ValueError("no texts given: pass a non-empty sequence of texts")
        if titles is not None and len(titles) != len(texts):
            raise ValueError(f"{len(titles)} titles for {len(texts)} texts")
        out = []
        parse_count(count, 1)  # an invalid count fails before any work
        for i, text in enumerate(texts):
            if not isinstance(text, str | list | tuple):
                kind = "bytes (decode them first)" if isinstance(text, bytes | bytearray) else type(text).__name__
                raise TypeError(f"text at position {i} must be str or a list of sentences, got {kind}")
            try:
                out.append(self.summarize(text, count, title=titles[i] if titles else None))
            except ValueError as err:
                raise ValueError(f"text at position {i}: {err}") from None
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mmr_lambda={self.mmr_lambda})"
