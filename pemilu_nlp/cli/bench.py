"""throughput, latency and memory of every part, beside the naive way"""
from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..bench import add_arguments as add_bench_arguments

    add_bench_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from ..bench import main as bench_main

    return bench_main(args)
