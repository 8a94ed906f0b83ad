"""Training and evaluation on the corpus's fixed split, shared by the CLI and Python users.

Every model is fitted on train, has its thresholds tuned on dev, and is scored on test, so that
the baseline and IndoBERT are compared on the same documents.  A corpus without a split file
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

from .corpus import (
    SPLITS,
    Article,
    label_matrix,
    load_corpus,
    load_split,
    make_split,
    split_corpus,
    write_split,
)
from .errors import CorpusError
from .metrics import format_report, multilabel_report
from .schema import SchemaLike, as_schema, topic_ids

__all__ = ["SPLIT_SEED", "TrainingWarning", "cross_validate", "data_fingerprint", "default_split_path",
           "evaluate_model", "sparse_topics", "train_model"]

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


def _predict_matrix(model: Any, articles: Sequence[Article]) -> np.ndarray:
    texts = [a.model_text for a in articles]
    if not hasattr(model, "predict_proba_matrix"):  # a TopicClassifier (issue 13: the TF-IDF side moves next)
        return model.predict(texts)
    return np.asarray(model.decide(model.predict_proba_matrix(texts)), dtype=np.int8)


def evaluate_model(model: Any, articles: Sequence[Article]) -> dict:
    """The multi-label report of ``model`` on ``articles``."""
    return multilabel_report(label_matrix(articles, list(model.classes_)), _predict_matrix(model, articles),
                             [str(t) for t in model.classes_])


def make_model(kind: str, **params: Any) -> Any:
    if kind == "tfidf":
        from .tfidf import TfidfTopicClassifier

        return TfidfTopicClassifier(**params)
    if kind == "indobert":
        from .indobert import IndoBertTopicClassifier

        return IndoBertTopicClassifier.from_settings(**params)  # training arguments by name (the CLI's)
    raise ValueError(f"unknown model kind {kind!r}; choose 'tfidf' or 'indobert'")


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
                    f"test {c['test']}): too few for a train/dev/test split; its threshold stays 0.5 "
                    "and its test score means little; label more")
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


def train_model(kind: str, corpus: str | Path, out: str | Path | None, *, split: str | Path | None = None,
                schema: SchemaLike = None, report: str | Path | None = None, params: dict | None = None,
                verbose: bool = True, thresholds: str | None = None,
                unlabelled: Sequence[str | Path] = ()) -> tuple[Any, dict]:
    """Fit, choose thresholds, score on test, save to ``out``; returns (model, report).

    ``schema``: the topics (default: the shipped schema; a schema file or a model folder for topics
    of one's own); the corpus is checked against it and the model folder carries it.
    ``split``: a split file; without one, ``split.json`` beside the corpus, and without that a seeded
    iterative-stratified split is made and written to ``out/split.json``.  Topics too rare to be in
    every part get a :class:`TrainingWarning` naming them and their counts.
    ``thresholds="dev"``: fit on train, tune thresholds on dev.  ``thresholds="oof"`` (TF-IDF only,
    and its default, as in ``pemilu-nlp train``; ``None`` picks it):
    fit on train and dev together, thresholds from out-of-fold scores of those articles (every
    labelled example counts; see :meth:`TfidfTopicClassifier.tune_thresholds_oof`).
    ``unlabelled`` (TF-IDF only): news files or folders the vocabulary and idf also learn from.
    """
    if thresholds is None:
        thresholds = "oof" if kind == "tfidf" else "dev"
    if thresholds not in ("dev", "oof") or (thresholds == "oof" and kind != "tfidf"):
        raise ValueError(f"thresholds must be 'dev' or (TF-IDF only) 'oof', got {thresholds!r} for {kind}")
    corpus = Path(corpus)
    schema = as_schema(schema)
    articles = load_corpus(corpus, schema=schema)
    parts, made_ids, split_path, made = _resolve_split(articles, corpus, split, schema)
    topics = [t.id for t in schema]
    _warn_sparse(parts, topics)
    model = make_model(kind, **(params or {}))
    train, dev, test = parts["train"], parts["dev"], parts["test"]
    fit_on = list(train) + list(dev) if thresholds == "oof" else train
    extra: dict = {}
    if unlabelled:
        from .unlabelled import load_unlabelled_texts

        extra["unlabelled"] = load_unlabelled_texts(list(unlabelled))
    if verbose:
        print(f"training {kind} on {len(fit_on)} articles (dev {len(dev)}, test {len(test)}), {len(topics)} topics, "
              f"thresholds: {thresholds}, unlabelled texts: {len(extra.get('unlabelled', []))}")
    if kind == "indobert":
        model.fit([a.model_text for a in train], [a.labels for a in train],
                  X_dev=[a.model_text for a in dev], y_dev=[a.labels for a in dev], schema=schema)
    else:
        model.fit([a.model_text for a in fit_on], [a.labels for a in fit_on], schema=schema, **extra)
    if thresholds == "oof":
        model.tune_thresholds_oof([a.model_text for a in fit_on], [a.labels for a in fit_on])
    else:
        model.tune_thresholds([a.model_text for a in dev], [a.labels for a in dev])
    if made:
        digest = hashlib.sha256(corpus.read_bytes())
        digest.update(json.dumps(made_ids, sort_keys=True).encode())
        fingerprint = "sha256:" + digest.hexdigest()
        split_name = "split.json" if out is not None else None
    else:
        fingerprint = data_fingerprint(corpus, split_path)
        split_name = split_path.name
    result = {"model": kind, "corpus": str(corpus),
              "split": str(Path(out) / "split.json") if made and out is not None else str(split_path) if split_path else None,
              "split_made": made, "data_fingerprint": fingerprint, "thresholds": thresholds,
              "unlabelled_texts": len(extra.get("unlabelled", [])),
              "dev": evaluate_model(model, dev), "test": evaluate_model(model, test)}
    if thresholds == "oof":
        result["dev_note"] = "dev is part of the training data here: its scores are not held-out figures"
    if out is not None:
        training_data = {"corpus": corpus.name, "split": split_name, "fingerprint": fingerprint,
                         "sizes": {k: len(v) for k, v in parts.items()},
                         "fitted_on": "train+dev" if thresholds == "oof" else "train", "thresholds": thresholds,
                         "unlabelled_texts": result["unlabelled_texts"]}
        if made:
            training_data["split_made"] = {"method": "iterative stratification (corpus.make_split)",
                                           "seed": SPLIT_SEED}
        model.save(out, metrics={"dev": _headline(result["dev"]), "test": _headline(result["test"])},
                   extra={"training_data": training_data})
        if made:
            write_split(made_ids, Path(out) / "split.json", corpus=corpus.name, seed=SPLIT_SEED,
                        method="iterative stratification (pemilu_nlp.corpus.make_split)")
    if verbose and made:
        where = f"wrote it to {Path(out) / 'split.json'}" if out is not None else "not written (no --out)"
        print(f"no split file given or found beside the corpus: made a seeded iterative-stratified split "
              f"(seed {SPLIT_SEED}; train/dev/test {len(train)}/{len(dev)}/{len(test)}) and {where}")
    if report is not None:
        Path(report).write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    if verbose:
        print(format_report(result["test"], title=f"test split ({len(test)} articles)"))
    return model, result


def _headline(report: dict) -> dict:
    return {"micro_f1": report["micro_f1"], "macro_f1": report["macro_f1"],
            "per_topic_f1": {t: s["f1"] for t, s in report["per_topic"].items()}}


def cross_validate(kind: str, corpus: str | Path, *, folds: int = 5, seed: int = 0,
                   params: dict | None = None, schema: SchemaLike = None) -> dict:
    """K-fold multi-label-stratified cross-validation over the whole corpus (for small corpora).

    Thresholds stay at 0.5 inside the folds (no dev data to tune on), so the scores are a little
    pessimistic for rare topics; the spread across folds is what this is for.
    """
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold
    from tqdm.auto import tqdm

    schema = as_schema(schema)
    articles = load_corpus(corpus, schema=schema)
    y = label_matrix(articles, topic_ids(schema))
    y_strat = np.hstack([y, (y.sum(1) == 0)[:, None]])
    splitter = MultilabelStratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    scores = []
    for train_idx, test_idx in tqdm(list(splitter.split(np.zeros(len(articles)), y_strat)), desc="folds"):
        model = make_model(kind, **(params or {}))
        model.fit([articles[i].model_text for i in train_idx], [articles[i].labels for i in train_idx], schema=schema)
        scores.append(evaluate_model(model, [articles[i] for i in test_idx]))
    micro = np.array([s["micro_f1"] for s in scores])
    macro = np.array([s["macro_f1"] for s in scores])
    return {"folds": folds, "micro_f1_mean": round(float(micro.mean()), 4), "micro_f1_std": round(float(micro.std()), 4),
            "macro_f1_mean": round(float(macro.mean()), 4), "macro_f1_std": round(float(macro.std()), 4),
            "per_fold": [{"micro_f1": s["micro_f1"], "macro_f1": s["macro_f1"]} for s in scores],
            "topics": list(topic_ids(schema))}
