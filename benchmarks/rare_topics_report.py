"""Markdown tables for docs/classifiers.md from the issue-12 results.

    python3 benchmarks/rare_topics_report.py [--cv benchmarks/results/rare_topics_cv.json]
        [--ablations benchmarks/results/rare_topics.json]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cell(s: dict, digits: int = 2) -> str:
    return f"{s['mean']:.{digits}f} [{s['ci95'][0]:.2f}–{s['ci95'][1]:.2f}]"


def before_after(cv: dict) -> str:
    b, a = cv["recipes"]["before"], cv["recipes"]["after"]
    extra = cv.get("training_only_positives", {})  # positives among articles trained on, never scored
    lines = ["| topic | n scored (+ trained only) | before: P | R | F1 | after: P | R | F1 |",
             "|---|---|---|---|---|---|---|---|"]
    lines.append(f"| **macro-F1, 11 topics** | | | | {cell(b['macro_f1'], 3)} | | | **{cell(a['macro_f1'], 3)}** |")
    for topic, s in b["per_topic"].items():
        t = a["per_topic"][topic]
        n = f"{s['support']} (+{extra[topic]})" if extra.get(topic) else str(s["support"])
        lines.append(f"| {topic} | {n} | {s['precision']['mean']:.2f} | {s['recall']['mean']:.2f} | "
                     f"{cell(s['f1'])} | {t['precision']['mean']:.2f} | {t['recall']['mean']:.2f} | {cell(t['f1'])} |")
    larger = [t for t, s in a["per_topic"].items() if s["support"] >= 19]
    mean = sum(a["per_topic"][t]["f1"]["mean"] for t in larger) / len(larger)
    lines.append(f"\nafter: mean F1 over the {len(larger)} topics with 19+ examples: {mean:.2f}")
    return "\n".join(lines)


RARE = ["keamanan_lapas", "kerja_sama_mou", "audiensi", "dialog_masyarakat", "netralitas", "pelanggaran_pemilu"]


def ablations(results: dict) -> str:
    lines = ["| section | variant | macro-F1 (11 topics) | " + " | ".join(RARE) + " |",
             "|---|---|---|" + "---|" * len(RARE)]
    for section in ("thresholds", "vocabulary", "heads", "features", "cues", "selftrain"):
        for name, s in results.get(section, {}).items():
            lines.append(f"| {section} | {name} | {cell(s['macro_f1'], 3)} | "
                         + " | ".join(f"{s['per_topic'][t]['f1']['mean']:.2f}" for t in RARE) + " |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cv", default=str(ROOT / "benchmarks" / "results" / "rare_topics_cv.json"))
    ap.add_argument("--ablations", default=str(ROOT / "benchmarks" / "results" / "rare_topics.json"))
    args = ap.parse_args()
    if Path(args.cv).exists() and {"before", "after"} <= set(json.loads(Path(args.cv).read_text())["recipes"]):
        print(before_after(json.loads(Path(args.cv).read_text())))
        print()
    if Path(args.ablations).exists():
        print(ablations(json.loads(Path(args.ablations).read_text())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
