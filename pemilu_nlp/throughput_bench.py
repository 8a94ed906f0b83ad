"""Benchmark suites for throughput beyond one process: all cores (``--jobs``), and the documents
they run on (pool articles, drawn with replacement up to any count, or short articles).

Each suite times a whole call end to end, start-up included (worker start and model load are
part of what a user waits for), records peak memory of the process *and its workers*, and
checks that the output is identical to one process's.  Ratios are only comparable within one
run on a quiet machine: on a shared one, other processes take the cores the workers need.
"""
from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .bench import Measurement

__all__ = ["bench_parallel", "load_pool", "short_articles"]


def load_pool(path: str | Path | None, n: int, *, seed: int = 0) -> list[str]:
    """``n`` pool articles (title + text), shuffled, cycling through the pool when ``n`` exceeds it.

    ``path``: a JSONL(.gz) of ``{"title", "text"}`` records; ``None``: ``../shared/data/news_pool.jsonl.gz``
    beside the repository, else the labelled corpus.
    """
    if path is None:
        guess = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "news_pool.jsonl.gz"
        if not guess.is_file():
            from .bench import load_articles

            return load_articles(None, n, seed=seed)
        path = guess
    path = Path(path)
    opener = gzip.open if path.name.endswith(".gz") else open
    texts = []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                record = json.loads(line)
                text = (record.get("text") or "").strip()
                if text:
                    title = (record.get("title") or "").strip()
                    texts.append(f"{title}\n{text}" if title else text)
    if not texts:
        raise ValueError(f"{path}: no articles with text")
    order = np.random.default_rng(seed).permutation(len(texts))
    return [texts[order[i % len(texts)]] for i in range(n)]


def short_articles(texts: Sequence[str], n: int, *, words: int = 40) -> list[str]:
    """``n`` short articles: the first ``words`` words of each given text, cycling through them,
    with the running number appended so that no two are the same string (a stream of distinct
    short items, as from a headline or lead-paragraph feed)."""
    cut = [" ".join(t.split()[:words]) for t in texts]
    return [f"{cut[i % len(cut)]} ({i})" for i in range(n)]


class _TreeRSS:
    """Peak RSS of this process plus its children (workers), sampled in a thread."""

    def __init__(self, interval: float = 0.05):
        import psutil

        self._process = psutil.Process()
        self._interval = interval
        self.peak = 0
        self._stop = threading.Event()

    def _sample(self) -> int:
        import psutil

        total = self._process.memory_info().rss
        for child in self._process.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return total

    def __enter__(self) -> _TreeRSS:
        self.peak = self._sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            time.sleep(self._interval)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def timed(part: str, variant: str, call: Callable[[], Any], n_docs: int, settings: dict) -> tuple[Measurement, Any]:
    """One end-to-end call, timed, with the peak RSS of the process tree."""
    with _TreeRSS() as rss:
        start = time.perf_counter()
        out = call()
        seconds = time.perf_counter() - start
    per_doc = seconds / n_docs * 1000
    m = Measurement(part=part, variant=variant, documents=n_docs, seconds=round(seconds, 3),
                    docs_per_second=round(n_docs / seconds, 1), latency_doc_p50_ms=round(per_doc, 4),
                    latency_doc_p95_ms=round(per_doc, 4), latency_batch_p50_ms=round(seconds * 1000, 1),
                    latency_batch_p95_ms=round(seconds * 1000, 1), peak_rss_mb=round(rss.peak / 2**20, 1),
                    settings=settings)
    return m, out


def _same_summaries(a: list, b: list) -> bool:
    return [[(s.index, s.text) for s in doc] for doc in a] == [[(s.index, s.text) for s in doc] for doc in b]


def bench_parallel(texts: Sequence[str], *, jobs_list: Sequence[int], chunk_size: int,
                   summary_texts: Sequence[str] = (), method: str = "textrank") -> list[Measurement]:
    """Classify ``texts`` (and summarise ``summary_texts``) with each number of jobs; every row has
    its speed-up over jobs=1 and whether its output is identical to jobs=1's."""
    from .parallel import classify_matrix, resolve_jobs
    from .parallel import summarize as parallel_summarize

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
