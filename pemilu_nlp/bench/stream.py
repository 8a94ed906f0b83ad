"""Stream suite: the command line (``classify --json``) as a separate process on many short
documents, read as its output comes: memory should not grow with the number of documents, and the
first output should come within seconds."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from argparse import Namespace
from pathlib import Path

import numpy as np

from .core import Measurement

__all__ = ["bench_stream", "measure_stream", "write_short_docs"]


def write_short_docs(path: Path, n_docs: int, corpus: str | Path | None, *, seed: int = 0) -> Path:
    """``n_docs`` short JSONL documents (one or two real corpus sentences each), written as a stream."""
    from ..io.corpus import load_corpus
    from ..text.cleaning import split_sentences
    from .data import corpus_path

    sentences = [s for a in load_corpus(corpus_path(corpus))[:300]
                 for s in split_sentences(a.text) if len(s) > 30][:5000]
    rng = np.random.default_rng(seed)
    with open(path, "w", encoding="utf-8") as fh:
        for start in range(0, n_docs, 10_000):
            picks = rng.integers(0, len(sentences), size=(min(10_000, n_docs - start), 2))
            fh.write("".join(json.dumps({"id": f"d{start + i}", "text": sentences[a] + " " + sentences[b]},
                                        ensure_ascii=False) + "\n" for i, (a, b) in enumerate(picks)))
    return path


def measure_stream(path: Path, n_docs: int, command: str = "classify") -> Measurement:
    """Run ``python -m pemilu_nlp COMMAND --json FILE`` as a separate process, read its output as it
    comes: seconds to the first output line, total seconds, and the process's peak RSS."""
    import psutil

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[2]),
                                                         os.environ.get("PYTHONPATH", "")])}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pemilu_nlp", command, "--json", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        child = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                peak[0] = max(peak[0], child.memory_info().rss)
            except psutil.Error:
                break
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    first = None
    lines = 0
    for _ in proc.stdout:
        if first is None:
            first = time.perf_counter() - start
        lines += 1
    proc.wait()
    done.set()
    sampler.join()
    total = time.perf_counter() - start
    if proc.returncode != 0 or lines != n_docs:
        raise RuntimeError(f"pemilu_nlp {command} exited {proc.returncode} after {lines} of {n_docs} documents")
    nan = float("nan")
    return Measurement(
        part="stream", variant=f"{command} --json, {n_docs:,} short JSONL docs", documents=n_docs,
        seconds=round(total, 2), docs_per_second=round(n_docs / total, 1), latency_doc_p50_ms=nan,
        latency_doc_p95_ms=nan, latency_batch_p50_ms=nan, latency_batch_p95_ms=nan,
        peak_rss_mb=round(peak[0] / 2**20, 1),
        settings={"first_output_seconds": round(first or nan, 2), "process": "separate, includes model load"},
        quality={"documents_out": lines, "first_output_s": round(first or nan, 2)})


def bench_stream(n_docs: int, corpus: str | Path | None, workdir: Path) -> list[Measurement]:
    """The CLI on ``n_docs // 10`` and ``n_docs`` short documents: memory should not grow with the
    number of documents, and the first output should come within seconds."""
    results = []
    for n in sorted({max(1, n_docs // 10), n_docs}):
        path = write_short_docs(workdir / f"stream-{n}.jsonl", n, corpus)
        try:
            results.append(measure_stream(path, n))
        finally:
            path.unlink(missing_ok=True)
    return results


def run(args: Namespace, articles: list[str], notes: list[str], extra: dict) -> list[Measurement]:
    """The suite as ``pemilu-nlp bench --parts stream`` runs it (documents written under --workdir)."""
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    return bench_stream(args.stream_docs, args.corpus, workdir)
