"""Run the benchmark harness (same code as `pemilu-nlp bench`); see docs/benchmarks.md.

    python benchmarks/run.py --parts text,tfidf,summarizer,indobert --device auto
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pemilu_nlp.bench import add_arguments, main

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    sys.exit(main(parser.parse_args()))
