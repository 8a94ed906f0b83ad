"""one self-contained HTML page (and a CSV of every article) from run output or articles

``pemilu-nlp report INPUT... --out report.html``: the work is :func:`pemilu_nlp.report.report`.
"""
from __future__ import annotations

import argparse
import sys

from .chunks import shown
from .options import parse_count

__all__ = ["add_arguments", "run"]


def _cap(value: str) -> int:
    try:
        cap = int(value)
    except ValueError:
        cap = 0
    if cap < 1:
        raise argparse.ArgumentTypeError(f"--cap takes a number of articles >= 1, got {value!r}")
    return cap


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..registry import SUMMARIZERS

    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="JSONL written by `pemilu-nlp run --json`, or articles (.txt, JSONL, folders), "
                             "which are then classified and summarised here")
    parser.add_argument("--out", default="report.html",
                        help="the HTML page to write (default report.html); the CSV of every article goes "
                             "beside it (report.csv)")
    parser.add_argument("--cap", type=_cap, default=100,
                        help="articles listed per topic, newest first (default 100); the rest are in the CSV")
    parser.add_argument("--title", default="pemilu_nlp report", help="the page's title")
    parser.add_argument("--texts", nargs="+", default=(), metavar="ARTICLES",
                        help="for run output: the articles it was made from (as given to run), so that the "
                             "listed ones show the words behind their topics")
    parser.add_argument("--model", help="classifier folder for articles and --texts (default: the shipped TF-IDF "
                                        "model)")
    parser.add_argument("--method", default="textrank", choices=[m for m in SUMMARIZERS if m != "embedding"],
                        help="for articles: summariser (default textrank)")
    parser.add_argument("--count", type=parse_count, default=3,
                        help="for articles: sentences per summary (default 3)")


def run(args: argparse.Namespace) -> int:
    from ..report import report

    files = report(args.inputs, args.out, model=args.model, method=args.method, count=args.count, cap=args.cap,
                   title=args.title, texts=args.texts)
    for failure in files.failures:
        print(f"error: {shown(failure)}", file=sys.stderr)
    print(f"wrote {shown(str(files.html))} ({files.articles:,} articles) and {shown(str(files.csv))}")
    if files.failures:
        print(f"{len(files.failures)} input(s) could not be read or processed (listed on the page)", file=sys.stderr)
        return 1
    return 0
