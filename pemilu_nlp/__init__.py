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
from .text.cleaning import clean_text, parse_dateline, read_text, split_sentences, tokenize

_LAZY = {
    "analyze": ("pipeline", "analyze"),
    "load_default": ("registry", "load_default"),
    "load_model": ("registry", "load"),
    "load_corpus": ("io.corpus", "load_corpus"),
    "topic_ids": ("io.schema", "topic_ids"),
    "load_schema": ("io.schema", "load_schema"),
    "train_model": ("learn.training", "train_model"),
    "suggest": ("learn.active_learning", "suggest"),
    "import_labels": ("io.labelling", "import_labels"),
    "TfidfTopicClassifier": ("classify.tfidf", "TfidfTopicClassifier"),
    "IndoBertTopicClassifier": ("classify.indobert", "IndoBertTopicClassifier"),
    "IndoBertTrainingArguments": ("classify.indobert", "IndoBertTrainingArguments"),
    "get_summarizer": ("summarize", "get_summarizer"),
    "summarize_many": ("summarize", "summarize_many"),
    "load_indosum": ("io.indosum", "load_indosum"),
    "report": ("reporting", "report"),
    "export_e5": ("backends.e5_export", "export_e5"),
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
