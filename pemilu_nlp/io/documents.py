"""Reading documents for the command line: .txt files, JSONL corpora, or folders of them.

A file, folder or line that cannot be read is reported and counted, never silently skipped, and
the rest is still processed; the caller turns the failures into a non-zero exit code.  JSONL is
read line by line (gzip decompressed as a stream), so a corpus of any size costs the memory of
one line, and a bad line costs that line only.
"""
from __future__ import annotations

import gzip
import os
import stat
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..inputs import is_blank, with_title
from .jsonl import BadLine, parse_line

__all__ = ["Document", "ReadFailure", "iter_documents", "walk_folder"]


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    title: str = ""
    source: str = ""
    #: what was repaired on reading (e.g. lone surrogates replaced), for a warning; "" if nothing
    note: str = ""
    url: str = ""
    #: the record's own date and outlet (JSONL fields ``date`` and ``source``), as written there
    date: str = ""
    outlet: str = ""

    @property
    def model_text(self) -> str:
        """What a classifier reads: the title (when there is one) on the line before the text."""
        return with_title(self.text, self.title)


@dataclass(frozen=True)
class ReadFailure:
    path: str
    reason: str


_SUFFIXES = (".txt", ".jsonl", ".jsonl.gz")


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    return next((s for s in _SUFFIXES if name.endswith(s)), None)


def _os_reason(err: OSError) -> str:
    return err.strerror or str(err)


def walk_folder(folder: Path) -> Iterator[Path | ReadFailure]:
    """Every .txt/.jsonl/.jsonl.gz file under ``folder``, sorted by path; a subfolder that cannot be
    read, a symbolic link that loops back to an enclosing folder, and a link that cannot be
    resolved are yielded as :class:`ReadFailure` in their place.  Linked folders are followed."""
    def walk(path: Path, ancestors: frozenset[tuple[int, int]]) -> Iterator[Path | ReadFailure]:
        try:
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as err:
            yield ReadFailure(str(path), f"cannot read folder ({_os_reason(err)})")
            return
        for entry in entries:
            child = Path(entry.path)
            try:
                is_dir = entry.is_dir()  # follows links
                st = entry.stat() if is_dir else None
            except OSError as err:
                yield ReadFailure(str(child), f"cannot follow symbolic link ({_os_reason(err)})")
                continue
            if is_dir:
                key = (st.st_dev, st.st_ino)
                if key in ancestors:
                    yield ReadFailure(str(child), "symbolic link loop (points to an enclosing folder)")
                    continue
                yield from walk(child, ancestors | {key})
            elif _kind(child):
                if entry.is_symlink() and not child.exists():
                    yield ReadFailure(str(child), "broken symbolic link")
                else:
                    yield child

    try:
        st = folder.stat()
    except OSError as err:
        yield ReadFailure(str(folder), f"cannot read folder ({_os_reason(err)})")
        return
    yield from walk(folder, frozenset({(st.st_dev, st.st_ino)}))


def _expand(paths: Iterable[str | Path]) -> Iterator[tuple[Path, str] | ReadFailure]:
    """``(file, id stem)`` of every input file; a file in a folder is named by its path inside it,
    so that ``a/x.txt`` and ``b/x.txt`` keep distinct ids."""
    for path in map(Path, paths):
        if path.is_dir():
            found = False
            for item in walk_folder(path):
                if isinstance(item, ReadFailure):
                    yield item
                    continue
                found = True
                yield item, item.relative_to(path).as_posix()[:-len(_kind(item))]
            if not found:
                yield ReadFailure(str(path), "folder holds no .txt, .jsonl or .jsonl.gz file")
        elif path.is_file() and path.name.lower().endswith((".json", ".json.gz")):
            # read as plain text it would be one nonsense "article"; JSONL is told by its name
            yield ReadFailure(str(path), "a .json file: records are read from JSONL files named .jsonl or "
                                         ".jsonl.gz (one {'id', 'title', 'text'} object a line); rename it if "
                                         "it is JSONL")
        elif path.is_file():
            yield path, path.name[:-len(_kind(path))] if _kind(path) else path.stem
        elif path.exists():  # a pipe (a FIFO, /dev/stdin, process substitution) or a device
            yield _special(path)
        elif path.is_symlink():
            yield ReadFailure(str(path), "broken symbolic link or symbolic link loop")
        else:
            yield ReadFailure(str(path), "no such file or folder")


