"""score one or more model folders on the same split, side by side; or (--cv) the TF-IDF recipes under
repeated nested cross-validation"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .options import parse_output_file, parse_seed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("models", nargs="*")
    parser.add_argument("--data", required=True)
    parser.add_argument("--split", help="default: split.json beside the corpus, else the one train wrote into the "
                                        "(first) model folder")
    parser.add_argument("--part", choices=["train", "dev", "test"], default="test")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--cv", type=int, help="K outer folds of repeated cross-validation over the whole corpus "
                                               "(thresholds chosen inside each training fold)")
    parser.add_argument("--repeats", type=int, default=3, help="with --cv: repeats of the K folds")
    parser.add_argument("--recipes", default="before,after", help="with --cv: before (as shipped until now), after")
    parser.add_argument("--unlabelled", nargs="*", default=[], help="with --cv: unlabelled news for the 'after' "
                                                                    "vocabulary (e.g. ../shared/data)")
    parser.add_argument("--seed", type=parse_seed, default=0)
    parser.add_argument("--out", type=parse_output_file, help="with --cv: write the summaries as JSON here")


def run(args: argparse.Namespace) -> int:
    if args.cv:
        return _evaluate_cv(args)
    if not args.models:
        raise SystemExit("pemilu-nlp evaluate: give model folders, or --cv K for cross-validation")
    from ..classify.metrics import format_report
    from ..io.corpus import load_corpus, load_split, split_corpus
    from ..learn.training import default_split_path, evaluate_model
    from ..registry import load

    models = [(folder, load(folder)) for folder in args.models]
    schema = getattr(models[0][1], "schema_", None)  # the models' own topics, not the package's
    for folder, model in models[1:]:
        if list(model.classes_) != list(models[0][1].classes_):
            raise ValueError(f"{folder}: its topics differ from {args.models[0]}'s; evaluate them separately")
    articles = load_corpus(args.data, schema=schema)
    split = args.split or default_split_path(args.data)
    if not args.split and not Path(split).is_file() and (Path(args.models[0]) / "split.json").is_file():
        split = Path(args.models[0]) / "split.json"  # the split train made for this corpus
    part = split_corpus(articles, load_split(split))[args.part]
    for folder, _ in models:
        _warn_if_trained_on(folder, part, args.part)
    reports = [(folder, evaluate_model(model, part)) for folder, model in models]
    if args.json:
        print(json.dumps([{"model": f, **r} for f, r in reports], indent=1))
        return 0
    for folder, report in reports:
        print(format_report(report, title=f"== {folder} on the {args.part} split"))
        print()
    if len(reports) > 1:
        topics = list(reports[0][1]["per_topic"])
        print(f"{'F1':<24}" + "".join(f"{Path(f).name[:18]:>20}" for f, _ in reports))
        for key in ("micro_f1", "macro_f1"):
            print(f"{key:<24}" + "".join(f"{r[key]:>20.3f}" for _, r in reports))
        for topic in topics:
            print(f"{topic:<24}" + "".join(f"{r['per_topic'][topic]['f1']:>20.3f}" for _, r in reports))
    return 0


def _warn_if_trained_on(folder: str, part: list, part_name: str) -> None:
    """Say so when a model whose own split (``split.json`` that ``train`` wrote into its folder)
    put some of the evaluated articles in its train or dev part: its scores would be inflated."""
    from ..io.corpus import load_split

    own = Path(folder) / "split.json"
    if not own.is_file():
        return
    seen = set(load_split(own)["train"]) | set(load_split(own)["dev"])
    overlap = sum(article.id in seen for article in part)
    if overlap:
        print(f"warning: {folder} learned from {overlap} of these {len(part)} {part_name} articles (its own "
              f"split.json differs from the split used here); its scores are inflated", file=sys.stderr)


def _evaluate_cv(args: argparse.Namespace) -> int:
    from ..learn.evaluation import evaluate_cv, format_cv_table

    result = evaluate_cv(args.data, recipes=[r for r in args.recipes.split(",") if r], unlabelled=args.unlabelled,
                         n_splits=args.cv, n_repeats=args.repeats, seed=args.seed, progress=True)
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    title = f"== {args.data}: {args.cv}-fold CV x {args.repeats}"
    if result["training_only_articles"]:
        title += (f"\n{result['training_only_articles']} articles chosen for reading by a model's scores are "
                  f"trained on in every fold and never scored")
    print(json.dumps(result, indent=1) if args.json else format_cv_table(result["recipes"], title=title))
    return 0
