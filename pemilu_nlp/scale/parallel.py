"""All cores of one machine: the same work as one process, spread over worker processes.

``classify``, ``summarize`` and ``analyze`` here give exactly what the one-process functions give
(N texts in, N results out, in order, bit-identical probabilities), with ``jobs`` worker processes:

- Workers start with ``forkserver`` on Linux and ``spawn`` elsewhere, never a plain ``fork``: a
  forked child inherits the parent's torch/OpenMP thread state and hangs once the neural
  summariser has run in the parent.
- Each worker loads its model once, in the pool initializer, from the model folder by path (the
  shipped default when none is given): nothing is pickled but texts and results.
- Texts travel in chunks of ``chunk_size``; at most ``2 * jobs`` chunks are in flight, so memory
  is bounded by the chunk size whatever the input length (``iter_chunks`` streams), and results
  are yielded in input order.
- A bad text is reported as one process reports it: the same error type and message, naming its
  position in the whole input (texts are checked in the parent before any work, like
  ``as_texts``; an error inside a worker is re-raised naming the global position).
- Each worker limits its BLAS/OpenMP (and torch) threads to ``cores // jobs`` so that ``jobs``
  workers do not oversubscribe the cores.  TF-IDF probabilities do not depend on threads or
  chunking (bit-identical); the neural summariser's float32 scores can differ in the last bit
  with torch's thread count, the sentences chosen do not.

The trade-off: a worker costs a start-up (imports and model load, about 1-3 s) and each chunk a
pickle round trip; for a few hundred documents one process is faster, for tens of thousands the
speed-up approaches the number of cores (``pemilu-nlp bench --parts parallel``).

>>> from pemilu_nlp.scale.parallel import classify
>>> topics, probabilities = classify(["KPU dan Polres menandatangani MoU pengamanan Pemilu 2024."], jobs=1)
>>> "pemilu" in topics[0]
True
"""
from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from os import PathLike
from typing import Any

import numpy as np

from ..classify.thresholds import as_topic_lists, probability_maps
from ..errors import PemiluNLPError
from ..inputs import as_texts, is_blank

__all__ = ["Outcome", "Work", "WorkerError", "analyze", "available_cores", "classify", "iter_chunks", "resolve_jobs", "summarize"]

DEFAULT_CHUNK_SIZE = 500


def available_cores() -> int:
    """Cores this process may run on (the affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def resolve_jobs(jobs: int) -> int:
    """``jobs`` as a number of processes: an integer >= 1, or -1 for every available core."""
    if isinstance(jobs, bool) or not isinstance(jobs, int | np.integer):
        raise TypeError(f"jobs must be an integer (>= 1, or -1 for all cores), got {type(jobs).__name__}")
    if jobs == -1:
        return available_cores()
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, or -1 for all cores, got {jobs}")
    return int(jobs)


def _check_chunk_size(chunk_size: int) -> int:
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int | np.integer) or chunk_size < 1:
        raise ValueError(f"chunk_size must be an integer >= 1, got {chunk_size!r}")
    return int(chunk_size)


@dataclass(frozen=True)
class Work:
    """What every worker does to a chunk; plain values only, so that it pickles cheaply and safely.

    ``task``: ``classify``, ``summarize`` or ``analyze``; ``model``: classifier folder (``None``:
    the shipped TF-IDF model); ``method``/``count``/``encoder``: the summariser; ``isolate``: give
    each text an :class:`Outcome` (its result or its error) so that one bad text costs only itself.
    """

    task: str
    model: str | None = None
    method: str = "textrank"
    count: int | str = 3
    encoder: str | None = None
    threads: int | None = None
    isolate: bool = False

    def __post_init__(self) -> None:
        if self.task not in ("classify", "summarize", "analyze"):
            raise ValueError(f"task must be classify, summarize or analyze, got {self.task!r}")

    def check(self) -> None:
        """The errors a worker would meet on loading, raised here, in the caller's process, as one
        process raises them (a worker that fails to start only says that it died)."""
        if self.task in ("summarize", "analyze"):
            from ..registry import summarizer_name

            summarizer_name(self.method, stacklevel=4)  # an unknown name is a ValueError here
            if self.method in ("embedding", "encoder") and not self.encoder:
                raise ValueError(f"method {self.method!r} needs an encoder (embedding: hub id or local "
                                 "save_pretrained folder; encoder: the folder train-summarizer wrote)")
        if self.task in ("classify", "analyze") and self.model is not None:
            from ..errors import ModelFormatError
            from ..registry import model_format

            try:
                fmt = model_format(self.model)
            except (OSError, ValueError, AttributeError) as err:
                raise ModelFormatError(f"{self.model}: cannot read config.json ({err})") from None
            if fmt not in ("pemilu_nlp.tfidf", "pemilu_nlp.indobert"):
                raise ModelFormatError(f"{self.model}: {fmt!r} is not a pemilu_nlp classifier format")


# ------------------------------------------------------------------------------------ worker side
_STATE: dict[str, Any] = {}


def _load(work: Work) -> dict[str, Any]:
    from .worker import ChunkWorker

    worker = ChunkWorker.load(model=work.model, classify=work.task in ("classify", "analyze"),
                              method=work.method if work.task in ("summarize", "analyze") else None,
                              encoder=work.encoder, count=work.count)
    return {"work": work, "worker": worker}


def _init_worker(work: Work) -> None:
    if work.threads:
        from threadpoolctl import threadpool_limits

        # kept for the life of the worker: jobs x threads stays within the cores
        _STATE["limits"] = threadpool_limits(work.threads)
    _STATE.update(_load(work))
    # torch only where a model brought it in (IndoBERT, the neural or embedding summariser): a
    # TF-IDF worker should not pay torch's import and memory
    if work.threads and "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(work.threads)


def _run_chunk(chunk: tuple[int, list, list | None]) -> Any:
    return _process_isolated(_STATE, chunk) if _STATE["work"].isolate else _process(_STATE, chunk)


@dataclass(frozen=True)
class Outcome:
    """One text's result in ``isolate`` mode: what was asked for, or the error that stopped it."""

    topics: list[str] | None = None
    probabilities: dict[str, float] | None = None
    summary: Any = None
    error: str | None = None


