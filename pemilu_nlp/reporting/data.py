"""What a report shows, computed from run records: counts per topic, per day and per source, and
the articles each topic lists.

Streams: each record is added once and forgotten, except the few a topic shows (a bounded heap
per topic, newest first), so 100,000 records cost the memory of the shown lists and the counters.
Every record is also written to the CSV beside the page, so the "N more" behind a capped list are
one click away.  No optional dependency here: ``pemilu-nlp run --json`` uses :func:`article_meta`.
"""
from __future__ import annotations

import csv
import datetime as dt
import heapq
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import count
from typing import TextIO
from urllib.parse import urlsplit

from ..text.cleaning import parse_dateline

__all__ = ["NO_TOPIC", "ArticleMeta", "Entry", "ReportData", "article_meta", "headline", "link_target", "parse_date"]

#: the list of articles that got no topic: N articles in, N articles in the report
NO_TOPIC = "(no topic)"

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b")


def _valid(year: int | None, month: int | None, day: int | None) -> dt.date | None:
    if year is None or month is None or day is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(value: str) -> dt.date | None:
    """A calendar date from a record's date field: ISO (``2024-02-12``), day first
    (``Senin (12/02/2024)``, Indonesian use) or, where the day-first reading is impossible,
    month first (``10/21/2025 20:43``); ``None`` without a year or a valid date.

    >>> parse_date("Senin (12/02/2024)"), parse_date("10/21/2025 20:43"), parse_date("jumat (10/11)")
    (datetime.date(2024, 2, 12), datetime.date(2025, 10, 21), None)
    """
    value = value.strip()
    iso = _ISO_DATE.match(value)
    if iso:
        return _valid(*map(int, iso.groups()))
    numeric = _NUMERIC_DATE.search(value)
    if numeric:
        day, month, year = map(int, numeric.groups())
        year += 2000 if year < 100 else 0
        return _valid(year, month, day) or _valid(year, day, month)
    words = parse_dateline(value)
    return _valid(words.year, words.month, words.day)


@dataclass(frozen=True)
class ArticleMeta:
    """The date and source of one article, and where each came from."""

    date: dt.date | None
    date_from: str  # "record", "dateline" or "" (undated)
    outlet: str


def article_meta(record_date: str, outlet: str, url: str, text: str) -> ArticleMeta:
    """The article's own date, else its dateline's; its source as the record names it, else the
    dateline's outlet, else the link's host."""
    date = parse_date(record_date) if record_date else None
    dateline = parse_dateline(text) if text and (date is None or not outlet) else None
    date_from = "record" if date else ""
    if date is None and dateline is not None:
        date = _valid(dateline.year, dateline.month, dateline.day)
        date_from = "dateline" if date else ""
    if not outlet and dateline is not None and dateline.outlet:
        outlet = dateline.outlet
    if not outlet and link_target(url):
        outlet = (urlsplit(url.strip()).hostname or "").removeprefix("www.")
    return ArticleMeta(date, date_from, outlet.strip())


def headline(title: str, text: str, *, limit: int = 160) -> str:
    """The title, else the first line of the text (a .txt article's headline), cut to ``limit``."""
    line = title.strip() or next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"


