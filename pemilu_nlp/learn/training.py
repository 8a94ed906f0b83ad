"""Training and evaluation on the corpus's fixed split, shared by the CLI and Python users.

Every model is scored on the same test part, so that the baseline and IndoBERT are compared on the
same documents; its thresholds come by its ``thresholds`` rule: out-of-fold scores of train+dev
(TF-IDF's default, fitted on both) or tuned on dev (IndoBERT's, fitted on train).  A corpus without a split file
gets one made here (the same seeded iterative stratification as the project's corpus), written
beside the model so that the scores can be reproduced.
"""
from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..classify.base import TopicClassifier
from ..classify.metrics import format_report, multilabel_report
from ..errors import CorpusError
from ..io.corpus import (
    SPLITS,
    Article,
    label_matrix,
    load_corpus,
    load_split,
    make_split,
    model_chosen,
    split_corpus,
    write_split,
)
from ..io.schema import SchemaLike, as_schema, schema_to_dict, topic_ids
from ..registry import classifier_class

__all__ = ["SPLIT_SEED", "TrainingWarning", "cross_validate", "data_fingerprint", "default_split_path",
           "evaluate_model", "make_model", "sparse_topics", "train_model"]

#: the seed of a split made by :func:`train_model` (the project corpus's split used the same)
SPLIT_SEED = 13


class TrainingWarning(UserWarning):
    """Training goes ahead, but something limits what the model can learn or what its scores mean."""


def default_split_path(corpus: str | Path) -> Path:
    """``split.json`` beside the corpus file."""
    return Path(corpus).with_name("split.json")