def _outcomes(work: Work, result: Any) -> list[Outcome]:
    if work.task == "classify":
        classes, proba, decisions = result
        return [Outcome(t, p) for t, p in zip(as_topic_lists(classes, decisions), probability_maps(classes, proba))]
    if work.task == "summarize":
        return [Outcome(summary=s) for s in result]
    return [Outcome(r.topics, r.probabilities, r.summary) for r in result]


def _process_isolated(state: dict[str, Any], chunk: tuple[int, list, list | None]) -> list[Outcome]:
    """The chunk at once; if it fails, each text alone, so that only the bad one is lost."""
    from ..errors import DOCUMENT_ERRORS, describe_error

    work: Work = state["work"]
    try:
        return _outcomes(work, _process(state, chunk))
    except DOCUMENT_ERRORS as err:
        start, texts, titles = chunk
        if len(texts) == 1:
            stage = {"classify": "classify", "summarize": "summarise", "analyze": "analyse"}[work.task]
            return [Outcome(error=f"cannot {stage} ({describe_error(err)})".replace(f"text at position {start}: ", ""))]
    return [outcome for i in range(len(texts))
            for outcome in _process_isolated(state, (start + i, texts[i:i + 1], titles[i:i + 1] if titles else None))]


def _process(state: dict[str, Any], chunk: tuple[int, list, list | None]) -> Any:
    start, texts, titles = chunk
    work: Work = state["work"]
    worker = state["worker"]
    if work.task == "classify":  # a title is read with its text, as one process reads it
        model = worker.classifier
        proba = worker.predict_proba(texts, titles)
        return [str(c) for c in model.classes_], proba, np.asarray(model.decide(proba), dtype=np.int8)
    if work.task == "summarize":
        return worker.summarize(texts, titles, start=start)
    return worker.analyze(texts, titles, start=start)


# ------------------------------------------------------------------------------------ parent side
#: imported once by the fork server, so that each worker forked from it starts with them loaded;
#: torch is left out on purpose (a server that imported torch would hand its state to every worker)
_PRELOAD = ["numpy", "scipy.sparse", "sklearn.base", "pemilu_nlp.classify.tfidf.classifier", "pemilu_nlp.registry",
            "pemilu_nlp.summarize", "pemilu_nlp.scale.chunk", "pemilu_nlp.scale.worker",
            "pemilu_nlp.scale.parallel"]


def _context():
    # forkserver: a clean single-threaded server process forks the workers (no inherited threads
    # or locks); spawn where there is no forkserver (macOS, Windows)
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


class WorkerError(PemiluNLPError, RuntimeError):
    """A worker process died (killed for memory, or it could not start)."""


def _chunks(texts: Iterable[Any], titles: Iterable[str | None] | None, size: int) -> Iterator[tuple[int, list, list | None]]:
    texts = iter(texts)
    titles = iter(titles) if titles is not None else None
    start = 0
    while True:
        batch = [t for _, t in zip(range(size), texts)]
        if not batch:
            return
        heads = [next(titles, None) for _ in batch] if titles is not None else None
        yield start, batch, heads
        start += len(batch)


