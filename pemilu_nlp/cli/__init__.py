"""Command line: ``pemilu-nlp COMMAND`` (also ``python -m pemilu_nlp``); :func:`main` is the entry point.

Thin on purpose: each command parses its arguments and calls the library function that does the
work, so that everything the CLI does is also one call away in Python.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from .. import __version__
from ..errors import PemiluNLPError
from . import (
    bench,
    classify,
    evaluate,
    evaluate_summaries,
    export_encoder,
    import_labels,
    label_config,
    report,
    run,
    suggest,
    summarize,
    train,
    train_summarizer,
    tune_summarizers,
)

__all__ = ["COMMANDS", "build_parser", "main"]

#: the commands, in the order ``--help`` lists them: each module's name is the command (``_`` as
#: ``-``), its docstring's first paragraph the help, and it has ``add_arguments(parser)`` and ``run(args) -> int``
COMMANDS = [run, classify, summarize, train, evaluate, evaluate_summaries, tune_summarizers, train_summarizer,
            suggest, import_labels, label_config, report, bench, export_encoder]


def command_name(module: Any) -> str:
    return module.__name__.rpartition(".")[2].replace("_", "-")


def command_help(module: Any) -> str:
    return " ".join((module.__doc__ or "").split("\n\n")[0].split())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pemilu-nlp", description="Topic tagging and extractive summaries of "
                                     "Indonesian election-security news.")
    parser.add_argument("--version", action="version", version=f"pemilu_nlp {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        p = sub.add_parser(command_name(command), help=command_help(command))
        command.add_arguments(p)
        p.set_defaults(func=command.run)
    return parser


def _quiet_stdout() -> None:
    """After the reader of our stdout went away (``| head``): send what is left to /dev/null, so
    that the flush at exit does not raise a second BrokenPipeError."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (e.g. captured in tests)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:  # the reader stopped reading (`| head -3`): stop quietly, as Unix tools do
        _quiet_stdout()
        return 141  # 128 + SIGPIPE, what a shell reports for a tool killed by a closed pipe
    except PemiluNLPError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (ValueError, TypeError, OSError) as err:  # OSError: a missing or unreadable file named by a library call
        print(f"error: {err}", file=sys.stderr)
        return 2

