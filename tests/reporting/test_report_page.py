"""The report page read as HTML (no browser): what it lists, what it links, what it escapes."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter

import pytest

import pemilu_nlp
from pemilu_nlp.reporting.data import NO_TOPIC, link_target, parse_date

from .conftest import HOSTILE, ROOT, SEEDS, read_page, run_cli, write_jsonl

pytestmark = pytest.mark.usefixtures("report_extra")


def expected_cards(records: list[dict]) -> Counter:
    return Counter((topic, r["id"]) for r in records for topic in (r["topics"] or [NO_TOPIC]))


def test_the_seed_report_lists_each_article_under_each_of_its_topics(seed_run):
    html, records = seed_run
    page = read_page(html)
    assert Counter(page.cards) == expected_cards(records)
    assert {card_id for _, card_id in page.cards} == {r["id"] for r in records}  # N in, N in the page


def test_the_seed_report_names_its_model_and_library_version(seed_run):
    text = " ".join(read_page(seed_run[0]).text)
    assert "tfidf-default (shipped)" in text and f"pemilu_nlp {pemilu_nlp.__version__}" in text


def test_run_output_carries_what_the_report_shows(seed_run):
    _, records = seed_run
    first = next(r for r in records if r["id"].startswith("000_"))
    assert first["title"].startswith("Sinergi Pengamanan Pemilu")
    assert (first["date"], first["source"]) == ("2024-02-12", "Humas_Info")  # from the dateline


def test_the_page_has_only_its_own_script_and_loads_nothing(seed_run):
    page = read_page(seed_run[0])
    assert len(page.scripts) == 1 and "filter-text" in page.scripts[0]
    loads = [(tag, name) for tag, name, _ in page.attributes if name in ("src", "srcset", "data")]
    assert loads == []  # no <script src>, <img src>, <iframe src>, <object data>
    policy = next(value for tag, name, value in page.attributes if tag == "meta" and value.startswith("default-src"))
    assert "default-src 'none'" in policy and "script-src 'sha256-" in policy
    assert all(tag not in page.tags for tag in ("link", "iframe", "img"))


def test_hostile_fields_are_shown_as_text(hostile_report):
    page = read_page(hostile_report)
    assert len(page.scripts) == 1
    assert not [(t, n) for t, n, _ in page.attributes if n.startswith("on")]  # no onerror, onload, onmouseover
    assert "iframe" not in page.tags and "img" not in page.tags and page.tags.count("h1") == 1
    assert page.tags.count("style") == 1 + page.tags.count("svg")  # the page's and each chart's own
    text = "".join(page.text)
    assert "<style>body{display:none}</style>" in text
    assert HOSTILE[0]["title"] in text and "</h3></article><h1>broken" in text
    assert "{{ 7 * 7 }} {% raw %}" in text  # not evaluated as a template either


def test_only_http_and_https_addresses_become_links(hostile_report):
    links = read_page(hostile_report).links
    article_links = [href for href in links if not href.endswith(".csv")]
    assert article_links == ["https://example.org/berita?a=1&b=<2>"]
    assert [link_target(u) for u in ("javascript:alert(1)", " JaVaScRiPt:x", "data:text/html,x", "https://",
                                     "http://a b", "https://kpu.go.id/x")] == [None] * 5 + ["https://kpu.go.id/x"]


def test_the_hostile_report_still_lists_every_record(hostile_report):
    assert Counter(read_page(hostile_report).cards) == expected_cards(HOSTILE)


def test_an_article_without_a_topic_is_listed_apart(hostile_report):
    cards = read_page(hostile_report).cards
    assert (NO_TOPIC, "h-data") in cards and sum(topic == NO_TOPIC for topic, _ in cards) == 1


def record(i: int, date: str, topics=("pemilu",)) -> dict:
    return {"id": f"a{i:03d}", "title": f"Berita {i}", "date": date, "topics": list(topics),
            "probabilities": {t: 0.5 + i / 1000 for t in topics}, "summary": [f"Kalimat {i}."]}


def test_a_long_topic_lists_the_newest_and_says_how_many_more_are_in_the_csv(tmp_path):
    records = [record(i, f"2024-01-{1 + i % 28:02d}") for i in range(30)]
    files = pemilu_nlp.report(write_jsonl(tmp_path / "run.jsonl", records), tmp_path / "r.html", cap=10)
    page = read_page(files.html)
    listed = [card_id for _, card_id in page.cards]
    newest = sorted(records, key=lambda r: (r["date"], r["probabilities"]["pemilu"]), reverse=True)[:10]
    assert listed == [r["id"] for r in newest]
    assert "20 more in" in " ".join(page.text) and "r.csv" in page.links
    with files.csv.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [row["id"] for row in rows] == [r["id"] for r in records]


def test_csv_cells_cannot_start_a_spreadsheet_formula(hostile_report):
    with hostile_report.with_suffix(".csv").open(encoding="utf-8", newline="") as fh:
        titles = {row["id"]: row["title"] for row in csv.DictReader(fh)}
    assert titles["h-link"] == "'=HYPERLINK(\"http://evil\")"


def test_dates_come_from_the_record_else_the_dateline_and_undated_articles_are_counted_apart(tmp_path):
    articles = [
        {"id": "own", "text": "JAKARTA - KPU rapat, Senin (12/02/2024).", "date": "2024-03-01"},
        {"id": "dateline", "text": "BANJARMASIN, REPORTASE9.COM – KPU rapat, Rabu (18/10/23)."},
        {"id": "none", "text": "KPU rapat pleno terbuka."},
    ]
    files = pemilu_nlp.report(write_jsonl(tmp_path / "articles.jsonl", articles), tmp_path / "r.html")
    with files.csv.open(encoding="utf-8", newline="") as fh:
        rows = {row["id"]: row for row in csv.DictReader(fh)}
    assert {k: rows[k]["date"] for k in rows} == {"own": "2024-03-01", "dateline": "2023-10-18", "none": ""}
    assert rows["dateline"]["source"] == "REPORTASE9.COM"
    assert '<b id="n-undated">1</b>' in files.html.read_text("utf-8")


def test_record_dates_are_read_day_first_unless_impossible():
    assert parse_date("Senin (12/02/2024)").isoformat() == "2024-02-12"
    assert parse_date("10/21/2025 20:43").isoformat() == "2025-10-21"
    assert parse_date("2024-02-30") is None and parse_date("jumat sore (10/11)") is None


def test_a_report_made_from_articles_explains_its_topics(tmp_path):
    files = pemilu_nlp.report([SEEDS / "seeds.jsonl"], tmp_path / "r.html")
    html = files.html.read_text("utf-8")
    assert files.articles == 5 and html.count('<ul class="terms">') >= 5
    assert "tfidf-default (shipped)" in html


def test_run_output_given_its_articles_explains_the_listed_ones(seed_run, tmp_path):
    html, records = seed_run
    without = html.read_text("utf-8")
    code, _ = run_cli("report", str(html.with_name("run.jsonl")), "--texts", *map(str, sorted(SEEDS.glob("*.txt"))),
                      "--out", str(tmp_path / "r.html"))
    assert code == 0 and '<ul class="terms">' not in without
    assert (tmp_path / "r.html").read_text("utf-8").count('<ul class="terms">') == sum(len(r["topics"]) for r in records)


def test_a_bad_line_is_listed_on_the_page_and_the_command_fails(tmp_path):
    path = tmp_path / "run.jsonl"
    path.write_text(json.dumps(record(1, "2024-01-01")) + "\n{not json\n" +
                    json.dumps({"id": "x", "topics": "pemilu", "probabilities": {}}) + "\n", "utf-8")
    code, output = run_cli("report", str(path), "--out", str(tmp_path / "r.html"))
    assert code == 1 and "(1 articles)" in output
    text = " ".join(read_page(tmp_path / "r.html").text)
    assert f"{path}:2" in text and f"{path}:3" in text and "'topics' must be a list" in text


def test_pemilu_nlp_report_is_callable_however_it_was_imported(tmp_path):
    records = write_jsonl(tmp_path / "run.jsonl", [record(1, "2024-01-01")])
    # here the subpackage was imported first (pemilu_nlp.reporting.data, above)
    assert pemilu_nlp.report(records, tmp_path / "a.html").articles == 1
    fresh = subprocess.run([sys.executable, "-c", "import sys, pemilu_nlp; print(pemilu_nlp.report(sys.argv[1], "
                            "sys.argv[2]).articles, 'jinja2' in sys.modules)", str(records), str(tmp_path / "b.html")],
                           capture_output=True, text=True, cwd=ROOT, check=True)
    assert fresh.stdout.split() == ["1", "True"]  # the lazy name: the function


def test_without_the_extra_the_report_names_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "jinja2", None)
    with pytest.raises(pemilu_nlp.MissingDependencyError, match=r"pemilu-nlp\[report\]"):
        pemilu_nlp.report(write_jsonl(tmp_path / "run.jsonl", [record(1, "")]), tmp_path / "r.html")
