"""The timing core every suite uses: batches timed after warm-up, peak memory, agreement checks.

:func:`measure` times a function batch by batch after warm-up batches, so that a row has
documents/second and p50/p95 latency per document and per batch; :func:`timed` times one whole
call end to end (worker start-up and model load included).  Peak memory is the RSS sampled in a
thread during the timed region (:class:`PeakRSS`; with ``children=True`` the worker processes
too) and the CUDA allocator's peak on a GPU.  :func:`compare_predictions` checks a faster
variant against a reference on the same documents: a speed-up that changes answers is not one.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Measurement", "PeakRSS", "compare_predictions", "measure", "percentile", "timed"]


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default), ``q`` in 0..100; NaN for no values."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else float("nan")


class PeakRSS:
    """Samples RSS in a thread while a block runs; ``peak`` in bytes.  ``children=True`` adds the
    process's children (worker processes, a local Ray instance)."""

    def __init__(self, interval: float = 0.005, *, children: bool = False):
        import psutil

        self._process = psutil.Process()
        self._interval = interval
        self._children = children
        self.peak = 0
        self._stop = threading.Event()

    def _summed(self, read: Callable[[Any], int]) -> int:
        """``read(process)`` summed over the process (and, with ``children``, its children)."""
        import psutil

        processes = [self._process, *self._process.children(recursive=True)] if self._children else [self._process]
        total = 0
        for process in processes:
            try:
                total += read(process)
            except psutil.Error:  # a worker that ended between listing and reading
                pass
        return total

    def sample(self) -> int:
        """RSS now (of the tree, with ``children``)."""
        return self._summed(lambda process: process.memory_info().rss)

    def unique(self) -> int:
        """Memory private to each process (USS), summed: pages shared between processes, such as
        Ray's object store mapped into every worker, count once, not once per process (slower
        to read than RSS, so only for occasional samples)."""
        return self._summed(lambda process: process.memory_full_info().uss)

    def __enter__(self) -> PeakRSS:
        self.peak = self.sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.sample())
            time.sleep(self._interval)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.sample())


@dataclass
class Measurement:
    """What one variant of one part did on one set of documents."""

    part: str
    variant: str
    documents: int
    seconds: float
    docs_per_second: float
    latency_doc_p50_ms: float
    latency_doc_p95_ms: float
    latency_batch_p50_ms: float
    latency_batch_p95_ms: float
    peak_rss_mb: float
    tokens_per_second: float | None = None
    peak_gpu_mb: float | None = None
    settings: dict = field(default_factory=dict)
    quality: dict = field(default_factory=dict)
    ratio_to_naive: float | None = None


def measure(part: str, variant: str, run_batch: Callable[[Sequence[Any]], Any], items: Sequence[Any], *,
            batch_size: int, warmup: int = 1, tokens: int | None = None, cuda: bool = False,
            settings: dict | None = None) -> tuple[Measurement, list]:
    """Time ``run_batch`` over ``items`` in batches; returns the measurement and the outputs in order.

    ``warmup`` batches run first and are not timed.  Per-document latency is batch latency divided
    by the batch's size (documents of one batch finish together).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    sync = _cuda_sync if cuda else (lambda: None)
    batches = [items[i:i + batch_size] for i in range(0, len(items), batch_size)]
    for batch in batches[:warmup]:
        run_batch(batch)
    sync()
    if cuda:
        import torch

        torch.cuda.reset_peak_memory_stats()
    outputs: list = []
    batch_ms, doc_ms = [], []
    with PeakRSS() as rss:
        start = time.perf_counter()
        for batch in batches:
            t0 = time.perf_counter()
            out = run_batch(batch)
            sync()
            elapsed = (time.perf_counter() - t0) * 1000
            batch_ms.append(elapsed)
            doc_ms += [elapsed / len(batch)] * len(batch)
            outputs.extend(out)
        total = time.perf_counter() - start
    peak_gpu = None
    if cuda:
        import torch

        peak_gpu = torch.cuda.max_memory_allocated() / 2**20
    m = Measurement(
        part=part, variant=variant, documents=len(items), seconds=round(total, 4),
        docs_per_second=round(len(items) / total, 2) if total > 0 else float("inf"),
        latency_doc_p50_ms=round(percentile(doc_ms, 50), 3), latency_doc_p95_ms=round(percentile(doc_ms, 95), 3),
        latency_batch_p50_ms=round(percentile(batch_ms, 50), 3),
        latency_batch_p95_ms=round(percentile(batch_ms, 95), 3), peak_rss_mb=round(rss.peak / 2**20, 1),
        tokens_per_second=round(tokens / total, 1) if tokens and total > 0 else None,
        peak_gpu_mb=None if peak_gpu is None else round(peak_gpu, 1), settings=settings or {})
    return m, outputs


def _cuda_sync() -> None:
    import torch

    torch.cuda.synchronize()


def timed(part: str, variant: str, call: Callable[[], Any], n_docs: int, settings: dict) -> tuple[Measurement, Any]:
    """One end-to-end call, timed, with the peak RSS of the process and its children (workers)."""
    with PeakRSS(0.05, children=True) as rss:
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


def compare_predictions(reference: np.ndarray, candidate: np.ndarray, thresholds: np.ndarray | float = 0.5, *,
                        tolerance: float = 0.99, assessable: bool = True) -> dict:
    """Agreement of a variant's decisions with the reference's (share of documents whose label set
    is identical), the largest absolute probability difference, the variant's probability noise
    relative to how much the documents differ (mean over the topics whose reference varies of
    std(candidate - reference) / std(reference)), and whether agreement is within tolerance.

    ``assessable=False`` (random weights) keeps the figures but gives no verdict: a random encoder's
    outputs barely differ between documents, so any precision noise flips decisions at the threshold
    and agreement says nothing about a trained model.
    """
    reference, candidate = np.asarray(reference, dtype=float), np.asarray(candidate, dtype=float)
    if reference.shape != candidate.shape:
        raise ValueError(f"shapes differ: {reference.shape} vs {candidate.shape}")
    same = ((reference >= thresholds) == (candidate >= thresholds)).all(axis=1)
    agreement = float(same.mean()) if len(same) else 1.0
    top = float((reference.argmax(axis=1) == candidate.argmax(axis=1)).mean()) if len(same) else 1.0
    noise_to_spread = None
    if len(reference) > 1:
        spread = reference.std(axis=0)
        noise = (candidate - reference).std(axis=0)
        varied = spread > 0  # a topic on which the reference never varies has no spread to compare with
        if varied.any():
            noise_to_spread = round(float(np.mean(noise[varied] / spread[varied])), 4)
    return {"agreement": round(agreement, 4), "top_topic_agreement": round(top, 4),
            "max_probability_difference": round(float(np.abs(reference - candidate).max()) if reference.size else 0.0, 5),
            "noise_to_spread": noise_to_spread,
            "within_tolerance": (agreement >= tolerance) if assessable else None}
