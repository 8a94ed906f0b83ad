"""What the cue prior costs at prediction: the shipped TF-IDF model against the same model with its
cue weights set to 0 (the prior skipped), alternated in one process, warm word cache.

    python3 benchmarks/cue_prior_speed.py [--docs 1000] [--rounds 6] [--out benchmarks/results/cue_prior_speed.json]
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pemilu_nlp.backends.cpu import cpu_features  # noqa: E402
from pemilu_nlp.io.corpus import load_corpus  # noqa: E402
from pemilu_nlp.registry import load_default  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "cue_prior_speed.json"))
    args = parser.parse_args()
    texts = [a.model_text for a in load_corpus(ROOT / "data" / "corpus.jsonl")][:args.docs]
    with_prior = load_default()
    without = copy.copy(with_prior)
    without.cue_weights_ = np.zeros_like(with_prior.cue_weights_)
    with_prior.predict_proba(texts)  # warm the shared word cache
    seconds: dict[str, list[float]] = {"with the cue prior": [], "without": []}
    for r in range(args.rounds):
        order = [("with the cue prior", with_prior), ("without", without)]
        for name, model in order if r % 2 == 0 else order[::-1]:
            start = time.perf_counter()
            for i in range(0, len(texts), args.batch_size):
                model.predict_proba(texts[i:i + args.batch_size])
            seconds[name].append(time.perf_counter() - start)
    medians = {name: float(np.median(v)) for name, v in seconds.items()}
    result = {"docs": len(texts), "rounds": args.rounds, "median_seconds": medians,
              "docs_per_second_ratio_with_to_without": round(medians["without"] / medians["with the cue prior"], 3),
              "cpu_flags": cpu_features(), "command": "python3 benchmarks/cue_prior_speed.py"}
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    print(json.dumps({k: result[k] for k in ("median_seconds", "docs_per_second_ratio_with_to_without")}))


if __name__ == "__main__":
    main()
