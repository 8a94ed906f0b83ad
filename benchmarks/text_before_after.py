"""This checkout's text handling and summarisers beside another version's, timed in one process.

The other version (e.g. ``main`` exported with ``git archive``) is imported under another package
name, and the two are timed alternately on the same articles, round after round, so both see the
same machine load.  Each figure is the best of the rounds.

    mkdir -p /tmp/other && git archive main pemilu_nlp | tar -x -C /tmp/other
    python benchmarks/text_before_after.py --other /tmp/other --out benchmarks/results/text_before_after.json
"""
from __future__ import annotations

import argparse
import importlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load_other(folder: Path, workdir: Path):
    """The other checkout's pemilu_nlp, imported as ``pemilu_nlp_other`` (its imports are relative)."""
    target = workdir / "pemilu_nlp_other"
    shutil.copytree(folder / "pemilu_nlp", target)
    (workdir / "models").symlink_to(ROOT / "models")  # the shipped models, for trained/neural
    sys.path.insert(0, str(workdir))
    return importlib.import_module("pemilu_nlp_other")


def best_of(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", required=True, help="folder holding the other version's pemilu_nlp/")
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--methods", default="lead,textrank,lexrank,trained,neural")
    parser.add_argument("--out")
    args = parser.parse_args()
    import pemilu_nlp
    from pemilu_nlp.bench import load_articles, machine_info

    articles = load_articles(None, args.docs)
    with tempfile.TemporaryDirectory() as tmp:
        other = load_other(Path(args.other), Path(tmp))
        importlib.import_module("pemilu_nlp_other.summarize")
        rows = []
        versions = {"this": pemilu_nlp, "other": other}
        work = {}
        for name, pkg in versions.items():
            text = importlib.import_module(f"{pkg.__name__}.text")
            work[name] = {"clean_text + split_sentences":
                          (lambda t=text: [t.split_sentences(t.clean_text(a)) for a in articles])}
            summ = importlib.import_module(f"{pkg.__name__}.summarize")
            for method in args.methods.split(","):
                model = summ.get_summarizer(method)
                work[name][f"summarizer {method}"] = (lambda m=model: [m(a, 3) for a in articles])
        for task in work["this"]:
            seconds = {name: float("inf") for name in versions}
            for _ in range(args.rounds):  # alternate, so both versions see the same load
                for name in versions:
                    seconds[name] = min(seconds[name], best_of(work[name][task], 1))
            row = {"task": task, "docs": len(articles),
                   "docs_per_second": {n: round(len(articles) / s, 1) for n, s in seconds.items()},
                   "this_over_other": round(seconds["other"] / seconds["this"], 3)}
            rows.append(row)
            print(f"{task:32s} this {row['docs_per_second']['this']:>8.1f}/s   other {row['docs_per_second']['other']:>8.1f}/s"
                  f"   ratio {row['this_over_other']:.3f}", flush=True)
    report = {"machine": machine_info(), "other": str(Path(args.other).resolve()), "rounds": args.rounds, "rows": rows,
              "note": "best of the rounds; ratio > 1 means this checkout is faster"}
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1) + "\n", "utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
