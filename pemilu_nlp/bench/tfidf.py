"""TF-IDF suite: the shipped topic classifier with a cold and a warm per-word cache, beside the
pipeline a user would write with plain scikit-learn (word + char_wb TF-IDF, one-vs-rest LR)."""
from __future__ import annotations

from argparse import Namespace
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .core import Measurement, measure

__all__ = ["bench_tfidf", "naive_tfidf"]


def naive_tfidf(train_texts: Sequence[str], train_labels: Sequence[Sequence[str]]) -> tuple[Any, Any]:
    """What a user would write with plain scikit-learn: word + char_wb TF-IDF, one-vs-rest LR;
    returns the fitted pipeline and the mask of topics it learned (those with a positive)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.preprocessing import MultiLabelBinarizer

    from ..io.schema import topic_ids

    binarizer = MultiLabelBinarizer(classes=list(topic_ids()))
    y = binarizer.fit_transform(train_labels)
    keep = y.sum(axis=0) > 0
    pipeline = make_pipeline(
        make_union(TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
                   TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True)),
        OneVsRestClassifier(LogisticRegression(C=8.0, class_weight="balanced", solver="liblinear")))
    pipeline.fit(train_texts, y[:, keep])
    return pipeline, keep


def _clear_word_cache(model: Any) -> None:
    """Start from a cold per-word cache (the classifier's named ``word_cache_``)."""
    model.word_cache_.clear()


def bench_tfidf(articles: Sequence[str], batch_size: int, corpus: str | Path | None) -> list[Measurement]:
    """The shipped model on cleaned ``articles`` (first pass, then steady state) against the naive
    pipeline trained on the corpus train split; quality on the test split beside each."""
    from ..io.corpus import load_corpus, load_split, split_corpus
    from ..learn.training import default_split_path, evaluate_model
    from ..registry import load_default
    from ..text.cleaning import text_for_model
    from .data import corpus_path

    model = load_default()
    model.set_params(clean=False)  # cleaned text in, topics out
    cleaned = [text_for_model(t) for t in articles]
    settings = {"batch_size": batch_size}
    _clear_word_cache(model)
    # First pass: every new word's character n-grams are computed once (cold cache); second pass:
    # the steady state of a long stream, where almost every word has been seen.
    ours, _ = measure("tfidf", "pemilu_nlp TfidfTopicClassifier, first pass (cold word cache)",
                      lambda b: list(model.predict_proba(b)), cleaned, batch_size=batch_size,
                      warmup=0, settings={**settings, "word_cache": "cold"})
    warm, _ = measure("tfidf", "pemilu_nlp TfidfTopicClassifier, steady state (warm word cache)",
                      lambda b: list(model.predict_proba(b)), cleaned, batch_size=batch_size,
                      settings={**settings, "word_cache": "warm"})
    path = corpus_path(corpus)
    parts = split_corpus(load_corpus(path), load_split(default_split_path(path)))
    naive_model, keep = naive_tfidf([text_for_model(a.model_text) for a in parts["train"]],
                                    [a.labels for a in parts["train"]])
    naive, _ = measure("tfidf", "naive scikit-learn pipeline (TfidfVectorizer word+char_wb, OvR LR)",
                       lambda b: list(naive_model.predict_proba(b)), cleaned, batch_size=batch_size,
                       settings=settings)
    ours.ratio_to_naive = round(ours.docs_per_second / naive.docs_per_second, 2)
    warm.ratio_to_naive = round(warm.docs_per_second / naive.docs_per_second, 2)
    model.set_params(clean=True)
    report = evaluate_model(model, parts["test"])
    ours.quality = {"test_macro_f1": report["macro_f1"], "test_micro_f1": report["micro_f1"]}
    naive.quality = {"test_micro_f1_untuned_thresholds": _naive_micro_f1(naive_model, keep, parts["test"])}
    return [ours, warm, naive]


def _naive_micro_f1(pipeline: Any, keep: Any, test: Sequence[Any]) -> float:
    """Micro-F1 of the naive pipeline's own decisions (0.5) on the learned topics of ``test``."""
    from sklearn.metrics import f1_score

    from ..io.corpus import label_matrix
    from ..text.cleaning import text_for_model

    predicted = pipeline.predict([text_for_model(a.model_text) for a in test])
    return round(float(f1_score(label_matrix(test)[:, keep], predicted, average="micro")), 4)


def run(args: Namespace, articles: list[str], notes: list[str], extra: dict) -> list[Measurement]:
    """The suite as ``pemilu-nlp bench --parts tfidf`` runs it."""
    return bench_tfidf(articles, args.batch_size, args.corpus)
