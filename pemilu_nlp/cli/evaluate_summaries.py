"""ROUGE of every summariser on IndoSum and the corpus"""
from __future__ import annotations

import argparse

from .options import indosum_parts, parse_methods, parse_output_file


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--indosum", nargs="*", default=[], help="IndoSum folder or .jsonl(.gz) files")
    parser.add_argument("--indosum-split", default=None,
                        help="split file (default: the project's data/indosum_split.json; a missing file is created); "
                             "'none' to score every article given")
    parser.add_argument("--part", default="test", choices=["train", "dev", "test"])
    parser.add_argument("--corpus", help="the labelled corpus (its reference summaries)")
    parser.add_argument("--pool", help="a news pool JSONL.gz: its articles with a hand-written summary (source_fields.Summary)")
    parser.add_argument("--methods", type=parse_methods, default="lead,textrank,lexrank,features,neural",
                        help="comma-separated summarisers, each as get_summarizer(NAME) gives it (default: all but "
                             "embedding); the table in docs/summaries.md with its variants: python benchmarks/summaries.py")
    parser.add_argument("--limit", type=int, help="score only the first N documents of each set")
    parser.add_argument("--out", type=parse_output_file, help="write every figure as JSON")


def run(args: argparse.Namespace) -> int:
    from ..summarize.evaluate import (
        corpus_documents,
        evaluate_summarizers,
        format_results,
        indosum_documents,
        pool_documents,
        write_results,
    )

    sets = {}
    if args.indosum:
        name = f"IndoSum {args.part}" if args.indosum_split != "none" else "IndoSum (all given)"
        sets[name] = indosum_documents(indosum_parts(args, args.part)[0])
    if args.corpus:
        sets["corpus reference summaries"] = corpus_documents(args.corpus)
    if args.pool:
        sets["news pool hand-written summaries"] = pool_documents(args.pool)
    results = {name: evaluate_summarizers(docs[:args.limit], args.methods) for name, docs in sets.items()}
    if args.out:
        write_results(results, args.out)
    print(format_results(results))
    return 0
