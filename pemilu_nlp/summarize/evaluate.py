"""ROUGE evaluation of the summarisers on IndoSum and on the project's corpus.

ROUGE comes from the ``rouge-score`` package without a stemmer (its Porter stemmer is English).
Every run scores LEAD-3 and a greedy ORACLE the same way, because absolute ROUGE depends on the
implementation and the sentence units: only differences within one run are comparable.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["EvalDocument", "evaluate_methods", "indosum_title", "oracle_indices", "rouge", "tune_graph_weights", "write_results"]

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")


@dataclass(frozen=True)
class EvalDocument:
    """One article to summarise: given sentences, a reference, and optionally gold indices."""

    id: str
    sentences: tuple[str, ...]
    reference: str
    gold: tuple[int, ...] | None = None
    title: str | None = None
    raw_text: str | None = None
    meta: dict = field(default_factory=dict, compare=False)


def _scorer():
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=False)


def rouge(reference: str, prediction: str, scorer=None) -> dict[str, float]:
    """ROUGE-1/2/L F1 (in 0..100) of ``prediction`` against ``reference``."""
    scores = (scorer or _scorer()).score(reference, prediction)
    return {k: 100 * scores[k].fmeasure for k in ROUGE_TYPES}


def oracle_indices(sentences: Sequence[str], reference: str, *, max_sentences: int | None = None,
                   scorer=None) -> list[int]:
    """Greedy ORACLE: add the sentence that most raises ROUGE-1 + ROUGE-2 F1 until none does."""
    scorer = scorer or _scorer()
    chosen: list[int] = []
    best = 0.0
    limit = max_sentences or len(sentences)
    while len(chosen) < limit:
        gains = []
        for i in range(len(sentences)):
            if i in chosen:
                continue
            pred = " ".join(sentences[j] for j in sorted([*chosen, i]))
            s = scorer.score(reference, pred)
            gains.append((s["rouge1"].fmeasure + s["rouge2"].fmeasure, i))
        if not gains:
            break
        value, index = max(gains)
        if value <= best:
            break
        best = value
        chosen.append(index)
    return sorted(chosen)


SentencePicker = Callable[[EvalDocument], Sequence[int] | Sequence[str]]


def evaluate_methods(documents: Sequence[EvalDocument], methods: dict[str, SentencePicker], *,
                     progress: bool = True) -> dict[str, dict]:
    """Mean ROUGE F1 of each method; with gold indices, also precision/recall of chosen sentences.

    A method returns indices into ``document.sentences`` (pre-split path) or sentence strings
    (raw-text path, where its own splitter made the sentences).
    """
    from tqdm.auto import tqdm

    scorer = _scorer()
    results = {}
    for name, pick in methods.items():
        rows, precision, recall = [], [], []
        for doc in tqdm(documents, desc=name, disable=not progress, leave=False):
            chosen = list(pick(doc))
            if chosen and isinstance(chosen[0], int | np.integer):
                prediction = " ".join(doc.sentences[i] for i in chosen)
                if doc.gold:
                    hits = len(set(chosen) & set(doc.gold))
                    precision.append(hits / len(chosen))
                    recall.append(hits / len(doc.gold))
            else:
                prediction = " ".join(chosen)
            rows.append([rouge(doc.reference, prediction, scorer)[k] for k in ROUGE_TYPES])
        mean = np.mean(rows, axis=0) if rows else np.zeros(3)
        results[name] = {k: round(float(v), 2) for k, v in zip(ROUGE_TYPES, mean)}
        results[name]["documents"] = len(rows)
        if precision:
            results[name]["sentence_precision"] = round(float(np.mean(precision)), 4)
            results[name]["sentence_recall"] = round(float(np.mean(recall)), 4)
    return results


def tune_graph_weights(documents: Sequence[EvalDocument], method: str, *,
                       position_weights: Sequence[float] = (0.0, 0.25, 0.5, 1.0, 2.0),
                       title_weights: Sequence[float] = (0.0, 0.25, 0.5, 1.0),
                       mmr_lambdas: Sequence[float | None] = (None, 0.7, 0.85), count: int = 3) -> dict:
    """Grid search of a graph summariser's weights on dev documents by mean ROUGE-1+2+L."""
    from . import METHODS

    best: dict = {"score": -1.0}
    grid = []
    for pw in position_weights:
        for tw in title_weights:
            for lam in mmr_lambdas:
                summarizer = METHODS[method](position_weight=pw, title_weight=tw, mmr_lambda=lam)
                scores = evaluate_methods(documents, {method: lambda d, s=summarizer: [
                    x.index for x in s(list(d.sentences), count, title=d.title)]}, progress=False)[method]
                total = scores["rouge1"] + scores["rouge2"] + scores["rougeL"]
                grid.append({"position_weight": pw, "title_weight": tw, "mmr_lambda": lam, **scores})
                if total > best["score"]:
                    best = {"score": total, "position_weight": pw, "title_weight": tw, "mmr_lambda": lam}
    return {"best": best, "grid": grid}


def indosum_title(article_id: str) -> str:
    """IndoSum has no title field; its ids end with a slug of the (truncated) title."""
    slug = re.sub(r"^\d+-", "", article_id)
    return slug.replace("-", " ")


def write_results(results: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", "utf-8")