def iter_chunks(work: Work, texts: Iterable[Any], *, titles: Iterable[str | None] | None = None, jobs: int = 1,
                chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[Any]:
    """Each chunk's result, in input order, streaming: at most ``2 * jobs`` chunks are held at once.

    With ``jobs=1`` the chunks run in this process (same chunks, same results). Texts are not
    checked here: the list functions below check them first, as one process does.
    """
    jobs, chunk_size = resolve_jobs(jobs), _check_chunk_size(chunk_size)
    chunks = _chunks(texts, titles, chunk_size)
    if jobs == 1:
        state = _load(work)
        for chunk in chunks:
            yield _process_isolated(state, chunk) if work.isolate else _process(state, chunk)
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    work.check()
    if work.threads is None:
        work = replace(work, threads=max(1, available_cores() // jobs))
    pool = ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_init_worker, initargs=(work,))
    try:
        pending: deque = deque()
        for chunk in chunks:
            pending.append(pool.submit(_run_chunk, chunk))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BrokenProcessPool as err:
        raise WorkerError(
            f"a worker process died ({err}). Usual causes: not enough memory for {jobs} copies of the model "
            "(use fewer jobs or a smaller chunk_size); the main script cannot be imported again by the "
            "workers (run from a .py file whose work is under `if __name__ == \"__main__\":`, not from stdin); "
            "or loading the model failed in the worker (its traceback is printed above)"
        ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _model_path(model: str | PathLike | None) -> str | None:
    if model is None:
        return None
    if not isinstance(model, str | PathLike):
        raise TypeError("model must be a classifier folder (str or path) or None for the shipped model: "
                        f"worker processes load it by path, a {type(model).__name__} object cannot be sent to them")
    return os.fspath(model)


def classify(texts: Iterable[str], *, model: str | PathLike | None = None, jobs: int = 1,
             chunk_size: int = DEFAULT_CHUNK_SIZE) -> tuple[list[list[str]], list[dict[str, float]]]:
    """Each text's topics and topic -> probability map (as a classifier's ``topics_and_probabilities``),
    with ``jobs`` worker processes; ``model``: a classifier folder, ``None`` for the shipped one."""
    batch, _ = as_texts(texts)
    work = Work("classify", _model_path(model))
    topics: list[list[str]] = []
    probabilities: list[dict[str, float]] = []
    for classes, proba, decisions in iter_chunks(work, batch, jobs=jobs, chunk_size=chunk_size):
        topics += as_topic_lists(classes, decisions)
        probabilities += probability_maps(classes, proba)
    return topics, probabilities


def classify_matrix(texts: Iterable[str], *, model: str | PathLike | None = None, jobs: int = 1,
                    chunk_size: int = DEFAULT_CHUNK_SIZE) -> tuple[list[str], np.ndarray]:
    """``(classes, probabilities)`` as one documents x topics array (no per-document dicts)."""
    batch, _ = as_texts(texts)
    parts = list(iter_chunks(Work("classify", _model_path(model)), batch, jobs=jobs, chunk_size=chunk_size))
    return parts[0][0], np.vstack([p for _, p, _ in parts])


def _check_summary_inputs(texts: Iterable[Any], count: int | str, titles: Sequence[str | None] | None) -> list:
    from ..summarize.base import check_summary_texts

    texts = check_summary_texts(texts, count, titles)
    for i, text in enumerate(texts):
        if isinstance(text, str) and is_blank(text):
            from ..summarize.base import prepare_sentences

            try:
                prepare_sentences(text)
            except ValueError as err:
                raise ValueError(f"text at position {i}: {err}") from None
    return texts


def summarize(texts: Iterable[str | Sequence[str]], count: int | str = 3, *, method: str = "textrank",
              titles: Sequence[str | None] | None = None, encoder: str | None = None, jobs: int = 1,
              chunk_size: int = DEFAULT_CHUNK_SIZE) -> list:
    """Summaries as ``summarize_many`` gives them, with ``jobs`` worker processes."""
    batch = _check_summary_inputs(texts, count, titles)
    work = Work("summarize", method=method, count=count, encoder=encoder)
    out: list = []
    for part in iter_chunks(work, batch, titles=titles, jobs=jobs, chunk_size=chunk_size):
        out += part
    return out


def analyze(texts: Iterable[str], *, model: str | PathLike | None = None, method: str = "textrank",
            count: int | str = 3, titles: Sequence[str | None] | None = None, encoder: str | None = None,
            jobs: int = 1, chunk_size: int = DEFAULT_CHUNK_SIZE) -> list:
    """``pipeline.analyze`` (topics and a summary per text) with ``jobs`` worker processes."""
    from ..summarize.base import parse_count
    from .chunk import check_titles

    batch, _ = as_texts(texts)
    titles = check_titles(titles, len(batch))
    parse_count(count, 1)
    work = Work("analyze", _model_path(model), method=method, count=count, encoder=encoder)
    out: list = []
    for part in iter_chunks(work, batch, titles=titles, jobs=jobs, chunk_size=chunk_size):
        out += part
    return out
