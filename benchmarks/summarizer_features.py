"""How far can a feature-based sentence scorer go on IndoSum? Decided on the dev part (never test).

    python benchmarks/summarizer_features.py  # writes benchmarks/results/summarizer_features.json

The shipped ``features`` scorer is a logistic regression over :data:`pemilu_nlp.summarize.features.FEATURES`.
This script tries what a feature model could add before an encoder is needed: IndoSum's paragraph
structure (paragraph index, position in paragraph), the neighbouring sentences' features, the
sentence's own words (hashed TF-IDF unigrams+bigrams and its first three words, as the issue
suggests) and gradient boosting instead of a linear model.  Every variant picks the top 3 sentences
and is scored with ROUGE F1 beside LEAD-3 on the same dev articles.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pemilu_nlp.io.indosum import indosum_part, load_indosum, read_indosum_split  # noqa: E402
from pemilu_nlp.summarize.evaluate import evaluate_methods, indosum_documents  # noqa: E402
from pemilu_nlp.summarize.features import sentence_features, standardization  # noqa: E402

INDOSUM = [ROOT.parent / "shared" / "data" / "indosum"]
SPLIT = ROOT / "data" / "indosum_split.json"
VARIANTS = {  # name: (extra dense features, sparse words, model, C)
    "shipped features, logistic regression": ((), False, "lr", 1.0),
    "+ paragraph position": (("paragraph",), False, "lr", 1.0),
    "+ neighbours' features": (("context",), False, "lr", 1.0),
    "+ paragraph position + neighbours": (("paragraph", "context"), False, "lr", 1.0),
    "+ sentence words (hashed TF-IDF), C=0.1": ((), True, "lr", 0.1),
    "+ paragraph + neighbours + words, C=1": (("paragraph", "context"), True, "lr", 1.0),
    "shipped features, gradient boosting": ((), False, "hgb", None),
    "+ paragraph + neighbours, gradient boosting": (("paragraph", "context"), False, "hgb", None),
}


def paragraph_features(article) -> np.ndarray:
    return np.array([[p == 0, p == 1, 1 / (1 + p), s == 0, 1 / (1 + s), len(par) == 1]
                     for p, par in enumerate(article.paragraphs) for s, _ in enumerate(par)], dtype=float)


def with_neighbours(x: np.ndarray) -> np.ndarray:
    pad = np.zeros((1, x.shape[1]))
    return np.hstack([x, np.vstack([pad, x[:-1]]), np.vstack([x[1:], pad])])


def dense(docs, articles, extra) -> tuple[np.ndarray, np.ndarray, list[int]]:
    xs, ys, offsets = [], [], [0]
    for doc, article in zip(docs, articles):
        x = sentence_features(list(doc.sentences), doc.title)
        if "paragraph" in extra:
            x = np.hstack([x, paragraph_features(article)])
        if "context" in extra:
            x = with_neighbours(x)
        y = np.zeros(len(doc.sentences))
        y[list(doc.gold)] = 1
        xs.append(x)
        ys.append(y)
        offsets.append(offsets[-1] + len(y))
    return np.vstack(xs), np.concatenate(ys), offsets


def words(docs):
    from sklearn.feature_extraction.text import HashingVectorizer

    sentences = [s for d in docs for s in d.sentences]
    grams = HashingVectorizer(n_features=2**18, ngram_range=(1, 2), alternate_sign=False,
                              token_pattern=r"(?u)\b\w+\b").transform(sentences)
    openings = HashingVectorizer(n_features=2**16, alternate_sign=False, norm=None, token_pattern=r"\S+",
                                 lowercase=False).transform(
        [" ".join(f"B{i}_{w}" for i, w in enumerate(s.lower().split()[:3])) for s in sentences])
    return sp.hstack([grams, openings]).tocsr()


def main() -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    articles, split = load_indosum(INDOSUM), read_indosum_split(SPLIT)
    train_articles, dev_articles = indosum_part(articles, split, "train"), indosum_part(articles, split, "dev")
    train, dev = indosum_documents(train_articles), indosum_documents(dev_articles)
    rows = {}
    for name, (extra, use_words, kind, C) in VARIANTS.items():
        start = time.perf_counter()
        x_train, y_train, _ = dense(train, train_articles, extra)
        x_dev, _, offsets = dense(dev, dev_articles, extra)
        mean, scale = standardization(x_train)
        x_train, x_dev = (x_train - mean) / scale, (x_dev - mean) / scale
        if use_words:
            x_train = sp.hstack([sp.csr_matrix(x_train), words(train)]).tocsr()
            x_dev = sp.hstack([sp.csr_matrix(x_dev), words(dev)]).tocsr()
        model = (HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, random_state=0) if kind == "hgb"
                 else LogisticRegression(C=C, max_iter=3000))
        scores = model.fit(x_train, y_train).predict_proba(x_dev)[:, 1]
        picks = {d.id: sorted(np.argsort(-scores[offsets[i]:offsets[i + 1]], kind="stable")[:3].tolist())
                 for i, d in enumerate(dev)}
        table = evaluate_methods(dev, {"LEAD-3": lambda d: list(range(min(3, len(d.sentences)))),
                                       name: lambda d, picks=picks: picks[d.id]}, progress=False)
        lead = table["LEAD-3"]
        rows[name] = {**table[name], "gain_over_lead3": {k: round(table[name][k] - lead[k], 2)
                                                         for k in ("rouge1", "rouge2", "rougeL")},
                      "seconds": round(time.perf_counter() - start, 1)}
        print(f"{name:<50} R-1/2/L {rows[name]['rouge1']:.2f}/{rows[name]['rouge2']:.2f}/{rows[name]['rougeL']:.2f}"
              f"  vs LEAD-3 {rows[name]['gain_over_lead3']}", flush=True)
    out = ROOT / "benchmarks" / "results" / "summarizer_features.json"
    out.write_text(json.dumps({"data": f"IndoSum dev part ({len(dev)} articles), trained on train part "
                                       f"({len(train)})", "lead3": lead, "variants": rows}, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
