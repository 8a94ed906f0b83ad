"""Extractive summarisation: several methods behind one contract, picked by name.

>>> from pemilu_nlp.summarize import get_summarizer
>>> lead = get_summarizer("lead")
>>> [s.index for s in lead("KPU menetapkan DPT. Bawaslu mengawasi. Polisi berjaga.", 2)]
[0, 1]
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .base import (
    MAX_CHARS,
    MAX_SENTENCES,
    Summarizer,
    Summary,
    SummarySentence,
    check_cap,
    check_mmr_lambda,
    parse_count,
    prepare_sentences,
)
from .graph import LexRankSummarizer, TextRankSummarizer
from .lead import LeadSummarizer
from .neural import NeuralSummarizer
from .trained import TrainedSummarizer

__all__ = [
    "MAX_CHARS",
    "MAX_SENTENCES",
    "METHODS",
    "LeadSummarizer",
    "LexRankSummarizer",
    "NeuralSummarizer",
    "Summarizer",
    "Summary",
    "SummarySentence",
    "TextRankSummarizer",
    "TrainedSummarizer",
    "get_summarizer",
    "parse_count",
    "prepare_sentences",
    "summarize_many",
]

#: CLI name -> class (the trained and neural scorers load their shipped default models)
METHODS: dict[str, type[Summarizer]] = {
    "lead": LeadSummarizer,
    "textrank": TextRankSummarizer,
    "lexrank": LexRankSummarizer,
    "trained": TrainedSummarizer,
    "neural": NeuralSummarizer,
}

#: Weights tuned on the IndoSum dev part (``pemilu-nlp tune-summarizers``, results in
#: benchmarks/results/summarizer_tuning.json): a strong lead prior, graph centrality and the
#: title to reorder within it, and MMR against repetition.
TUNED: dict[str, dict[str, Any]] = {
    "textrank": {"position_weight": 4.0, "title_weight": 0.5, "mmr_lambda": 0.85},
    "lexrank": {"position_weight": 4.0, "title_weight": 0.5, "mmr_lambda": 0.85},
}


def get_summarizer(name: str, *, tuned: bool = True, **params: Any) -> Summarizer:
    """A summariser by name; ``tuned`` applies the dev-tuned weights; ``trained`` and ``neural`` load
    their default models (``neural`` needs torch).

    ``embedding`` (TextRank over encoder embeddings) needs encoder weights: pass
    ``model_name_or_path`` (hub id on a connected machine, or a local folder).
    """
    if name == "embedding":
        from .embedding import EmbeddingCentralitySummarizer

        return EmbeddingCentralitySummarizer(**params)
    if name not in METHODS:
        raise ValueError(f"unknown summariser {name!r}; choose one of {', '.join(METHODS)}, embedding")
    if name in ("trained", "neural"):
        from ..registry import load, shipped_folder

        model = load(shipped_folder(name))
        if "mmr_lambda" in params:
            model.mmr_lambda = check_mmr_lambda(params.pop("mmr_lambda"))
        for cap in ("max_sentences", "max_chars"):
            if cap in params:
                setattr(model, cap, check_cap(cap, params.pop(cap)))
        if params:
            raise TypeError(f"the {name} summariser takes only mmr_lambda, max_sentences and max_chars, "
                            f"got {sorted(params)}")
        return model
    settings = {**(TUNED.get(name, {}) if tuned else {}), **params}
    return METHODS[name](**settings)


def summarize_many(texts: Iterable[str | Sequence[str]], count: int | str = 3, *, method: str = "textrank",
                   titles: Sequence[str | None] | None = None) -> list[Summary]:
    """Summaries of many texts with one method: N in, N out, in order."""
    return get_summarizer(method).summarize_many(texts, count, titles=titles)
