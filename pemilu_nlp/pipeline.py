"""The main job in one call: topics and a summary for each article."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from os import PathLike
from typing import Any

from .inputs import as_texts
from .scale.chunk import ArticleAnalysis, check_titles
from .summarize import Summarizer, check_count, get_summarizer

__all__ = ["ArticleAnalysis", "analyze", "check_titles"]


def analyze(texts: str | Iterable[str], *, classifier: Any = None, summarizer: str | Summarizer = "textrank",
            count: int | str = 3, titles: Sequence[str | None] | None = None, jobs: int = 1,
            chunk_size: int = 500) -> ArticleAnalysis | list[ArticleAnalysis]:
    """Topics and an extractive summary for one article or each of many (N in, N out, in order).

    ``classifier``: a fitted model, a saved model folder, or ``None`` for the shipped TF-IDF model;
    ``summarizer``: a method name or a summariser object; ``titles``: one per text (or ``None``).
    ``jobs``: worker processes (-1: every core; see :mod:`pemilu_nlp.scale.parallel`), each loading the
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
        from .scale.parallel import analyze as parallel_analyze

        out = parallel_analyze(texts, model=classifier, method=summarizer, count=count, titles=titles, jobs=jobs,
                               chunk_size=chunk_size)
        return out[0] if isinstance(texts, str) else out
    batch, single = as_texts(texts)
    titles = check_titles(titles, len(batch))
    check_count(count)  # a bad count fails here, before the classifier runs
    from .registry import load, load_default
    from .scale.worker import ChunkWorker

    if classifier is None:
        classifier = load_default()
    elif isinstance(classifier, str | PathLike):
        classifier = load(classifier)
    method = summarizer if isinstance(summarizer, Summarizer) else get_summarizer(summarizer)
    out = ChunkWorker(classifier, method, count).analyze(batch, titles)
    return out[0] if single else out
