"""Command line: ``pemilu-nlp COMMAND`` (also ``python -m pemilu_nlp``).

Thin on purpose: each command parses its arguments and calls the library function that does the
work, so that everything the CLI does is also one call away in Python.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import PemiluNLPError


def _read(paths: Sequence[str]):
    from .documents import ReadFailure, iter_documents

    docs, failures = [], []
    for item in iter_documents(paths):
        (failures if isinstance(item, ReadFailure) else docs).append(item)
    for failure in failures:
        print(f"error: {failure.path}: {failure.reason}", file=sys.stderr)
    return docs, failures


def _load_classifier(folder: str | None):
    from .models import load_default, load_model

    return load_model(folder) if folder else load_default()


def _summarizer(args: argparse.Namespace):
    from .summarize import get_summarizer

    if args.method == "embedding":
        if not args.encoder:
            raise ValueError("--method embedding needs --encoder MODEL (a hub id on a connected machine or a "
                             "local save_pretrained folder)")
        return get_summarizer("embedding", model_name_or_path=args.encoder)
    return get_summarizer(args.method)


def _exit_code(failures: list) -> int:
    if failures:
        print(f"{len(failures)} input(s) could not be read", file=sys.stderr)
        return 1
    return 0


def _jobs(value: str) -> int:
    from .parallel import resolve_jobs

    try:
        return resolve_jobs(-1 if value in ("all", "auto") else int(value))
    except (TypeError, ValueError) as err:
        raise argparse.ArgumentTypeError(str(err) if not isinstance(err, ValueError) or "jobs" in str(err)
                                         else f"not a number of jobs: {value!r}") from None


def cmd_run(args: argparse.Namespace) -> int:
    from .pipeline import analyze

    if args.engine == "ray":
        if not args.out:
            raise ValueError("--engine ray writes Parquet: give --out DIR")
        from .ray_engine import run_cli

        return run_cli(args.paths, args.out, model=args.model, method=args.method, count=args.count,
                       address=args.ray_address, concurrency=args.concurrency, batch_size=args.batch_size)
    docs, failures = _read(args.paths)
    if docs:
        if args.jobs != 1:
            from .parallel import analyze as parallel_analyze

            results = parallel_analyze([d.text for d in docs], model=args.model, method=args.method,
                                       count=args.count, titles=[d.title or None for d in docs],
                                       encoder=args.encoder, jobs=args.jobs, chunk_size=args.chunk_size)
        else:
            results = analyze([d.text for d in docs], classifier=_load_classifier(args.model),
                              summarizer=_summarizer(args), count=args.count, titles=[d.title or None for d in docs])
        for doc, result in zip(docs, results):
            if args.json:
                print(json.dumps({"id": doc.id, "method": args.method, "count": args.count, **result.to_dict()},
                             ensure_ascii=False))
                continue
            topics = ", ".join(f"{t} ({result.probabilities[t]:.2f})" for t in result.topics) or "(no topic)"
            print(f"== {doc.id}\ntopics: {topics}\nsummary:")
            for sentence in result.summary:
                print(f"  [{sentence.index}] {sentence.text}")
            print()
    return _exit_code(failures)


def cmd_classify(args: argparse.Namespace) -> int:
    docs, failures = _read(args.paths)
    if docs:
        from .models import topics_and_probabilities

        texts = [f"{d.title}\n{d.text}" if d.title else d.text for d in docs]
        if args.jobs != 1:
            from .parallel import classify

            topics, probabilities = classify(texts, model=args.model, jobs=args.jobs, chunk_size=args.chunk_size)
        else:
            topics, probabilities = topics_and_probabilities(_load_classifier(args.model), texts)
        for doc, labels, proba in zip(docs, topics, probabilities):
            if args.json:
                print(json.dumps({"id": doc.id, "topics": labels, "probabilities": proba}, ensure_ascii=False))
            else:
                shown = ", ".join(f"{t}:{proba[t]:.2f}" for t in labels) or "(no topic)"
                print(f"{doc.id}\t{shown}")
    return _exit_code(failures)


def cmd_summarize(args: argparse.Namespace) -> int:

    docs, failures = _read(args.paths)
    if docs and args.jobs != 1:
        from .parallel import summarize

        summaries = summarize([d.text for d in docs], args.count, method=args.method, encoder=args.encoder,
                              titles=[d.title or None for d in docs], jobs=args.jobs, chunk_size=args.chunk_size)
    else:
        summarizer = _summarizer(args)
        summaries = (summarizer(doc.text, args.count, title=doc.title or None) for doc in docs)
    for doc, summary in zip(docs, summaries):
        if args.json:
            print(json.dumps({"id": doc.id, "method": args.method, "summary": [
                {"index": s.index, "text": s.text, "score": round(s.score, 6)} for s in summary]}, ensure_ascii=False))
        else:
            print(f"== {doc.id}")
            for s in summary:
                print(f"  [{s.index}] {s.text}")
    return _exit_code(failures)


def cmd_train(args: argparse.Namespace) -> int:
    from .training import cross_validate, train_model

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
        result = cross_validate(args.model, args.data, folds=args.cv, seed=args.seed, params=params)
        print(json.dumps(result, indent=1))
        if args.report:
            Path(args.report).write_text(json.dumps(result, indent=1) + "\n", "utf-8")
        return 0
    train_model(args.model, args.data, args.out, split=args.split, report=args.report, params=params)
    if args.out:
        print(f"saved to {args.out}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .corpus import load_corpus, load_split, split_corpus
    from .metrics import format_report
    from .models import load_model
    from .training import default_split_path, evaluate_model

    articles = load_corpus(args.data)
    part = split_corpus(articles, load_split(args.split or default_split_path(args.data)))[args.part]
    reports = [(folder, evaluate_model(load_model(folder), part)) for folder in args.models]
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


def cmd_evaluate_summaries(args: argparse.Namespace) -> int:
    from .summarize.experiments import run_summary_evaluation

    results = run_summary_evaluation(indosum=args.indosum, indosum_split=args.indosum_split, part=args.part,
                                     corpus=args.corpus, pool=args.pool, limit=args.limit)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", "utf-8")
    from .summarize.experiments import format_summary_results

    print(format_summary_results(results))
    return 0


def cmd_tune_summarizers(args: argparse.Namespace) -> int:
    from .summarize.experiments import tune_on_indosum

    result = tune_on_indosum(args.indosum, args.indosum_split)
    text = json.dumps(result, indent=1)
    if args.out:
        Path(args.out).write_text(text + "\n", "utf-8")
    print(json.dumps({k: v["best"] for k, v in result.items()}, indent=1))
    return 0


def cmd_train_summarizer(args: argparse.Namespace) -> int:
    from .summarize.experiments import train_summarizer_on_indosum

    out = args.out or f"models/summarizer-{'default' if args.method == 'trained' else args.method}"
    train_summarizer_on_indosum(args.indosum, args.indosum_split, out, method=args.method, pool=args.pool)
    print(f"saved to {out}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import main as bench_main

    return bench_main(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pemilu-nlp", description="Topic tagging and extractive summaries of "
                                     "Indonesian election-security news.")
    parser.add_argument("--version", action="version", version=f"pemilu_nlp {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def inputs(p: argparse.ArgumentParser) -> None:
        p.add_argument("paths", nargs="+", help=".txt files, JSONL files (one {'id','title','text'} a line) or folders")
        p.add_argument("--json", action="store_true", help="one JSON object a line")
        p.add_argument("--jobs", type=_jobs, default=1, metavar="N",
                       help="worker processes, each loading the model once (-1 or 'all': every core); same output")
        p.add_argument("--chunk-size", type=int, default=500, help="documents per worker task with --jobs")

    p = sub.add_parser("run", help="topics and a summary for each article (the main job)")
    inputs(p)
    p.add_argument("--model", help="classifier folder (default: the shipped TF-IDF model)")
    p.add_argument("--method", default="textrank",
                   help="summariser: lead, textrank, lexrank, trained, neural, embedding (needs --encoder)")
    p.add_argument("--encoder", help="encoder for --method embedding: hub id or local save_pretrained folder")
    p.add_argument("--count", default=3, help="sentences (e.g. 3) or a share (e.g. 20%%)")
    p.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="ray: Ray Data over JSONL/Parquet inputs, Parquet out (needs pemilu-nlp[ray])")
    p.add_argument("--out", help="--engine ray: folder for the Parquet files")
    p.add_argument("--ray-address", help="--engine ray: a running cluster (e.g. ray://HEAD:10001 or auto); "
                   "default: a local Ray instance")
    p.add_argument("--concurrency", type=int, help="--engine ray: actors (default: one per CPU)")
    p.add_argument("--batch-size", type=int, default=1000, help="--engine ray: rows per model call")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("classify", help="topics with probabilities for each document")
    inputs(p)
    p.add_argument("--model", help="classifier folder (default: the shipped TF-IDF model)")
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("summarize", help="an extractive summary of each document")
    inputs(p)
    p.add_argument("--method", default="textrank",
                   help="lead, textrank, lexrank, trained, neural or embedding (needs --encoder)")
    p.add_argument("--encoder", help="encoder for --method embedding: hub id or local save_pretrained folder")
    p.add_argument("--count", default="3", help="sentences (e.g. 3) or a share (e.g. 20%%)")
    p.set_defaults(func=cmd_summarize)

    p = sub.add_parser("train", help="train a topic classifier on a labelled corpus")
    p.add_argument("--model", choices=["tfidf", "indobert"], default="tfidf")
    p.add_argument("--data", required=True, help="corpus JSONL")
    p.add_argument("--split", help="split JSON (default: split.json beside the corpus)")
    p.add_argument("--out", help="model folder to write")
    p.add_argument("--report", help="write the evaluation report as JSON here")
    p.add_argument("--cv", type=int, help="K-fold cross-validation instead of the fixed split")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--params", help="model settings as JSON, e.g. '{\"C\": 4}'")
    p.add_argument("--base", default="indobenchmark/indobert-base-p1", help="IndoBERT hub id or local folder")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--max-length", type=int)
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--device", help="auto, cpu or cuda")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="score one or more model folders on the same split, side by side")
    p.add_argument("models", nargs="+")
    p.add_argument("--data", required=True)
    p.add_argument("--split")
    p.add_argument("--part", choices=["train", "dev", "test"], default="test")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("evaluate-summaries", help="ROUGE of every summariser on IndoSum and the corpus")
    p.add_argument("--indosum", nargs="*", default=[], help="IndoSum folder or .jsonl(.gz) files")
    p.add_argument("--indosum-split", default=None,
                   help="split file (default: the project's data/indosum_split.json; a missing file is created); "
                        "'none' to score every article given")
    p.add_argument("--part", default="test", choices=["train", "dev", "test"])
    p.add_argument("--corpus", help="the labelled corpus (its reference summaries)")
    p.add_argument("--pool", help="news_pool.jsonl.gz (detik articles with hand-written summaries)")
    p.add_argument("--limit", type=int, help="score only the first N documents of each set")
    p.add_argument("--out", help="write every figure as JSON")
    p.set_defaults(func=cmd_evaluate_summaries)

    p = sub.add_parser("tune-summarizers", help="tune graph weights (position, title, MMR) on the IndoSum dev part")
    p.add_argument("--indosum", nargs="+", required=True)
    p.add_argument("--indosum-split", default=None, help="default: the project's data/indosum_split.json")
    p.add_argument("--out")
    p.set_defaults(func=cmd_tune_summarizers)

    p = sub.add_parser("train-summarizer", help="train a sentence scorer on the IndoSum train part")
    p.add_argument("--method", default="trained", choices=["trained", "neural"],
                   help="trained: feature logistic regression; neural: word-vector network")
    p.add_argument("--indosum", nargs="+", required=True)
    p.add_argument("--indosum-split", default=None, help="default: the project's data/indosum_split.json")
    p.add_argument("--pool", help="news_pool.jsonl.gz: unlabelled news for the neural scorer's word vectors")
    p.add_argument("--out", help="default: models/summarizer-default (trained), models/summarizer-neural (neural)")
    p.set_defaults(func=cmd_train_summarizer)

    p = sub.add_parser("bench", help="throughput, latency and memory of every part, beside the naive way")
    from .bench import add_arguments

    add_arguments(p)
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except PemiluNLPError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (ValueError, TypeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
