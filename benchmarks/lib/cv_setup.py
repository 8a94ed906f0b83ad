"""What the issue-12 CV scripts share: their command line and the label-free features they start from."""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pemilu_nlp.corpus import label_matrix, load_corpus, model_chosen
from pemilu_nlp.schema import topic_ids
from pemilu_nlp.tfidf import TfidfTopicClassifier
from pemilu_nlp.unlabelled import load_unlabelled_texts

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
