"""Argument types and argument groups that several commands share."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def parse_count(value: str) -> int | str:
    """``--count``, parsed once, before any work: a whole number of sentences or a share ("20%")."""
    from ..summarize.base import check_count

    try:
        return check_count(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def parse_method(value: str) -> str:
    """``--method``: a registered summariser; an old name is translated, with a warning."""
    from ..registry import RENAMED_SUMMARIZERS, SUMMARIZERS

    if value in RENAMED_SUMMARIZERS:
        print(f"warning: --method {value} is now called {RENAMED_SUMMARIZERS[value]}", file=sys.stderr)
        return RENAMED_SUMMARIZERS[value]
    if value not in SUMMARIZERS:
        raise argparse.ArgumentTypeError(f"unknown summariser {value!r}; choose one of {', '.join(SUMMARIZERS)}")
    return value


def parse_methods(value: str) -> list[str]:
    return [parse_method(v.strip()) for v in value.split(",") if v.strip()]


def parse_jobs(value: str) -> int:
    from ..scale.parallel import resolve_jobs

    try:
        return resolve_jobs(-1 if value in ("all", "auto") else int(value))
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"--jobs takes a number of processes >= 1, or all (every core), "
                                         f"got {value!r}") from None


def parse_seed(value: str) -> int:
    """``--seed``: a whole number numpy accepts, refused at parsing (naming the option)."""
    try:
        seed = int(value)
    except ValueError:
        seed = -1
    if not 0 <= seed < 2**32:
        raise argparse.ArgumentTypeError(f"a seed is a whole number from 0 to {2**32 - 1}, got {value!r}")
    return seed


def output_problem(value: str, *, made: str | None = None) -> str | None:
    """What is wrong with an output file's path, checked before any work (a bare ``[Errno 2]``
    after an hour of training says nothing); ``made``: a folder the command creates first."""
    path = Path(value)
    if path.is_dir():
        return f"{value} is a folder; give a file name"
    folder = path.parent
    if made is not None and folder.resolve() == Path(made).resolve():
        return None
    if not folder.is_dir():
        return f"cannot write {value}: the folder {folder} does not exist (create it first)"
    if not os.access(folder, os.W_OK):
        return f"cannot write {value}: the folder {folder} is not writable"
    return None


def parse_output_file(value: str) -> str:
    """``--out FILE``, refused at parsing when it cannot be written."""
    problem = output_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def print_warnings(caught: list) -> None:
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)


def indosum_parts(args: argparse.Namespace, *parts: str) -> list[list]:
    """The IndoSum articles (``--indosum``) of each of ``parts`` of the split ``--indosum-split``
    (default: the project's; 'none': every article in every part).  A split file that does not
    exist yet is made (seed 2018, 70/15/15) and written, and the command says so."""
    from ..io.indosum import (
        indosum_part,
        load_indosum,
        read_indosum_split,
        split_indosum,
        write_indosum_split,
    )
    from ..io.paths import default_indosum_split

    articles = load_indosum(args.indosum)
    if args.indosum_split == "none":
        return [articles for _ in parts]
    path = Path(args.indosum_split) if args.indosum_split else default_indosum_split()
    if not path.is_file():
        write_indosum_split(split_indosum(articles), path)
        print(f"wrote a new IndoSum split to {path}", file=sys.stderr)
    split = read_indosum_split(path)
    return [indosum_part(articles, split, part) for part in parts]


def add_inputs(p: argparse.ArgumentParser) -> None:
    """The input paths and how they are read and written (every document command)."""
    p.add_argument("paths", nargs="+", help=".txt files, JSONL files (one {'id','title','text'} a line) or folders")
    p.add_argument("--json", action="store_true", help="one JSON object a line")
    p.add_argument("--jobs", type=parse_jobs, default=1, metavar="N",
                   help="worker processes, each loading the model once (-1 or 'all': every core); same output")
    p.add_argument("--chunk-size", type=int, default=500, help="documents per worker task with --jobs")


def add_summary_options(p: argparse.ArgumentParser) -> None:
    """Which summariser and how many sentences."""
    from ..registry import SUMMARIZERS

    p.add_argument("--method", type=parse_method, default="textrank",
                   help=f"summariser: {', '.join(SUMMARIZERS)} (needs --encoder); default textrank with the "
                        "weights tuned on IndoSum ('trained' is the old name of 'features')")
    p.add_argument("--encoder", help="--method embedding: the encoder (hub id or local save_pretrained folder); "
                                     "--method encoder: the folder made by train-summarizer --method encoder")
    p.add_argument("--count", type=parse_count, default=3,
                   help="sentences per summary: a whole number (default 3) or a share of the document's "
                        "sentences (e.g. 20%%, rounded half up, at least 1); checked before any work")


def add_runtime_options(p: argparse.ArgumentParser, *, batch_help: str) -> None:
    """IndoBERT runtime options (an error for a TF-IDF model)."""
    p.add_argument("--max-length", type=int, help="IndoBERT: window length in tokens (default: the model's)")
    p.add_argument("--batch-size", type=int, help=batch_help)
    p.add_argument("--precision", choices=["auto", "fp32", "bf16", "fp16", "int8", "onnx-int8", "onnx-fp32"],
                   help="IndoBERT: inference precision (default auto)")
    p.add_argument("--device", help="IndoBERT: auto, cpu or cuda[:N] (default auto)")
