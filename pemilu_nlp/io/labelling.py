"""The labelling-tool round trip: batches out to Label Studio or doccano, annotations back in.

Out: Label Studio tasks (``data`` + model ``predictions`` as pre-annotations, the documented
"Basic Label Studio JSON format"), its labelling config (``labels.xml``: one choice per topic,
the definition as hint), or doccano JSONL (predictions kept as metadata, never as ``label``:
doccano would import them as annotations).

In: a Label Studio JSON export (``annotations[].result``) or a doccano JSONL export (``label``),
checked against the schema, appended to the corpus JSONL with its provenance (annotator, time,
tool, export file).  Labels come from people: predictions in an export are ignored.  The corpus
is only ever appended to: an article already there with other labels is a conflict that is
reported, never merged; a repeated article is refused.  An export of another project (other
control names, unknown choices, another shape) is refused as a whole before anything is written.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from ..errors import LabelImportError
from .jsonl import BadLine, parse_line, replace_lone_surrogates
from .schema import NO_TOPIC, SchemaLike, as_schema

__all__ = [
    "FROM_NAME", "TO_NAME", "ImportReport", "LabelledArticle", "doccano_labels", "import_labels", "label_config",
    "read_export", "text_key", "to_doccano", "to_label_studio", "write_batch",
]

#: the control and object names of ``labels.xml``: an export must use them
FROM_NAME, TO_NAME = "topics", "text"
LABEL_STUDIO, DOCCANO = "label-studio", "doccano"


def text_key(text: str) -> str:
    """A hash of the text with case, accents, punctuation and spacing ignored: the same article
    scraped twice (or re-exported by a tool) gets the same key."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    words = re.findall(r"\w+", folded)
    return hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------------------ out
def label_config(schema: SchemaLike = None) -> str:
    """Label Studio labelling config: the title, the text, one multiple-choice per topic with its
    definition as hint."""
    view = ET.Element("View")
    ET.SubElement(view, "Header", value="$title")
    ET.SubElement(view, "Text", name=TO_NAME, value="$text")
    choices = ET.SubElement(view, "Choices", name=FROM_NAME, toName=TO_NAME, choice="multiple",
                            showInline="false")
    for topic in as_schema(schema):
        attrs = {"value": topic.id}
        hint = " / ".join(x for x in (topic.name_id if topic.name_id != topic.id else "", topic.definition) if x)
        if hint:
            attrs["hint"] = hint
        ET.SubElement(choices, "Choice", **attrs)
    ET.indent(view)
    return ET.tostring(view, encoding="unicode") + "\n"


def doccano_labels(schema: SchemaLike = None) -> list[dict[str, Any]]:
    """doccano label types (Project > Labels > Import): the topics plus ``no_topic``."""
    return [{"text": t, "suffix_key": None, "background_color": "#209cee", "text_color": "#ffffff"}
            for t in [*(t.id for t in as_schema(schema)), NO_TOPIC]]


def _candidate_fields(item: Any) -> dict[str, Any]:
    # a Suggestion (active_learning) or a plain dict with the same keys
    get = item.get if isinstance(item, dict) else lambda k, d=None: getattr(item, k, d)
    return {"id": get("id"), "text": get("text"), "title": get("title", "") or "", "url": get("url", "") or "",
            "source": get("source", "") or "", "predicted": list(get("predicted", []) or []),
            "probabilities": dict(get("probabilities", {}) or {}), "confidence": get("confidence"),
            "rank": get("rank"), "reason": get("reason", "") or "", "strategy": get("strategy", "") or ""}


def to_label_studio(items: Iterable[Any], *, model_version: str = "pemilu_nlp") -> list[dict[str, Any]]:
    """Label Studio tasks: ``data`` (text, title, id, url, source) and the model's topics as a
    pre-annotation with a score (for sorting by confidence in the Data Manager)."""
    tasks = []
    for item in items:
        c = _candidate_fields(item)
        result = [{"id": "topics-0", "from_name": FROM_NAME, "to_name": TO_NAME, "type": "choices",
                   "value": {"choices": c["predicted"]}}] if c["predicted"] else []
        prediction: dict[str, Any] = {"model_version": model_version, "result": result}
        if c["confidence"] is not None:
            prediction["score"] = round(float(c["confidence"]), 4)
        data = {"text": c["text"], "title": c["title"], "id": c["id"], "url": c["url"], "source": c["source"],
                "pemilu_nlp": {"rank": c["rank"], "strategy": c["strategy"], "reason": c["reason"],
                               "probabilities": {t: round(p, 4) for t, p in c["probabilities"].items()}}}
        tasks.append({"data": data, "predictions": [prediction]})
    return tasks


