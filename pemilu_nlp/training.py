"""Training and evaluation on the corpus's fixed split, shared by the CLI and Python users.

Every model is fitted on train, has its thresholds tuned on dev, and is scored on test, so that
the baseline and IndoBERT are compared on the same documents.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .corpus import Article, label_matrix, load_corpus, load_split, split_corpus
from .metrics import format_report, multilabel_report
from .schema import topic_ids

__all__ = ["cross_validate", "data_fingerprint", "default_split_path", "evaluate_model", "train_model"]


def default_split_path(corpus: str | Path) -> Path:
    """``split.json`` beside the corpus file."""
    return Path(corpus).with_name("split.json")


def data_fingerprint(*paths: str | Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return "sha256:" + digest.hexdigest()


def _predict_matrix(model: Any, articles: Sequence[Article]) -> np.ndarray:
    return np.asarray(model.decide(model.predict_proba_matrix([a.model_text for a in articles])), dtype=np.int8)


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

        return IndoBertTopicClassifier(**params)
    raise ValueError(f"unknown model kind {kind!r}; choose 'tfidf' or 'indobert'")


def train_model(kind: str, corpus: str | Path, out: str | Path | None, *, split: str | Path | None = None,
                report: str | Path | None = None, params: dict | None = None, verbose: bool = True,
                thresholds: str = "dev", unlabelled: Sequence[str | Path] = ()) -> tuple[Any, dict]:
    """Fit, choose thresholds, score on test, save to ``out``; returns (model, report).

    ``thresholds="dev"``: fit on train, tune thresholds on dev.  ``thresholds="oof"`` (TF-IDF only):
    fit on train and dev together, thresholds from out-of-fold scores of those articles (every
    labelled example counts; see :meth:`TfidfTopicClassifier.tune_thresholds_oof`).
    ``unlabelled`` (TF-IDF only): news files or folders the vocabulary and idf also learn from.
    """
    if thresholds not in ("dev", "oof") or (thresholds == "oof" and kind != "tfidf"):
        raise ValueError(f"thresholds must be 'dev' or (TF-IDF only) 'oof', got {thresholds!r} for {kind}")
    split = Path(split) if split else default_split_path(corpus)
    articles = load_corpus(corpus)
    parts = split_corpus(articles, load_split(split))
    model = make_model(kind, **(params or {}))
    train, dev, test = parts["train"], parts["dev"], parts["test"]
    fit_on = list(train) + list(dev) if thresholds == "oof" else train
    extra: dict = {}
    if unlabelled:
        from .unlabelled import load_unlabelled_texts

        extra["unlabelled"] = load_unlabelled_texts(list(unlabelled))
    if verbose:
        print(f"training {kind} on {len(fit_on)} articles (dev {len(dev)}, test {len(test)}, "
              f"thresholds: {thresholds}, unlabelled texts: {len(extra.get('unlabelled', []))})")
    if kind == "indobert":
        model.fit([a.model_text for a in train], [a.labels for a in train],
                  X_dev=[a.model_text for a in dev], y_dev=[a.labels for a in dev])
    else:
        model.fit([a.model_text for a in fit_on], [a.labels for a in fit_on], **extra)
    if thresholds == "oof":
        model.tune_thresholds_oof([a.model_text for a in fit_on], [a.labels for a in fit_on])
    else:
        model.tune_thresholds([a.model_text for a in dev], [a.labels for a in dev])
    result = {"model": kind, "corpus": str(corpus), "split": str(split),
              "data_fingerprint": data_fingerprint(corpus, split), "thresholds": thresholds,
              "unlabelled_texts": len(extra.get("unlabelled", [])),
              "dev": evaluate_model(model, dev), "test": evaluate_model(model, test)}
    if thresholds == "oof":
        result["dev_note"] = "dev is part of the training data here: its scores are not held-out figures"
    if out is not None:
        model.save(out, metrics={"dev": _headline(result["dev"]), "test": _headline(result["test"])},
                   extra={"training_data": {"corpus": Path(corpus).name, "split": Path(split).name,
                                            "fingerprint": result["data_fingerprint"],
                                            "sizes": {k: len(v) for k, v in parts.items()},
                                            "fitted_on": "train+dev" if thresholds == "oof" else "train",
                                            "thresholds": thresholds,
                                            "unlabelled_texts": result["unlabelled_texts"]}})
    if report is not None:
        Path(report).write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    if verbose:
        print(format_report(result["test"], title=f"test split ({len(test)} articles)"))
    return model, result


def _headline(report: dict) -> dict:
    return {"micro_f1": report["micro_f1"], "macro_f1": report["macro_f1"],
            "per_topic_f1": {t: s["f1"] for t, s in report["per_topic"].items()}}


def cross_validate(kind: str, corpus: str | Path, *, folds: int = 5, seed: int = 0,
                   params: dict | None = None) -> dict:
    """K-fold multi-label-stratified cross-validation over the whole corpus (for small corpora).

    Thresholds stay at 0.5 inside the folds (no dev data to tune on), so the scores are a little
    pessimistic for rare topics; the spread across folds is what this is for.
    """
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold
    from tqdm.auto import tqdm

    articles = load_corpus(corpus)
    y = label_matrix(articles)
    y_strat = np.hstack([y, (y.sum(1) == 0)[:, None]])
    splitter = MultilabelStratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    scores = []
    for train_idx, test_idx in tqdm(list(splitter.split(np.zeros(len(articles)), y_strat)), desc="folds"):
        model = make_model(kind, **(params or {}))
        model.fit([articles[i].model_text for i in train_idx], [articles[i].labels for i in train_idx])
        scores.append(evaluate_model(model, [articles[i] for i in test_idx]))
    micro = np.array([s["micro_f1"] for s in scores])
    macro = np.array([s["macro_f1"] for s in scores])
    return {"folds": folds, "micro_f1_mean": round(float(micro.mean()), 4), "micro_f1_std": round(float(micro.std()), 4),
            "macro_f1_mean": round(float(macro.mean()), 4), "macro_f1_std": round(float(macro.std()), 4),
            "per_fold": [{"micro_f1": s["micro_f1"], "macro_f1": s["macro_f1"]} for s in scores],
            "topics": list(topic_ids())}
