"""Every model family's names in one place: name -> class, saved ``format`` -> class, shipped folders.

Classes are named as ``"module:Class"`` strings and imported on first use, so ``import pemilu_nlp``
stays light (torch loads only when an IndoBERT or neural model is asked for).  The CLI's choices,
the training script, the benchmark and :func:`load` all read these maps: adding a model is one
line here.

>>> from pemilu_nlp.registry import CLASSIFIERS, classifier_class
>>> sorted(CLASSIFIERS)
['indobert', 'tfidf']
>>> classifier_class("tfidf").__name__
'TfidfTopicClassifier'
"""
from __future__ import annotations

import importlib
import json
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import ModelFormatError

__all__ = [
    "CLASSIFIERS", "FORMATS", "RENAMED_SUMMARIZERS", "SHIPPED", "SUMMARIZERS", "classifier_class", "load",
    "load_default", "load_or_default", "model_format", "shipped_folder", "summarizer_class", "summarizer_name",
]

#: topic classifiers by name (``pemilu-nlp train --model NAME``)
CLASSIFIERS: dict[str, str] = {
    "tfidf": "pemilu_nlp.classify.tfidf.classifier:TfidfTopicClassifier",
    "indobert": "pemilu_nlp.classify.indobert.model:IndoBertTopicClassifier",
}

#: extractive summarisers by name (``--method NAME``)
SUMMARIZERS: dict[str, str] = {
    "lead": "pemilu_nlp.summarize.lead:LeadSummarizer",
    "textrank": "pemilu_nlp.summarize.graph:TextRankSummarizer",
    "lexrank": "pemilu_nlp.summarize.graph:LexRankSummarizer",
    "features": "pemilu_nlp.summarize.features:FeatureSummarizer",
    "neural": "pemilu_nlp.summarize.neural:NeuralSummarizer",
    "embedding": "pemilu_nlp.summarize.embedding:EmbeddingCentralitySummarizer",
    "encoder": "pemilu_nlp.summarize.encoder:EncoderSummarizer",
}
#: old summariser names that still work and warn (``DeprecationWarning``): old -> current
RENAMED_SUMMARIZERS: dict[str, str] = {"trained": "features"}

#: saved folder ``format`` (in its config.json) -> the class whose ``load(folder)`` reads it
FORMATS: dict[str, str] = {
    "pemilu_nlp.tfidf": CLASSIFIERS["tfidf"],
    "pemilu_nlp.indobert": CLASSIFIERS["indobert"],
    "pemilu_nlp.sentence_scorer": SUMMARIZERS["features"],
    "pemilu_nlp.neural_sentence_scorer": SUMMARIZERS["neural"],
    "pemilu_nlp.encoder_sentence_scorer": SUMMARIZERS["encoder"],
}

#: the shipped model folders (``models/`` in the source tree, ``pemilu_nlp.models`` when installed)
SHIPPED: dict[str, str] = {
    "tfidf": "tfidf-default",
    "features": "summarizer-features",
    "neural": "summarizer-neural",
}


def _resolve(target: str) -> type:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _lookup(family: dict[str, str], name: object, what: str) -> type:
    if not isinstance(name, str) or name not in family:
        raise ValueError(f"unknown {what} {name!r}; choose one of {', '.join(family)}")
    return _resolve(family[name])


def classifier_class(name: str) -> type:
    """The topic classifier class registered as ``name``."""
    return _lookup(CLASSIFIERS, name, "classifier")


def summarizer_name(name: str, *, stacklevel: int = 2) -> str:
    """``name`` as registered in :data:`SUMMARIZERS`; an old name (:data:`RENAMED_SUMMARIZERS`) gives
    its new one with a ``DeprecationWarning``, an unknown one a ``ValueError`` listing the names."""
    if isinstance(name, str) and name in RENAMED_SUMMARIZERS:
        new = RENAMED_SUMMARIZERS[name]
        warnings.warn(f"the summariser {name!r} is now called {new!r}", DeprecationWarning, stacklevel=stacklevel)
        return new
    if not isinstance(name, str) or name not in SUMMARIZERS:
        raise ValueError(f"unknown summariser {name!r}; choose one of {', '.join(SUMMARIZERS)}")
    return name


def summarizer_class(name: str) -> type:
    """The summariser class registered as ``name`` (an old name warns, see :func:`summarizer_name`)."""
    return _resolve(SUMMARIZERS[summarizer_name(name, stacklevel=3)])


def shipped_folder(name: str) -> Path:
    """Folder of a shipped model (a key of :data:`SHIPPED`), installed or in a source checkout."""
    if name not in SHIPPED:
        raise ValueError(f"no shipped model {name!r}; shipped: {', '.join(SHIPPED)}")
    folder_name = SHIPPED[name]
    # the checkout beside the running package first: an editable install maps the package of
    # shipped models to the folder it was installed from, which may be another checkout than the code
    candidates = [Path(__file__).resolve().parent.parent / "models" / folder_name]
    try:
        candidates.append(Path(str(resources.files("pemilu_nlp.models").joinpath(folder_name))))
    except (ModuleNotFoundError, TypeError):
        pass
    for folder in candidates:
        if (folder / "config.json").is_file():
            return folder
    raise ModelFormatError(f"the shipped model {folder_name!r} is not installed (looked in "
                           f"{', '.join(map(str, candidates))}); rebuild it with the command in README.md")


def load(folder: str | Path, **options: Any) -> Any:
    """Load any folder saved by this library (classifier or summariser), by the ``format`` in its
    config.json; ``options`` go to that class's ``load`` (e.g. ``device=`` for IndoBERT)."""
    try:
        fmt = model_format(folder)
    except (OSError, ValueError, AttributeError, RecursionError) as err:
        raise ModelFormatError(f"{folder}: cannot read config.json ({type(err).__name__}: {err})") from None
    if not isinstance(fmt, str) or fmt not in FORMATS:
        raise ModelFormatError(f"{folder}: {fmt!r} is not a pemilu_nlp model format (known: {', '.join(FORMATS)})")
    return _resolve(FORMATS[fmt]).load(folder, **options)


def model_format(folder: str | Path) -> Any:
    """The ``format`` a saved folder's config.json declares (not checked); ``OSError``,
    ``ValueError``, ``AttributeError`` or ``RecursionError`` where config.json cannot be read as
    an object: each caller says what that means for it."""
    return json.loads((Path(folder) / "config.json").read_text("utf-8")).get("format")


def load_or_default(folder: str | Path | None = None, **options: Any) -> Any:
    """The classifier saved in ``folder``, or the shipped one when ``folder`` is ``None`` or empty."""
    return load(folder, **options) if folder else load_default()


def load_default() -> Any:
    """The shipped TF-IDF topic classifier, trained on the project's corpus."""
    return _resolve(CLASSIFIERS["tfidf"]).load(shipped_folder("tfidf"))