def to_doccano(items: Iterable[Any]) -> list[dict[str, Any]]:
    """doccano JSONL records: the title and text to read, our id, and the model's topics as
    metadata (``predicted``), not as ``label``."""
    out = []
    for item in items:
        c = _candidate_fields(item)
        shown = f"{c['title']}\n\n{c['text']}" if c["title"] else c["text"]
        out.append({"text": shown, "article_id": c["id"], "title": c["title"], "body": c["text"], "url": c["url"],
                    "source": c["source"], "predicted": c["predicted"],
                    "probabilities": {t: round(p, 4) for t, p in c["probabilities"].items()},
                    "suggest_rank": c["rank"], "suggest_reason": c["reason"], "suggest_strategy": c["strategy"]})
    return out


def write_batch(items: Sequence[Any], out: str | Path, *, fmt: str = LABEL_STUDIO, schema: SchemaLike = None,
                model_version: str = "pemilu_nlp") -> list[Path]:
    """Write a batch for labelling; returns the files written (the batch, then its labelling config:
    ``labels.xml`` for Label Studio, ``doccano_labels.json`` for doccano, beside the batch)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == LABEL_STUDIO:
        out.write_text(json.dumps(to_label_studio(items, model_version=model_version), ensure_ascii=False,
                                  indent=1) + "\n", "utf-8")
        config = out.with_name("labels.xml")
        config.write_text(label_config(schema), "utf-8")
    elif fmt == DOCCANO:
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in to_doccano(items)), "utf-8")
        config = out.with_name("doccano_labels.json")
        config.write_text(json.dumps(doccano_labels(schema), indent=1) + "\n", "utf-8")
    else:
        raise ValueError(f"unknown format {fmt!r}; choose {LABEL_STUDIO!r} or {DOCCANO!r}")
    return [out, config]


# ------------------------------------------------------------------------------------ in
@dataclass(frozen=True)
class LabelledArticle:
    """One article as labelled by people in a tool, with where the labels came from."""

    id: str
    title: str
    text: str
    labels: tuple[str, ...]
    url: str = ""
    source: str = ""
    provenance: dict[str, Any] = field(default_factory=dict, compare=False)
    found_by: str = ""

    def to_record(self) -> dict[str, Any]:
        record = {"id": self.id, "title": self.title, "text": self.text, "labels": list(self.labels)}
        if self.url:
            record["url"] = self.url
        if self.source:
            record["source"] = self.source
        if self.found_by:
            record["found_by"] = self.found_by
        return {**record, "annotation": self.provenance}


def _found_by(strategy: Any, *, from_suggest: bool) -> str:
    """How ``suggest`` chose an article, as the corpus records it: ``model:suggest:<strategy>`` when a
    model's scores chose it (:attr:`pemilu_nlp.io.corpus.Article.selected_by_model`: trained on, never
    scored; ``model:suggest`` when a batch written before strategies were recorded does not say),
    ``suggest:random`` for a random draw, empty when the task did not come from ``suggest``."""
    if not from_suggest:
        return ""
    if strategy == "random":
        return "suggest:random"
    return f"model:suggest:{strategy}" if isinstance(strategy, str) and strategy else "model:suggest"


@dataclass
class ImportReport:
    """What an import did: every article of the export is in exactly one list."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)       # already in the corpus with the same labels
    conflicts: list[str] = field(default_factory=list)       # messages: labels differ, not merged
    duplicates: list[str] = field(default_factory=list)      # messages: refused repeats
    not_annotated: list[str] = field(default_factory=list)   # skipped/cancelled/empty in the tool

    @property
    def ok(self) -> bool:
        return not self.conflicts and not self.duplicates

    def summary(self) -> str:
        return (f"{len(self.added)} added, {len(self.unchanged)} already in the corpus with the same labels, "
                f"{len(self.conflicts)} conflicts (not merged), {len(self.duplicates)} duplicates refused, "
                f"{len(self.not_annotated)} not annotated")


