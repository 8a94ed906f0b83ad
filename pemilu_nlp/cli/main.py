"""Command line: ``pemilu-nlp COMMAND`` (also ``python -m pemilu_nlp``).

Thin on purpose: each command parses its arguments and calls the library function that does the
work, so that everything the CLI does is also one call away in Python.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..errors import DOCUMENT_ERRORS, PemiluNLPError, describe_error

if TYPE_CHECKING:
    from ..io.documents import Document


# ------------------------------------------------------------------------------------ reading and writing
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


# ------------------------------------------------------------------------------------ per-document work
def _classify_chunk(model, docs: list[Document], failures: Failures) -> list[tuple[Document, list[str], dict]]:
    """``(document, topics, probabilities)`` of each document that could be classified; when the
    chunk fails as a whole, each document is tried alone so that only the bad one is lost."""
    try:
        topics, probabilities = model.topics_and_probabilities([d.model_text for d in docs])
        return list(zip(docs, topics, probabilities))
    except DOCUMENT_ERRORS:
        if len(docs) == 1:
            raise
    out = []
    for doc in docs:
        try:
            out += _classify_chunk(model, [doc], failures)
        except DOCUMENT_ERRORS as err:
            failures.report(doc.id, f"cannot classify ({describe_error(err)})")
    return out


def _summarize_one(summarizer, doc: Document, count, failures: Failures):
    try:
        return summarizer(doc.text, count, title=doc.title or None)
    except DOCUMENT_ERRORS as err:
        failures.report(doc.id, f"cannot summarise ({describe_error(err)})")
        return None


#: IndoBERT runtime options that ``classify`` and ``run`` take: ``load()`` keyword -> flag
RUNTIME_FLAGS = {"max_length": "--max-length", "batch_size": "--batch-size", "precision": "--precision",
                 "device": "--device"}


def _classifier_options(args: argparse.Namespace) -> dict:
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
    try:
        fmt = json.loads((Path(args.model) / "config.json").read_text("utf-8")).get("format") if args.model \
            else "pemilu_nlp.tfidf"
    except (OSError, ValueError, AttributeError, RecursionError):
        return options  # loading the folder reports what is wrong with it
    if fmt != "pemilu_nlp.indobert":
        raise ValueError(f"{flags} apply to IndoBERT model folders; {args.model or 'the shipped model'} is a "
                         f"{'TF-IDF' if fmt == 'pemilu_nlp.tfidf' else repr(fmt)} model")
    return options


def _load_classifier(folder: str | None, options: dict | None = None):
    from ..registry import load, load_default

    return load(folder, **(options or {})) if folder else load_default()


def _summarizer(args: argparse.Namespace):
    from ..summarize import get_summarizer

    if args.method == "embedding":
        if not args.encoder:
            raise ValueError("--method embedding needs --encoder MODEL (a hub id on a connected machine or a "
                             "local save_pretrained folder)")
        return get_summarizer("embedding", model_name_or_path=args.encoder)
    return get_summarizer(args.method)


def _count(value: str) -> int | str:
    """``--count``, parsed once, before any work: a whole number of sentences or a share ("20%")."""
    from ..summarize.base import check_count

    try:
        return check_count(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _method(value: str) -> str:
    """``--method``: a registered summariser; an old name is translated, with a warning."""
    from ..registry import RENAMED_SUMMARIZERS, SUMMARIZERS

    if value in RENAMED_SUMMARIZERS:
        print(f"warning: --method {value} is now called {RENAMED_SUMMARIZERS[value]}", file=sys.stderr)
        return RENAMED_SUMMARIZERS[value]
    if value not in SUMMARIZERS:
        raise argparse.ArgumentTypeError(f"unknown summariser {value!r}; choose one of {', '.join(SUMMARIZERS)}")
    return value


def _methods(value: str) -> list[str]:
    return [_method(v.strip()) for v in value.split(",") if v.strip()]


def _summary_json(summary) -> list[dict]:
    return [{"index": s.index, "text": s.text, "score": round(s.score, 6)} for s in summary]


def _jobs(value: str) -> int:
    from ..scale.parallel import resolve_jobs

    try:
        return resolve_jobs(-1 if value in ("all", "auto") else int(value))
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"--jobs takes a number of processes >= 1, or all (every core), "
                                         f"got {value!r}") from None


def _local_chunks(args: argparse.Namespace, failures: Failures, *, classify: bool, summarize: bool):
    summarizer = _summarizer(args) if summarize else None
    options = _classifier_options(args) if classify else {}
    classifier = None
    for chunk in read_chunks(args.paths, failures):
        if classify and classifier is None:
            classifier = _load_classifier(args.model, options)
        classified = _classify_chunk(classifier, chunk, failures) if classify else [(d, None, None) for d in chunk]
        out = []
        for doc, topics, proba in classified:
            summary = _summarize_one(summarizer, doc, args.count, failures) if summarize else None
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
        _classifier_options(args)  # a misplaced option is a usage error, found before any work
    chunks = _parallel_chunks if getattr(args, "jobs", 1) != 1 else _local_chunks
    return chunks(args, failures, classify=classify, summarize=summarize)


def cmd_run(args: argparse.Namespace) -> int:
    _classifier_options(args)  # IndoBERT runtime flags where they cannot apply: an error before any work
    if args.engine == "ray":
        if not args.out:
            raise ValueError("--engine ray writes Parquet: give --out DIR")
        from ..scale.ray_engine import run_cli

        return run_cli(args.paths, args.out, model=args.model, method=args.method, count=args.count,
                       address=args.ray_address, concurrency=args.concurrency, batch_size=args.batch_size or 1000)
    def line(doc: Document, topics: list[str], proba: dict, summary) -> str:
        if args.json:
            return as_json_line({"id": doc.id, "method": args.method, "count": args.count, "topics": topics,
                                 "probabilities": proba, "summary": _summary_json(summary)})
        shown_topics = ", ".join(f"{t} ({proba[t]:.2f})" for t in topics) or "(no topic)"
        return (f"== {shown(doc.id)}\ntopics: {shown_topics}\nsummary:\n"
                + "".join(f"  [{s.index}] {shown(s.text)}\n" for s in summary))

    return _write_processed(args, line, classify=True, summarize=True)


def cmd_classify(args: argparse.Namespace) -> int:
    def line(doc: Document, topics: list[str], proba: dict, _summary) -> str:
        if args.json:
            return as_json_line({"id": doc.id, "topics": topics, "probabilities": proba})
        return f"{shown(doc.id)}\t" + (", ".join(f"{t}:{proba[t]:.2f}" for t in topics) or "(no topic)")

    return _write_processed(args, line, classify=True, summarize=False)


def cmd_summarize(args: argparse.Namespace) -> int:
    def line(doc: Document, _topics, _proba, summary) -> str:
        if args.json:
            return as_json_line({"id": doc.id, "method": args.method, "summary": _summary_json(summary)})
        return f"== {shown(doc.id)}\n" + "\n".join(f"  [{s.index}] {shown(s.text)}" for s in summary)

    return _write_processed(args, line, classify=False, summarize=True)


def _write_processed(args: argparse.Namespace, line, *, classify: bool, summarize: bool) -> int:
    """Process the inputs chunk by chunk and write one result per document that could be
    processed (``line`` formats it); the exit code says whether any input failed."""
    failures = Failures()
    for chunk in processed_chunks(args, failures, classify=classify, summarize=summarize):
        write_results([line(*item) for item in chunk])
    return failures.exit_code()


def _print_warnings(caught: list) -> None:
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)


def cmd_train(args: argparse.Namespace) -> int:
    import warnings

    from ..learn.training import TrainingWarning, cross_validate, train_model

    params = json.loads(args.params) if args.params else {}
    if args.model == "indobert":
        params.setdefault("model_name_or_path", args.base)
        for key in ("epochs", "batch_size", "max_length", "learning_rate", "device"):
            value = getattr(args, key)
            if value is not None:
                params[key] = value
        params.setdefault("seed", args.seed)
    else:
        params.setdefault("random_state", args.seed)
    if args.cv:
        if args.unlabelled:
            raise ValueError("train --cv learns each fold's vocabulary from its training texts only; "
                             "--unlabelled is for train and for evaluate --cv")
        if args.thresholds:
            params["thresholds"] = args.thresholds
        result = cross_validate(args.model, args.data, folds=args.cv, seed=args.seed, params=params,
                                schema=args.schema)
        print(json.dumps(result, indent=1))
        if args.report:
            Path(args.report).write_text(json.dumps(result, indent=1) + "\n", "utf-8")
        return 0
    thresholds = args.thresholds  # None: the model kind's default (oof for TF-IDF, dev for IndoBERT)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TrainingWarning)
        try:
            train_model(args.model, args.data, args.out, split=args.split, schema=args.schema,
                        report=args.report, params=params, thresholds=thresholds, unlabelled=args.unlabelled)
        finally:
            _print_warnings(caught)
    if args.out:
        print(f"saved to {args.out}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    if args.cv:
        return _evaluate_cv(args)
    if not args.models:
        raise SystemExit("pemilu-nlp evaluate: give model folders, or --cv K for cross-validation")
    from ..classify.metrics import format_report
    from ..io.corpus import load_corpus, load_split, split_corpus
    from ..learn.training import default_split_path, evaluate_model
    from ..registry import load

    models = [(folder, load(folder)) for folder in args.models]
    schema = getattr(models[0][1], "schema_", None)  # the models' own topics, not the package's
    for folder, model in models[1:]:
        if list(model.classes_) != list(models[0][1].classes_):
            raise ValueError(f"{folder}: its topics differ from {args.models[0]}'s; evaluate them separately")
    articles = load_corpus(args.data, schema=schema)
    split = args.split or default_split_path(args.data)
    if not args.split and not Path(split).is_file() and (Path(args.models[0]) / "split.json").is_file():
        split = Path(args.models[0]) / "split.json"  # the split train made for this corpus
    part = split_corpus(articles, load_split(split))[args.part]
    for folder, _ in models:
        _warn_if_trained_on(folder, part, args.part)
    reports = [(folder, evaluate_model(model, part)) for folder, model in models]
    if args.json:
        print(json.dumps([{"model": f, **r} for f, r in reports], indent=1))
        return 0
    for folder, report in reports:
        print(format_report(report, title=f"== {folder} on the {args.part} split"))
        print()
    if len(reports) > 1:
        topics = list(reports[0][1]["per_topic"])
        print(f"{'F1':<24}" + "".join(f"{Path(f).name[:18]:>20}" for f, _ in reports))
        for key in ("micro_f1", "macro_f1"):
            print(f"{key:<24}" + "".join(f"{r[key]:>20.3f}" for _, r in reports))
        for topic in topics:
            print(f"{topic:<24}" + "".join(f"{r['per_topic'][topic]['f1']:>20.3f}" for _, r in reports))
    return 0


def _warn_if_trained_on(folder: str, part: list, part_name: str) -> None:
    """Say so when a model whose own split (``split.json`` that ``train`` wrote into its folder)
    put some of the evaluated articles in its train or dev part: its scores would be inflated."""
    from ..io.corpus import load_split

    own = Path(folder) / "split.json"
    if not own.is_file():
        return
    seen = set(load_split(own)["train"]) | set(load_split(own)["dev"])
    overlap = sum(article.id in seen for article in part)
    if overlap:
        print(f"warning: {folder} learned from {overlap} of these {len(part)} {part_name} articles (its own "
              f"split.json differs from the split used here); its scores are inflated", file=sys.stderr)


def _evaluate_cv(args: argparse.Namespace) -> int:
    from ..learn.evaluation import evaluate_cv, format_cv_table

    result = evaluate_cv(args.data, recipes=[r for r in args.recipes.split(",") if r], unlabelled=args.unlabelled,
                         n_splits=args.cv, n_repeats=args.repeats, seed=args.seed, progress=True)
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    title = f"== {args.data}: {args.cv}-fold CV x {args.repeats}"
    if result["training_only_articles"]:
        title += (f"\n{result['training_only_articles']} articles chosen for reading by a model's scores are "
                  f"trained on in every fold and never scored")
    print(json.dumps(result, indent=1) if args.json else format_cv_table(result["recipes"], title=title))
    return 0


def _indosum_parts(args: argparse.Namespace, *parts: str) -> list[list]:
    """The IndoSum articles (``--indosum``) of each of ``parts`` of the split ``--indosum-split``
    (default: the project's; 'none': every article in every part).  A split file that does not
    exist yet is made (seed 2018, 70/15/15) and written, and the command says so."""
    from ..io.indosum import (
        indosum_part,
        load_indosum,
        read_indosum_split,
        split_indosum,
        write_indosum_split,
    )
    from ..io.paths import default_indosum_split

    articles = load_indosum(args.indosum)
    if args.indosum_split == "none":
        return [articles for _ in parts]
    path = Path(args.indosum_split) if args.indosum_split else default_indosum_split()
    if not path.is_file():
        write_indosum_split(split_indosum(articles), path)
        print(f"wrote a new IndoSum split to {path}", file=sys.stderr)
    split = read_indosum_split(path)
    return [indosum_part(articles, split, part) for part in parts]


def cmd_evaluate_summaries(args: argparse.Namespace) -> int:
    from ..summarize.evaluate import (
        corpus_documents,
        evaluate_summarizers,
        format_results,
        indosum_documents,
        pool_documents,
        write_results,
    )

    sets = {}
    if args.indosum:
        name = f"IndoSum {args.part}" if args.indosum_split != "none" else "IndoSum (all given)"
        sets[name] = indosum_documents(_indosum_parts(args, args.part)[0])
    if args.corpus:
        sets["corpus reference summaries"] = corpus_documents(args.corpus)
    if args.pool:
        sets["news pool hand-written summaries"] = pool_documents(args.pool)
    results = {name: evaluate_summarizers(docs[:args.limit], args.methods) for name, docs in sets.items()}
    if args.out:
        write_results(results, args.out)
    print(format_results(results))
    return 0


def cmd_tune_summarizers(args: argparse.Namespace) -> int:
    from ..summarize.evaluate import indosum_documents, tune_graph_weights

    dev = indosum_documents(_indosum_parts(args, "dev")[0])
    result = {method: tune_graph_weights(dev, method) for method in ("textrank", "lexrank")}
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    print(json.dumps({k: v["best"] for k, v in result.items()}, indent=1))
    return 0


def cmd_train_summarizer(args: argparse.Namespace) -> int:
    from ..registry import SHIPPED
    from ..summarize.evaluate import indosum_documents
    from ..summarize.training import news_texts, train_scorer

    train, dev = (indosum_documents(part) for part in _indosum_parts(args, "train", "dev"))
    unlabelled = news_texts(args.pool) if args.pool else []
    model, metrics = train_scorer(args.method, train, dev, unlabelled_texts=unlabelled)
    out = args.out or f"models/{SHIPPED[args.method]}"
    model.save(out, metrics=metrics)
    print(f"saved to {out}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from ..bench import main as bench_main

    return bench_main(args)


def cmd_suggest(args: argparse.Namespace) -> int:
    from ..io.corpus import load_corpus
    from ..io.labelling import write_batch
    from ..learn.active_learning import read_pool, suggest

    model = _load_classifier(args.model)
    schema = getattr(model, "schema_", None)
    pool, problems = read_pool(args.pool)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    labelled = load_corpus(args.corpus, schema=schema) if args.corpus else []
    if not args.corpus:
        print("note: no --corpus given: articles you have already labelled are not skipped", file=sys.stderr)
    batch = suggest(model, pool, n=args.n, strategy=args.strategy, topic=args.topic, labelled=labelled,
                    seed=args.seed)
    version = Path(args.model).name if args.model else "tfidf-default"
    files = write_batch(batch, args.out, fmt=args.format, schema=schema, model_version=f"pemilu_nlp/{version}")
    kind = "Label Studio tasks" if args.format == "label-studio" else "doccano JSONL"
    print(f"{len(batch)} suggestions ({args.strategy}{', topic ' + args.topic if args.topic else ''}) from "
          f"{len(pool)} pool articles written to {files[0]} ({kind}); labelling config: {files[1]}")
    if problems:
        print(f"{len(problems)} input(s) could not be read", file=sys.stderr)
    return 1 if problems else 0


def cmd_import_labels(args: argparse.Namespace) -> int:
    from ..io.labelling import import_labels

    schema = args.schema or args.model
    report = import_labels(args.export, args.corpus, schema=schema, tool=args.tool)
    for message in report.conflicts:
        print(f"conflict: {message}", file=sys.stderr)
    for message in report.duplicates:
        print(f"refused: {message}", file=sys.stderr)
    print(f"{args.corpus}: {report.summary()}")
    if report.not_annotated and not (report.added or report.unchanged or report.conflicts or report.duplicates):
        print(f"note: none of the {len(report.not_annotated)} articles in {args.export} carries a label: is it "
              "the task file that `suggest` wrote? Import the export of the labelled project (Label Studio: "
              "Export > JSON; doccano: Export Dataset > JSONL)", file=sys.stderr)
    return 0 if report.ok else 1


def cmd_label_config(args: argparse.Namespace) -> int:
    from ..io.labelling import label_config

    xml = label_config(args.schema or args.model)
    if args.out:
        Path(args.out).write_text(xml, "utf-8")
        print(f"wrote {args.out}")
    else:
        print(xml, end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pemilu-nlp", description="Topic tagging and extractive summaries of "
                                     "Indonesian election-security news.")
    parser.add_argument("--version", action="version", version=f"pemilu_nlp {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    from ..registry import CLASSIFIERS, SUMMARIZERS

    def inputs(p: argparse.ArgumentParser) -> None:
        p.add_argument("paths", nargs="+", help=".txt files, JSONL files (one {'id','title','text'} a line) or folders")
        p.add_argument("--json", action="store_true", help="one JSON object a line")
        p.add_argument("--jobs", type=_jobs, default=1, metavar="N",
                       help="worker processes, each loading the model once (-1 or 'all': every core); same output")
        p.add_argument("--chunk-size", type=int, default=500, help="documents per worker task with --jobs")

    def summary_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--method", type=_method, default="textrank",
                       help=f"summariser: {', '.join(SUMMARIZERS)} (needs --encoder); default textrank with the "
                            "weights tuned on IndoSum ('trained' is the old name of 'features')")
        p.add_argument("--encoder", help="encoder for --method embedding: hub id or local save_pretrained folder")
        p.add_argument("--count", type=_count, default=3,
                       help="sentences per summary: a whole number (default 3) or a share of the document's "
                            "sentences (e.g. 20%%, rounded half up, at least 1); checked before any work")

    def runtime(p: argparse.ArgumentParser, *, batch_help: str) -> None:
        """IndoBERT runtime options (an error for a TF-IDF model)."""
        p.add_argument("--max-length", type=int, help="IndoBERT: window length in tokens (default: the model's)")
        p.add_argument("--batch-size", type=int, help=batch_help)
        p.add_argument("--precision", choices=["auto", "fp32", "bf16", "fp16", "int8", "onnx-int8", "onnx-fp32"],
                       help="IndoBERT: inference precision (default auto)")
        p.add_argument("--device", help="IndoBERT: auto, cpu or cuda[:N] (default auto)")

    p = sub.add_parser("run", help="topics and a summary for each article (the main job)")
    inputs(p)
    p.add_argument("--model", help="classifier folder (default: the shipped TF-IDF model)")
    summary_options(p)
    p.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="ray: Ray Data over JSONL/Parquet inputs, Parquet out (needs pemilu-nlp[ray])")
    p.add_argument("--out", help="--engine ray: folder for the Parquet files")
    p.add_argument("--ray-address", help="--engine ray: a running cluster (e.g. ray://HEAD:10001 or auto); "
                   "default: a local Ray instance")
    p.add_argument("--concurrency", type=int, help="--engine ray: actors (default: one per CPU)")
    runtime(p, batch_help="IndoBERT: windows per forward pass (default auto); --engine ray: rows per model "
            "call (default 1000)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("classify", help="topics with probabilities for each document")
    inputs(p)
    p.add_argument("--model", help="classifier folder (default: the shipped TF-IDF model)")
    runtime(p, batch_help="IndoBERT: windows per forward pass (default auto)")
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("summarize", help="an extractive summary of each document")
    inputs(p)
    summary_options(p)
    p.set_defaults(func=cmd_summarize)

    p = sub.add_parser("train", help="train a topic classifier on a labelled corpus")
    p.add_argument("--model", choices=list(CLASSIFIERS), default="tfidf")
    p.add_argument("--data", required=True, help="corpus JSONL")
    p.add_argument("--split", help="split JSON (default: split.json beside the corpus; without one, train makes "
                                   "a seeded stratified split and writes it to OUT/split.json)")
    p.add_argument("--schema", help="topic schema JSON of your own (format of pemilu_nlp/resources/topics.json) "
                                    "or a model folder to take its topics; default: the shipped 11 topics")
    p.add_argument("--out", help="model folder to write")
    p.add_argument("--report", help="write the evaluation report as JSON here")
    p.add_argument("--cv", type=int, help="K-fold cross-validation instead of the fixed split")
    p.add_argument("--thresholds", choices=["dev", "oof"],
                   help="dev: fit on train, tune on dev; oof (TF-IDF default): fit on train+dev, thresholds "
                        "from out-of-fold scores")
    p.add_argument("--unlabelled", nargs="*", default=[],
                   help="TF-IDF: unlabelled news files or folders for the vocabulary and idf (e.g. ../shared/data)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--params", help="model settings as JSON, e.g. '{\"C\": 4}'")
    p.add_argument("--base", default="indobenchmark/indobert-base-p1", help="IndoBERT hub id or local folder")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--max-length", type=int)
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--device", help="auto, cpu or cuda")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="score one or more model folders on the same split, side by side; "
                                        "or (--cv) the TF-IDF recipes under repeated nested cross-validation")
    p.add_argument("models", nargs="*")
    p.add_argument("--data", required=True)
    p.add_argument("--split", help="default: split.json beside the corpus, else the one train wrote into the "
                                   "(first) model folder")
    p.add_argument("--part", choices=["train", "dev", "test"], default="test")
    p.add_argument("--json", action="store_true")
    p.add_argument("--cv", type=int, help="K outer folds of repeated cross-validation over the whole corpus "
                                          "(thresholds chosen inside each training fold)")
    p.add_argument("--repeats", type=int, default=3, help="with --cv: repeats of the K folds")
    p.add_argument("--recipes", default="before,after", help="with --cv: before (as shipped until now), after")
    p.add_argument("--unlabelled", nargs="*", default=[], help="with --cv: unlabelled news for the 'after' "
                                                               "vocabulary (e.g. ../shared/data)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="with --cv: write the summaries as JSON here")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("evaluate-summaries", help="ROUGE of every summariser on IndoSum and the corpus")
    p.add_argument("--indosum", nargs="*", default=[], help="IndoSum folder or .jsonl(.gz) files")
    p.add_argument("--indosum-split", default=None,
                   help="split file (default: the project's data/indosum_split.json; a missing file is created); "
                        "'none' to score every article given")
    p.add_argument("--part", default="test", choices=["train", "dev", "test"])
    p.add_argument("--corpus", help="the labelled corpus (its reference summaries)")
    p.add_argument("--pool", help="a news pool JSONL.gz: its articles with a hand-written summary (source_fields.Summary)")
    p.add_argument("--methods", type=_methods, default="lead,textrank,lexrank,features,neural",
                   help="comma-separated summarisers, each as get_summarizer(NAME) gives it (default: all but "
                        "embedding); README's table with its variants: python benchmarks/summaries.py")
    p.add_argument("--limit", type=int, help="score only the first N documents of each set")
    p.add_argument("--out", help="write every figure as JSON")
    p.set_defaults(func=cmd_evaluate_summaries)

    p = sub.add_parser("tune-summarizers", help="tune graph weights (position, title, MMR) on the IndoSum dev part")
    p.add_argument("--indosum", nargs="+", required=True)
    p.add_argument("--indosum-split", default=None, help="default: the project's data/indosum_split.json")
    p.add_argument("--out")
    p.set_defaults(func=cmd_tune_summarizers)

    p = sub.add_parser("train-summarizer", help="train a sentence scorer on the IndoSum train part")
    p.add_argument("--method", type=_method, default="features", choices=["features", "neural"],
                   help="features: logistic regression over sentence features; neural: word-vector network")
    p.add_argument("--indosum", nargs="+", required=True)
    p.add_argument("--indosum-split", default=None, help="default: the project's data/indosum_split.json")
    p.add_argument("--pool", help="news_pool.jsonl.gz: unlabelled news for the neural scorer's word vectors")
    p.add_argument("--out", help="default: models/summarizer-features (features), models/summarizer-neural (neural)")
    p.set_defaults(func=cmd_train_summarizer)

    p = sub.add_parser("suggest", help="which unlabelled articles to label next (active learning)")
    p.add_argument("--model", help="classifier folder (default: the shipped TF-IDF model); its topics are used")
    p.add_argument("--pool", nargs="+", required=True, help="unlabelled articles: JSONL(.gz), .txt, or folders")
    p.add_argument("--corpus", help="your labelled corpus JSONL: its articles are never suggested again")
    p.add_argument("--n", type=int, default=50, help="how many to suggest (default 50)")
    p.add_argument("--topic", help="look at one topic only (e.g. audiensi)")
    p.add_argument("--strategy", default="uncertainty", choices=["uncertainty", "margin", "diverse", "random"])
    p.add_argument("--format", default="label-studio", choices=["label-studio", "doccano"])
    p.add_argument("--out", default="suggestions.json", help="batch file (default suggestions.json); the labelling "
                   "config (labels.xml or doccano_labels.json) goes beside it")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_suggest)

    p = sub.add_parser("import-labels", help="append a Label Studio / doccano export to a corpus JSONL")
    p.add_argument("export", help="Label Studio JSON export or doccano JSONL export")
    p.add_argument("--corpus", required=True, help="corpus JSONL to append to (created if missing)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--schema", help="topic schema JSON (default: the shipped topics)")
    group.add_argument("--model", help="take the topics of this model folder")
    p.add_argument("--tool", default="auto", choices=["auto", "label-studio", "doccano"])
    p.set_defaults(func=cmd_import_labels)

    p = sub.add_parser("label-config", help="Label Studio labelling config (labels.xml) for a schema")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--schema", help="topic schema JSON (default: the shipped topics)")
    group.add_argument("--model", help="take the topics of this model folder")
    p.add_argument("--out", help="write here (default: print)")
    p.set_defaults(func=cmd_label_config)

    p = sub.add_parser("bench", help="throughput, latency and memory of every part, beside the naive way")
    from ..bench import add_arguments

    add_arguments(p)
    p.set_defaults(func=cmd_bench)
    return parser


def _quiet_stdout() -> None:
    """After the reader of our stdout went away (``| head``): send what is left to /dev/null, so
    that the flush at exit does not raise a second BrokenPipeError."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (e.g. captured in tests)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:  # the reader stopped reading (`| head -3`): stop quietly, as Unix tools do
        _quiet_stdout()
        return 141  # 128 + SIGPIPE, what a shell reports for a tool killed by a closed pipe
    except PemiluNLPError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (ValueError, TypeError, OSError) as err:  # OSError: a missing or unreadable file named by a library call
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
