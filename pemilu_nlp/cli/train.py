"""train a topic classifier on a labelled corpus"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from .options import output_problem, parse_seed, print_warnings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..registry import CLASSIFIERS

    parser.add_argument("--model", choices=list(CLASSIFIERS), default="tfidf")
    parser.add_argument("--data", required=True, help="corpus JSONL")
    parser.add_argument("--split", help="split JSON (default: split.json beside the corpus; without one, train makes "
                                        "a seeded stratified split and writes it to OUT/split.json)")
    parser.add_argument("--schema", help="topic schema JSON of your own (format of pemilu_nlp/resources/topics.json) "
                                         "or a model folder to take its topics; default: the shipped 11 topics")
    parser.add_argument("--out", help="model folder to write")
    parser.add_argument("--report", help="write the evaluation report as JSON here")
    parser.add_argument("--cv", type=int, help="K-fold cross-validation instead of the fixed split")
    parser.add_argument("--thresholds", choices=["dev", "oof"],
                        help="dev: fit on train, tune on dev; oof (TF-IDF default): fit on train+dev, thresholds "
                             "from out-of-fold scores")
    parser.add_argument("--unlabelled", nargs="*", default=[],
                        help="TF-IDF: unlabelled news files or folders for the vocabulary and idf (e.g. ../shared/data)")
    parser.add_argument("--seed", type=parse_seed, default=0)
    parser.add_argument("--params", help="model settings as JSON, e.g. '{\"C\": 4}'")
    parser.add_argument("--base", default="indobenchmark/indobert-base-p1", help="IndoBERT hub id or local folder")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--max-length", type=int)
    parser.add_argument("--learning-rate", type=float)
    parser.add_argument("--device", help="auto, cpu or cuda")
    parser.add_argument("--check-precisions", action="store_true",
                        help="indobert: after training, measure bf16/int8/ONNX label-set agreement with fp32 on the "
                             "test split and save it with the model; precision 'auto' then takes the fastest that "
                             "kept >= 99%% of the label sets")


def run(args: argparse.Namespace) -> int:
    import warnings

    from ..learn.training import TrainingWarning, cross_validate, train_model

    if args.report and (problem := output_problem(args.report, made=args.out)):
        raise ValueError(f"--report: {problem}")  # before training, not after it
    params = json.loads(args.params) if args.params else {}
    if args.model == "indobert":
        params.setdefault("model_name_or_path", args.base)
        for key in ("epochs", "batch_size", "max_length", "learning_rate", "device"):
            value = getattr(args, key)
            if value is not None:
                params[key] = value
        params.setdefault("seed", args.seed)
    else:
        params.setdefault("random_state", args.seed)
    if args.cv:
        if args.check_precisions:
            raise ValueError("--check-precisions checks the model that train saves; it does not apply to --cv")
        if args.unlabelled:
            raise ValueError("train --cv learns each fold's vocabulary from its training texts only; "
                             "--unlabelled is for train and for evaluate --cv")
        if args.thresholds:
            params["thresholds"] = args.thresholds
        result = cross_validate(args.model, args.data, folds=args.cv, seed=args.seed, params=params,
                                schema=args.schema)
        print(json.dumps(result, indent=1))
        if args.report:
            Path(args.report).write_text(json.dumps(result, indent=1) + "\n", "utf-8")
        return 0
    thresholds = args.thresholds  # None: the model kind's default (oof for TF-IDF, dev for IndoBERT)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TrainingWarning)
        try:
            train_model(args.model, args.data, args.out, split=args.split, schema=args.schema,
                        report=args.report, params=params, thresholds=thresholds, unlabelled=args.unlabelled,
                        check_precisions=args.check_precisions)
        finally:
            print_warnings(caught)
    if args.out:
        print(f"saved to {args.out}")
    return 0