def _detect(path: Path, text: str) -> str:
    name = path.name.lower()
    if name.endswith(".jsonl"):
        return DOCCANO
    if text.lstrip().startswith("["):
        return LABEL_STUDIO
    raise LabelImportError(f"{path}: cannot tell the tool: a Label Studio export is a JSON list of tasks "
                           "(Export > JSON), a doccano export a .jsonl file; pass --tool")


def _choices_of(result: Any, where: str, known: set[str]) -> list[str]:
    if not isinstance(result, list):
        raise LabelImportError(f"{where}: 'result' must be a list, got {type(result).__name__}")
    chosen: list[str] = []
    for item in result:
        if not isinstance(item, dict):
            raise LabelImportError(f"{where}: a result item must be an object")
        shape = (item.get("from_name"), item.get("to_name"), item.get("type"))
        if shape != (FROM_NAME, TO_NAME, "choices"):
            raise LabelImportError(
                f"{where}: result {shape[0]!r} -> {shape[1]!r} of type {shape[2]!r} is not this project's "
                f"labelling config (expected {FROM_NAME!r} -> {TO_NAME!r}, 'choices', as in labels.xml): "
                "an export from another project?")
        value = item.get("value")
        choices = value.get("choices") if isinstance(value, dict) else None
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            raise LabelImportError(f"{where}: result value must hold a list of 'choices'")
        unknown = [c for c in choices if c not in known]
        if unknown:
            raise LabelImportError(f"{where}: unknown topic(s) {unknown} (known: {', '.join(sorted(known))}): "
                                   "an export from another project or another schema?")
        chosen += choices
    return chosen


def _annotator(ann: dict[str, Any]) -> Any:
    who = ann.get("completed_by")
    if isinstance(who, dict):
        return who.get("email") or who.get("username") or who.get("id")
    return who


def _read_label_studio(path: Path, text: str, order: list[str],
                       report: ImportReport) -> tuple[list[LabelledArticle], list[str]]:
    try:
        tasks, _ = replace_lone_surrogates(json.loads(text))  # lone surrogates -> U+FFFD
    except json.JSONDecodeError as err:
        raise LabelImportError(f"{path}:{err.lineno}: not valid JSON ({err.msg})") from None
    except (RecursionError, ValueError) as err:  # deep nesting, integers over 4,300 digits
        raise LabelImportError(f"{path}: not a usable JSON export ({str(err).splitlines()[0] or 'nested too deeply'})") from None
    if not isinstance(tasks, list):
        raise LabelImportError(f"{path}: a Label Studio export is a JSON list of tasks, got {type(tasks).__name__}")
    known = set(order)
    out, conflicts = [], []
    for i, task in enumerate(tasks, 1):
        where = f"{path}: task {i}"
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            raise LabelImportError(f"{where}: expected an object with 'data' (Label Studio's \"JSON\" export; "
                                   "JSON-MIN and CSV exports carry no provenance and are not read)")
        data = task["data"]
        if not isinstance(data.get(TO_NAME), str) or not data[TO_NAME].strip():
            raise LabelImportError(f"{where}: data has no non-empty {TO_NAME!r}: an export from another project?")
        annotations = task.get("annotations", [])
        if not isinstance(annotations, list):
            raise LabelImportError(f"{where}: 'annotations' must be a list")
        article_id = str(data.get("id") or f"ls-{task.get('id', i)}")
        where = f"{where} (article {article_id!r})"
        decided = []
        for ann in annotations:
            if not isinstance(ann, dict):
                raise LabelImportError(f"{where}: an annotation must be an object")
            if ann.get("was_cancelled"):
                continue  # skipped in the tool: not a decision
            chosen = _choices_of(ann.get("result", []), where, known)
            decided.append((tuple(t for t in order if t in chosen), ann))
        # every result is checked before any decision is taken on this task
        if not decided:
            report.not_annotated.append(article_id)
            continue
        label_sets = {labels for labels, _ in decided}
        if len(label_sets) > 1:
            conflicts.append(f"{article_id}: annotators disagree ({'; '.join(map(str, sorted(label_sets)))}); "
                             "adjudicate in the tool and export again")
            continue
        provenance = {
            "tool": LABEL_STUDIO, "export": path.name, "task": task.get("id"),
            "annotators": [_annotator(a) for _, a in decided],
            "annotated_at": max(str(a.get("updated_at") or a.get("created_at") or "") for _, a in decided) or None,
        }
        ours = data.get("pemilu_nlp") if isinstance(data.get("pemilu_nlp"), dict) else {}
        out.append(LabelledArticle(article_id, str(data.get("title") or ""), data[TO_NAME], decided[0][0],
                                   str(data.get("url") or ""), str(data.get("source") or ""), provenance,
                                   _found_by(ours.get("strategy"), from_suggest="pemilu_nlp" in data)))
    return out, conflicts


