"""The summariser contract: ``summarizer(text, count)`` -> chosen sentences in document order.

A summariser only has to score sentences; choosing the top k, redundancy control (MMR) and
restoring document order live here, once, for every method (as in sumy).

Work per document is bounded here too, once for every method: a summary reads at most the first
``max_sentences`` sentences (default 500) and ``max_chars`` characters (default 100,000) of a
document.  News is written lead-first, so the head is where a summary comes from, and the graph
and feature methods build sentence x sentence and sentence x vocabulary matrices that grow with
the square of a document (200,000 sentences asked for 298 GiB).  The defaults are far above any
article seen (IndoSum: at most 79 sentences and 9,000 characters; the news pool: 170 and 39,000),
so they change no summary of real news; a document cut short says so (:class:`Summary`) and logs a
warning.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator

from ..inputs import BYTES_GIVEN, check_summary_input, is_blank
from ..text.cleaning import split_sentences, text_for_model
from ..validation import Validated, integer, number, optional
from .vectors import SentenceVectors, sentence_vectors

__all__ = ["MAX_CHARS", "MAX_SENTENCES", "SUMMARIZER_CONSTRAINTS", "Summarizer", "Summary", "SummarySentence", "check_count",
           "check_summary_texts", "parse_count", "prepare_sentences"]

#: Default caps on what one document's summary reads (see the module docstring).
MAX_SENTENCES = 500
MAX_CHARS = 100_000

log = logging.getLogger(__name__)
#: the message of a learned scorer used before ``fit`` or ``load`` (sklearn's ``check_is_fitted``)
NOT_FITTED = "this %(name)s is not fitted: call fit(), or load a saved one with %(name)s.load(folder)"

_SHARE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$")


@dataclass(frozen=True)
class SummarySentence:
    """A chosen sentence: its position in the article, its text and the method's score."""

    index: int
    text: str
    score: float


class Summary(list):
    """The chosen :class:`SummarySentence` objects in document order (a plain list in every other
    respect), and how much of the document the method read.

    ``n_sentences`` is the document's sentence count, ``considered`` how many of its first
    sentences were scored; ``truncated`` is true when the caps (``max_sentences``, ``max_chars``)
    left some out.
    """

    def __init__(self, sentences: Iterable[SummarySentence] = (), *, n_sentences: int = 0, considered: int = 0):
        super().__init__(sentences)
        self.n_sentences = n_sentences
        self.considered = considered

    @property
    def truncated(self) -> bool:
        return self.considered < self.n_sentences

    def __repr__(self) -> str:
        cut = f", considered {self.considered} of {self.n_sentences} sentences" if self.truncated else ""
        return f"Summary({list.__repr__(self)}{cut})"


#: the settings every summariser has and their limits (a subclass adds its own)
SUMMARIZER_CONSTRAINTS = {
    "mmr_lambda": optional(number(0, 1, low_open=True)),
    "max_sentences": optional(integer(1, 2**63 - 1)),
    "max_chars": optional(integer(1, 2**63 - 1)),
}


def considered_sentences(sentences: Sequence[str], max_sentences: int | None, max_chars: int | None) -> int:
    """How many leading sentences fit the caps; the first sentence always counts.

    >>> considered_sentences(["a" * 60, "b" * 30, "c" * 30], max_sentences=None, max_chars=100)
    2
    """
    n = len(sentences) if max_sentences is None else min(len(sentences), max_sentences)
    if max_chars is None:
        return n
    total = 0
    for i in range(n):
        total += len(sentences[i])
        if total > max_chars and i > 0:
            return i
    return n


def check_count(count: int | str) -> int | str:
    """``count`` in its one meaning, checked without a document: a whole number of sentences
    (an int >= 1; ``"3"`` from a command line or a config file is 3) or a share of the document's
    sentences (``"20%"``, more than 0 and at most 100, rounded half up, at least one sentence).

    >>> check_count("3"), check_count(" 20 % "), check_count(2)
    (3, ' 20 % ', 2)
    """
    if isinstance(count, int | np.integer) and not isinstance(count, bool) and count >= 1:
        return int(count)
    if isinstance(count, str) and re.fullmatch(r"\s*[0-9]+\s*", count) and int(count) >= 1:
        return int(count)
    if isinstance(count, str):
        match = _SHARE.match(count)
        if match and 0 < float(match.group(1)) <= 100:
            return count
    raise ValueError(f"count must be a positive int or a share between 0% and 100% such as '20%', got {count!r}")


