"""The main job in one call: topics and a summary for each article."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .inputs import as_texts
from .summarize import SummarySentence, get_summarizer

__all__ = ["ArticleAnalysis", "analyze"]


@dataclass(frozen=True)
class ArticleAnalysis:
    topics: list[str]
    probabilities: dict[str, float]
    summary: list[SummarySentence]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def analyze(texts: str | Iterable[str], *, classifier: Any = None, summarizer: str = "textrank",
            count: int | str = 3, titles: Sequence[str | None] | None = None) -> ArticleAnalysis | list[ArticleAnalysis]:
    """Topics (default TF-IDF model) and an extractive summary for one article or each of many.

    >>> from pemilu_nlp import analyze
    >>> result = analyze("Polres Tanah Laut menggelar Ngupi Bakisahan bersama KPU dan Bawaslu "
    ...                  "menjelang Pemilu 2024. Kapolres mengajak partai menjaga pemilu damai.")
    >>> "pemilu" in result.topics and len(result.summary) == 2
    True
    """
    batch, single = as_texts(texts)
    if classifier is None:
        from .models import load_default

        classifier = load_default()
    method = get_summarizer(summarizer)
    model_inputs = [f"{t}\n{x}" if t else x for t, x in zip(titles or [None] * len(batch), batch)]
    from .models import topics_and_probabilities

    topics, probabilities = topics_and_probabilities(classifier, model_inputs)
    summaries = method.summarize_many(batch, count, titles=titles)
    out = [ArticleAnalysis(t, p, s) for t, p, s in zip(topics, probabilities, summaries)]
    return out[0] if single else out
