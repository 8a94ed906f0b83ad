"""tune graph weights (position, title, MMR) on the IndoSum dev part"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from .options import indosum_parts, parse_output_file


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--indosum", nargs="+", required=True)
    parser.add_argument("--indosum-split", default=None, help="default: the project's data/indosum_split.json")
    parser.add_argument("--out", type=parse_output_file)


def run(args: argparse.Namespace) -> int:
    from ..summarize.evaluate import indosum_documents, tune_graph_weights

    dev = indosum_documents(indosum_parts(args, "dev")[0])
    result = {method: tune_graph_weights(dev, method) for method in ("textrank", "lexrank")}
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    print(json.dumps({k: v["best"] for k, v in result.items()}, indent=1))
    return 0
