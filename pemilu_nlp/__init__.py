"""pemilu_nlp: topic tagging and extractive summaries of Indonesian election-security news."""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import (  # noqa: E402
    CorpusError,
    MissingDependencyError,
    ModelFormatError,
    PemiluNLPError,
    TextEncodingError,
    UnknownLabelError,
    WeightsUnavailableError,
)
from .text import clean_text, parse_dateline, read_text, split_sentences, tokenize  # noqa: E402

__all__ = [
    "CorpusError", "MissingDependencyError", "ModelFormatError", "PemiluNLPError",
    "TextEncodingError", "UnknownLabelError", "WeightsUnavailableError",
    "clean_text", "parse_dateline", "read_text", "split_sentences", "tokenize", "__version__",
]
