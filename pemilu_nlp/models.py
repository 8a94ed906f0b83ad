"""The shipped default models (``models/`` in the source tree, ``pemilu_nlp.default_models`` when installed)."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import ModelFormatError

__all__ = ["default_model_dir", "load_default", "load_default_summarizer", "load_model", "topics_and_probabilities"]

TFIDF_DEFAULT = "tfidf-default"
SUMMARIZER_DEFAULT = "summarizer-default"
SUMMARIZER_NEURAL = "summarizer-neural"


def default_model_dir(name: str) -> Path:
    """Folder of a shipped model, installed or in a source checkout."""
    # the checkout beside the running package first: an editable install maps default_models to the
    # folder it was installed from, which may be another checkout (a git worktree) than the code
    candidates = [Path(__file__).resolve().parent.parent / "models" / name]
    try:
        candidates.append(Path(str(resources.files("pemilu_nlp.default_models").joinpath(name))))
    except ModuleNotFoundError:
        pass
    for folder in candidates:
        if (folder / "config.json").is_file():
            return folder
    raise ModelFormatError(f"the default model {name!r} is not installed (looked in {', '.join(map(str, candidates))}); "
                           "rebuild it with the command in README.md")


def load_default():
    """The default TF-IDF topic classifier, trained on the project's corpus."""
    from .tfidf import TfidfTopicClassifier

    return TfidfTopicClassifier.load(default_model_dir(TFIDF_DEFAULT))


def load_default_summarizer(method: str = "trained"):
    """The shipped sentence scorer of ``method`` (``trained`` or ``neural``), trained on the IndoSum train part."""
    if method == "trained":
        from .summarize.trained import TrainedSummarizer

        return TrainedSummarizer.load(default_model_dir(SUMMARIZER_DEFAULT))
    if method == "neural":
        from .summarize.neural import NeuralSummarizer

        return NeuralSummarizer.load(default_model_dir(SUMMARIZER_NEURAL))
    raise ValueError(f"no shipped summariser model for {method!r}; choose trained or neural")


def load_model(folder: str | Path):
    """Load any classifier folder saved by this library (TF-IDF or IndoBERT), by its config."""
    import json

    config_path = Path(folder) / "config.json"
    try:
        fmt = json.loads(config_path.read_text("utf-8")).get("format")
    except (OSError, ValueError, AttributeError, RecursionError) as err:
        raise ModelFormatError(f"{folder}: cannot read config.json ({type(err).__name__}: {err})") from None
    if fmt == "pemilu_nlp.tfidf":
        from .tfidf import TfidfTopicClassifier

        return TfidfTopicClassifier.load(folder)
    if fmt == "pemilu_nlp.indobert":
        from .indobert import IndoBertTopicClassifier

        return IndoBertTopicClassifier.load(folder)
    raise ModelFormatError(f"{folder}: {fmt!r} is not a pemilu_nlp classifier format")


def topics_and_probabilities(model, texts: list[str]) -> tuple[list[list[str]], list[dict[str, float]]]:
    """Each text's topics and its topic -> probability map, from one pass of ``model``."""
    if hasattr(model, "topics_and_probabilities"):  # a TopicClassifier (issue 13); this module goes
        return model.topics_and_probabilities(texts)
    proba = model.predict_proba_matrix(texts)
    classes = [str(t) for t in model.classes_]
    topics = [[t for t, d in zip(classes, row) if d] for row in model.decide(proba)]
    return topics, [dict(zip(classes, map(float, row))) for row in proba]
