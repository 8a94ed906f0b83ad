"""Side-by-side speed of two TF-IDF model folders on the same articles (issue 12: the new default
must stay within 10 % of the old one).  Runs alternate A, B, B, A, A, B ... so that a shared, noisy
machine slows both alike; reports the median docs/second of each and their ratio.

    python3 benchmarks/rare_topics_speed.py OLD_DIR NEW_DIR [--docs 1000] [--rounds 5]
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

from pemilu_nlp.bench import load_articles  # noqa: E402
from pemilu_nlp.classify.tfidf.classifier import TfidfTopicClassifier  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--out")
    args = ap.parse_args()
    texts = load_articles(None, args.docs)
    rates: dict[str, dict[str, list[float]]] = {"old": {"cold": [], "warm": []}, "new": {"cold": [], "warm": []}}
    for r in range(args.rounds):
        for name in (("old", "new") if r % 2 == 0 else ("new", "old")):  # neither always goes first
            model = TfidfTopicClassifier.load(getattr(args, name))   # fresh: cold word cache
            for state in ("cold", "warm"):
                start = time.perf_counter()
                for i in range(0, len(texts), 256):
                    model.predict_proba(texts[i:i + 256])
                rates[name][state].append(len(texts) / (time.perf_counter() - start))
    result = {"docs": len(texts), "rounds": args.rounds, "docs_per_second_median": {
        n: {s: round(float(np.median(v)), 1) for s, v in d.items()} for n, d in rates.items()}}
    result["new_over_old"] = {s: round(result["docs_per_second_median"]["new"][s]
                                       / result["docs_per_second_median"]["old"][s], 3) for s in ("cold", "warm")}
    print(json.dumps(result, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
