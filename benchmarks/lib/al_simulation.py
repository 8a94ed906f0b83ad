"""A simulated active-learning run on a labelled corpus: how many labels does each strategy need?

The corpus's labels stand in for the annotator: each round a strategy picks articles from the
pool (the corpus's train + dev parts, labels hidden), "labels" them by looking their labels up,
and the TF-IDF model is refitted on everything labelled so far and scored on the held-out test
part.  Every strategy starts from the same seed set in a repeat (a few positives per topic plus
random articles without a topic) and the repeats differ only by seed.  Thresholds stay at 0.5
(there is no dev part to tune them on in a labelling loop), so the scores are below the shipped
model's; the comparison between strategies is the point.
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pemilu_nlp.classify.metrics import multilabel_report
from pemilu_nlp.io.corpus import Article, label_matrix, load_corpus, load_split, split_corpus
from pemilu_nlp.io.schema import topic_ids
from pemilu_nlp.learn.active_learning import decision_scores, select, text_vectors

__all__ = ["labels_to_reach", "simulate"]

#: topics with fewer than this many labelled articles in the corpus count as rare
RARE_BELOW = 40


def _initial_set(pool: Sequence[Article], topics: Sequence[str], rng: np.random.Generator, positives: int,
                 negatives: int) -> list[int]:
    chosen: set[int] = set()
    for topic in topics:
        having = [i for i, a in enumerate(pool) if topic in a.labels]
        take = rng.choice(having, size=min(positives, len(having)), replace=False) if having else []
        chosen.update(int(i) for i in take)
    empty = [i for i, a in enumerate(pool) if not a.labels and i not in chosen]
    chosen.update(int(i) for i in rng.choice(empty, size=min(negatives, len(empty)), replace=False))
    return sorted(chosen)


def _score(model: Any, test: Sequence[Article], test_texts: list[str], rare: Sequence[str]) -> dict[str, float]:
    proba = model.predict_proba(test_texts)
    topics = [str(t) for t in model.classes_]
    report = multilabel_report(label_matrix(test, topics), np.asarray(model.decide(proba), dtype=np.int8), topics)
    rare_present = [t for t in rare if report["per_topic"][t]["support"] > 0]
    return {"macro_f1": report["macro_f1"], "micro_f1": report["micro_f1"],
            "rare_recall": round(float(np.mean([report["per_topic"][t]["recall"] for t in rare_present])), 4)}


def simulate(corpus: str | Path, split: str | Path, *, strategies: Sequence[str] = ("random", "uncertainty", "diverse"),
             repeats: int = 3, rounds: int = 10, batch: int = 25, initial_positives: int = 5,
             initial_negatives: int = 20, params: dict | None = None, progress: bool = True) -> dict[str, Any]:
    """Learning curves (labels used -> test macro-F1, micro-F1, rare-topic recall) per strategy and repeat."""
    from tqdm.auto import tqdm

    from pemilu_nlp.classify.tfidf.classifier import TfidfTopicClassifier

    articles = load_corpus(corpus)
    parts = split_corpus(articles, load_split(split))
    # the simulated pool stands for unread news: articles a model already chose for reading are not that
    pool, test = [a for a in parts["train"] + parts["dev"] if not a.selected_by_model], parts["test"]
    topics = list(topic_ids())
    counts = label_matrix(articles, topics).sum(axis=0)
    rare = [t for t, c in zip(topics, counts) if c < RARE_BELOW]
    pool_texts = [a.model_text for a in pool]
    test_texts = [a.model_text for a in test]
    y_pool = [a.labels for a in pool]
    vectors = text_vectors(pool_texts)  # fixed per run: the diversity step's view of the pool
    curves: dict[str, list[dict[str, list]]] = {s: [] for s in strategies}
    started = time.perf_counter()
    jobs = [(r, s) for r in range(repeats) for s in strategies]
    for repeat, strategy in tqdm(jobs, desc="strategy x repeat", disable=not progress):
        rng = np.random.default_rng(1000 + repeat)
        labelled = _initial_set(pool, topics, rng, initial_positives, initial_negatives)
        curve: dict[str, list] = {"labels": [], "macro_f1": [], "micro_f1": [], "rare_recall": []}
        for round_no in range(rounds + 1):
            model = TfidfTopicClassifier(**{"thresholds": "fixed", **(params or {})}).fit([pool_texts[i] for i in labelled],
                                                                [y_pool[i] for i in labelled])
            scores = _score(model, test, test_texts, rare)
            curve["labels"].append(len(labelled))
            for key, value in scores.items():
                curve[key].append(value)
            if round_no == rounds:
                break
            taken = set(labelled)
            rest = np.array([i for i in range(len(pool)) if i not in taken])
            if strategy == "random":
                order = select(np.zeros(len(rest)), batch, strategy="random", seed=repeat * 100 + round_no)
            else:
                proba = model.predict_proba([pool_texts[i] for i in rest])
                score, _ = decision_scores(proba, model.thresholds_, strategy)
                order = select(score, batch, strategy=strategy, vectors=vectors[rest], seed=repeat)
            labelled = sorted(taken | {int(rest[i]) for i in order})
        curves[strategy].append(curve)
    summary = {}
    for strategy, runs in curves.items():
        summary[strategy] = {"labels": runs[0]["labels"]}
        for key in ("macro_f1", "micro_f1", "rare_recall"):
            values = np.array([run[key] for run in runs])
            summary[strategy][f"{key}_mean"] = [round(float(v), 4) for v in values.mean(axis=0)]
            summary[strategy][f"{key}_std"] = [round(float(v), 4) for v in values.std(axis=0)]
    return {
        "settings": {"corpus": Path(corpus).name, "split": Path(split).name, "pool": "train + dev",
                     "held_out": "test", "pool_size": len(pool), "test_size": len(test), "repeats": repeats,
                     "rounds": rounds, "batch": batch, "initial_positives_per_topic": initial_positives,
                     "initial_negatives": initial_negatives, "model": "TfidfTopicClassifier", "params": params or {},
                     "thresholds": 0.5, "rare_topics": rare, "rare_below": RARE_BELOW,
                     "seeds": {"initial_set": [1000 + r for r in range(repeats)]}},
        "curves": curves, "summary": summary, "seconds": round(time.perf_counter() - started, 1),
    }


def labels_to_reach(labels: Sequence[float], values: Sequence[float], target: float) -> float | None:
    """Labels from which a (mean) learning curve stays at or above ``target`` (linearly interpolated
    on the segment where it crosses for the last time); ``None`` if it ends below."""
    below = [i for i, v in enumerate(values) if v < target]
    if not below:
        return float(labels[0])
    i = below[-1]
    if i == len(values) - 1:
        return None
    x0, x1, y0, y1 = labels[i], labels[i + 1], values[i], values[i + 1]
    return float(x0 + (target - y0) * (x1 - x0) / (y1 - y0))
