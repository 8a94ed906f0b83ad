"""The report in a real browser: headless Chromium (Debian's package) driven by Playwright, with
no browser download.  Skipped with the reason when either is missing; the HTML-level tests in
test_report_page.py run regardless."""
from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from pemilu_nlp.reporting.data import NO_TOPIC

from .conftest import HOSTILE

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("report_extra")]

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs Playwright (pip install playwright)")
    executable = os.environ.get("PEMILU_NLP_CHROMIUM") or next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)
    if executable is None:
        pytest.skip("needs a system Chromium (apt-get install chromium); none on PATH")
    manager = sync_api.sync_playwright().start()
    try:
        launched = manager.chromium.launch(executable_path=executable, args=["--no-sandbox"])
    except Exception as err:
        manager.stop()
        pytest.skip(f"cannot launch {executable}: {str(err).splitlines()[0]}")
    yield launched
    launched.close()
    manager.stop()


class Visit:
    """One page opened in a fresh context, with what it logged and what it tried to fetch."""

    def __init__(self, browser, html: Path) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.context = browser.new_context(viewport={"width": 1200, "height": 900})
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda err: self.errors.append(str(err)))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.url = html.resolve().as_uri()
        self.page.goto(self.url, wait_until="load")

    def visible_cards(self) -> list[str]:
        return self.page.eval_on_selector_all("article.doc", "cs => cs.filter(c => c.offsetParent !== null)"
                                                             ".map(c => c.dataset.id)")

    def counter(self) -> str:
        return self.page.inner_text("#filter-count")


@pytest.fixture
def visit(browser):
    opened: list[Visit] = []

    def open_(html: Path) -> Visit:
        opened.append(Visit(browser, html))
        return opened[-1]

    yield open_
    for v in opened:
        v.context.close()


def test_the_seed_report_shows_every_article_under_its_topics(visit, seed_run, tmp_path):
    html, records = seed_run
    v = visit(html)
    cards = v.page.eval_on_selector_all("article.doc", "cs => cs.map(c => [c.closest('section').dataset.topic, "
                                                       "c.dataset.id])")
    assert Counter(map(tuple, cards)) == Counter((t, r["id"]) for r in records for t in r["topics"] or [NO_TOPIC])
    assert v.page.inner_text("#n-articles") == str(len(records))
    assert v.page.locator("#chart-counts svg").count() == 1 and v.page.locator("#chart-time svg").count() == 1
    v.page.screenshot(path=str(tmp_path / "seed-report.png"), full_page=True)
    assert (tmp_path / "seed-report.png").stat().st_size > 10_000
    assert v.errors == [] and v.requests == [v.url]


def test_the_text_filter_keeps_the_cards_that_mention_the_words(visit, seed_run):
    html, records = seed_run
    v = visit(html)
    word = "ngupi bakisahan"
    v.page.fill("#filter-text", word.upper())
    expected = [r["id"] for r in records for _ in r["topics"] if word in (r["title"] + " ".join(
        s["text"] for s in r["summary"])).lower()]
    assert sorted(v.visible_cards()) == sorted(expected) and len(expected) >= 1
    assert v.counter() == str(len(expected))
    v.page.fill("#filter-text", "")
    assert len(v.visible_cards()) == sum(len(r["topics"]) for r in records)


def test_the_topic_filter_shows_one_topic(visit, seed_run):
    html, records = seed_run
    v = visit(html)
    topic = "keamanan_lapas"
    v.page.select_option("#filter-topic", topic)
    expected = [r["id"] for r in records if topic in r["topics"]]
    assert sorted(v.visible_cards()) == sorted(expected) and v.counter() == str(len(expected))
    visible_sections = v.page.eval_on_selector_all("section.topic", "ss => ss.filter(s => !s.hidden)"
                                                                    ".map(s => s.dataset.topic)")
    assert visible_sections == [topic]
    assert v.errors == []


def test_no_script_from_a_hostile_article_runs(visit, hostile_report, tmp_path):
    v = visit(hostile_report)
    for link in v.page.query_selector_all("article.doc a"):
        link.hover()
    v.page.fill("#filter-text", "pemilu")
    assert v.page.evaluate("typeof window.__pwned") == "undefined"
    assert v.page.evaluate("document.scripts.length") == 1
    assert v.page.evaluate("document.querySelectorAll('iframe, img, [onerror], [onload], [onmouseover]').length") == 0
    titles = v.page.eval_on_selector_all("article.doc h3", "hs => hs.map(h => h.textContent)")
    assert HOSTILE[0]["title"] in titles and HOSTILE[1]["title"] in titles
    hrefs = v.page.eval_on_selector_all("article.doc a", "as => as.map(a => a.href)")
    assert all(h.startswith("https://") for h in hrefs) and len(hrefs) == 1
    v.page.screenshot(path=str(tmp_path / "hostile-report.png"))
    assert v.errors == [] and v.requests == [v.url]
