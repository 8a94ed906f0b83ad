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


_SUFFIXES = (".txt", ".jsonl", ".jsonl.gz")


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    return next((s for s in _SUFFIXES if name.endswith(s)), None)


def _expand(paths: Iterable[str | Path]) -> Iterator[tuple[Path, str] | ReadFailure]:
    """``(file, id stem)`` of every input file; a file in a folder is named by its path inside it,
    so that ``a/x.txt`` and ``b/x.txt`` keep distinct ids."""
    for path in map(Path, paths):
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if _kind(p) and p.is_file())
            if not files:
                yield ReadFailure(str(path), "folder holds no .txt, .jsonl or .jsonl.gz file")
            for file in files:
                yield file, file.relative_to(path).as_posix()[:-len(_kind(file))]
        elif path.is_file():
            yield path, path.name[:-len(_kind(path))] if _kind(path) else path.stem
        else:
            yield ReadFailure(str(path), "no such file or folder")


def iter_documents(paths: Iterable[str | Path]) -> Iterator[Document | ReadFailure]:
    """Documents in the order given (folders sorted by name); failures in place of what failed."""
    for entry in _expand(paths):
        if isinstance(entry, ReadFailure):
            yield entry
            continue
        item, stem = entry
        try:
            text = read_text(item)
        except (OSError, EOFError, TextEncodingError) as err:
            yield ReadFailure(str(item), str(err).removeprefix(f"{item}: "))
            continue
        if _kind(item) in (".jsonl", ".jsonl.gz"):
            if is_blank(text):
                yield ReadFailure(str(item), "no records (empty file)")
                continue
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
                record_id = record.get("id")
                yield Document(where if record_id in (None, "") else str(record_id), record["text"],
                               str(record.get("title") or ""), where)
        elif is_blank(text):
            yield ReadFailure(str(item), "empty file (no visible text)")
        else:
            yield Document(stem, text, "", str(item))
