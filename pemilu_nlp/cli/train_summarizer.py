"""train a sentence scorer on the IndoSum train part"""
from __future__ import annotations

import argparse

from .options import indosum_parts, parse_method


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--method", type=parse_method, default="features", choices=["features", "neural"],
                        help="features: logistic regression over sentence features; neural: word-vector network")
    parser.add_argument("--indosum", nargs="+", required=True)
    parser.add_argument("--indosum-split", default=None, help="default: the project's data/indosum_split.json")
    parser.add_argument("--pool", help="news_pool.jsonl.gz: unlabelled news for the neural scorer's word vectors")
    parser.add_argument("--out", help="default: models/summarizer-features (features), models/summarizer-neural (neural)")


def run(args: argparse.Namespace) -> int:
    from ..registry import SHIPPED
    from ..summarize.evaluate import indosum_documents
    from ..summarize.training import news_texts, train_scorer

    train, dev = (indosum_documents(part) for part in indosum_parts(args, "train", "dev"))
    unlabelled = news_texts(args.pool) if args.pool else []
    model, metrics = train_scorer(args.method, train, dev, unlabelled_texts=unlabelled)
    out = args.out or f"models/{SHIPPED[args.method]}"
    model.save(out, metrics=metrics)
    print(f"saved to {out}")
    return 0
