"""``pemilu-nlp bench``: options, the run over the asked suites, the JSON report and its table.

Each suite is a module of this package with a ``run(args, articles, notes, extra)`` that turns the
options into its arguments and returns its rows; :data:`SUITES` lists them.  The report is ``{"machine", "settings", "notes", "results", ...}``, where a suite
may add a key of its own (the cascade's margin sweep).
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from dataclasses import asdict
from pathlib import Path

from .data import load_articles
from .report import format_table, machine_info, plot

__all__ = ["SUITES", "add_arguments", "main", "run_benchmark"]

#: the suites (``--parts``); each is the module of this package of that name
SUITES = ("text", "tfidf", "summarizer", "indobert", "stream", "parallel", "cascade")
#: suites that draw their own documents (the others share ``--docs`` corpus articles)
OWN_DOCUMENTS = {"stream", "parallel", "cascade"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``pemilu-nlp bench`` (and ``benchmarks/run.py``)."""
    p.add_argument("--parts", default="text,tfidf,summarizer,indobert",
                   help="comma-separated: text, tfidf, summarizer, indobert; not in the default set: stream (the CLI "
                        "on many short documents: 1,000,000 documents take minutes), parallel (--jobs over pool "
                        "articles), cascade (TF-IDF where confident, IndoBERT for the rest)")
    p.add_argument("--device", default="auto", help="cpu, cuda or auto (IndoBERT part)")
    p.add_argument("--corpus", help="corpus JSONL of real articles (default: data/corpus.jsonl)")
    p.add_argument("--docs", type=int, default=1000, help="articles for text, TF-IDF and summariser parts")
    p.add_argument("--words", type=int, help="cut/repeat every article to this many words (synthetic length)")
    p.add_argument("--batch-size", type=int, default=256, help="batch size for the non-neural parts")
    p.add_argument("--indobert-docs", type=int, default=24, help="articles for the IndoBERT part")
    p.add_argument("--batch-sizes", default=None, help="IndoBERT batch sizes, e.g. 1,8,32")
    p.add_argument("--max-lengths", default=None, help="IndoBERT window lengths, e.g. 128,512")
    p.add_argument("--precisions", default=None, help="e.g. fp32,bf16,int8 (CPU) or fp32,fp16,bf16 (GPU)")
    p.add_argument("--model", help="a saved IndoBERT classifier folder (default: random-weight IndoBERT-base)")
    p.add_argument("--tiny-finetuned", action="store_true",
                   help="use a 2-layer BERT fine-tuned here on the corpus (built once in --workdir) as --model: "
                        "agreement on a trained model (window lengths up to 128)")
    p.add_argument("--cascade-target", type=float, default=0.95,
                   help="cascade: agreement with IndoBERT-only label sets to reach")
    p.add_argument("--compile", action="store_true", help="also torch.compile the GPU model")
    p.add_argument("--no-naive", action="store_true", help="skip the naive transformers.pipeline baseline")
    p.add_argument("--out", help="JSON file for every figure (default: ./bench-<device>.json)")
    p.add_argument("--plot", help="PNG: IndoBERT throughput against batch size per precision")
    p.add_argument("--stream-docs", type=int, default=1_000_000,
                   help="documents for the stream part (also run at a tenth of this, to show memory is flat)")
    p.add_argument("--workdir", default=".bench-cache", help="where the random-weight model is built (not committed)")
    g = p.add_argument_group("parallel part (--jobs)")
    g.add_argument("--pool", help="JSONL(.gz) of articles for the parallel part (default: ../shared/data/news_pool.jsonl.gz, "
                   "else the corpus); drawn with replacement up to --parallel-docs")
    g.add_argument("--parallel-docs", type=int, default=100_000, help="articles classified per number of jobs")
    g.add_argument("--parallel-summary-docs", type=int, default=5_000, help="articles summarised per number of jobs (0: skip)")
    g.add_argument("--jobs-list", default="1,2,-1", help="numbers of worker processes to compare (-1: every core)")
    g.add_argument("--chunk-size", type=int, default=500, help="documents per worker task")


def run_benchmark(args: argparse.Namespace) -> dict:
    """Every suite in ``args.parts``, in order; the report as a JSON-ready dict."""
    from tqdm.auto import tqdm

    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(parts) - set(SUITES)
    if unknown:
        raise ValueError(f"unknown parts {sorted(unknown)}; choose from {', '.join(SUITES)}")
    articles = (load_articles(args.corpus, args.docs, words=args.words, schema=args.model)
                if set(parts) - OWN_DOCUMENTS else [])
    notes: list[str] = []
    if getattr(args, "tiny_finetuned", False) and not args.model:
        from .indobert import use_finetuned_tiny

        use_finetuned_tiny(args, notes)
    results, extra = [], {}
    bar = tqdm(parts, desc="benchmark")
    for part in bar:
        bar.set_postfix(part=part)
        suite = importlib.import_module(f"{__package__}.{part}")
        results += suite.run(args, articles, notes, extra)
    return {"machine": machine_info(), "settings": {k: v for k, v in vars(args).items() if k != "func"},
            "notes": notes, "results": [asdict(r) for r in results], **extra}


def main(args: argparse.Namespace) -> int:
    """Run, print the table, write the JSON report (and the plot with ``--plot``)."""
    report = run_benchmark(args)
    print(format_table(report))
    device = "cuda" if report["machine"].get("gpu") and "indobert" in args.parts else "cpu"
    out = Path(args.out or f"bench-{device}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", "utf-8")
    print(f"wrote {out}", file=sys.stderr)
    if args.plot:
        plot(report, args.plot)
        print(f"wrote {args.plot}", file=sys.stderr)
    return 0
