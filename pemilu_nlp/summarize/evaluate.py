"""ROUGE evaluation of the summarisers: documents with references, pickers, scores, weight tuning.

ROUGE comes from the ``rouge-score`` package without a stemmer (its Porter stemmer is English).
Every run scores LEAD-3 and a greedy ORACLE the same way, because absolute ROUGE depends on the
implementation and the sentence units: only differences within one run are comparable.  Every
function takes its data as arguments (files by explicit path); what a benchmark compares and how
it labels the rows is the benchmark's (``benchmarks/summaries.py`` makes the table in docs/summaries.md).
"""
from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..io.indosum import IndoSumArticle
    from .base import Summarizer

__all__ = ["EvalDocument", "bootstrap_rouge", "corpus_documents", "document_scores", "evaluate_methods", "evaluate_summarizers", "format_results",
           "indosum_documents", "indosum_title", "oracle_indices", "pool_documents", "rouge", "sentence_picker",
           "text_picker", "tune_graph_weights", "write_results"]

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


def document_scores(documents: Sequence[EvalDocument], pick: SentencePicker, *, scorer=None,
                    progress: bool = False, desc: str = "") -> dict[str, np.ndarray]:
    """Per document: ROUGE-1/2/L F1 (``"rouge"``, ``documents x 3``, in 0..100) of what ``pick``
    chooses and, where the documents have gold indices and ``pick`` returns indices, the share of
    chosen sentences that are gold and of gold sentences chosen (``"precision"``, ``"recall"``).

    ``pick`` returns indices into ``document.sentences`` (pre-split path) or sentence strings
    (raw-text path, where its own splitter made the sentences)."""
    from tqdm.auto import tqdm

    scorer = scorer or _scorer()
    rows, precision, recall = [], [], []
    for doc in tqdm(documents, desc=desc, disable=not progress, leave=False):
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
    return {"rouge": np.asarray(rows, dtype=float).reshape(-1, len(ROUGE_TYPES)),
            "precision": np.asarray(precision), "recall": np.asarray(recall)}


def evaluate_methods(documents: Sequence[EvalDocument], methods: dict[str, SentencePicker], *,
                     progress: bool = True) -> dict[str, dict]:
    """Mean ROUGE F1 of each method; with gold indices, also precision/recall of chosen sentences
    (see :func:`document_scores`)."""
    scorer = _scorer()
    results = {}
    for name, pick in methods.items():
        scores = document_scores(documents, pick, scorer=scorer, progress=progress, desc=name)
        mean = scores["rouge"].mean(axis=0) if len(scores["rouge"]) else np.zeros(3)
        results[name] = {k: round(float(v), 2) for k, v in zip(ROUGE_TYPES, mean)}
        results[name]["documents"] = len(scores["rouge"])
        if len(scores["precision"]):
            results[name]["sentence_precision"] = round(float(scores["precision"].mean()), 4)
            results[name]["sentence_recall"] = round(float(scores["recall"].mean()), 4)
    return results


def bootstrap_rouge(rows: np.ndarray, baseline: np.ndarray | None = None, *, n_boot: int = 1000,
                    seed: int = 0) -> dict[str, dict]:
    """Mean ROUGE-1/2/L of per-document ``rows`` (``documents x 3``) with bootstrap 95 % intervals
    (documents resampled); with ``baseline`` (the same documents, another method), the paired
    difference ``rows - baseline`` instead, resampled the same way.

    >>> rows = np.array([[50., 40., 45.], [60., 50., 55.]])
    >>> bootstrap_rouge(rows, rows - 1.0)["rouge1"]
    {'mean': 1.0, 'ci95': [1.0, 1.0]}
    """
    values = np.asarray(rows, dtype=float) - (0.0 if baseline is None else np.asarray(baseline, dtype=float))
    n = len(values)
    rng = np.random.default_rng(seed)
    means = np.vstack([values.mean(axis=0)] + [values[rng.integers(0, n, n)].mean(axis=0) for _ in range(n_boot)])
    out = {}
    for j, key in enumerate(ROUGE_TYPES):
        low, high = np.percentile(means[1:, j], [2.5, 97.5])
        out[key] = {"mean": round(float(means[0, j]), 2), "ci95": [round(float(low), 2), round(float(high), 2)]}
    return out


