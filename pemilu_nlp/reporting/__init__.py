"""One self-contained HTML page from a run: counts per topic, topics over time and by source, and
each topic's articles with their summaries, a link and the words that decided the topic.

>>> import pemilu_nlp
>>> files = pemilu_nlp.report(["run.jsonl"], "report.html")          # doctest: +SKIP
>>> files.html, files.csv, files.articles                             # doctest: +SKIP
(PosixPath('report.html'), PosixPath('report.csv'), 5)

The page works offline (no CDN, no server: styles, script and SVG charts are inline), escapes every
article field, and lists at most ``cap`` articles per topic; every article is in the CSV beside it.
Needs the optional extra: ``pip install "pemilu-nlp[report]"`` (Jinja2, matplotlib).
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from ..errors import DOCUMENT_ERRORS, MissingDependencyError
from ..io.documents import ReadFailure
from .data import Entry, ReportData

__all__ = ["REPORT_EXTRA", "ReportFiles", "report"]

REPORT_EXTRA = 'the report needs the optional extra: pip install "pemilu-nlp[report]"'
SHIPPED_MODEL = "tfidf-default (shipped)"


def missing_extra(err: ImportError) -> MissingDependencyError:
    return MissingDependencyError(f"{REPORT_EXTRA} ({err})")


def _check_extra() -> None:
    try:
        import jinja2  # noqa: F401
        import matplotlib  # noqa: F401
    except ImportError as err:
        raise missing_extra(err) from err


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`report` wrote and how many articles it counted."""

    html: Path
    csv: Path
    articles: int
    failures: list[str] = field(default_factory=list)


def _model_label(model: Any) -> str:
    if model is None:
        return SHIPPED_MODEL
    return str(model) if isinstance(model, str | PathLike) else type(model).__name__


def _load_model(model: Any, loaded: dict) -> Any:
    if "model" not in loaded:
        from ..registry import load, load_default

        loaded["model"] = load_default() if model is None else \
            load(model) if isinstance(model, str | PathLike) else model
    return loaded["model"]


def _attach_texts(data: ReportData, texts: Sequence[str | PathLike]) -> None:
    """Give each listed run record its article's text (matched by id, as ``run`` named it), so
    that it can be explained; what cannot be read there is not the report's concern."""
    from ..io.documents import iter_documents

    wanted: dict[str, list[Entry]] = {}
    for entry in data.shown_entries():
        wanted.setdefault(entry.id, []).append(entry)
    for doc in iter_documents(texts):
        for entry in wanted.pop(getattr(doc, "id", None), []):
            entry.text = doc.model_text
        if not wanted:
            return


def _entries(inputs: Sequence[Path], model: Any, method: str, count: int | str,
             loaded: dict) -> Iterator[tuple[Entry, str] | ReadFailure]:
    """Each input's records in order: run JSONL read as it is, anything else run here (the model
    and summariser are loaded once, on the first article)."""
    from .sources import is_run_output, read_run_output, run_articles

    index = 0
    for path in inputs:
        if is_run_output(path):
            items: Iterator = read_run_output(path, index)
        else:
            if "summarizer" not in loaded:
                from ..summarize import get_summarizer

                _load_model(model, loaded)
                loaded["summarizer"] = get_summarizer(method)
            items = ((e, _model_label(model)) if isinstance(e, Entry) else e
                     for e in run_articles([path], loaded["model"], loaded["summarizer"], count, index))
        for item in items:
            index += not isinstance(item, ReadFailure)
            yield item


def _explain(data: ReportData, model: Any, top_k: int) -> None:
    """The words behind each listed article's topics, for models that explain (TF-IDF)."""
    if model is None or not hasattr(model, "explain"):
        return
    for entry in data.shown_entries():
        if entry.text is None:
            continue
        for topic in entry.topics:
            try:
                entry.terms[topic] = model.explain(entry.text, topic, top_k=top_k)
            except DOCUMENT_ERRORS:
                entry.terms[topic] = []
        entry.text = None


def report(inputs: str | PathLike | Sequence[str | PathLike], out: str | PathLike = "report.html", *,
           model: Any = None, method: str = "textrank", count: int | str = 3, cap: int = 100,
           title: str = "pemilu_nlp report", explain_top: int = 8,
           texts: Sequence[str | PathLike] = ()) -> ReportFiles:
    """Write the report page ``out`` and ``out`` with ``.csv`` (every article, one row each).

    ``inputs``: JSONL files that ``pemilu-nlp run --json`` wrote, or articles (.txt, JSONL, folders)
    to classify with ``model`` (a folder, a fitted classifier, or ``None``: the shipped one) and
    summarise with ``method``/``count``; ``cap``: articles listed per topic, newest first.
    ``texts``: for run output, the articles it was made from, so that the listed ones are explained
    (by ``model``: give the one that made the run).
    What cannot be read is listed on the page and in ``ReportFiles.failures``, never dropped unsaid.
    """
    _check_extra()
    from .render import RenderOptions, render_html

    paths = [Path(inputs)] if isinstance(inputs, str | PathLike) else [Path(p) for p in inputs]
    if not paths:
        raise ValueError("report: give at least one input (run JSONL or articles)")
    html_path = Path(out)
    csv_path = html_path.with_suffix(".csv")
    loaded: dict = {}
    with csv_path.open("w", encoding="utf-8", newline="") as csv_file:
        data = ReportData(cap=cap, csv_file=csv_file)
        for item in _entries(paths, model, method, count, loaded):
            if isinstance(item, ReadFailure):
                data.failures.append(f"{item.path}: {item.reason}")
            else:
                data.add(item[0], model=item[1])
    if texts:
        _attach_texts(data, texts)
        _load_model(model, loaded)
    _explain(data, loaded.get("model"), explain_top)
    options = RenderOptions(title=title, csv_name=csv_path.name, inputs=tuple(map(str, paths)),
                            method=method if "summarizer" in loaded else "")
    html_path.write_text(render_html(data, options), encoding="utf-8")
    return ReportFiles(html_path, csv_path, data.articles, list(data.failures))


