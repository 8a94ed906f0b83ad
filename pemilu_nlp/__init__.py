"""pemilu_nlp: topic tagging and extractive summaries of Indonesian election-security news.

>>> import pemilu_nlp
>>> pemilu_nlp.split_sentences("Kapolda Irjen Pol. Winarto hadir. Acara selesai.")
['Kapolda Irjen Pol. Winarto hadir.', 'Acara selesai.']

Heavy parts (scikit-learn models, torch, transformers) load on first use, so importing the
package stays fast.
"""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

from .errors import (
    CorpusError,
    LabelImportError,
    MissingDependencyError,
    ModelFormatError,
    PemiluNLPError,
    SchemaError,
    TextEncodingError,
    UnknownLabelError,
    WeightsUnavailableError,
)
from .text import clean_text, parse_dateline, read_text, split_sentences, tokenize

_LAZY = {
    "analyze": ("pipeline", "analyze"),
    "load_default": ("registry", "load_default"),
    "load_model": ("registry", "load"),
    "load_corpus": ("corpus", "load_corpus"),
    "topic_ids": ("schema", "topic_ids"),
    "load_schema": ("schema", "load_schema"),
    "train_model": ("training", "train_model"),
    "suggest": ("active_learning", "suggest"),
    "import_labels": ("labelling", "import_labels"),
    "TfidfTopicClassifier": ("tfidf", "TfidfTopicClassifier"),
    "IndoBertTopicClassifier": ("indobert", "IndoBertTopicClassifier"),
    "IndoBertTrainingArguments": ("indobert", "IndoBertTrainingArguments"),
    "get_summarizer": ("summarize", "get_summarizer"),
    "summarize_many": ("summarize", "summarize_many"),
    "load_indosum": ("indosum", "load_indosum"),
}

__all__ = [
    "CorpusError", "LabelImportError", "MissingDependencyError", "ModelFormatError", "PemiluNLPError",
    "SchemaError", "TextEncodingError",
    "UnknownLabelError", "WeightsUnavailableError", "__version__", "clean_text", "parse_dateline",
    "read_text", "split_sentences", "tokenize", *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pemilu_nlp' has no attribute {name!r}")
