"""The report page at 1,000 to 100,000 articles: time to build it, its size, and the time headless
Chromium takes to open it and to apply a filter.

Records are the run output of the labelled corpus (``pemilu-nlp run data/corpus.jsonl --json``,
1,755 articles) repeated with new ids; dated records get a date spread over 2025 (so the
timeline has a year of weeks), undated ones stay undated (as 31 % of the corpus are).  Build time
is the report's alone (reading run JSONL, counting, charts, template, CSV); the corpus row also
times the report made from the articles themselves (model, summaries and explanations included).

    python3 benchmarks/report_scale.py --sizes 1000,10000,100000 --out benchmarks/results/report_scale.json \
        --screenshot docs/img/report.png
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pemilu_nlp
from pemilu_nlp.bench import PeakRSS, machine_info
from pemilu_nlp.cli import main as cli_main

ROOT = Path(__file__).resolve().parent.parent
YEAR = dt.date(2025, 1, 1)


def corpus_run(folder: Path) -> list[dict]:
    """Run records of the labelled corpus, as ``pemilu-nlp run data/corpus.jsonl --json`` writes them."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(["run", str(ROOT / "data" / "corpus.jsonl"), "--json"]) == 0
    (folder / "corpus-run.jsonl").write_text(out.getvalue(), "utf-8")
    return [json.loads(line) for line in out.getvalue().splitlines()]


def scaled(records: list[dict], n: int, path: Path) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            record = dict(records[i % len(records)], id=f"{records[i % len(records)]['id']}-{i // len(records)}")
            if record.get("date"):
                record["date"] = (YEAR + dt.timedelta(days=(i * 7919) % 365)).isoformat()
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def build(inputs: Path, out: Path, cap: int) -> dict:
    with PeakRSS() as rss:
        start = time.perf_counter()
        files = pemilu_nlp.report([inputs], out, cap=cap)
        seconds = time.perf_counter() - start
    return {"articles": files.articles, "build_s": round(seconds, 2), "peak_rss_mb": round(rss.peak / 2**20),
            "html_bytes": files.html.stat().st_size, "csv_bytes": files.csv.stat().st_size}


_TIMING = """() => { const n = performance.getEntriesByType('navigation')[0];
  return {dom_content_loaded_ms: n.domContentLoadedEventEnd, load_ms: n.loadEventEnd}; }"""
_FILTER = """() => { const q = document.getElementById('filter-text'); const t0 = performance.now();
  q.value = 'polres'; q.dispatchEvent(new Event('input')); const ms = performance.now() - t0;
  return {filter_ms: ms, cards_after_filter: Number(document.getElementById('filter-count').textContent.replace(/,/g, ''))}; }"""


def open_in_chromium(browser, html: Path, repeats: int) -> dict:
    """Median of ``repeats`` fresh opens: wall time to the load event, the page's own timings, and
    one filter keystroke."""
    runs = []
    for _ in range(repeats):
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        page = context.new_page()
        start = time.perf_counter()
        page.goto(html.resolve().as_uri(), wait_until="load")
        wall = (time.perf_counter() - start) * 1000
        runs.append({"open_wall_ms": wall, **page.evaluate(_TIMING), **page.evaluate(_FILTER)})
        context.close()
    return {key: round(statistics.median(r[key] for r in runs), 1) for key in runs[0]}


def launch():
    from playwright.sync_api import sync_playwright

    manager = sync_playwright().start()
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    return manager, manager.chromium.launch(executable_path=executable, args=["--no-sandbox"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--cap", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default="benchmarks/results/report_scale.json")
    parser.add_argument("--screenshot", help="also save the corpus report's first screen here (PNG)")
    args = parser.parse_args(argv)
    manager, browser = launch()
    load_before = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        records = corpus_run(folder)
        start = time.perf_counter()
        corpus = build(ROOT / "data" / "corpus.jsonl", folder / "corpus.html", args.cap)
        rows.append({"input": "data/corpus.jsonl (articles: model + summaries + explain + page)", **corpus,
                     **open_in_chromium(browser, folder / "corpus.html", args.repeats)})
        if args.screenshot:
            page = browser.new_page(viewport={"width": 1200, "height": 1000})
            page.goto((folder / "corpus.html").as_uri(), wait_until="load")
            page.screenshot(path=args.screenshot)
            page.close()
        for n in map(int, args.sizes.split(",")):
            inputs = scaled(records, n, folder / f"run-{n}.jsonl")
            row = {"input": f"run JSONL, {n:,} records", **build(inputs, folder / f"r{n}.html", args.cap)}
            row.update(open_in_chromium(browser, folder / f"r{n}.html", args.repeats))
            print(json.dumps(row), flush=True)
            rows.append(row)
        print(f"corpus from articles: {time.perf_counter() - start:.1f} s in all", file=sys.stderr)
    version = browser.version
    browser.close()
    manager.stop()
    result = {"command": "python3 benchmarks/report_scale.py " + " ".join(argv or sys.argv[1:]), "cap": args.cap,
              "chromium": version, "load_average_1_5_15min": {"before": load_before, "after": os.getloadavg()},
              "rows": rows, "machine": machine_info()}
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
