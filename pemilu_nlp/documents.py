"""Reading documents for the command line: .txt files, JSONL corpora, or folders of them.

A file that cannot be read is reported and counted, never silently skipped, and the other files
are still processed; the caller turns the failures into a non-zero exit code.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import TextEncodingError
from .inputs import is_blank
from .text import read_text

__all__ = ["Document", "ReadFailure", "iter_documents"]


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    title: str = ""
    source: str = ""


@dataclass(frozen=True)
class ReadFailure:
    path: str
    reason: str


def _expand(paths: Iterable[str | Path]) -> Iterator[Path | ReadFailure]:
    for path in map(Path, paths):
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".txt", ".jsonl") and p.is_file())
            if not files:
                yield ReadFailure(str(path), "folder holds no .txt or .jsonl file")
            yield from files
        elif path.is_file():
            yield path
        else:
            yield ReadFailure(str(path), "no such file or folder")


def iter_documents(paths: Iterable[str | Path]) -> Iterator[Document | ReadFailure]:
    """Documents in the order given (folders sorted by name); failures in place of what failed."""
    for item in _expand(paths):
        if isinstance(item, ReadFailure):
            yield item
            continue
        try:
            text = read_text(item)
        except (OSError, TextEncodingError) as err:
            yield ReadFailure(str(item), str(err).removeprefix(f"{item}: "))
            continue
        if item.suffix.lower() == ".jsonl":
            for line_no, line in enumerate(text.split("\n"), 1):
                if not line.strip():
                    continue
                where = f"{item}:{line_no}"
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as err:
                    yield ReadFailure(where, f"invalid JSON ({err.msg})")
                    continue
                if not isinstance(record, dict) or not isinstance(record.get("text"), str) or is_blank(record["text"]):
                    yield ReadFailure(where, "a JSONL line needs a non-empty string field 'text'")
                    continue
                yield Document(str(record.get("id", where)), record["text"], str(record.get("title") or ""), where)
        elif is_blank(text):
            yield ReadFailure(str(item), "empty file (no visible text)")
        else:
            yield Document(item.stem, text, "", str(item))
