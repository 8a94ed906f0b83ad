"""append a Label Studio / doccano export to a corpus JSONL"""
from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("export", help="Label Studio JSON export or doccano JSONL export")
    parser.add_argument("--corpus", required=True, help="corpus JSONL to append to (created if missing)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--schema", help="topic schema JSON (default: the shipped topics)")
    group.add_argument("--model", help="take the topics of this model folder")
    parser.add_argument("--tool", default="auto", choices=["auto", "label-studio", "doccano"])


def run(args: argparse.Namespace) -> int:
    from ..io.labelling import import_labels

    schema = args.schema or args.model
    report = import_labels(args.export, args.corpus, schema=schema, tool=args.tool)
    for message in report.conflicts:
        print(f"conflict: {message}", file=sys.stderr)
    for message in report.duplicates:
        print(f"refused: {message}", file=sys.stderr)
    print(f"{args.corpus}: {report.summary()}")
    if report.not_annotated and not (report.added or report.unchanged or report.conflicts or report.duplicates):
        print(f"note: none of the {len(report.not_annotated)} articles in {args.export} carries a label: is it "
              "the task file that `suggest` wrote? Import the export of the labelled project (Label Studio: "
              "Export > JSON; doccano: Export Dataset > JSONL)", file=sys.stderr)
    return 0 if report.ok else 1
