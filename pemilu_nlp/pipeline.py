"""The main job in one call: topics and a summary for each article."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from os import PathLike
from typing import Any

from .inputs import as_texts
from .summarize import Summarizer, SummarySentence, check_count, get_summarizer

__all__ = ["ArticleAnalysis", "analyze", "check_titles"]


@dataclass(frozen=True)
class ArticleAnalysis:
    topics: list[str]
    probabilities: dict[str, float]
    summary: list[SummarySentence]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_titles(titles: Sequence[str | None] | None, n: int) -> list[str | None] | None:
    """``titles`` as a list of one title (or ``None``) per text, or ``None``; a clear error otherwise."""
    if titles is None:
        return None
    if isinstance(titles, str | bytes):
        raise TypeError("titles must be a sequence with one title (or None) per text, not a single string")
    titles = list(titles)
    if len(titles) != n:
        raise ValueError(f"{len(titles)} titles for {n} texts")
    for i, title in enumerate(titles):
        if title is not None and not isinstance(title, str):
            raise TypeError(f"title at position {i} must be str or None, got {type(title).__name__}")
    return titles


def analyze(texts: str | Iterable[str], *, classifier: Any = None, summarizer: str | Summarizer = "textrank",
            count: int | str = 3, titles: Sequence[str | None] | None = None, jobs: int = 1,
            chunk_size: int = 500) -> ArticleAnalysis | list[ArticleAnalysis]:
    """Topics and an extractive summary for one article or each of many (N in, N out, in order).

    ``classifier``: a fitted model, a saved model folder, or ``None`` for the shipped TF-IDF model;
    ``summarizer``: a method name or a summariser object; ``titles``: one per text (or ``None``).
    ``jobs``: worker processes (-1: every core; see :mod:`pemilu_nlp.parallel`), each loading the
    classifier by folder and the summariser by name, ``chunk_size`` texts at a time; same results.

    >>> from pemilu_nlp import analyze
    >>> result = analyze("Polres Tanah Laut menggelar Ngupi Bakisahan bersama KPU dan Bawaslu "
    ...                  "menjelang Pemilu 2024. Kapolres mengajak partai menjaga pemilu damai.")
    >>> "pemilu" in result.topics and len(result.summary) == 2
    True
    """
    if jobs != 1:
        if not (classifier is None or isinstance(classifier, str | PathLike)) or not isinstance(summarizer, str):
            raise TypeError("jobs != 1 needs classifier as a model folder (or None) and summarizer as a method "
                            "name: worker processes load the models by path, objects are not sent to them")
        from .parallel import analyze as parallel_analyze

        out = parallel_analyze(texts, model=classifier, method=summarizer, count=count, titles=titles, jobs=jobs,
                               chunk_size=chunk_size)
        return out[0] if isinstance(texts, str) else out
    batch, single = as_texts(texts)
    titles = check_titles(titles, len(batch))
    check_count(count)  # a bad count fails here, before the classifier runs
    from .registry import load, load_default

    if classifier is None:
        classifier = load_default()
    elif isinstance(classifier, str | PathLike):
        classifier = load(classifier)
    method = summarizer if isinstance(summarizer, Summarizer) else get_summarizer(summarizer)
    model_inputs = [f"{t}\n{x}" if t else x for t, x in zip(titles or [None] * len(batch), batch)]
    topics, probabilities = classifier.topics_and_probabilities(model_inputs)
    summaries = method.summarize_many(batch, count, titles=titles)
    out = [ArticleAnalysis(t, p, s) for t, p, s in zip(topics, probabilities, summaries)]
    return out[0] if single else out
