"""Label Studio labelling config (labels.xml) for a schema"""
from __future__ import annotations

import argparse
from pathlib import Path

from .options import parse_output_file


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--schema", help="topic schema JSON (default: the shipped topics)")
    group.add_argument("--model", help="take the topics of this model folder")
    parser.add_argument("--out", type=parse_output_file, help="write here (default: print)")


def run(args: argparse.Namespace) -> int:
    from ..io.labelling import label_config

    xml = label_config(args.schema or args.model)
    if args.out:
        Path(args.out).write_text(xml, "utf-8")
        print(f"wrote {args.out}")
    else:
        print(xml, end="")
    return 0