def tune_graph_weights(documents: Sequence[EvalDocument], method: str, *,
                       position_weights: Sequence[float] = (0.5, 1.0, 2.0, 4.0),
                       title_weights: Sequence[float] = (0.0, 0.25, 0.5),
                       mmr_lambdas: Sequence[float | None] = (None, 0.85), count: int = 3) -> dict:
    """Grid search of a graph summariser's weights on dev documents by mean ROUGE-1+2+L (the
    default grid is the one behind the ``indosum`` preset)."""
    from ..registry import summarizer_class

    cls = summarizer_class(method)
    best: dict = {"score": -1.0}
    grid = []
    for pw in position_weights:
        for tw in title_weights:
            for lam in mmr_lambdas:
                summarizer = cls(position_weight=pw, title_weight=tw, mmr_lambda=lam)
                scores = evaluate_methods(documents, {method: sentence_picker(summarizer, count)}, progress=False)[method]
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


# ------------------------------------------------------------------------------------ documents
def indosum_documents(articles: Sequence[IndoSumArticle]) -> list[EvalDocument]:
    """IndoSum articles as documents: their own sentences, reference, gold indices and title."""
    # token-joined text: exactly what the published rouge-score anchors use
    return [EvalDocument(a.id, tuple(" ".join(s) for s in a.sentence_tokens),
                         " ".join(" ".join(s) for s in a.summary_tokens), tuple(a.gold_indices),
                         indosum_title(a.id), a.text) for a in articles]


def corpus_documents(corpus: str | Path) -> list[EvalDocument]:
    """The articles of a labelled corpus (JSONL) that carry a reference ``summary``."""
    from ..io.corpus import load_corpus
    from ..text.cleaning import clean_text, split_sentences

    return [EvalDocument(a.id, tuple(split_sentences(clean_text(a.text))), " ".join(a.summary), None,
                         a.title or None, a.text) for a in load_corpus(corpus) if a.summary]


def pool_documents(pool: str | Path) -> list[EvalDocument]:
    """The articles of a news pool (JSONL.gz, ``{"id", "title", "text", "source_fields", ...}`` a
    line) that carry a hand-written summary (``source_fields.Summary``; in the shared pool, the
    680 detik articles of October 2025)."""
    from ..text.cleaning import clean_text, split_sentences

    docs = []
    with gzip.open(pool, "rt", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            summary = (record.get("source_fields") or {}).get("Summary")
            if summary and record["text"].strip():
                sentences = tuple(split_sentences(clean_text(record["text"])))
                if sentences:
                    docs.append(EvalDocument(record["id"], sentences, summary, None, record.get("title"),
                                             record["text"]))
    return docs


# ------------------------------------------------------------------------------------ pickers
def sentence_picker(summarizer: Summarizer, count: int | str = 3) -> SentencePicker:
    """The indices ``summarizer`` chooses among a document's given sentences."""
    return lambda d: [x.index for x in summarizer(list(d.sentences), count, title=d.title)]


def text_picker(summarizer: Summarizer, count: int | str = 3) -> SentencePicker:
    """The sentences ``summarizer`` chooses from a document's raw text (its own cleaning and splitting)."""
    return lambda d: [x.text for x in summarizer(d.raw_text, count, title=d.title)]


def evaluate_summarizers(documents: Sequence[EvalDocument], methods: Sequence[str], *, count: int | str = 3,
                         progress: bool = True) -> dict[str, dict]:
    """ROUGE of each registered method (as :func:`~pemilu_nlp.summarize.get_summarizer` gives it)
    beside the greedy ORACLE, and the gold labels when the documents have them."""
    from . import get_summarizer

    pickers = {name: sentence_picker(get_summarizer(name), count) for name in methods}
    pickers["ORACLE (greedy)"] = lambda d: oracle_indices(list(d.sentences), d.reference)
    if documents and all(d.gold for d in documents):
        pickers["GOLD labels"] = lambda d: list(d.gold)
    return evaluate_methods(documents, pickers, progress=progress)


def format_results(results: dict) -> str:
    """``{data set: {method: scores}}`` as one text table per data set."""
    lines = []
    for name, table in results.items():
        n = next(iter(table.values()))["documents"] if table else 0
        lines.append(f"== {name} ({n} documents), ROUGE F1")
        lines.append(f"{'method':<40}{'R-1':>7}{'R-2':>7}{'R-L':>7}{'sent P':>8}{'sent R':>8}")
        for method, s in table.items():
            p = f"{s['sentence_precision']:.3f}" if "sentence_precision" in s else "-"
            r = f"{s['sentence_recall']:.3f}" if "sentence_recall" in s else "-"
            lines.append(f"{method:<40}{s['rouge1']:>7.2f}{s['rouge2']:>7.2f}{s['rougeL']:>7.2f}{p:>8}{r:>8}")
        lines.append("")
    return "\n".join(lines)