def _read_doccano(path: Path, text: str, order: list[str],
                  report: ImportReport) -> tuple[list[LabelledArticle], list[str]]:
    known = set(order)
    out = []
    for line_no, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{path}:{line_no}"
        try:  # lone surrogates are repaired to U+FFFD; huge integers and deep nesting refused
            record, _ = parse_line(line, surrogates="replace")
        except BadLine as err:
            raise LabelImportError(f"{where}: {err}") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record["text"].strip():
            raise LabelImportError(f"{where}: a doccano record needs a non-empty 'text'")
        labels = record.get("label", record.get("labels"))
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise LabelImportError(f"{where}: 'label' must be a list of topic ids (a text-classification "
                                   "project's export); spans or other shapes come from another project")
        unknown = [x for x in labels if x not in known and x != NO_TOPIC]
        if unknown:
            raise LabelImportError(f"{where}: unknown topic(s) {unknown} (known: {', '.join(order)}, {NO_TOPIC}): "
                                   "an export from another project or another schema?")
        if NO_TOPIC in labels and len(labels) > 1:
            raise LabelImportError(f"{where}: {NO_TOPIC!r} together with topics {labels}")
        article_id = str(record.get("article_id") or f"doccano-{record.get('id', line_no)}")
        if not labels:  # doccano cannot tell "no topic" from "not annotated": no_topic says the former
            report.not_annotated.append(article_id)
            continue
        body = record.get("body") if isinstance(record.get("body"), str) and record["body"].strip() else record["text"]
        provenance = {"tool": DOCCANO, "export": path.name, "line": line_no, "doccano_id": record.get("id"),
                      "annotators": [record["user"]] if record.get("user") is not None else [],
                      "annotated_at": record.get("updated_at") or record.get("created_at")}
        out.append(LabelledArticle(article_id, str(record.get("title") or ""), body,
                                   tuple(t for t in order if t in labels), str(record.get("url") or ""),
                                   str(record.get("source") or ""), provenance,
                                   _found_by(record.get("suggest_strategy"), from_suggest="suggest_rank" in record)))
    return out, []