def link_target(url: str) -> str | None:
    """``url`` when it may become a link (http or https, a host, no spaces or control
    characters), else ``None``: a scraped ``javascript:`` or ``data:`` address stays text."""
    url = url.strip()
    if not url or any(c.isspace() or not c.isprintable() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else None


@dataclass
class Entry:
    """One article as the report shows it."""

    index: int
    id: str
    title: str
    url: str
    date: dt.date | None
    outlet: str
    topics: list[str]
    probabilities: dict[str, float]
    summary: list[str]
    #: the text, kept only to explain the topics of shown articles (``None`` for run records)
    text: str | None = None
    #: topic -> the words that decided it (filled for shown articles where the model explains)
    terms: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    @property
    def link(self) -> str | None:
        return link_target(self.url)


def _csv_cell(value: str) -> str:
    """A spreadsheet reads a cell starting with = + - @ as a formula: such scraped text is
    prefixed with an apostrophe (OWASP's advice against CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


CSV_COLUMNS = ["id", "title", "date", "source", "url", "topics", "probabilities", "summary"]


def csv_row(entry: Entry) -> list[str]:
    probabilities = ";".join(f"{t}:{entry.probabilities.get(t, 0.0):.3f}" for t in entry.topics)
    cells = [entry.id, entry.title, entry.date.isoformat() if entry.date else "", entry.outlet, entry.url,
             ";".join(entry.topics), probabilities, " ".join(entry.summary)]
    return [_csv_cell(cell) for cell in cells]


class ReportData:
    """Counters and capped per-topic lists, filled one :class:`Entry` at a time (:meth:`add`)."""

    def __init__(self, *, cap: int = 100, csv_file: TextIO | None = None) -> None:
        if isinstance(cap, bool) or not isinstance(cap, int) or cap < 1:
            raise ValueError(f"cap (articles listed per topic) must be an integer >= 1, got {cap!r}")
        self.cap = cap
        self.articles = 0
        self.topic_counts: Counter[str] = Counter()
        self.undated: Counter[str] = Counter()  # per topic, NO_TOPIC included
        self.undated_articles = 0
        self.by_day: Counter[tuple[dt.date, str]] = Counter()
        self.days: Counter[dt.date] = Counter()  # dated articles per day
        self.sources: Counter[str] = Counter()
        self.by_source: Counter[tuple[str, str]] = Counter()
        self.models: Counter[str] = Counter()
        self.failures: list[str] = []
        self._shown: dict[str, list[tuple[tuple, int, Entry]]] = {}
        self._tie = count()
        self._csv = csv.writer(csv_file) if csv_file is not None else None
        if self._csv:
            self._csv.writerow(CSV_COLUMNS)

    def add(self, entry: Entry, *, model: str = "") -> None:
        """Count ``entry`` and keep it if it is among the ``cap`` newest of one of its topics."""
        self.articles += 1
        if model:
            self.models[model] += 1
        topics = entry.topics or [NO_TOPIC]
        source = entry.outlet or "(unknown)"
        self.sources[source] += 1
        self.undated_articles += entry.date is None
        if entry.date is not None:
            self.days[entry.date] += 1
        for topic in topics:
            self.topic_counts[topic] += 1
            self.by_source[source, topic] += 1
            if entry.date is None:
                self.undated[topic] += 1
            else:
                self.by_day[entry.date, topic] += 1
            self._keep(topic, entry)
        if self._csv:
            self._csv.writerow(csv_row(entry))

    def _keep(self, topic: str, entry: Entry) -> None:
        # newest first, then the most probable, then input order
        key = (entry.date or dt.date.min, entry.probabilities.get(topic, 0.0), -entry.index)
        heap = self._shown.setdefault(topic, [])
        item = (key, next(self._tie), entry)
        if len(heap) < self.cap:
            heapq.heappush(heap, item)
        elif item[0] > heap[0][0]:
            heapq.heapreplace(heap, item)

    def topics(self) -> list[str]:
        """Topics by number of articles, largest first; the articles without a topic last."""
        named = sorted((t for t in self.topic_counts if t != NO_TOPIC), key=lambda t: (-self.topic_counts[t], t))
        return named + ([NO_TOPIC] if NO_TOPIC in self.topic_counts else [])

    def shown(self, topic: str) -> list[Entry]:
        """The articles listed under ``topic``: at most ``cap``, newest first."""
        return [entry for _, _, entry in sorted(self._shown.get(topic, []), reverse=True)]

    def shown_entries(self) -> list[Entry]:
        """Every article listed somewhere, once each."""
        seen: dict[int, Entry] = {}
        for heap in self._shown.values():
            for _, _, entry in heap:
                seen.setdefault(entry.index, entry)
        return list(seen.values())

    def date_range(self) -> tuple[dt.date, dt.date] | None:
        return (min(self.days), max(self.days)) if self.days else None

    def charted_range(self, tail: float = 0.01) -> tuple[dt.date, dt.date] | None:
        """The dates the timeline spans: all but the earliest and the latest ``tail`` of dated
        articles, so that one article misdated 1940 does not stretch a week's chart over decades."""
        if not self.days:
            return None
        cut = int(tail * sum(self.days.values()))
        days = sorted(self.days)
        seen, first = 0, days[0]
        for day in days:
            seen += self.days[day]
            if seen > cut:
                first = day
                break
        seen, last = 0, days[-1]
        for day in reversed(days):
            seen += self.days[day]
            if seen > cut:
                last = day
                break
        return first, last
