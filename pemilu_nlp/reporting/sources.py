"""Where a report's records come from: the JSONL that ``pemilu-nlp run --json`` wrote, or articles
(.txt, JSONL, folders) that are classified and summarised here.

A JSONL file is run output when its first record has ``topics`` and ``probabilities`` and no
``text``; anything else is read as articles by the one document reader.  A line or file that
cannot be used is reported (:class:`~pemilu_nlp.documents.ReadFailure`) in its place, never
skipped silently.
"""
from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import describe_error
from ..io.documents import Document, ReadFailure, iter_documents
from ..io.jsonl import BadLine, parse_line
from .data import Entry, article_meta, headline

__all__ = ["is_run_output", "read_run_output", "run_articles"]

CHUNK_DOCS = 256


def _open_lines(path: Path) -> Iterator[bytes]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as fh:
        yield from fh


def is_run_output(path: str | Path) -> bool:
    """Whether ``path`` is a JSONL file of run records (its first record has topics and
    probabilities, and no text)."""
    path = Path(path)
    if not path.is_file() or not path.name.lower().endswith((".jsonl", ".jsonl.gz")):
        return False
    try:
        for line in _open_lines(path):
            if line.strip():
                record, _ = parse_line(line.decode("utf-8-sig"), surrogates="replace")
                return isinstance(record, dict) and "topics" in record and "probabilities" in record \
                    and "text" not in record
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, BadLine):
        return False  # the document reader reports what is wrong with it
    return False


def _text(record: dict, key: str) -> str:
    value = record.get(key)
    return value if isinstance(value, str) else ""


def _summary(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise ValueError("'summary' must be a list of sentences")
    return [s["text"] if isinstance(s, dict) else s for s in value
            if isinstance(s, str) or (isinstance(s, dict) and isinstance(s.get("text"), str))]


def _run_entry(record: Any, index: int) -> tuple[Entry, str]:
    """One run record as an :class:`Entry`, and the model it names; ``ValueError`` says what is
    missing or of the wrong type."""
    if not isinstance(record, dict):
        raise ValueError("a run record is a JSON object")
    topics, proba = record.get("topics"), record.get("probabilities")
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise ValueError("'topics' must be a list of topic names")
    if not isinstance(proba, dict) or not all(isinstance(p, int | float) and not isinstance(p, bool)
                                              for p in proba.values()):
        raise ValueError("'probabilities' must map topics to numbers")
    meta = article_meta(_text(record, "date"), _text(record, "source") or _text(record, "outlet"),
                        _text(record, "url"), "")
    entry = Entry(index, str(record.get("id", "")), _text(record, "title"), _text(record, "url"), meta.date,
                  meta.outlet, topics, {str(k): float(v) for k, v in proba.items()},
                  _summary(record.get("summary", [])))
    return entry, _text(record, "model")


def read_run_output(path: str | Path, start: int = 0) -> Iterator[tuple[Entry, str] | ReadFailure]:
    """``(entry, model)`` for each record of a run JSONL file, numbered from ``start``; a bad line
    is a :class:`ReadFailure` naming file:line."""
    index = start
    line_no = 0
    try:
        for line_no, raw in enumerate(_open_lines(Path(path)), 1):
            if not raw.strip():
                continue
            where = f"{path}:{line_no}"
            try:
                record, _ = parse_line(raw.decode("utf-8-sig"), surrogates="replace")
                yield _run_entry(record, index)
                index += 1
            except UnicodeDecodeError:
                yield ReadFailure(where, "not valid UTF-8")
            except (BadLine, ValueError) as err:
                yield ReadFailure(where, f"not a run record: {err}")
    except (OSError, EOFError, zlib.error) as err:
        yield ReadFailure(f"{path}:{line_no + 1}", f"cannot read ({describe_error(err)})")


def _chunks(paths: Sequence[str | Path]) -> Iterator[list[Document] | ReadFailure]:
    chunk: list[Document] = []
    for item in iter_documents(paths):
        if isinstance(item, ReadFailure):
            yield item
            continue
        chunk.append(item)
        if len(chunk) >= CHUNK_DOCS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_articles(paths: Iterable[str | Path], model: Any, summarizer: Any, count: int | str = 3,
                 start: int = 0) -> Iterator[Entry | ReadFailure]:
    """Classify and summarise the articles in ``paths`` (as ``pemilu-nlp run`` does, through the one
    :class:`~pemilu_nlp.scale.worker.ChunkWorker`), in order; each :class:`Entry` keeps its text so
    that the shown ones can be explained."""
    from ..scale.worker import ChunkWorker

    worker = ChunkWorker(model, summarizer, count)
    index = start
    for chunk in _chunks(list(paths)):
        if isinstance(chunk, ReadFailure):
            yield chunk
            continue
        for doc, result in zip(chunk, worker.classify_each([d.text for d in chunk], [d.title or None for d in chunk])):
            summary = result if isinstance(result, Exception) else worker.summarize_or_error(doc.text, doc.title or None)
            if isinstance(summary, Exception):
                what = "classify" if summary is result else "summarise"
                yield ReadFailure(doc.id, f"cannot {what} ({describe_error(summary)})")
                continue
            meta = article_meta(doc.date, doc.outlet, doc.url, doc.text)
            yield Entry(index, doc.id, headline(doc.title, doc.text), doc.url, meta.date, meta.outlet, *result,
                        [s.text for s in summary], text=doc.model_text)
            index += 1
