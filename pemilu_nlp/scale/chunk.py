"""What one chunk of articles gives back, and the checks on what comes with it (titles); shared by
:func:`pemilu_nlp.analyze`, the worker processes and Ray's annotator."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ..summarize.base import SummarySentence

__all__ = ["ArticleAnalysis", "check_titles"]


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
