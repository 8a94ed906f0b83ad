"""Which TF-IDF features the default model uses, decided on the dev split (never on test).

    python benchmarks/tfidf_features.py  # writes benchmarks/results/tfidf_features.json

Variants: word n-grams only, + character n-grams, + PySastrawi stemming, and the regularisation C.
The rule: the best mean of dev macro-F1 and micro-F1 wins (macro alone rests on one to four dev
positives for the rare topics; micro alone ignores them); a tie (within 0.002) goes to the simpler /
faster variant.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pemilu_nlp.classify.tfidf.classifier import TfidfTopicClassifier  # noqa: E402
from pemilu_nlp.io.corpus import load_corpus, load_split, split_corpus  # noqa: E402
from pemilu_nlp.learn.training import evaluate_model  # noqa: E402

VARIANTS = {
    "words (1-2), C=8": {"char_ngram_range": None, "C": 8.0},
    "words + chars (3-5), C=8": {"char_ngram_range": (3, 5), "C": 8.0},
    "words + chars (2-5), C=8": {"char_ngram_range": (2, 5), "C": 8.0},
    "words + chars + stemming, C=8": {"stem": True, "C": 8.0},
    "words + chars (3-5), C=32": {"char_ngram_range": (3, 5), "C": 32.0},
    "words + chars (3-5), C=100": {"char_ngram_range": (3, 5), "C": 100.0},
}


def main() -> None:
    parts = split_corpus(load_corpus(ROOT / "data" / "corpus.jsonl"), load_split(ROOT / "data" / "split.json"))
    train, dev = parts["train"], parts["dev"]
    rows = {}
    for name, params in VARIANTS.items():
        start = time.perf_counter()
        model = TfidfTopicClassifier(**params, thresholds="fixed").fit([a.model_text for a in train],
                                                                   [a.labels for a in train])
        fit_s = time.perf_counter() - start
        model.tune_thresholds([a.model_text for a in dev], [a.labels for a in dev])
        report = evaluate_model(model, dev)
        rows[name] = {"params": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()},
                      "dev_macro_f1": report["macro_f1"], "dev_micro_f1": report["micro_f1"],
                      "fit_seconds": round(fit_s, 1), "features": model.n_features_}
        rows[name]["dev_mean_f1"] = round((report["macro_f1"] + report["micro_f1"]) / 2, 4)
        print(f"{name:<32} dev macro-F1 {report['macro_f1']:.3f}  micro-F1 {report['micro_f1']:.3f}  "
              f"fit {fit_s:.1f}s  features {model.n_features_}")
    out = ROOT / "benchmarks" / "results" / "tfidf_features.json"
    out.write_text(json.dumps(rows, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