def read_export(path: str | Path, *, schema: SchemaLike = None, tool: str = "auto",
                report: ImportReport | None = None) -> tuple[list[LabelledArticle], list[str]]:
    """The annotated articles of a tool export and the conflicts inside it (annotators disagreeing).

    Any shape problem raises :class:`LabelImportError` naming the file and the task or line;
    ``report`` (if given) collects the articles left unannotated.
    """
    path = Path(path)
    report = report if report is not None else ImportReport()
    try:
        text = path.read_text("utf-8-sig")  # a BOM is allowed, as in .txt inputs
    except FileNotFoundError:
        raise LabelImportError(f"{path}: no such export file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise LabelImportError(f"{path}: cannot read the export ({err})") from None
    if not text.strip():
        raise LabelImportError(f"{path}: the export is empty")
    order = [t.id for t in as_schema(schema)]
    tool = _detect(path, text) if tool == "auto" else tool
    if tool == LABEL_STUDIO:
        return _read_label_studio(path, text, order, report)
    if tool == DOCCANO:
        return _read_doccano(path, text, order, report)
    raise ValueError(f"unknown tool {tool!r}; choose auto, {LABEL_STUDIO} or {DOCCANO}")


def import_labels(export: str | Path, corpus: str | Path, *, schema: SchemaLike = None, tool: str = "auto",
                  now: str | None = None) -> ImportReport:
    """Append the annotated articles of ``export`` to the corpus JSONL ``corpus`` (created if missing).

    Nothing already in the corpus changes: same id and same labels is "unchanged", same id and
    other labels a conflict (reported, not merged), the same text under another id a duplicate
    (refused).  The new corpus is validated before it replaces the old file (atomically).
    """

    schema = as_schema(schema)
    corpus = Path(corpus)
    report = ImportReport()
    labelled, report.conflicts = read_export(export, schema=schema, tool=tool, report=report)
    with _corpus_lock(corpus):  # read, check and replace as one step: a concurrent import waits
        _import_into(corpus, labelled, report, schema, now)
    return report


def _repeats_with_other_labels(items: list[LabelledArticle],
                               in_corpus: set[str]) -> tuple[list[LabelledArticle], list[str]]:
    """``items`` without the articles that appear in the export more than once (same id, or same
    text not yet in the corpus: ``in_corpus`` holds the corpus's text keys, whose repeats the corpus
    checks report) with different labels, and one conflict message for each: the order of the
    export must not decide which labels win."""
    labels: dict[str, set[tuple[str, ...]]] = {}
    for item in items:
        key = text_key(item.text)
        for k in (f"id:{item.id}", *([] if key in in_corpus else [f"text:{key}"])):
            labels.setdefault(k, set()).add(item.labels)
    kept, conflicts, reported = [], [], set()
    for item in items:
        clash = [labels[k] for k in (f"id:{item.id}", f"text:{text_key(item.text)}") if len(labels.get(k, ())) > 1]
        if not clash:
            kept.append(item)
        elif item.id not in reported:
            reported.add(item.id)
            conflicts.append(f"{item.id}: appears more than once in the export with different labels "
                             f"({'; '.join(map(str, sorted(clash[0])))}); not imported: adjudicate in the tool "
                             "and export again")
    return kept, conflicts


@contextmanager
def _corpus_lock(corpus: Path) -> Iterator[None]:
    """An exclusive lock on ``.NAME.lock`` beside the corpus (``fcntl.flock``; released when the
    process ends, so a crash leaves no stale lock).  Without ``fcntl`` (Windows) there is no lock."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    corpus.parent.mkdir(parents=True, exist_ok=True)
    with open(corpus.with_name(f".{corpus.name}.lock"), "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _import_into(corpus: Path, labelled: list[LabelledArticle], report: ImportReport, schema: Any,
                 now: str | None) -> None:
    from .corpus import load_corpus

    existing = load_corpus(corpus, schema=schema) if corpus.exists() else []
    by_id = {a.id: a for a in existing}
    by_text = {text_key(a.text): a.id for a in existing}
    labelled, repeated = _repeats_with_other_labels(labelled, set(by_text))
    report.conflicts += repeated
    by_url = {a.url: a.id for a in existing if a.url}
    stamp = now or datetime.now(timezone.utc).isoformat(timespec="seconds")
    new: list[LabelledArticle] = []
    in_export: set[str] = set()
    for item in labelled:
        if item.id in in_export:
            report.duplicates.append(f"{item.id}: appears twice in the export; the repeat is refused")
            continue
        in_export.add(item.id)
        old = by_id.get(item.id)
        if old is not None:
            if old.text.strip() != item.text.strip():
                report.duplicates.append(f"{item.id}: id already in the corpus for another text; refused")
            elif old.labels == item.labels:
                report.unchanged.append(item.id)
            else:
                report.conflicts.append(f"{item.id}: corpus has {list(old.labels)}, the export {list(item.labels)} "
                                        f"(by {item.provenance.get('annotators')}); not merged: edit the corpus "
                                        "by hand if the new labels are right")
            continue
        twin = by_text.get(text_key(item.text)) or (by_url.get(item.url) if item.url else None)
        if twin is not None:
            report.duplicates.append(f"{item.id}: same article as {twin!r} (same text or url); refused")
            continue
        by_text[text_key(item.text)] = item.id
        if item.url:
            by_url[item.url] = item.id
        new.append(LabelledArticle(item.id, item.title, item.text, item.labels, item.url, item.source,
                                   {**item.provenance, "imported_at": stamp}, item.found_by))
        report.added.append(item.id)
    if new:
        _append_atomically(corpus, [a.to_record() for a in new], schema)


def _append_atomically(corpus: Path, records: list[dict[str, Any]], schema) -> None:
    from .corpus import load_corpus

    old = corpus.read_bytes() if corpus.exists() else b""
    if old and not old.endswith(b"\n"):
        old += b"\n"
    fd, name = tempfile.mkstemp(prefix=f".{corpus.name}.", suffix=".importing", dir=corpus.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(old + "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8"))
        load_corpus(tmp, schema=schema)  # the result must be a valid corpus, or nothing changes
        if corpus.exists():
            os.chmod(tmp, corpus.stat().st_mode & 0o7777)  # mkstemp made it 0600
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, corpus)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
