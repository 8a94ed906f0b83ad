"""one self-contained HTML page (and a CSV of every article) from run output or articles

``pemilu-nlp report INPUT... --out report.html``: the work is :func:`pemilu_nlp.reporting.report`.
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
    for flag, kwargs, text in _PAGE_OPTIONS:
        parser.add_argument(flag, **kwargs, help=text)
    articles = parser.add_argument_group("articles", "for INPUTs that are articles (and for --texts): the "
                                         "models that classify and summarise them here")
    articles.add_argument("--texts", nargs="+", default=(), metavar="ARTICLES",
                          help="for run output: the articles it was made from (as given to run), so that the "
                               "listed ones show the words behind their topics")
    for flag, kwargs, text in _ARTICLE_OPTIONS:
        articles.add_argument(flag, **kwargs, help=text)
    articles.add_argument("--method", default="textrank", choices=[m for m in SUMMARIZERS if m != "embedding"],
                          help="summariser (default textrank)")


#: the page's options: flag, argparse keywords, help
_PAGE_OPTIONS = [
    ("--out", {"default": "report.html"},
     "the HTML page to write (default report.html); the CSV of every article goes beside it (report.csv)"),
    ("--cap", {"type": _cap, "default": 100},
     "articles listed per topic, newest first (default 100); the rest are in the CSV"),
    ("--title", {"default": "pemilu_nlp report"}, "the page's title"),
]

#: the article options without choices: flag, argparse keywords, help
_ARTICLE_OPTIONS = [
    ("--model", {}, "classifier folder (default: the shipped TF-IDF model)"),
    ("--count", {"type": parse_count, "default": 3}, "sentences per summary (default 3)"),
]

def run(args: argparse.Namespace) -> int:
    from ..reporting import report

    files = report(args.inputs, args.out, model=args.model, method=args.method, count=args.count, cap=args.cap,
                   title=args.title, texts=args.texts)
    for failure in files.failures:
        print(f"error: {shown(failure)}", file=sys.stderr)
    print(f"wrote {shown(str(files.html))} ({files.articles:,} articles) and {shown(str(files.csv))}")
    if files.failures:
        print(f"{len(files.failures)} input(s) could not be read or processed (listed on the page)", file=sys.stderr)
        return 1
    return 0
