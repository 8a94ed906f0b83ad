"""an extractive summary of each document"""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .chunks import as_json_line, shown, summary_json, write_processed
from .options import add_inputs, add_summary_options

if TYPE_CHECKING:
    from ..io.documents import Document


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_inputs(parser)
    add_summary_options(parser)


def run(args: argparse.Namespace) -> int:
    def line(doc: Document, _topics, _proba, summary) -> str:
        if args.json:
            return as_json_line({"id": doc.id, "method": args.method, "summary": summary_json(summary)})
        return f"== {shown(doc.id)}\n" + "\n".join(f"  [{s.index}] {shown(s.text)}" for s in summary)

    return write_processed(args, line, classify=False, summarize=True)
