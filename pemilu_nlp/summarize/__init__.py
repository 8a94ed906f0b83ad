"""Extractive summarisation: several methods behind one contract, picked by name.

The methods are registered once, in :data:`pemilu_nlp.registry.SUMMARIZERS`
(``lead``, ``textrank``, ``lexrank``, ``features``, ``neural``, ``embedding``, ``encoder``).
:func:`get_summarizer` builds one by name *with the settings the library ships*, the preset
:data:`INDOSUM` (the graph methods' weights tuned on the IndoSum dev part, the ``features`` and
``neural`` scorers as trained on its train part and shipped in ``models/``); with ``preset=None``
it is the bare class with its own defaults.  So the two are named apart:

>>> from pemilu_nlp.summarize import INDOSUM, TextRankSummarizer, get_summarizer
>>> get_summarizer("textrank").get_params() == TextRankSummarizer(**INDOSUM["textrank"]).get_params()
True
>>> get_summarizer("textrank", preset=None).get_params() == TextRankSummarizer().get_params()
True
>>> lead = get_summarizer("lead")
>>> [s.index for s in lead("KPU menetapkan DPT. Bawaslu mengawasi. Polisi berjaga.", 2)]
[0, 1]
"""
from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any

from ..registry import shipped_folder, summarizer_class, summarizer_name
from .base import (
    MAX_CHARS,
    MAX_SENTENCES,
    Summarizer,
    Summary,
    SummarySentence,
    check_count,
    parse_count,
    prepare_sentences,
)
from .features import FeatureSummarizer
from .graph import LexRankSummarizer, TextRankSummarizer
from .lead import LeadSummarizer
from .neural import NeuralSummarizer

__all__ = [
    "INDOSUM",
    "MAX_CHARS",
    "MAX_SENTENCES",
    "PRESETS",
    "FeatureSummarizer",
    "LeadSummarizer",
    "LexRankSummarizer",
    "NeuralSummarizer",
    "Summarizer",
    "Summary",
    "SummarySentence",
    "TextRankSummarizer",
    "check_count",
    "get_summarizer",
    "parse_count",
    "prepare_sentences",
    "summarize_many",
]

#: The graph methods' weights tuned on the IndoSum dev part (``pemilu-nlp tune-summarizers``,
#: benchmarks/results/summarizer_tuning.json): a strong lead prior, graph centrality and the title
#: to reorder within it, and MMR against repetition.  In this preset ``features`` and ``neural``
#: are the shipped models (trained on the IndoSum train part); other methods keep their defaults.
INDOSUM: dict[str, dict[str, Any]] = {
    "textrank": {"position_weight": 4.0, "title_weight": 0.5, "mmr_lambda": 0.85},
    "lexrank": {"position_weight": 4.0, "title_weight": 0.5, "mmr_lambda": 0.85},
}
#: named presets for :func:`get_summarizer`; ``"indosum"`` is the default
PRESETS: dict[str, dict[str, dict[str, Any]]] = {"indosum": INDOSUM}
#: what a loaded (shipped) scorer lets you change: how it chooses, not what it learned
_LOADED_SETTINGS = ("mmr_lambda", "max_sentences", "max_chars")
#: learned scorers that are not shipped: ``get_summarizer(name, folder=DIR)`` loads yours
_TRAINED_BY_YOU = ("encoder",)


def get_summarizer(name: str, *, preset: str | None = "indosum", tuned: bool | None = None,
                   **params: Any) -> Summarizer:
    """A summariser by its registered name (:data:`pemilu_nlp.registry.SUMMARIZERS`).

    ``preset="indosum"`` (default): what the library ships and the table in docs/summaries.md reports: the
    graph methods with the weights in :data:`INDOSUM`, and ``features`` / ``neural`` loaded from
    their shipped folders (``neural`` needs torch); only ``mmr_lambda``, ``max_sentences`` and
    ``max_chars`` can be changed on those.  ``preset=None``: ``Class(**params)``, the method with
    its own defaults (the learned scorers then need ``fit``).  ``params`` override the preset.
    ``embedding`` needs encoder weights: pass ``model_name_or_path`` (hub id on a connected
    machine, or a local folder); ``encoder`` is not shipped: pass ``folder=`` (made by
    ``pemilu-nlp train-summarizer --method encoder``).  ``tuned=`` is the old spelling of the preset (deprecated).
    """
    if tuned is not None:
        warnings.warn("get_summarizer(tuned=...) is deprecated: use preset='indosum' (tuned) or preset=None",
                      DeprecationWarning, stacklevel=2)
        preset = "indosum" if tuned else None
    name = summarizer_name(name, stacklevel=3)
    if preset is not None and preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}, or None")
    if preset is not None and name in ("features", "neural"):
        return _shipped(name, params)
    if preset is not None and name in _TRAINED_BY_YOU:
        return _trained_folder(name, params)
    settings = {**(PRESETS[preset].get(name, {}) if preset else {}), **params}
    return summarizer_class(name)(**settings)


def _shipped(name: str, params: dict[str, Any], folder: Any = None) -> Summarizer:
    unknown = sorted(set(params) - set(_LOADED_SETTINGS))
    if unknown:
        raise TypeError(f"the {'shipped ' if folder is None else ''}{name} summariser takes only "
                        f"{', '.join(_LOADED_SETTINGS)}, got {unknown}")
    # set_params checks them
    return summarizer_class(name).load(shipped_folder(name) if folder is None else folder).set_params(**params)


def _trained_folder(name: str, params: dict[str, Any]) -> Summarizer:
    """A scorer too large to ship, loaded from the folder its training command wrote (``folder=``)."""
    params = dict(params)
    folder = params.pop("folder", None)
    if folder is None:
        raise ValueError(f"the {name} summariser is not shipped: train one with `pemilu-nlp train-summarizer "
                         f"--method {name} --base ENCODER --indosum DIR --out DIR` and pass "
                         f"get_summarizer({name!r}, folder=DIR) (command line: --encoder DIR)")
    return _shipped(name, params, folder)


def summarize_many(texts: Iterable[str | Sequence[str]], count: int | str = 3, *, method: str = "textrank",
                   titles: Sequence[str | None] | None = None) -> list[Summary]:
    """Summaries of many texts with one method: N in, N out, in order."""
    return get_summarizer(method).summarize_many(texts, count, titles=titles)


def __getattr__(name: str) -> Any:
    if name == "TrainedSummarizer":  # the feature scorer's name until issue 13
        warnings.warn("TrainedSummarizer is now FeatureSummarizer (method 'features')", DeprecationWarning,
                      stacklevel=2)
        return FeatureSummarizer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
