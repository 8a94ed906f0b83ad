"""Issue 12 experiments: thresholds, heads, unlabelled text and cues for the rare topics, all under
the same repeated nested cross-validation (thresholds chosen inside each training fold only).

    python3 benchmarks/rare_topics.py [--repeats 3] [--only thresholds,heads,features,cues] \
        [--out benchmarks/results/rare_topics.json]

Features that need no labels (TF-IDF vocabulary and idf, PPMI-SVD word vectors, cue counts) are
fitted once on the unlabelled news plus the corpus texts (no labels) and cached under
``--cache``; each experiment then costs only the per-topic fits. Results: one JSON file, with
every recipe's pooled bootstrap summary.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.lib.heads import FeatureScorer, SelfTrainingScorer  # noqa: E402
from pemilu_nlp.classify.cues import CueCounter  # noqa: E402
from pemilu_nlp.classify.tfidf.classifier import TfidfTopicClassifier  # noqa: E402
from pemilu_nlp.io.corpus import label_matrix, load_corpus, model_chosen  # noqa: E402
from pemilu_nlp.io.schema import topic_ids  # noqa: E402
from pemilu_nlp.io.unlabelled import default_unlabelled_paths, load_unlabelled_texts  # noqa: E402
from pemilu_nlp.learn.crossval import (  # noqa: E402
    TextModelScorer,
    bootstrap_summary,
    format_cv_table,
    recipe_fixed,
    recipe_oof,
    recipe_prior_shift,
    recipe_today,
    run_cv,
)
from pemilu_nlp.text.wordvectors import document_vectors, train_word_vectors, word_tokens  # noqa: E402


def features(texts: list[str], cache: Path) -> dict[str, object]:
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / "features.npz"
    if path.exists():
        z = np.load(path, allow_pickle=False)
        tf_pool = sp.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
        return {"tfidf_pool": tf_pool, "dense": z["dense"], "cues": z["cues"], "tfidf_corpus": None}
    unlabelled = load_unlabelled_texts(default_unlabelled_paths(ROOT.parent / "shared" / "data"))
    t = time.time()
    vec = TfidfTopicClassifier().fit_features(unlabelled + texts)
    tf_pool = vec.transform(texts)
    print(f"pool vocabulary: {len(vec.word_vocabulary_)} words, {len(vec.char_vocabulary_)} char grams "
          f"({time.time() - t:.0f} s)")
    t = time.time()
    words, vectors = train_word_vectors(unlabelled + texts, dim=100, max_words=30000)
    dense = document_vectors(texts, words, vectors)
    print(f"word vectors {vectors.shape} ({time.time() - t:.0f} s)")
    cues = CueCounter().counts(texts)
    np.savez(path, data=tf_pool.data, indices=tf_pool.indices, indptr=tf_pool.indptr, shape=np.array(tf_pool.shape),
             dense=dense, cues=cues)
    return {"tfidf_pool": tf_pool, "dense": dense, "cues": cues}


def _key(text: str) -> str:
    return " ".join(word_tokens(text)[:30])


def pool_features(texts: list[str], bodies: list[str], cache: Path) -> tuple[sp.csr_matrix, np.ndarray]:
    """Features of the unlabelled articles that are not corpus articles (matched on their first 30
    tokens, anywhere in the first 400 of a pool text), for self-training."""
    path = cache / "pool.npz"
    if path.exists():
        z = np.load(path, allow_pickle=False)
        return sp.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"])), z["cues"]
    unlabelled = load_unlabelled_texts(default_unlabelled_paths(ROOT.parent / "shared" / "data"))
    keys = {_key(b) for b in bodies if len(word_tokens(b)) >= 30}
    kept = []
    for u in unlabelled:
        toks = word_tokens(u)[:400]
        if not any(" ".join(toks[i:i + 30]) in keys for i in range(0, max(1, len(toks) - 29))):
            kept.append(u)
    print(f"pool for self-training: {len(kept)} of {len(unlabelled)} unlabelled texts (corpus articles removed)")
    vec = TfidfTopicClassifier().fit_features(unlabelled + texts)
    X = vec.transform(kept)
    cues = CueCounter().counts(kept)
    np.savez(path, data=X.data, indices=X.indices, indptr=X.indptr, shape=np.array(X.shape), cues=cues)
    return X, cues


def summarise(Y, preds, topics, n_boot):
    return {name: bootstrap_summary(Y, p, topics, n_boot=n_boot) for name, p in preds.items()}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT / "data" / "corpus.jsonl"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--boot", type=int, default=1000)
    ap.add_argument("--only", default="thresholds,heads,features,cues")
    ap.add_argument("--cache", default="/tmp/rare_cache")
    ap.add_argument("--with-today", action="store_true", help="thresholds: also the shipped model's own vocabulary "
                                                               "(evaluate --cv reports it as 'before')")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "rare_topics.json"))
    args = ap.parse_args()

    articles = load_corpus(args.data)
    texts = [a.model_text for a in articles]
    topics = list(topic_ids())
    Y = label_matrix(articles, topics)
    train_only = model_chosen(articles)  # articles a model chose for reading: trained on, never scored
    F = features(texts, Path(args.cache))
    out_path = Path(args.out)
    results = json.loads(out_path.read_text()) if out_path.exists() else {}
    results.setdefault("setup", {})
    results["setup"].update({"corpus": Path(args.data).name, "articles": len(texts), "repeats": args.repeats,
                             "outer_folds": 5, "inner_folds": 5, "bootstrap": args.boot,
                             "command": "python3 benchmarks/rare_topics.py " + " ".join(sys.argv[1:])})
    cv = {"n_splits": 5, "n_repeats": args.repeats, "seed": 0, "train_only": train_only, "progress": True}

    def record(section: str, preds: dict, seconds: float) -> None:
        summaries = summarise(Y[~train_only], preds, topics, args.boot)
        print(format_cv_table(summaries, title=f"== {section} ({seconds:.0f} s)"), flush=True)
        results.setdefault(section, {}).update(summaries)
        results.setdefault("seconds", {}).setdefault(section, {}).update({n: round(seconds) for n in preds})
        out_path.write_text(json.dumps(results, indent=1) + "\n")

    X = F["tfidf_pool"]
    only = set(args.only.split(","))
    if "thresholds" in only:
        t = time.time()
        preds = {}
        if args.with_today:
            preds = run_cv(TextModelScorer(texts, lambda: TfidfTopicClassifier(dual=False, thresholds="fixed")), Y,
                           {"today: corpus vocabulary, dev-tuned": recipe_today()}, **cv)
        preds.update(run_cv(FeatureScorer(X, "lr", C=32.0), Y, {
            "lr, dev-tuned (today's rule)": recipe_today(), "lr, OOF thresholds": recipe_oof(),
            "lr, OOF thresholds no shrink": recipe_oof(shrink=0.0),
            "lr, 0.5": recipe_fixed(0.5), "lr, prior shift": recipe_prior_shift()}, **cv))
        for head in ("lr_sigmoid", "lr_isotonic"):
            preds.update({f"{head}, 0.5": run_cv(FeatureScorer(X, head, C=32.0), Y, {"x": recipe_fixed(0.5)}, **cv)["x"]})
        record("thresholds", preds, time.time() - t)
    if "heads" in only:
        # every head with OOF thresholds ("lr C=32" is the thresholds section's "lr, OOF thresholds").
        # A linear SVM's margins with OOF thresholds decide as Platt-calibrated margins would (a
        # monotone map), so CalibratedClassifierCV around it (five more fits a topic) is left out.
        for name, head, params in [("linear svm C=1", "svm", {"C": 1.0}), ("complement nb", "cnb", {"alpha": 0.3}),
                                   ("balanced sgd", "sgd", {"alpha": 1e-4}), ("lr C=4", "lr", {"C": 4.0}),
                                   ("lr C=128", "lr", {"C": 128.0})]:
            t = time.time()
            record("heads", {name: run_cv(FeatureScorer(X, head, **params), Y, {"x": recipe_oof()}, **cv)["x"]},
                   time.time() - t)
    if "features" in only:
        for w in (1.0, 0.5):
            t = time.time()
            Xd = sp.hstack([X, sp.csr_matrix(F["dense"] * w)], format="csr")
            record("features", {f"tfidf + word vectors x{w}": run_cv(FeatureScorer(Xd, "lr", C=32.0), Y,
                                                                    {"x": recipe_oof()}, **cv)["x"]}, time.time() - t)
    if "cues" in only:
        # per-topic cue columns with their own scale: a larger scale is a weaker L2 penalty on them
        cues = np.log1p(F["cues"])
        for w in (1.0, 0.3):
            t = time.time()
            Xc = sp.hstack([X, sp.csr_matrix(cues * w)], format="csr")
            record("cues", {f"tfidf + cue counts x{w}": run_cv(FeatureScorer(Xc, "lr", C=32.0), Y,
                                                              {"x": recipe_oof()}, **cv)["x"]}, time.time() - t)
    if "selftrain" in only or "cuepick" in only:
        # pool articles that are corpus articles are removed first (they would leak test labels)
        pool, pool_cues = pool_features(texts, [a.text for a in articles], Path(args.cache))
        variants = []
        if "selftrain" in only:
            variants.append(("self-training, pool score >= 0.5", {"cut": 0.5}))
        if "cuepick" in only:
            variants.append(("cue-picked pseudo-labels (score >= 0.3 and 1+ cue)",
                             {"cut": 0.3, "cue_pool": pool_cues, "min_cues": 1}))
        for name, kw in variants:
            t = time.time()
            record("selftrain", {name: run_cv(SelfTrainingScorer(X, pool, C=32.0, **kw), Y,
                                              {"x": recipe_oof()}, **cv)["x"]}, time.time() - t)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
