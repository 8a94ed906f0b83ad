"""Reports made once per session from the seeds and from a hostile input, and a small HTML reader.

tests/reporting is a package (``__init__.py``) so that this conftest is ``reporting.conftest`` and does
not shadow ``tests/conftest.py``, whose names other tests import as ``conftest``."""
from __future__ import annotations

import contextlib
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"

#: what scraped titles and links can carry: each must end up as text, and none may run
HOSTILE = [
    {"id": "h-script", "title": "<script>window.__pwned = 'script'</script>Pemilu damai",
     "url": "javascript:window.__pwned='url'", "date": "2024-02-10", "source": "<b>Outlet</b>",
     "topics": ["pemilu"], "probabilities": {"pemilu": 0.9},
     "summary": [{"index": 0, "text": "<img src=x onerror=\"window.__pwned='img'\"> KPU bersiap.", "score": 1}]},
    {"id": "h-attr\" onmouseover=\"window.__pwned='attr'", "title": "</h3></article><h1>broken",
     "url": "  JaVaScRiPt:alert(1)", "date": "2024-02-11", "source": "x' onfocus='window.__pwned=1",
     "topics": ["pemilu", "<svg onload=window.__pwned=2>"],
     "probabilities": {"pemilu": 0.8, "<svg onload=window.__pwned=2>": 0.7},
     "summary": ["<!-- unclosed comment", "<style>body{display:none}</style>"]},
    {"id": "h-data", "title": "Bawaslu <iframe src=https://example.org></iframe>", "url": "data:text/html,<script>x</script>",
     "date": "not a date", "source": "", "topics": [], "probabilities": {"pemilu": 0.1},
     "summary": ["{{ 7 * 7 }} {% raw %}"]},
    {"id": "h-link", "title": "=HYPERLINK(\"http://evil\")", "url": "https://example.org/berita?a=1&b=<2>",
     "date": "", "source": "", "topics": ["pemilu"], "probabilities": {"pemilu": 0.6}, "summary": []},
]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def run_cli(*argv: str) -> tuple[int, str]:
    from pemilu_nlp.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


@pytest.fixture(scope="session")
def report_extra():
    pytest.importorskip("jinja2", reason="needs the [report] extra (Jinja2)")
    pytest.importorskip("matplotlib", reason="needs the [report] extra (matplotlib)")


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory, report_extra) -> tuple[Path, list[dict]]:
    """``pemilu-nlp run seeds/*.txt --json > run.jsonl && pemilu-nlp report run.jsonl --out report.html``."""
    folder = tmp_path_factory.mktemp("seed-report")
    code, output = run_cli("run", *map(str, sorted(SEEDS.glob("*.txt"))), "--json")
    assert code == 0
    run_jsonl = folder / "run.jsonl"
    run_jsonl.write_text(output, "utf-8")
    code, _ = run_cli("report", str(run_jsonl), "--out", str(folder / "report.html"))
    assert code == 0
    return folder / "report.html", [json.loads(line) for line in output.splitlines()]


@pytest.fixture(scope="session")
def hostile_report(tmp_path_factory, report_extra) -> Path:
    import pemilu_nlp

    folder = tmp_path_factory.mktemp("hostile-report")
    return pemilu_nlp.report(write_jsonl(folder / "hostile.jsonl", HOSTILE), folder / "hostile.html").html


class Page(HTMLParser):
    """What the tests look at in a report: cards per topic section, scripts, links, attributes."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.cards: list[tuple[str, str]] = []  # (topic of the section, data-id)
        self.scripts: list[str] = []
        self.links: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self._topic = ""
        self._in_script = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs.items()]
        if tag == "section" and "topic" in attrs.get("class", ""):
            self._topic = attrs["data-topic"]
        elif tag == "article":
            self.cards.append((self._topic, attrs["data-id"]))
        elif tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        elif tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = self._in_script and tag != "script"

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


def read_page(path: Path) -> Page:
    return Page(path.read_text("utf-8"))
