"""The summarisation table in docs/summaries.md: ROUGE of every method and variant on IndoSum, the corpus and detik.

    python benchmarks/summaries.py --indosum ../shared/data/indosum --corpus data/corpus.jsonl \
        --pool ../shared/data/news_pool.jsonl.gz --out benchmarks/results/summaries.json

IndoSum figures use one fixed seeded split of the unique development-fold articles
(``data/indosum_split.json``): the feature and neural scorers learned on its train part
(``pemilu-nlp train-summarizer``), the graph weights were tuned on its dev part
(``pemilu-nlp tune-summarizers``), and the table reports its test part.  Beside each method as
the library ships it (``get_summarizer(name)``), the table has the graph methods untuned
(``preset=None``), the feature scorer with MMR, the raw-text path (the library's own cleaning
and splitting of the detokenised article) and the greedy ORACLE.  The rows and their labels are
this script's; the pieces are library functions (:mod:`pemilu_nlp.summarize.evaluate`).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pemilu_nlp.io.indosum import indosum_part, load_indosum, read_indosum_split  # noqa: E402
from pemilu_nlp.summarize import get_summarizer  # noqa: E402
from pemilu_nlp.summarize.evaluate import (  # noqa: E402
    corpus_documents,
    evaluate_methods,
    format_results,
    indosum_documents,
    oracle_indices,
    pool_documents,
    sentence_picker,
    text_picker,
    write_results,
)

TUNED = "tuned: lead prior, title, MMR"


def methods(*, raw_text: bool = False, gold: bool = False) -> dict:
    """Row label -> sentence picker, in the table's order."""
    rows = {"LEAD-3": sentence_picker(get_summarizer("lead"))}
    for name in ("textrank", "lexrank"):
        rows[f"{name} (untuned)"] = sentence_picker(get_summarizer(name, preset=None))
        rows[f"{name} ({TUNED})"] = sentence_picker(get_summarizer(name))
    rows["features"] = sentence_picker(get_summarizer("features"))
    rows["features + MMR 0.85"] = sentence_picker(get_summarizer("features", mmr_lambda=0.85))
    rows["neural"] = sentence_picker(get_summarizer("neural"))
    if raw_text:
        rows["LEAD-3, raw-text path"] = text_picker(get_summarizer("lead"))
        rows["textrank tuned, raw-text path"] = text_picker(get_summarizer("textrank"))
        rows["features, raw-text path"] = text_picker(get_summarizer("features"))
        rows["neural, raw-text path"] = text_picker(get_summarizer("neural"))
    rows["ORACLE (greedy)"] = lambda d: oracle_indices(list(d.sentences), d.reference)
    if gold:
        rows["GOLD labels"] = lambda d: list(d.gold)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indosum", nargs="*", default=[], help="IndoSum folder or .jsonl(.gz) files")
    parser.add_argument("--indosum-split", default=str(ROOT / "data" / "indosum_split.json"))
    parser.add_argument("--part", default="test", choices=["train", "dev", "test"])
    parser.add_argument("--corpus", help="the labelled corpus (its reference summaries)")
    parser.add_argument("--pool", help="news_pool.jsonl.gz (detik articles with hand-written summaries)")
    parser.add_argument("--limit", type=int, help="score only the first N documents of each set")
    parser.add_argument("--out", help="write every figure as JSON")
    args = parser.parse_args()
    results = {}
    if args.indosum:
        articles = indosum_part(load_indosum(args.indosum), read_indosum_split(args.indosum_split), args.part)
        results[f"IndoSum {args.part}"] = evaluate_methods(indosum_documents(articles)[:args.limit],
                                                           methods(raw_text=True, gold=True))
    if args.corpus:
        results["corpus reference summaries"] = evaluate_methods(corpus_documents(args.corpus)[:args.limit], methods())
    if args.pool:
        results["detik Oct 2025 (abstractive)"] = evaluate_methods(pool_documents(args.pool)[:args.limit], methods())
    if args.out:
        write_results(results, args.out)
    print(format_results(results))


if __name__ == "__main__":
    main()
