"""Parallel suite: classification and summarisation with each number of worker processes
(``--jobs``), every call timed end to end (worker start-up and model load are part of what a user
waits for), memory of the process *and its workers*, output checked identical to one process's.

Ratios are only comparable within one run on a quiet machine: on a shared one, other processes
take the cores the workers need.
"""
from __future__ import annotations

from argparse import Namespace
from collections.abc import Sequence

import numpy as np

from .core import Measurement, timed

__all__ = ["bench_parallel"]


def _same_summaries(a: list, b: list) -> bool:
    return [[(s.index, s.text) for s in doc] for doc in a] == [[(s.index, s.text) for s in doc] for doc in b]


def bench_parallel(texts: Sequence[str], *, jobs_list: Sequence[int], chunk_size: int,
                   summary_texts: Sequence[str] = (), method: str = "textrank") -> list[Measurement]:
    """Classify ``texts`` (and summarise ``summary_texts``) with each number of jobs; every row has
    its speed-up over jobs=1 and whether its output is identical to jobs=1's."""
    from ..scale.parallel import classify_matrix, resolve_jobs
    from ..scale.parallel import summarize as parallel_summarize

    jobs_list = list(dict.fromkeys([1, *(resolve_jobs(j) for j in jobs_list)]))
    results: list[Measurement] = []
    reference = None
    for jobs in jobs_list:
        m, (_, proba) = timed("parallel", f"classify, TF-IDF, jobs={jobs}",
                              lambda j=jobs: classify_matrix(texts, jobs=j, chunk_size=chunk_size), len(texts),
                              {"task": "classify", "jobs": jobs, "chunk_size": chunk_size,
                               "start_method": "forkserver/spawn" if jobs > 1 else "in process",
                               "includes": "worker start-up and model load"})
        if reference is None:
            reference, base = proba, m.docs_per_second
        m.quality = {"identical_to_jobs_1": bool(np.array_equal(proba, reference)),
                     "speedup_vs_jobs_1": round(m.docs_per_second / base, 3)}
        results.append(m)
    if summary_texts:
        reference = None
        for jobs in jobs_list:
            m, out = timed("parallel", f"summarize, {method}, jobs={jobs}",
                           lambda j=jobs: parallel_summarize(summary_texts, 3, method=method, jobs=j,
                                                             chunk_size=max(1, chunk_size // 5)),
                           len(summary_texts), {"task": "summarize", "method": method, "jobs": jobs,
                                                "chunk_size": max(1, chunk_size // 5)})
            if reference is None:
                reference, base = out, m.docs_per_second
            m.quality = {"identical_to_jobs_1": _same_summaries(out, reference) and
                         [s.score for d in out for s in d] == [s.score for d in reference for s in d],
                         "same_sentences_as_jobs_1": _same_summaries(out, reference),
                         "speedup_vs_jobs_1": round(m.docs_per_second / base, 3)}
            results.append(m)
    return results


def run(args: Namespace, articles: list[str], notes: list[str], extra: dict) -> list[Measurement]:
    """The suite as ``pemilu-nlp bench --parts parallel`` runs it, on --parallel-docs pool articles."""
    from .data import load_pool

    pool = load_pool(args.pool, args.parallel_docs)
    jobs_list = [int(j) for j in str(args.jobs_list).split(",") if j.strip()]
    notes.append(f"parallel: {args.parallel_docs} pool articles ({args.pool or 'news_pool.jsonl.gz'}, drawn "
                 "with replacement), whole calls timed including worker start-up; RSS = process + workers")
    return bench_parallel(pool, jobs_list=jobs_list, chunk_size=args.chunk_size,
                          summary_texts=pool[:args.parallel_summary_docs])
