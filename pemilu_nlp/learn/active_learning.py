"""Which articles to label next: uncertainty per topic, a diversity step, no repeats.

Strategies (small-text's query strategies are the reference; multi-label, so every score is
built from the per-topic decisions, each measured against the model's own threshold):

- ``uncertainty``: the sum over topics of the binary entropy of each decision (probabilities
  rescaled so that the threshold sits at 0.5): articles the model is unsure about on several
  topics first.
- ``margin``: the smallest distance, in log-odds, between a topic's probability and its threshold
  (small-text's BreakingTies / margin idea per topic): the decision closest to flipping first.
  This is the one that finds candidates for a rare topic, whose decisions are all close to 0.
- ``diverse``: uncertainty-weighted k-means over TF-IDF vectors (Zhdanov, 2019, "Diverse
  mini-batch active learning"): the 10·n most uncertain articles are clustered into n clusters
  and the article nearest each centre is taken, so 50 suggestions are not 50 reports of one event.
- ``random``: the baseline.

``uncertainty`` is the default: in the simulation on the project corpus
(``benchmarks/active_learning.py``) it reached random sampling's final macro-F1 with the fewest
labels; the diversity step did not pay there and is kept for raw news pools where one event
arrives from many outlets.

With ``topic``, uncertainty and margin look at that topic only.  Every strategy but ``random``
then drops near-duplicates (cosine >= 0.8 between TF-IDF vectors) and fills up from the ranking.
Articles already labelled are skipped by id, url and normalised-text hash, as are exact repeats
inside the pool.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..classify.thresholds import as_topic_lists
from ..errors import PemiluNLPError
from ..io.documents import Document, ReadFailure, iter_documents
from ..io.labelling import text_key

__all__ = ["STRATEGIES", "EmptyPoolError", "Suggestion", "decision_scores", "read_pool",
           "select", "suggest", "text_vectors"]

STRATEGIES = ("uncertainty", "margin", "diverse", "random")
NEAR_DUPLICATE = 0.8
CANDIDATES_PER_PICK = 10  # Zhdanov's beta: the diverse step clusters the 10·n most uncertain


class EmptyPoolError(PemiluNLPError, ValueError):
    """No article is left to suggest (an empty pool, or every article already labelled)."""


@dataclass(frozen=True)
class Suggestion:
    """One article to label, with why: its score, the model's topics and probabilities."""

    id: str
    text: str
    title: str
    url: str
    source: str
    rank: int
    score: float
    confidence: float
    predicted: list[str]
    probabilities: dict[str, float]
    reason: str
    strategy: str
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ------------------------------------------------------------------------------------ scores
def _rescaled(proba: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Probabilities mapped piecewise-linearly so that each topic's threshold sits at 0.5."""
    t = np.clip(np.asarray(thresholds, dtype=float), 1e-6, 1 - 1e-6)
    p = np.clip(proba, 0.0, 1.0)
    return np.where(p < t, p / (2 * t), 0.5 + (p - t) / (2 * (1 - t)))


def _logit(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 1e-9, 1 - 1e-9)
    return np.log(x / (1 - x))


def decision_scores(proba: np.ndarray, thresholds: np.ndarray, strategy: str,
                    topic_index: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(score, confidence)`` per article: higher score = label first; confidence in [0, 1] is how
    sure the least sure decision is (Label Studio sorts pre-annotations by it)."""
    q = _rescaled(proba, thresholds)
    if topic_index is not None:
        q = q[:, [topic_index]]
        proba = proba[:, [topic_index]]
        thresholds = np.asarray(thresholds)[[topic_index]]
    confidence = np.abs(2 * q - 1).min(axis=1)
    if strategy in ("uncertainty", "diverse", "random"):
        qc = np.clip(q, 1e-9, 1 - 1e-9)
        entropy = -(qc * np.log2(qc) + (1 - qc) * np.log2(1 - qc))
        return entropy.sum(axis=1), confidence
    if strategy == "margin":
        margin = np.abs(_logit(proba) - _logit(np.asarray(thresholds, dtype=float))).min(axis=1)
        return 1.0 / (1.0 + margin), confidence
    raise ValueError(f"unknown strategy {strategy!r}; choose {', '.join(STRATEGIES)}")


def text_vectors(texts: Sequence[str]):
    """L2-normalised TF-IDF vectors (word uni- and bigrams) for the diversity step.

    Words only (no numbers) and only terms shared by two articles or more: a term of one article
    says nothing about which articles are alike, and with idf weighting it would make two reports
    of one event look different because of a date or a count.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    for min_df in (2, 1):  # a tiny pool may share no term at all
        vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=min_df, max_features=100_000,
                                     token_pattern=r"(?u)\b[^\W\d_]{2,}\b", dtype=np.float32)
        try:
            return vectorizer.fit_transform(texts)
        except ValueError:  # empty vocabulary
            continue
    import scipy.sparse as sp

    return sp.csr_matrix((len(texts), 1), dtype=np.float32)


def _greedy_distinct(order: Iterable[int], n: int, vectors, threshold: float) -> list[int]:
    """Take articles in ``order``, skipping any too similar to one already taken."""
    chosen: list[int] = []
    kept = None
    for i in order:
        if len(chosen) == n:
            break
        if vectors is not None and chosen:
            sims = (kept @ vectors[i].T).toarray().ravel()
            if sims.max() >= threshold:
                continue
        chosen.append(int(i))
        kept = vectors[chosen] if vectors is not None else None
    return chosen


def select(scores: np.ndarray, n: int, *, strategy: str, vectors=None, seed: int = 0,
           near_duplicate: float | None = NEAR_DUPLICATE) -> list[int]:
    """Indices of the ``n`` articles to label, best first."""
    m = len(scores)
    n = min(n, m)
    if strategy == "random":
        return [int(i) for i in np.random.default_rng(seed).permutation(m)[:n]]
    ranking = np.lexsort((np.arange(m), -scores))  # by score, ties by position: deterministic
    dedupe = vectors if near_duplicate is not None else None
    if strategy != "diverse" or vectors is None or n < 2:
        return _greedy_distinct(ranking, n, dedupe, near_duplicate or 1.0)
    from sklearn.cluster import KMeans

    pool = ranking[: min(m, CANDIDATES_PER_PICK * n)]
    k = min(n, len(pool))
    weights = np.maximum(scores[pool], 1e-6)
    km = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(vectors[pool], sample_weight=weights)
    picks = []
    for c in range(k):
        members = np.flatnonzero(km.labels_ == c)
        if len(members):
            centre = km.cluster_centers_[c]
            sims = np.asarray(vectors[pool[members]] @ centre).ravel()
            picks.append(int(pool[members[np.argmax(sims)]]))
    picks.sort(key=lambda i: (-scores[i], i))
    rest = [int(i) for i in ranking if int(i) not in set(picks)]
    return _greedy_distinct(picks + rest, n, dedupe, near_duplicate or 1.0)


# ------------------------------------------------------------------------------------ pool
def read_pool(paths: str | Path | Iterable[str | Path]) -> tuple[list[Document], list[str]]:
    """Unlabelled articles from JSONL(.gz) files (``{"id", "title", "text", "url"}`` a line), .txt
    files or folders of them (read by :func:`pemilu_nlp.io.documents.iter_documents`, as the CLI
    reads its inputs); returns the articles and one message per unreadable line or file."""
    paths = [paths] if isinstance(paths, str | Path) else list(paths)
    for path in map(Path, paths):
        if not path.exists():
            raise EmptyPoolError(f"{path}: no such pool file or folder")
    articles, problems = [], []
    for item in iter_documents(paths):
        if isinstance(item, ReadFailure):
            problems.append(f"{item.path}: {item.reason}")
        else:
            articles.append(item)
    return articles, problems


# ------------------------------------------------------------------------------------ suggest
def _reason(proba_row: np.ndarray, thresholds: np.ndarray, classes: Sequence[str], topic_index: int | None) -> str:
    distance = np.abs(_logit(proba_row) - _logit(np.asarray(thresholds, dtype=float)))
    j = topic_index if topic_index is not None else int(np.argmin(distance))
    return f"closest decision: {classes[j]} p={proba_row[j]:.2f} (threshold {thresholds[j]:.2f})"


def _pool_articles(pool: Sequence[str] | Sequence[Document], ids: Sequence[str] | None) -> list[Document]:
    """The pool as :class:`Document` (ids ``pool-0``, ... unless ``ids``), each with a text."""
    if isinstance(pool, str):
        raise TypeError("pool must be a sequence of texts or Document, not one string")
    items = list(pool)
    if not items:
        raise EmptyPoolError("the pool is empty: nothing to suggest")
    if ids is not None and len(ids) != len(items):
        raise ValueError(f"{len(ids)} ids for {len(items)} pool texts")
    articles = [a if isinstance(a, Document) else Document(ids[i] if ids else f"pool-{i}", a)
                for i, a in enumerate(items)]
    for i, a in enumerate(articles):
        if not isinstance(a.text, str) or not a.text.strip():
            raise ValueError(f"pool text at position {i} is empty or not a string")
    return articles


def _fresh(articles: list[Document], labelled: Iterable[Any]) -> list[Document]:
    """The pool articles not labelled yet (by id, url or text) and not repeating an earlier one."""
    seen_ids, seen_urls, seen_texts = set(), set(), set()
    for item in labelled:
        get = item.get if isinstance(item, dict) else lambda k, d=None, _i=item: getattr(_i, k, d)
        seen_ids.add(str(get("id")))
        if get("url"):
            seen_urls.add(get("url"))
        if get("text"):
            seen_texts.add(text_key(get("text")))
    fresh = []
    for a in articles:
        key = text_key(a.text)
        if a.id in seen_ids or (a.url and a.url in seen_urls) or key in seen_texts:
            continue  # already labelled, or a repeat inside the pool
        seen_ids.add(a.id)
        seen_texts.add(key)
        if a.url:
            seen_urls.add(a.url)
        fresh.append(a)
    if not fresh:
        raise EmptyPoolError(f"all {len(articles)} pool articles are already labelled (or repeats): nothing to suggest")
    return fresh


def suggest(model: Any, pool: Sequence[str] | Sequence[Document], *, n: int = 50, strategy: str = "uncertainty",
            topic: str | None = None, labelled: Iterable[Any] = (), ids: Sequence[str] | None = None,
            seed: int = 0, near_duplicate: float | None = NEAR_DUPLICATE) -> list[Suggestion]:
    """The ``n`` pool articles whose labels would help ``model`` most, best first.

    ``pool``: texts (ids ``pool-0``, ... unless ``ids``) or :class:`Document`; ``labelled``: the
    articles already labelled (corpus :class:`~pemilu_nlp.io.corpus.Article` or dicts with id/text/url),
    which are never suggested again.  An empty pool, or one with nothing new, raises
    :class:`EmptyPoolError`.

    >>> from pemilu_nlp import load_default
    >>> batch = suggest(load_default(), ["Lapas razia kamar napi.", "Timnas menang 2-0."], n=1)  # doctest: +SKIP
    """
    from ..errors import UnknownLabelError

    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose {', '.join(STRATEGIES)}")
    classes = [str(t) for t in model.classes_]
    topic_index = None
    if topic is not None:
        if topic not in classes:
            raise UnknownLabelError(f"unknown topic {topic!r}; the model's topics: {', '.join(classes)}")
        topic_index = classes.index(topic)
    fresh = _fresh(_pool_articles(pool, ids), labelled)
    texts = [a.model_text for a in fresh]
    proba = np.asarray(model.predict_proba(texts), dtype=float)
    thresholds = np.asarray(model.thresholds_, dtype=float)
    decisions = np.asarray(model.decide(proba))
    scores, confidence = decision_scores(proba, thresholds, strategy, topic_index)
    vectors = text_vectors(texts) if strategy != "random" else None
    order = select(scores, n, strategy=strategy, vectors=vectors, seed=seed, near_duplicate=near_duplicate)
    out = []
    for rank, i in enumerate(order, 1):
        a = fresh[i]
        out.append(Suggestion(
            id=a.id, text=a.text, title=a.title, url=a.url, source=a.source, rank=rank, score=round(float(scores[i]), 6),
            confidence=round(float(confidence[i]), 6),
            predicted=as_topic_lists(classes, decisions[i:i + 1])[0],
            probabilities={c: round(float(p), 6) for c, p in zip(classes, proba[i])},
            reason=_reason(proba[i], thresholds, classes, topic_index), strategy=strategy))
    return out
