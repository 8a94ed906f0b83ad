"""What the issue-12 CV scripts share: their command line and the label-free features they start from."""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pemilu_nlp.classify.tfidf.classifier import TfidfTopicClassifier
from pemilu_nlp.io.corpus import label_matrix, load_corpus, model_chosen
from pemilu_nlp.io.schema import topic_ids
from pemilu_nlp.io.unlabelled import load_unlabelled_texts
from pemilu_nlp.learn.crossval import bootstrap_summary, format_cv_table

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class CvSetup:
    """The corpus as texts and labels, and a TF-IDF model whose vocabulary and idf were learned
    without labels from the corpus texts plus the unlabelled news (as the shipped model's);
    ``train_only`` flags the articles a model chose for reading (trained on, never scored)."""

    texts: list[str]
    topics: list[str]
    Y: np.ndarray
    model: TfidfTopicClassifier
    train_only: np.ndarray


def parse_args(doc: str, out_name: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--data", default=str(ROOT / "data" / "corpus.jsonl"))
    parser.add_argument("--unlabelled", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / out_name))
    return parser.parse_args()


def cv_setup(data: str, unlabelled: str) -> CvSetup:
    articles = load_corpus(data)
    texts = [a.model_text for a in articles]
    topics = list(topic_ids())
    model = TfidfTopicClassifier().fit_features(texts + load_unlabelled_texts([unlabelled]))
    train_only = model_chosen(articles)
    return CvSetup(texts, topics, label_matrix(articles, topics).astype(np.int8), model, train_only)


def write_summaries(args: argparse.Namespace, setup: CvSetup, predictions: dict[str, np.ndarray], *,
                    start: float, **extra: object) -> None:
    """Each recipe's pooled predictions (rows: the scored articles, as ``run_cv`` returns them)
    summarised with bootstrap intervals, printed as one table and written to ``args.out`` with
    ``extra`` and the command line that made them."""
    scored = setup.Y[~setup.train_only]  # articles a model chose for reading are trained on, never scored
    summaries = {name: bootstrap_summary(scored, p, setup.topics, n_boot=1000, seed=0) for name, p in predictions.items()}
    print(format_cv_table(summaries, title=f"{args.data}: 5-fold CV x {args.repeats}"))
    result = {"data": args.data, "n_repeats": args.repeats, **extra, "recipes": summaries,
              "seconds": round(time.time() - start),
              "command": " ".join(["python3", *(Path(a).relative_to(ROOT).as_posix() if a.startswith(str(ROOT)) else a
                                                for a in sys.argv)])}
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", "utf-8")