def parse_count(count: int | str, n_sentences: int) -> int:
    """Number of sentences to return for ``count`` (see :func:`check_count`) in a document of
    ``n_sentences`` sentences.

    >>> parse_count("25%", 12), parse_count(5, 3), parse_count("2", 9)
    (3, 3, 2)
    """
    count = check_count(count)
    if isinstance(count, int):
        return min(count, n_sentences)
    share = float(_SHARE.match(count).group(1))
    return max(1, min(n_sentences, int(n_sentences * share / 100 + 0.5)))  # half up


def prepare_sentences(text: str | Sequence[str]) -> list[str]:
    """A raw article is cleaned and split; a list of sentences is used as given."""
    check_summary_input(text)
    if isinstance(text, str):
        if is_blank(text):
            raise ValueError("text is empty or whitespace only")
        sentences = split_sentences(text_for_model(text))  # all furniture: the raw text, as every model
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


class Summarizer(Validated, BaseEstimator):
    """Base of every method: subclasses implement :meth:`_score`.

    A summariser is a scikit-learn estimator in its settings: ``__init__`` stores them,
    ``get_params()`` reads them back (two summarisers of one class with equal ``get_params()``
    choose the same sentences, the learned ones given the same fit), and learned state ends in ``_``.

    Parameters
    ----------
    mmr_lambda : float or None
        With a value in (0, 1], choose sentences by maximal marginal relevance (1.0 = pure
        score, lower = less redundancy); ``None`` takes the top scores.
    max_sentences, max_chars : int or None
        Read at most this many leading sentences / characters of a document (defaults
        :data:`MAX_SENTENCES`, :data:`MAX_CHARS`; the first sentence is always read); ``None``
        lifts a cap, and with it the bound on memory and time.
    """

    name = "base"
    _parameter_constraints = SUMMARIZER_CONSTRAINTS
    uses_vectors = True  # whether _score needs the sentence TF-IDF vectors
    max_sentences: int | None = MAX_SENTENCES
    max_chars: int | None = MAX_CHARS

    def __init__(self, *, mmr_lambda: float | None = None, max_sentences: int | None = MAX_SENTENCES,
                 max_chars: int | None = MAX_CHARS):
        self.mmr_lambda, self.max_sentences, self.max_chars = mmr_lambda, max_sentences, max_chars
        self._validate_params()

    def score(self, sentences: Sequence[str], title: str | None = None) -> np.ndarray:
        """One score per sentence (higher = more summary-worthy)."""
        return self._score(sentences, title, None)

    def _score(self, sentences: Sequence[str], title: str | None, vectors: SentenceVectors | None) -> np.ndarray:
        raise NotImplementedError

    def summarize(self, text: str | Sequence[str], count: int | str = 3, *,
                  title: str | None = None) -> Summary:
        """The ``count`` best sentences of ``text``, in document order, with index and score.

        A share (``"20%"``) is of the whole document; only the sentences within the caps are
        scored and chosen (the result's ``truncated`` says whether some were left out).
        """
        every = prepare_sentences(text)
        k = parse_count(count, len(every))
        n = considered_sentences(every, self.max_sentences, self.max_chars)
        sentences = every[:n] if n < len(every) else every
        if n < len(every):
            log.warning("%s: the document has %d sentences (%d characters); only the first %d were read "
                        "(max_sentences=%s, max_chars=%s)", self.name, len(every), sum(map(len, every)), n,
                        self.max_sentences, self.max_chars)
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
        return Summary((SummarySentence(int(i), sentences[i], float(scores[i])) for i in sorted(chosen)),
                       n_sentences=len(every), considered=n)

    __call__ = summarize

    def summarize_many(self, texts: Iterable[str | Sequence[str]], count: int | str = 3, *,
                       titles: Sequence[str | None] | None = None) -> list[Summary]:
        """N texts in, N summaries out, in order; an empty text raises ``ValueError`` naming it.

        Each text is a raw article or a list of its sentences; one string counts as one text.
        """
        texts = check_summary_texts(texts, count, titles)  # an invalid input fails before any work
        out = []
        for i, text in enumerate(texts):
            try:
                out.append(self.summarize(text, count, title=titles[i] if titles else None))
            except ValueError as err:
                raise ValueError(f"text at position {i}: {err}") from None
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mmr_lambda={self.mmr_lambda})"


def check_summary_texts(texts: Iterable[str | Sequence[str]], count: int | str,
                        titles: Sequence[str | None] | None = None) -> list:
    """The texts of a summary batch as a list, checked before any work: one string is one text,
    bytes and non-texts are a ``TypeError`` naming the position, an empty batch, a count that
    cannot be parsed or a titles list of another length a ``ValueError``."""
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
    check_count(count)
    for i, text in enumerate(texts):
        if not isinstance(text, str | list | tuple):
            kind = "bytes (decode them first)" if isinstance(text, bytes | bytearray) else type(text).__name__
            raise TypeError(f"text at position {i} must be str or a list of sentences, got {kind}")
    return texts
