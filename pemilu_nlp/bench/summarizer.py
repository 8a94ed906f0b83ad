"""Summariser suite: every registered method on the same articles, and TextRank beside the way a
user would write it (a TfidfVectorizer fitted per article)."""
from __future__ import annotations

from argparse import Namespace
from collections.abc import Sequence

import numpy as np

from .core import Measurement, measure

__all__ = ["METHODS", "bench_summarizers", "naive_textrank"]

#: the summarisers timed, in the order of the report
METHODS = ("lead", "textrank", "lexrank", "features", "neural")


def naive_textrank(text: str, count: int = 3) -> list[int]:
    """TextRank as a user would write it: a TfidfVectorizer fitted on the article's sentences,
    cosine similarities, PageRank; the ``count`` best sentence indices in document order."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from ..summarize.graph import pagerank
    from ..text.cleaning import clean_text, split_sentences

    sentences = split_sentences(clean_text(text))
    if len(sentences) <= count:
        return list(range(len(sentences)))
    x = TfidfVectorizer().fit_transform(sentences)
    sim = (x @ x.T).toarray()
    np.fill_diagonal(sim, 0)
    return sorted(np.argsort(-pagerank(sim))[:count].tolist())


def bench_summarizers(articles: Sequence[str], batch_size: int) -> list[Measurement]:
    """Three sentences per article from each of :data:`METHODS` and from :func:`naive_textrank`."""
    from ..summarize import get_summarizer

    results = []
    for name in METHODS:
        summarizer = get_summarizer(name)
        m, _ = measure("summarizer", name, lambda b, s=summarizer: [[x.index for x in s(t, 3)] for t in b],
                       articles, batch_size=batch_size)
        results.append(m)
    naive, naive_out = measure("summarizer", "naive textrank (TfidfVectorizer per article)",
                               lambda b: [naive_textrank(t) for t in b], articles, batch_size=batch_size)
    textrank = next(m for m in results if m.variant == "textrank")
    textrank.ratio_to_naive = round(textrank.docs_per_second / naive.docs_per_second, 2)
    plain = get_summarizer("textrank", preset=None)
    plain_out = [[x.index for x in plain(t, 3)] for t in articles]
    same = np.mean([set(a) == set(b) for a, b in zip(plain_out, naive_out)])
    naive.quality = {"same_sentences_as_untuned_textrank": round(float(same), 4)}
    return [*results, naive]


def run(args: Namespace, articles: list[str], notes: list[str], extra: dict) -> list[Measurement]:
    """The suite as ``pemilu-nlp bench --parts summarizer`` runs it."""
    return bench_summarizers(articles, args.batch_size)
