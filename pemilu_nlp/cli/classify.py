"""topics with probabilities for each document"""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .chunks import as_json_line, shown, write_processed
from .options import add_inputs, add_runtime_options

if TYPE_CHECKING:
    from ..io.documents import Document


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_inputs(parser)
    parser.add_argument("--model", help="classifier folder (default: the shipped TF-IDF model)")
    add_runtime_options(parser, batch_help="IndoBERT: windows per forward pass (default auto)")


def run(args: argparse.Namespace) -> int:
    def line(doc: Document, topics: list[str], proba: dict, _summary) -> str:
        if args.json:
            return as_json_line({"id": doc.id, "topics": topics, "probabilities": proba})
        return f"{shown(doc.id)}\t" + (", ".join(f"{t}:{proba[t]:.2f}" for t in topics) or "(no topic)")

    return write_processed(args, line, classify=True, summarize=False)