def _special(path: Path) -> tuple[Path, str] | ReadFailure:
    """A pipe is read as a file (JSONL when its name says so, else text); a device or socket is
    refused with what it is."""
    try:
        mode = path.stat().st_mode
    except OSError as err:
        return ReadFailure(str(path), f"cannot read ({_os_reason(err)})")
    if stat.S_ISFIFO(mode):
        return path, path.name[:-len(_kind(path))] if _kind(path) else path.stem
    what = ("a terminal or other character device" if stat.S_ISCHR(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a block device" if stat.S_ISBLK(mode) else "not a regular file")
    return ReadFailure(str(path), f"{what}, not a file or folder; pipe text in instead "
                                  "(e.g. `cat article.txt | pemilu-nlp run /dev/stdin`)")


def _decode(data: bytes, where: str) -> str | ReadFailure:
    if b"\x00" in data:
        return ReadFailure(where, "binary data (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return ReadFailure(where, f"not valid UTF-8 (byte {err.start}: {data[err.start:err.start + 1]!r}); "
                                  "re-save the file as UTF-8")


def _read_txt(item: Path, stem: str) -> Document | ReadFailure:
    try:
        data = item.read_bytes()
        if item.name.lower().endswith(".gz"):
            data = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as err:
        return ReadFailure(str(item), _os_reason(err) if isinstance(err, OSError) else str(err))
    text = _decode(data, str(item))
    if isinstance(text, ReadFailure):
        return text
    if is_blank(text):
        return ReadFailure(str(item), "empty file (no visible text)")
    return Document(stem, text, "", str(item))


def _jsonl_lines(item: Path) -> Iterator[bytes]:
    opener = gzip.open if item.name.lower().endswith(".gz") else open
    with opener(item, "rb") as fh:
        yield from fh


def _record(line: bytes, where: str) -> Document | ReadFailure:
    text = _decode(line.rstrip(b"\r\n"), where)
    if isinstance(text, ReadFailure):
        return ReadFailure(where, text.reason.replace("re-save the file", "re-save the line"))
    try:
        record, repaired = parse_line(text, surrogates="replace")
    except BadLine as err:
        return ReadFailure(where, str(err))
    if not isinstance(record, dict) or not isinstance(record.get("text"), str) or is_blank(record["text"]):
        return ReadFailure(where, "a JSONL line needs a non-empty string field 'text'")
    record_id = record.get("id")
    note = f"{repaired} lone surrogate(s) replaced by U+FFFD" if repaired else ""
    return Document(where if record_id in (None, "") else str(record_id), record["text"],
                    str(record.get("title") or ""), where, note, str(record.get("url") or ""),
                    str(record.get("date") or ""), str(record.get("source") or ""))


def _read_jsonl(item: Path) -> Iterator[Document | ReadFailure]:
    seen = False
    line_no = 0
    try:
        for line_no, line in enumerate(_jsonl_lines(item), 1):
            if line_no == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")
            if not line.strip():
                continue
            seen = True
            yield _record(line, f"{item}:{line_no}")
    except (OSError, EOFError, zlib.error) as err:
        kind = "gzip file" if item.name.lower().endswith(".gz") else "file"
        where = f"{item}:{line_no + 1}" if line_no else str(item)
        yield ReadFailure(where, f"not a readable {kind} ({_os_reason(err) if isinstance(err, OSError) else err})")
        return
    if not seen:
        yield ReadFailure(str(item), "no records (empty file)")


def iter_documents(paths: Iterable[str | Path]) -> Iterator[Document | ReadFailure]:
    """Documents in the order given (folders sorted by path); failures in place of what failed.

    Lazy: JSONL files are read a line at a time, so the caller decides how much is in memory.
    """
    for entry in _expand(paths):
        if isinstance(entry, ReadFailure):
            yield entry
        elif _kind(entry[0]) in (".jsonl", ".jsonl.gz"):
            yield from _read_jsonl(entry[0])
        else:
            yield _read_txt(*entry)
