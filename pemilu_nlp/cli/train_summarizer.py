"""train a sentence scorer on the IndoSum train part"""
from __future__ import annotations

import argparse

from .options import indosum_parts, parse_method


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--method", type=parse_method, default="features", choices=["features", "neural", "encoder"],
                        help="features: logistic regression over sentence features; neural: word-vector network; "
                             "encoder: a scorer over a pretrained encoder's sentence vectors (needs --base)")
    parser.add_argument("--indosum", nargs="+", required=True)
    parser.add_argument("--indosum-split", default=None, help="default: the project's data/indosum_split.json")
    parser.add_argument("--pool", help="news_pool.jsonl.gz: unlabelled news for the neural scorer's word vectors")
    parser.add_argument("--out", help="default: models/summarizer-features (features), models/summarizer-neural "
                                      "(neural); required for encoder")
    parser.add_argument("--base", help="encoder: the pretrained encoder folder (e.g. made by export-encoder)")
    parser.add_argument("--layers", type=int, help="encoder: keep only the first N encoder layers (default: all)")
    parser.add_argument("--max-length", type=int, help="encoder: tokens per window (default 512)")
    parser.add_argument("--epochs", type=int, help="encoder: scorer epochs over the cached sentence vectors (default 20)")
    parser.add_argument("--train-limit", type=int, help="encoder: train on the first N articles of the train part "
                                                        "(default: all 2,424; one encoder pass over each is the cost)")
    parser.add_argument("--finetune-layers", type=int, help="encoder: also train the top N encoder layers (default 0: "
                                                            "frozen; the layers below run once per window, cached)")


def run(args: argparse.Namespace) -> int:
    from ..registry import SHIPPED
    from ..summarize.evaluate import indosum_documents
    from ..summarize.training import news_texts, train_scorer

    train, dev = (indosum_documents(part) for part in indosum_parts(args, "train", "dev"))
    unlabelled = news_texts(args.pool) if args.pool else []
    settings = {}
    if args.method == "encoder":
        if not args.base or not args.out:
            raise ValueError("--method encoder needs --base ENCODER_FOLDER (e.g. made by export-encoder) and --out DIR")
        settings = {"base": args.base, "layers": args.layers, "max_length": args.max_length or 512}
        settings |= {"epochs": args.epochs} if args.epochs is not None else {}
        settings |= {"finetune_layers": args.finetune_layers} if args.finetune_layers is not None else {}
        train = train[:args.train_limit]
    model, metrics = train_scorer(args.method, train, dev, unlabelled_texts=unlabelled, settings=settings)
    out = args.out or f"models/{SHIPPED[args.method]}"
    model.save(out, metrics=metrics)
    print(f"saved to {out}")
    return 0
