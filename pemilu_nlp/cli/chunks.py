"""Documents in, results out, a chunk at a time: what ``run``, ``classify`` and ``summarize`` share.

Each command reads, processes and writes a chunk of documents at a time, so memory stays flat in
the number of documents; a document that cannot be read or processed is reported with its id and
the rest go on.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from ..errors import describe_error

if TYPE_CHECKING:
    from ..io.documents import Document
    from ..scale.worker import ChunkWorker



#: documents per chunk: each command reads, processes and writes this many at a time, so memory
#: stays flat in the number of documents and the first results appear at once
CHUNK_DOCS = 256


#: ... or fewer, once a chunk holds this many characters of text (long articles)
CHUNK_CHARS = 4_000_000


# characters that move the cursor, recolour or reorder a terminal's text, or break one-line output:
# C0/C1 controls (ESC starts ANSI sequences), line/paragraph separators, bidirectional overrides,
# and lone surrogates (which cannot be encoded)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


# the same, less what json.dumps escapes itself (C0 controls)
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: str) -> str:
    """``text`` safe for a terminal and for one-line-per-document output: control characters,
    line separators and bidirectional overrides as visible escapes (``\\x1b``, ``\\x0a``, ``\\u202e``)."""
    return text if text.isprintable() else _UNSAFE.sub(_escape, text)


def as_json_line(record: dict) -> str:
    """One JSON object on one line; characters JSON may carry raw but a terminal would act on are
    written as ``\\uXXXX`` escapes (still the same JSON value)."""
    line = json.dumps(record, ensure_ascii=False)
    return line if line.isascii() else _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", line)


class Failures:
    """Counts what could not be read or processed, and reports each on stderr as it happens."""

    def __init__(self) -> None:
        self.count = 0

    def report(self, where: str, reason: str) -> None:
        self.count += 1
        print(f"error: {shown(where)}: {shown(reason)}", file=sys.stderr, flush=True)

    def warn(self, where: str, what: str) -> None:
        print(f"warning: {shown(where)}: {shown(what)}", file=sys.stderr, flush=True)

    def exit_code(self) -> int:
        if self.count:
            print(f"{self.count} input(s) could not be read or processed", file=sys.stderr)
            return 1
        return 0


def read_chunks(paths: Sequence[str], failures: Failures, *, max_docs: int | None = None,
                max_chars: int | None = None) -> Iterator[list[Document]]:
    """The documents of ``paths`` in order, in chunks of at most ``max_docs`` documents (or about
    ``max_chars`` characters; defaults :data:`CHUNK_DOCS`, :data:`CHUNK_CHARS`); what cannot be
    read is reported to ``failures`` as it is met."""
    from ..io.documents import ReadFailure, iter_documents

    max_docs = max_docs or CHUNK_DOCS
    max_chars = max_chars or CHUNK_CHARS

    chunk: list[Document] = []
    size = 0
    for item in iter_documents(paths):
        if isinstance(item, ReadFailure):
            failures.report(item.path, item.reason)
            continue
        if item.note:
            failures.warn(item.source, item.note)
        chunk.append(item)
        size += len(item.text)
        if len(chunk) >= max_docs or size >= max_chars:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def write_results(lines: Iterable[str]) -> None:
    """Write the output of one chunk (one string per document, newline added) and flush, so a
    reader downstream sees each chunk as soon as it is done."""
    out = sys.stdout
    for line in lines:
        try:
            out.write(line + "\n")
        except UnicodeEncodeError:  # a terminal in a legacy encoding: escape what it cannot show
            encoding = out.encoding or "utf-8"
            out.write(line.encode(encoding, "backslashreplace").decode(encoding) + "\n")
    out.flush()


def _classify_chunk(worker: ChunkWorker, docs: list[Document], failures: Failures) -> list[tuple[Document, list[str], dict]]:
    """``(document, topics, probabilities)`` of each document that could be classified; a document
    that could not is reported (the worker retries a failed chunk one document at a time)."""
    out = []
    for doc, result in zip(docs, worker.classify_each([d.text for d in docs], [d.title or None for d in docs])):
        if isinstance(result, Exception):
            failures.report(doc.id, f"cannot classify ({describe_error(result)})")
        else:
            out.append((doc, *result))
    return out


def _summarize_one(worker: ChunkWorker, doc: Document, failures: Failures):
    summary = worker.summarize_or_error(doc.text, doc.title or None)
    if isinstance(summary, Exception):
        failures.report(doc.id, f"cannot summarise ({describe_error(summary)})")
        return None
    return summary


#: IndoBERT runtime options that ``classify`` and ``run`` take: ``load()`` keyword -> flag
RUNTIME_FLAGS = {"max_length": "--max-length", "batch_size": "--batch-size", "precision": "--precision",
                 "device": "--device"}


def classifier_options(args: argparse.Namespace) -> dict:
    """The IndoBERT runtime options given on the command line (``load()`` keywords), refused
    before any work where they do not apply (a TF-IDF model, worker processes, Ray)."""
    options = {key: getattr(args, key) for key in RUNTIME_FLAGS if getattr(args, key, None) is not None}
    if getattr(args, "engine", "local") == "ray":
        options.pop("batch_size", None)  # with --engine ray: rows per model call
    if not options:
        return {}
    flags = ", ".join(RUNTIME_FLAGS[key] for key in options)
    if getattr(args, "engine", "local") == "ray" or getattr(args, "jobs", 1) != 1:
        raise ValueError(f"{flags}: IndoBERT runtime options apply in this process only (not with --jobs or "
                         "--engine ray)")
    from ..registry import model_format

    try:
        fmt = model_format(args.model) if args.model else "pemilu_nlp.tfidf"
    except (OSError, ValueError, AttributeError, RecursionError):
        return options  # loading the folder reports what is wrong with it
    if fmt != "pemilu_nlp.indobert":
        raise ValueError(f"{flags} apply to IndoBERT model folders; {args.model or 'the shipped model'} is a "
                         f"{'TF-IDF' if fmt == 'pemilu_nlp.tfidf' else repr(fmt)} model")
    return options


def _summarizer(args: argparse.Namespace):
    from ..scale.worker import make_summarizer

    if args.method in ("embedding", "encoder") and not args.encoder:
        what = ("a hub id on a connected machine or a local save_pretrained folder" if args.method == "embedding"
                else "the folder made by `pemilu-nlp train-summarizer --method encoder`")
        raise ValueError(f"--method {args.method} needs --encoder MODEL ({what})")
    return make_summarizer(args.method, args.encoder)


def summary_json(summary) -> list[dict]:
    return [{"index": s.index, "text": s.text, "score": round(s.score, 6)} for s in summary]


def _local_chunks(args: argparse.Namespace, failures: Failures, *, classify: bool, summarize: bool):
    from ..registry import load_or_default
    from ..scale.worker import ChunkWorker

    worker = ChunkWorker(summarizer=_summarizer(args) if summarize else None, count=args.count if summarize else 3)
    options = classifier_options(args) if classify else {}
    for chunk in read_chunks(args.paths, failures):
        if classify and worker.classifier is None:  # loaded once, when the first chunk is read
            worker.classifier = load_or_default(args.model, **options)
        classified = _classify_chunk(worker, chunk, failures) if classify else [(d, None, None) for d in chunk]
        out = []
        for doc, topics, proba in classified:
            summary = _summarize_one(worker, doc, failures) if summarize else None
            if summary is not None or not summarize:
                out.append((doc, topics, proba, summary))
        yield out


def _parallel_chunks(args: argparse.Namespace, failures: Failures, *, classify: bool, summarize: bool):
    """As :func:`_local_chunks`, with the work in ``--jobs`` worker processes: documents stream
    through in input order, and a document that fails is reported by the worker, not raised."""
    from collections import deque
    from itertools import repeat

    from ..scale.parallel import Work, iter_chunks

    task = "analyze" if classify and summarize else "classify" if classify else "summarize"
    work = Work(task, model=getattr(args, "model", None), method=getattr(args, "method", "textrank"),
                count=getattr(args, "count", 3), encoder=getattr(args, "encoder", None), isolate=True)
    in_flight: deque = deque()
    titles: deque = deque()

    def texts():
        for chunk in read_chunks(args.paths, failures):
            for doc in chunk:
                in_flight.append(doc)
                titles.append(doc.title or None)
                yield doc.text

    for results in iter_chunks(work, texts(), titles=(titles.popleft() for _ in repeat(None)),
                               jobs=args.jobs, chunk_size=args.chunk_size):
        out = []
        for outcome in results:
            doc = in_flight.popleft()
            if outcome.error is not None:
                failures.report(doc.id, outcome.error)
            else:
                out.append((doc, outcome.topics, outcome.probabilities, outcome.summary))
        yield out


def processed_chunks(args: argparse.Namespace, failures: Failures, *, classify: bool, summarize: bool):
    """For each chunk of documents read: ``(document, topics, probabilities, summary)`` of each
    document that could be processed (``None`` for what was not asked), in input order; a document
    that fails is reported to ``failures`` with its id and the rest go on."""
    if classify:
        classifier_options(args)  # a misplaced option is a usage error, found before any work
    chunks = _parallel_chunks if getattr(args, "jobs", 1) != 1 else _local_chunks
    return chunks(args, failures, classify=classify, summarize=summarize)


def write_processed(args: argparse.Namespace, line, *, classify: bool, summarize: bool) -> int:
    """Process the inputs chunk by chunk and write one result per document that could be
    processed (``line`` formats it); the exit code says whether any input failed."""
    failures = Failures()
    for chunk in processed_chunks(args, failures, classify=classify, summarize=summarize):
        write_results([line(*item) for item in chunk])
    return failures.exit_code()