def data_fingerprint(*paths: str | Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return "sha256:" + digest.hexdigest()


def evaluate_model(model: Any, articles: Sequence[Article]) -> dict:
    """The multi-label report of ``model`` on ``articles``."""
    return multilabel_report(label_matrix(articles, list(model.classes_)), model.predict([a.model_text for a in articles]),
                             [str(t) for t in model.classes_])


def make_model(kind: str, **params: Any) -> Any:
    """A new, unfitted classifier of the registered ``kind`` (``tfidf``, ``indobert``); ``params`` by
    their flat names, as ``--params`` gives them (IndoBERT's training arguments included)."""
    return classifier_class(kind).from_settings(**params)


def sparse_topics(parts: dict[str, Sequence[Article]], topics: Sequence[str]) -> dict[str, dict[str, int]]:
    """Topics missing from some part of a split: topic -> its example count per part."""
    counts = {t: {name: sum(t in a.labels for a in parts[name]) for name in SPLITS} for t in topics}
    return {t: c for t, c in counts.items() if min(c.values()) == 0}


def _warn_sparse(parts: dict[str, Sequence[Article]], topics: Sequence[str]) -> None:
    for topic, c in sparse_topics(parts, topics).items():
        total = sum(c.values())
        if total == 0:
            what = "no labelled example: the model cannot learn it"
        else:
            what = (f"{total} labelled example{'s' * (total != 1)} (train {c['train']}, dev {c['dev']}, "
                    f"test {c['test']}): too few for a train/dev/test split; its threshold rests on "
                    "very few examples (a dev-tuned one stays 0.5) and its test score means little; label more")
        warnings.warn(f"topic {topic!r} has {what}", TrainingWarning, stacklevel=3)


def _resolve_split(articles: Sequence[Article], corpus: Path, split: str | Path | None, schema) -> tuple:
    """``(parts, split ids, split path or None, made)``: the given split file, else ``split.json``
    beside the corpus, else a new seeded split (``made``)."""
    if split is not None:
        return split_corpus(articles, load_split(split)), None, Path(split), False
    beside = default_split_path(corpus)
    if beside.is_file():
        try:
            return split_corpus(articles, load_split(beside)), None, beside, False
        except CorpusError as err:
            raise CorpusError(f"{err} ({beside} beside the corpus was used as its split; pass --split FILE, "
                              "or move it away to let train make a split)") from None
    ids = make_split(articles, seed=SPLIT_SEED, schema=schema)
    return split_corpus(articles, ids), ids, None, True


def _threshold_rule(model: Any, thresholds: str | None) -> str:
    """The rule ``train`` uses: the one asked for, else the model's own default; checked before any work."""
    rule = model.get_params().get("thresholds", "fixed") if thresholds is None else thresholds
    if rule not in ("dev", "oof"):
        raise ValueError(f"thresholds must be 'dev' or 'oof', got {rule!r}")
    if rule == "oof" and type(model)._oof_proba is TopicClassifier._oof_proba:
        raise ValueError(f"thresholds='oof' needs out-of-fold scores, which {type(model).__name__} does not "
                         "have; use 'dev'")
    model.set_params(thresholds=rule)
    return rule


def _fit(model: Any, parts: dict[str, Sequence[Article]], rule: str, schema: Any, unlabelled: list[str] | None,
         say: str | None) -> None:
    """``rule == "oof"``: fit on train and dev together; ``"dev"``: fit on train, tune on dev."""
    train, dev, test = parts["train"], parts["dev"], parts["test"]
    fit_on = [*train, *dev] if rule == "oof" else list(train)
    extra = {} if unlabelled is None else {"unlabelled": unlabelled}
    if say:
        print(f"training {say} on {len(fit_on)} articles "
              f"(dev {len(dev)}, test {len(test)}), {len(schema)} topics, thresholds: {rule}, "
              f"unlabelled texts: {len(unlabelled or [])}")
    dev_data = {"X_dev": [a.model_text for a in dev], "y_dev": [a.labels for a in dev]} if rule == "dev" else {}
    model.fit([a.model_text for a in fit_on], [a.labels for a in fit_on], schema=schema, **dev_data, **extra)


def _fingerprint(corpus: Path, made_ids: dict | None, split_path: Path | None) -> str:
    """The training data's identity: the corpus and its split file, or the split made here."""
    if made_ids is None:
        return data_fingerprint(corpus, split_path)
    digest = hashlib.sha256(corpus.read_bytes())
    digest.update(json.dumps(made_ids, sort_keys=True).encode())
    return "sha256:" + digest.hexdigest()


def _save(model: Any, out: Path, result: dict, parts: dict, made_ids: dict | None, split_path: Path | None) -> None:
    """The model folder, with what it was trained on (and the split, when one was made)."""
    made = made_ids is not None
    training_data = {"corpus": Path(result["corpus"]).name, "split": "split.json" if made else split_path.name,
                     "fingerprint": result["data_fingerprint"], "sizes": {k: len(v) for k, v in parts.items()},
                     "fitted_on": "train+dev" if result["thresholds"] == "oof" else "train",
                     "thresholds": result["thresholds"], "unlabelled_texts": result["unlabelled_texts"]}
    if made:
        training_data["split_made"] = {"method": "iterative stratification (corpus.make_split)", "seed": SPLIT_SEED}
    model.save(out, metrics={"dev": _headline(result["dev"]), "test": _headline(result["test"])},
               extra={"training_data": training_data})
    if made:
        write_split(made_ids, out / "split.json", corpus=Path(result["corpus"]).name, seed=SPLIT_SEED,
                    method="iterative stratification (pemilu_nlp.corpus.make_split)")


def train_model(kind: str, corpus: str | Path, out: str | Path | None, *, split: str | Path | None = None,
                schema: SchemaLike = None, report: str | Path | None = None, params: dict | None = None,
                verbose: bool = True, thresholds: str | None = None,
                unlabelled: Sequence[str | Path] = (), check_precisions: bool = False) -> tuple[Any, dict]:
    """Fit, choose thresholds, score on test, save to ``out``; returns (model, report).

    ``schema``: the topics (default: the shipped schema; a schema file or a model folder for topics
    of one's own); the corpus is checked against it and the model folder carries it.
    ``split``: a split file; without one, ``split.json`` beside the corpus, and without that a seeded
    iterative-stratified split is made and written to ``out/split.json``.  Topics too rare to be in
    every part get a :class:`TrainingWarning` naming them and their counts.
    ``thresholds="dev"``: fit on train, tune thresholds on dev.  ``thresholds="oof"`` (TF-IDF's
    default, as in ``pemilu-nlp train``; ``None`` takes the model's own ``thresholds`` setting):
    fit on train and dev together, thresholds from out-of-fold scores of those articles (every
    labelled example counts; see :class:`~pemilu_nlp.classify.base.TopicClassifier`).
    ``unlabelled`` (TF-IDF only): news files or folders the vocabulary and idf also learn from.
    ``check_precisions`` (transformer models): after training, measure each faster precision's
    label-set agreement with fp32 on the test texts and save it, so that ``precision="auto"``
    picks by it (:meth:`~pemilu_nlp.classify.indobert.IndoBertTopicClassifier.check_precisions`).
    """
    model = make_model(kind, **(params or {}))
    if check_precisions and not hasattr(model, "check_precisions"):
        raise ValueError(f"check_precisions is for transformer models; a {kind} model runs in one precision")
    rule = _threshold_rule(model, thresholds)
    corpus, out = Path(corpus), None if out is None else Path(out)
    schema = as_schema(schema)
    articles = load_corpus(corpus, schema=schema)
    parts, made_ids, split_path, made = _resolve_split(articles, corpus, split, schema)
    _warn_sparse(parts, [t.id for t in schema])
    texts = None
    if unlabelled:
        from ..io.unlabelled import load_unlabelled_texts

        texts = load_unlabelled_texts(list(unlabelled))
    _fit(model, parts, rule, schema, texts, kind if verbose else None)
    result = {"model": kind, "corpus": str(corpus),
              "split": str(out / "split.json") if made and out is not None else str(split_path) if split_path else None,
              "split_made": made, "data_fingerprint": _fingerprint(corpus, made_ids, split_path),
              "thresholds": rule, "unlabelled_texts": len(texts or []),
              "dev": evaluate_model(model, parts["dev"]), "test": evaluate_model(model, parts["test"])}
    if check_precisions:
        result["precision_check"] = model.check_precisions([a.model_text for a in parts["test"]])
    if rule == "oof":
        result["dev_note"] = "dev is part of the training data here: its scores are not held-out figures"
    if out is not None:
        _save(model, out, result, parts, made_ids, split_path)
    if verbose and made:
        where = f"wrote it to {out / 'split.json'}" if out is not None else "not written (no --out)"
        sizes = "/".join(str(len(parts[k])) for k in SPLITS)
        print(f"no split file given or found beside the corpus: made a seeded iterative-stratified split "
              f"(seed {SPLIT_SEED}; train/dev/test {sizes}) and {where}")
    if report is not None:
        Path(report).write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    if verbose:
        print(format_report(result["test"], title=f"test split ({len(parts['test'])} articles)"))
    return model, result


def _headline(report: dict) -> dict:
    return {"micro_f1": report["micro_f1"], "macro_f1": report["macro_f1"],
            "per_topic_f1": {t: s["f1"] for t, s in report["per_topic"].items()}}


def cross_validate(kind: str, corpus: str | Path, *, folds: int = 5, seed: int = 0,
                   params: dict | None = None, schema: SchemaLike = None) -> dict:
    """K-fold multi-label-stratified cross-validation over the whole corpus (for small corpora), by
    scikit-learn's ``cross_validate``.  Articles a model chose for reading
    (:attr:`~pemilu_nlp.io.corpus.Article.selected_by_model`) are in every training part and never scored.

    Each fold's model sets its thresholds by its own rule from its training part only (TF-IDF:
    out-of-fold scores and the cue prior; a ``dev`` rule has no dev data here and keeps 0.5);
    ``params`` may set ``thresholds``.  ``pemilu-nlp evaluate --cv``
    (:func:`pemilu_nlp.learn.evaluation.evaluate_cv`) compares recipes, with bootstrap intervals.
    """
    from sklearn.metrics import f1_score, make_scorer
    from sklearn.model_selection import cross_validate as sklearn_cross_validate

    from ..classify.metrics import macro_f1
    from .crossval import scored_folds

    schema = as_schema(schema)
    articles = load_corpus(corpus, schema=schema)
    Y = label_matrix(articles, topic_ids(schema))
    train_only = model_chosen(articles)  # trained on, never scored
    model = make_model(kind, **(params or {}))
    scoring = {"micro_f1": make_scorer(f1_score, average="micro", zero_division=0),
               "macro_f1": make_scorer(macro_f1)}
    # the schema as a JSON object: scikit-learn passes a fit parameter that is not one value per text unchanged
    scores = sklearn_cross_validate(model, [a.model_text for a in articles], Y, scoring=scoring,
                                    cv=scored_folds(Y, folds, seed=seed, train_only=train_only),
                                    params={"schema": schema_to_dict(schema)})
    micro = np.round(scores["test_micro_f1"], 4)
    macro = np.round(scores["test_macro_f1"], 4)
    return {"folds": folds, "scored_articles": int((~train_only).sum()), "training_only_articles": int(train_only.sum()),
            "micro_f1_mean": round(float(micro.mean()), 4), "micro_f1_std": round(float(micro.std()), 4),
            "macro_f1_mean": round(float(macro.mean()), 4), "macro_f1_std": round(float(macro.std()), 4),
            "per_fold": [{"micro_f1": float(a), "macro_f1": float(b)} for a, b in zip(micro, macro)],
            "topics": list(topic_ids(schema))}
