"""Time and memory of one very long document through every shipped summariser (issue #14 item 2).

A document is made by joining N corpus sentences (the splitter reads fewer: quotations and
other spans it keeps whole join some of them); each method summarises it once, with
peak RSS above the start measured by ``pemilu_nlp.bench.PeakRSS``.  Writes JSON.

    python benchmarks/long_document.py --sentences 200000 --out benchmarks/results/long_document.json
"""
from __future__ import annotations

import argparse
import json
import time

from pemilu_nlp.bench import PeakRSS, load_articles
from pemilu_nlp.summarize import get_summarizer
from pemilu_nlp.text.cleaning import split_sentences

METHODS = ["lead", "textrank", "lexrank", "features", "neural"]


def long_document(n_sentences: int) -> str:
    sentences = [s for text in load_articles(None, 300) for s in split_sentences(text)]
    return " ".join(sentences[i % len(sentences)] for i in range(n_sentences))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=200_000)
    parser.add_argument("--out", default="benchmarks/results/long_document.json")
    args = parser.parse_args()
    text = long_document(args.sentences)
    rows = []
    for method in METHODS:
        summarizer = get_summarizer(method)
        summarizer("Polisi menjaga TPS. KPU menghitung suara.", 1)  # model loaded outside the timing
        with PeakRSS(0.01) as rss:
            base = rss.sample()
            start = time.perf_counter()
            summary = summarizer(text, 3)
            seconds = time.perf_counter() - start
        rows.append({"method": method, "seconds": round(seconds, 2), "peak_extra_mb": round((rss.peak - base) / 2**20, 1),
                     "n_sentences": summary.n_sentences, "considered": summary.considered, "truncated": summary.truncated})
        print(rows[-1], flush=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump({"sentences": args.sentences, "characters": len(text), "rows": rows}, fh, indent=1)


if __name__ == "__main__":
    main()
