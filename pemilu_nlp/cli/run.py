"""topics and a summary for each article (the main job)"""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .chunks import as_json_line, classifier_options, shown, summary_json, write_processed
from .options import add_inputs, add_runtime_options, add_summary_options

if TYPE_CHECKING:
    from ..io.documents import Document


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_inputs(parser)
    parser.add_argument("--model", help="classifier folder (default: the shipped TF-IDF model)")
    add_summary_options(parser)
    parser.add_argument("--engine", choices=["local", "ray"], default="local",
                        help="ray: Ray Data over JSONL/Parquet inputs, Parquet out (needs pemilu-nlp[ray])")
    parser.add_argument("--out", help="--engine ray: folder for the Parquet files")
    parser.add_argument("--ray-address", help="--engine ray: a running cluster (e.g. ray://HEAD:10001 or auto); "
                        "default: a local Ray instance")
    parser.add_argument("--concurrency", type=int, help="--engine ray: actors (default: one per CPU)")
    add_runtime_options(parser, batch_help="IndoBERT: windows per forward pass (default auto); --engine ray: rows "
                        "per model call (default 1000)")


def run(args: argparse.Namespace) -> int:
    classifier_options(args)  # IndoBERT runtime flags where they cannot apply: an error before any work
    if args.engine == "ray":
        if not args.out:
            raise ValueError("--engine ray writes Parquet: give --out DIR")
        from ..scale.ray_engine import run_cli

        return run_cli(args.paths, args.out, model=args.model, method=args.method, count=args.count,
                       address=args.ray_address, concurrency=args.concurrency, batch_size=args.batch_size or 1000)
    def line(doc: Document, topics: list[str], proba: dict, summary) -> str:
        if args.json:
            return as_json_line({"id": doc.id, **report_fields(doc, args.model), "method": args.method,
                                 "count": args.count, "topics": topics, "probabilities": proba,
                                 "summary": summary_json(summary)})
        shown_topics = ", ".join(f"{t} ({proba[t]:.2f})" for t in topics) or "(no topic)"
        return (f"== {shown(doc.id)}\ntopics: {shown_topics}\nsummary:\n"
                + "".join(f"  [{s.index}] {shown(s.text)}\n" for s in summary))

    return write_processed(args, line, classify=True, summarize=True)


def report_fields(doc: Document, model: str | None) -> dict:
    """What ``pemilu-nlp report`` shows besides topics and summary: title, link, date (the record's,
    else the dateline's), source and the model folder."""
    from ..reporting import SHIPPED_MODEL
    from ..reporting.data import article_meta, headline

    meta = article_meta(doc.date, doc.outlet, doc.url, doc.text)
    return {"title": headline(doc.title, doc.text), "url": doc.url, "date": meta.date and meta.date.isoformat(),
            "source": meta.outlet, "model": model or SHIPPED_MODEL}
