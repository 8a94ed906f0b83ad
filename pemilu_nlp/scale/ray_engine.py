"""Ray Data: topics, probabilities and summaries over a dataset too big for one machine.

``annotate`` takes a ``ray.data.Dataset`` (or JSONL / Parquet paths Ray can read) and returns it
with columns added, lazily: nothing runs until the result is written or iterated, and Ray
streams blocks through the pipeline, so memory stays flat in the number of documents.

- The work is ``map_batches`` with a callable class: each actor loads the classifier (by folder)
  and the summariser (by name) once, then takes batches of ``batch_size`` rows.
- ``concurrency`` actors (default: one per CPU Ray sees); ``num_gpus`` per actor for an IndoBERT
  model on GPU nodes.
- Rows with no usable text are not dropped and do not stop the job: they come out with an
  ``error`` message (the one a single process raises) and empty topics; N rows in, N out.

When it pays: Ray costs a fixed start-up (about 10-25 s locally: ``ray.init``, actor start,
model load per actor) and a per-row serialisation cost, so on one machine ``--jobs`` is faster;
Ray pays across several machines or GPUs (docs/benchmarks.md, ``benchmarks/ray_scaling.py``).
To use a cluster, call ``ray.init(address="ray://HEAD:10001")`` (or ``"auto"`` on a node) before
``annotate``; the model folder must be readable at the same path on every node.

Needs the optional extra: ``pip install "pemilu-nlp[ray]"``.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..classify.thresholds import as_topic_lists
from ..errors import MissingDependencyError

__all__ = ["Annotator", "annotate", "read_documents"]

RAY_EXTRA = 'the Ray engine needs the optional extra: pip install "pemilu-nlp[ray]"'


def _ray():
    try:
        import ray
        import ray.data
    except ImportError as err:
        raise MissingDependencyError(f"{RAY_EXTRA} ({err})") from err
    return ray


class Annotator:
    """The callable class Ray runs in each actor: models loaded once, then batch after batch."""

    def __init__(self, model: str | None = None, method: str | None = "textrank", count: int | str = 3,
                 text_column: str = "text", title_column: str | None = "title", threads: int | None = None):
        if threads:
            from threadpoolctl import threadpool_limits

            self._limits = threadpool_limits(threads)
        from ..registry import load_or_default
        from ..summarize import get_summarizer
        from .worker import ChunkWorker

        # get_summarizer, not make_summarizer: ``embedding`` here means its default encoder
        self.worker = ChunkWorker(load_or_default(model), get_summarizer(method) if method else None, count)
        self.classes = [str(c) for c in self.worker.classifier.classes_]
        self.text_column = text_column
        self.title_column = title_column

    def _check(self, text: Any) -> str | None:
        from ..inputs import is_blank

        if not isinstance(text, str):
            return f"text must be str, got {type(text).__name__}"
        if is_blank(text):
            return "text is empty or whitespace only"
        return None

    def __call__(self, batch):
        import numpy as np

        # batch: a pyarrow.Table; its columns pass through unchanged
        if self.text_column not in batch.column_names:
            raise KeyError(f"no column {self.text_column!r} in the dataset (columns: {', '.join(batch.column_names)})")
        texts = batch.column(self.text_column).to_pylist()
        titles = batch.column(self.title_column).to_pylist() \
            if self.title_column and self.title_column in batch.column_names else [None] * len(texts)
        titles = [t if isinstance(t, str) and t.strip() else None for t in titles]
        errors = [self._check(t) for t in texts]
        good = [i for i, e in enumerate(errors) if e is None]
        n = len(texts)
        topics: list[list[str]] = [[] for _ in range(n)]
        proba = np.full((n, len(self.classes)), np.nan)
        summaries: list[list[str]] = [[] for _ in range(n)]
        indices: list[list[int]] = [[] for _ in range(n)]
        if good:
            p = self.worker.predict_proba([texts[i] for i in good], [titles[i] for i in good])
            decided = self.worker.classifier.decide(p)
            proba[good] = p
            for i, row_topics in zip(good, as_topic_lists(self.classes, decided)):
                topics[i] = row_topics
        if self.worker.summarizer is not None:
            for i in good:
                try:
                    chosen = self.worker.summarize_one(texts[i], titles[i])
                except ValueError as err:
                    errors[i] = str(err)
                    continue
                summaries[i] = [s.text for s in chosen]
                indices[i] = [s.index for s in chosen]
        # an Arrow table with fixed types: a batch whose rows are all fine must not write an
        # ``error`` column of type null beside another file's string column
        import pyarrow as pa

        columns = {name: batch.column(name) for name in batch.column_names}
        columns["topics"] = pa.array(topics, type=pa.list_(pa.string()))
        for j, topic in enumerate(self.classes):
            columns[f"p_{topic}"] = pa.array(proba[:, j], type=pa.float64())
        if self.worker.summarizer is not None:
            columns["summary"] = pa.array(summaries, type=pa.list_(pa.string()))
            columns["summary_index"] = pa.array(indices, type=pa.list_(pa.int32()))
        columns["error"] = pa.array(errors, type=pa.string())
        return pa.table(columns)


#: Zero-CPU read and write tasks running at once (see :func:`read_documents`).
READ_CONCURRENCY = 4


def read_documents(paths: str | Path | Sequence[str | Path], **read_args: Any):
    """A dataset from JSONL (``.jsonl``, ``.jsonl.gz``, ``.json``) or Parquet files or folders of them.

    Read tasks reserve no CPU (``num_cpus=0``) unless told otherwise: reading is I/O, and a read
    task that waits for a CPU held by the annotating actors waits for ever.  Zero-CPU tasks are
    otherwise unbounded (Ray starts a worker process for each), so at most ``READ_CONCURRENCY`` run
    at once.
    """
    ray = _ray()
    read_args.setdefault("num_cpus", 0)
    read_args.setdefault("concurrency", READ_CONCURRENCY)
    paths = [os.fspath(p) for p in ([paths] if isinstance(paths, str | Path) else paths)]
    if not paths:
        raise ValueError("no input paths given")
    kinds = set()
    for p in paths:
        path = Path(p)
        files = [f for f in path.rglob("*") if f.is_file()] if path.is_dir() else [path]
        for f in files:
            name = f.name.lower()
            if name.endswith(".parquet"):
                kinds.add("parquet")
            elif name.endswith((".jsonl", ".jsonl.gz", ".json", ".json.gz")):
                kinds.add("json")
            elif "://" not in p and not path.is_dir():
                raise ValueError(f"{f}: the Ray engine reads JSONL or Parquet (one record a line with 'text'); "
                                 "convert .txt files or use the default engine")
    if "://" not in "".join(paths):
        missing = [p for p in paths if not Path(p).exists()]
        if missing:
            raise FileNotFoundError(f"no such file or folder: {', '.join(missing)}")
    if kinds == {"parquet"} or (not kinds and paths[0].endswith(".parquet")):
        return ray.data.read_parquet(paths, **read_args)
    if len(kinds) > 1:
        raise ValueError("mixed JSONL and Parquet inputs: pass one kind at a time")
    return ray.data.read_json(paths, lines=True, **read_args)


def _default_concurrency(ray: Any, num_cpus: float, num_gpus: float, cpu_free_upstream: bool) -> int:
    """One actor per GPU share, else per CPU share (one CPU left to the upstream read tasks that need it)."""
    if num_gpus:
        gpus = ray.cluster_resources().get("GPU", 1) if ray.is_initialized() else 1
        return max(1, int(gpus // num_gpus))
    cpus = int(ray.cluster_resources().get("CPU", 1)) if ray.is_initialized() else (os.cpu_count() or 1)
    return max(1, int((cpus if cpu_free_upstream else cpus - 1) // max(num_cpus, 1e-9)))


def annotate(data: Any, *, model: str | os.PathLike | None = None, method: str | None = "textrank",
             count: int | str = 3, text_column: str = "text", title_column: str | None = "title",
             concurrency: int | tuple[int, int] | None = None, batch_size: int = 1000, num_cpus: float = 1,
             num_gpus: float = 0, threads: int | None = None):
    """``data`` with topics, per-topic probabilities and summaries added (lazily: write or iterate it).

    Parameters
    ----------
    data : ray.data.Dataset, or JSONL / Parquet path(s)
        Rows with a ``text_column`` (and optionally ``title_column``); other columns pass through.
    model : classifier folder, or None for the shipped TF-IDF model
        Loaded once per actor, by path (on a cluster: a path every node can read).
    method : summariser name (``textrank``, ``lead``, ``neural``...), or None for topics only.
    concurrency : actors (an int, or ``(min, max)`` to autoscale).  Default: one per CPU Ray sees
        when ``data`` is paths (read here by tasks that reserve no CPU) or a materialised dataset;
        one fewer for a lazy dataset you built, whose read tasks need a CPU of their own (with
        every CPU held by an actor they would wait for ever).  Build yours with ``num_cpus=0``
        reads and pass ``concurrency`` to use them all.
    batch_size : rows per model call (large batches: fewer calls, vectorised TF-IDF).
    num_cpus, num_gpus : per actor (``num_gpus=1`` puts an IndoBERT model on a GPU each).
    threads : BLAS/torch threads per actor (default: Ray's own, one per CPU it reserves).

    Added columns: ``topics`` (list of ids), ``p_<topic>`` (one float column per topic),
    ``summary`` and ``summary_index`` (chosen sentences, document order; unless ``method=None``),
    ``error`` (``None``, or why the row could not be processed).

    >>> import ray                                                       # doctest: +SKIP
    >>> ray.init(address="auto")           # a running cluster; or ray.init(num_cpus=8) locally  # doctest: +SKIP
    >>> annotate("s3://bucket/news/*.jsonl", concurrency=16).write_parquet("s3://bucket/tagged")  # doctest: +SKIP
    """
    ray = _ray()
    # upstream tasks that need a CPU of their own (a read_json with default settings) wait for ever
    # if the actors hold every CPU: leave one free unless the upstream reserves none
    from ray.data.dataset import MaterializedDataset

    cpu_free_upstream = True
    if isinstance(data, str | os.PathLike) or (isinstance(data, Sequence) and not isinstance(data, ray.data.Dataset)):
        data = read_documents(data)  # its read tasks reserve no CPU
    elif isinstance(data, ray.data.Dataset) and not isinstance(data, MaterializedDataset):
        cpu_free_upstream = False
    if not isinstance(data, ray.data.Dataset):
        raise TypeError(f"data must be a ray.data.Dataset or JSONL/Parquet path(s), got {type(data).__name__}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}")
    if model is not None and not isinstance(model, str | os.PathLike):
        raise TypeError("model must be a classifier folder (loaded by path in each actor) or None")
    if concurrency is None:
        concurrency = _default_concurrency(ray, num_cpus, num_gpus, cpu_free_upstream)
    strategy = ray.data.ActorPoolStrategy(min_size=concurrency[0], max_size=concurrency[1]) \
        if isinstance(concurrency, tuple) else ray.data.ActorPoolStrategy(size=concurrency)
    return data.map_batches(
        Annotator, batch_size=batch_size, batch_format="pyarrow", compute=strategy,
        fn_constructor_kwargs={"model": None if model is None else os.fspath(model), "method": method,
                               "count": count, "text_column": text_column, "title_column": title_column,
                               "threads": threads},
        num_cpus=num_cpus, num_gpus=num_gpus or None)


def run_cli(paths: Sequence[str], out: str, *, model: str | None, method: str | None, count: int | str,
            address: str | None, concurrency: int | None, batch_size: int) -> int:
    """``pemilu-nlp run --engine ray INPUT... --out DIR``: Parquet files in DIR; rows with an error
    are counted on stderr and give exit code 1 (as unreadable inputs do in the default engine)."""
    import sys

    ray = _ray()
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False) if address else \
            ray.init(include_dashboard=False, log_to_driver=False)
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True  # Parquet rows in input order
    import tempfile

    with tempfile.TemporaryDirectory(prefix="pemilu-nlp-ray-") as scratch:
        inputs, problems = checked_local_jsonl(paths, Path(scratch))
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        dataset = annotate(read_documents(inputs), model=model, method=method, count=count,
                           concurrency=concurrency, batch_size=batch_size)
        # writing is part of the same streaming pipeline: the writer tasks need no CPU of their own,
        # or they would wait for the CPUs the actors hold
        dataset.write_parquet(out, ray_remote_args={"num_cpus": 0}, concurrency=READ_CONCURRENCY)
    import pyarrow.dataset as pads

    table = pads.dataset(out, format="parquet").to_table(columns=["error"])
    rows, bad = table.num_rows, rows_with_errors(table)
    print(f"wrote {rows} rows to {out}", file=sys.stderr)
    if bad:
        print(f"{bad} row(s) could not be processed (see the 'error' column)", file=sys.stderr)
    if problems:
        print(f"{len(problems)} input line(s) could not be read", file=sys.stderr)
    return 1 if bad or problems else 0


def checked_local_jsonl(paths: Sequence[str], scratch: Path) -> tuple[list[str], list[str]]:
    """Local JSONL inputs read line by line as the default engine reads them: a line that is not
    usable JSON (invalid, an integer over 4,300 digits, nesting too deep) is reported by file:line
    and left out, lone surrogates are repaired to U+FFFD; a file with such lines is replaced by a
    clean copy in ``scratch`` (Ray's JSON reader would fail the whole job on one bad line).
    Other paths (Parquet, folders, remote URLs) pass through unchanged."""
    import gzip
    import json

    from ..io.jsonl import BadLine, parse_line

    out, problems = [], []
    for number, raw in enumerate(paths):
        path = Path(raw)
        if "://" in raw or not path.is_file() or not path.name.lower().endswith((".jsonl", ".jsonl.gz")):
            out.append(raw)
            continue
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        clean = scratch / f"{number}-{path.name.removesuffix('.gz')}"
        bad_here, repaired = 0, 0
        with opener(path, "rb") as lines, open(clean, "w", encoding="utf-8") as sink:
            for line_no, raw_line in enumerate(lines, 1):
                try:
                    line = raw_line.decode("utf-8")
                    if not line.strip():
                        continue
                    record, fixed = parse_line(line, surrogates="replace")
                    if not isinstance(record, dict):
                        raise BadLine("a JSONL line must be an object with 'text'")
                except (BadLine, UnicodeDecodeError) as err:
                    why = "not UTF-8 text" if isinstance(err, UnicodeDecodeError) else str(err)
                    problems.append(f"{path}:{line_no}: {why}")
                    bad_here += 1
                    continue
                repaired += fixed
                sink.write((line if not fixed else json.dumps(record, ensure_ascii=False)).rstrip("\n") + "\n")
        out.append(str(clean) if bad_here or repaired else raw)
    return out, problems


def rows_with_errors(table) -> int:
    """Rows of an Arrow table whose ``error`` is set."""
    return int(table.num_rows - table.column("error").null_count)
