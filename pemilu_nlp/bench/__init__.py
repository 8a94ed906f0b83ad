"""Benchmarks of throughput, latency and memory of every part, beside the naive way.

``pemilu-nlp bench`` (or ``benchmarks/run.py``) runs the suites asked for and writes one JSON
report.  The package is a small timing core and one module per suite:

``core``
    :func:`measure` (batches after warm-up), :func:`timed` (one end-to-end call), :class:`PeakRSS`,
    :class:`Measurement` (one row), :func:`compare_predictions` (agreement with a reference).
``data``
    the documents: corpus articles, pool articles drawn with replacement, short articles.
``report``
    the machine the figures were measured on, the printed table, the IndoBERT plot.
``command``
    the options, the run over the suites, the report file.
``text``, ``tfidf``, ``summarizer``, ``indobert``, ``stream``, ``parallel``, ``cascade``
    the suites (``--parts``); each times public calls of the library only.

Only ratios measured in the same run are comparable; absolute figures depend on the machine, which
every report records.
"""
from __future__ import annotations

from .cascade import bench_cascade, tfidf_confident
from .command import SUITES, add_arguments, main, run_benchmark
from .core import Measurement, PeakRSS, compare_predictions, measure, percentile, timed
from .data import load_articles, load_pool, short_article, short_articles
from .indobert import bench_indobert, finetuned_tiny
from .parallel import bench_parallel
from .report import format_table, machine_info, plot
from .stream import bench_stream
from .summarizer import bench_summarizers
from .text import bench_text
from .tfidf import bench_tfidf

__all__ = [
    "SUITES", "Measurement", "PeakRSS", "add_arguments", "bench_cascade", "bench_indobert", "bench_parallel",
    "bench_stream", "bench_summarizers", "bench_text", "bench_tfidf", "compare_predictions", "finetuned_tiny",
    "format_table", "load_articles", "load_pool", "machine_info", "main", "measure", "percentile", "plot",
    "run_benchmark", "short_article", "short_articles", "tfidf_confident", "timed",
]
