"""The page: :class:`~pemilu_nlp.reporting.data.ReportData` through a Jinja2 template into one HTML file.

Safety is the template engine's job, not ours: autoescape is on, every article field goes in as
text, and only the page's own CSS, JavaScript and chart SVG are marked safe.  A Content Security
Policy allows no network at all and only the page's own script (by its SHA-256), so even markup
that slipped through could neither run nor fetch anything.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .. import __version__
from .charts import bucket, timeline_svg, topic_colors, topic_counts_svg
from .data import NO_TOPIC, Entry, ReportData

__all__ = ["RenderOptions", "render_html"]

#: sources shown in the topics-by-source table (the rest are in the CSV)
TOP_SOURCES = 20
EXPLAIN_NOTE = ("The words behind this topic are not in the input (run output carries no text): make the "
                "report from the articles themselves, or give them with --texts, to see them.")


@dataclass(frozen=True)
class RenderOptions:
    title: str = "pemilu_nlp report"
    csv_name: str = "report.csv"
    inputs: tuple[str, ...] = ()
    method: str = ""
    explain_note: str = EXPLAIN_NOTE


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("templates", name).read_text("utf-8")


def _csp(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; img-src data:; "
            "base-uri 'none'; form-action 'none'")


def _card(entry: Entry, topic: str) -> dict[str, Any]:
    return {"id": entry.id, "title": entry.title or entry.id, "link": entry.link, "url": entry.url,
            "date": entry.date.isoformat() if entry.date else "", "outlet": entry.outlet,
            "probability": entry.probabilities.get(topic, 0.0), "summary": entry.summary,
            "others": [t for t in entry.topics if t != topic], "terms": entry.terms.get(topic, [])}


def _topics(data: ReportData, colors: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for name in data.topics():
        cards = [_card(entry, name) for entry in data.shown(name)]
        count = data.topic_counts[name]
        out.append({"name": name, "count": count, "share": count / max(data.articles, 1),
                    "undated": data.undated[name], "color": colors.get(name, "#B8B8B8"), "cards": cards,
                    "more": count - len(cards), "none": name == NO_TOPIC})
    return out


def _level(n: int, top: int) -> int:
    """Shade 0-5 of a table cell, by its share of the largest cell."""
    return 0 if n == 0 else 1 + min(4, int(4 * n / max(top, 1)))


def _sources(data: ReportData, topics: list[str]) -> list[dict[str, Any]]:
    rows = data.sources.most_common(TOP_SOURCES)
    top = max((data.by_source[s, t] for s, _ in rows for t in topics), default=0)
    return [{"name": source, "total": total,
             "cells": [(data.by_source[source, t], _level(data.by_source[source, t], top)) for t in topics]}
            for source, total in rows]


def _charts(data: ReportData, names: list[str], colors: dict[str, str]) -> dict[str, Any]:
    counts = [(t, data.topic_counts[t]) for t in names]
    span = data.charted_range()
    unit = bucket(*span) if span else "day"
    timeline, outside = "", 0
    if span:
        by_day = Counter({key: n for key, n in data.by_day.items() if span[0] <= key[0] <= span[1]})
        outside = sum(n for day, n in data.days.items() if not span[0] <= day <= span[1])
        timeline = timeline_svg(by_day, [t for t in names if t != NO_TOPIC], colors, unit=unit)
    return {"counts_svg": topic_counts_svg(counts, colors) if counts else "", "timeline_svg": timeline,
            "unit": unit, "charted": [d.isoformat() for d in span] if span else None, "outside": outside}


def render_html(data: ReportData, options: RenderOptions = RenderOptions()) -> str:
    """The report page as one HTML string (styles, script and charts inline)."""
    try:
        import jinja2
    except ImportError as err:  # pragma: no cover - report/__init__ checks the extra first
        from . import missing_extra

        raise missing_extra(err) from err
    names = data.topics()
    colors = topic_colors([t for t in names if t != NO_TOPIC])
    topics = _topics(data, colors)
    script = _asset("report.js")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(_asset("report.html.j2"))
    span = data.date_range()
    return template.render(
        title=options.title, version=__version__, made=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        models=data.models.most_common(), method=options.method, articles=data.articles, topics=topics,
        listed=sum(len(t["cards"]) for t in topics), undated=data.undated_articles,
        date_range=[d.isoformat() for d in span] if span else None, sources_total=len(data.sources),
        sources=_sources(data, names), sources_more=max(0, len(data.sources) - TOP_SOURCES),
        failures=data.failures[:50], failures_total=len(data.failures), csv_name=options.csv_name,
        inputs=options.inputs, explain_note=options.explain_note, css=_asset("report.css"), script=script,
        csp=_csp(script), **_charts(data, names, colors))
