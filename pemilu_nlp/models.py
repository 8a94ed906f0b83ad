"""The shipped default models (``models/`` in the source tree, ``pemilu_nlp.default_models`` when installed)."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import ModelFormatError

__all__ = ["default_model_dir", "load_default", "load_default_summarizer"]

TFIDF_DEFAULT = "tfidf-default"
SUMMARIZER_DEFAULT = "summarizer-default"


def default_model_dir(name: str) -> Path:
    """Folder of a shipped model, installed or in a source checkout."""
    candidates = []
    try:
        candidates.append(Path(str(resources.files("pemilu_nlp.default_models").joinpath(name))))
    except ModuleNotFoundError:
        pass
    candidates.append(Path(__file__).resolve().parent.parent / "models" / name)
    for folder in candidates:
        if (folder / "config.json").is_file():
            return folder
    raise ModelFormatError(f"the default model {name!r} is not installed (looked in {', '.join(map(str, candidates))}); "
                           "rebuild it with the command in README.md")


def load_default():
    """The default TF-IDF topic classifier, trained on the project's corpus."""
    from .tfidf import TfidfTopicClassifier

    return TfidfTopicClassifier.load(default_model_dir(TFIDF_DEFAULT))


def load_default_summarizer():
    """The default trained sentence scorer, trained on the IndoSum train part."""
    from .summarize.trained import TrainedSummarizer

    return TrainedSummarizer.load(default_model_dir(SUMMARIZER_DEFAULT))
