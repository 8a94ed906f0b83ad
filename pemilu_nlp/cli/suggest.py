"""which unlabelled articles to label next (active learning)"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .options import parse_seed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", help="classifier folder (default: the shipped TF-IDF model); its topics are used")
    parser.add_argument("--pool", nargs="+", required=True, help="unlabelled articles: JSONL(.gz), .txt, or folders")
    parser.add_argument("--corpus", help="your labelled corpus JSONL: its articles are never suggested again")
    parser.add_argument("--n", type=int, default=50, help="how many to suggest (default 50)")
    parser.add_argument("--topic", help="look at one topic only (e.g. audiensi)")
    parser.add_argument("--strategy", default="uncertainty", choices=["uncertainty", "margin", "diverse", "random"])
    parser.add_argument("--format", default="label-studio", choices=["label-studio", "doccano"])
    parser.add_argument("--out", default="suggestions.json", help="batch file (default suggestions.json); the labelling "
                        "config (labels.xml or doccano_labels.json) goes beside it")
    parser.add_argument("--seed", type=parse_seed, default=0)


def run(args: argparse.Namespace) -> int:
    from ..io.corpus import load_corpus
    from ..io.labelling import write_batch
    from ..learn.active_learning import read_pool, suggest
    from ..registry import load_or_default

    model = load_or_default(args.model)
    schema = getattr(model, "schema_", None)
    pool, problems = read_pool(args.pool)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    labelled = load_corpus(args.corpus, schema=schema) if args.corpus else []
    if not args.corpus:
        print("note: no --corpus given: articles you have already labelled are not skipped", file=sys.stderr)
    batch = suggest(model, pool, n=args.n, strategy=args.strategy, topic=args.topic, labelled=labelled,
                    seed=args.seed)
    version = Path(args.model).name if args.model else "tfidf-default"
    files = write_batch(batch, args.out, fmt=args.format, schema=schema, model_version=f"pemilu_nlp/{version}")
    kind = "Label Studio tasks" if args.format == "label-studio" else "doccano JSONL"
    print(f"{len(batch)} suggestions ({args.strategy}{', topic ' + args.topic if args.topic else ''}) from "
          f"{len(pool)} pool articles written to {files[0]} ({kind}); labelling config: {files[1]}")
    if problems:
        print(f"{len(problems)} input(s) could not be read", file=sys.stderr)
    return 1 if problems else 0
