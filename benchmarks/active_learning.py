"""Simulated active learning on the project corpus: random vs uncertainty vs diverse (and margin).

    python benchmarks/active_learning.py   # writes benchmarks/results/active_learning.{json,png}

Pool: the corpus's train + dev parts (labels hidden until "labelled"); held out: the test part.
Start: 5 labelled positives per topic (fewer where the pool has fewer) plus 20 random articles
without a topic; then 10 rounds of 25 articles; 3 repeats with the same seeds for every strategy.
The logic is benchmarks/lib/al_simulation.py (simulate); this script runs it, finds how many labels each
strategy needs to reach random's final macro-F1, and plots the curves.
"""
from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.lib.al_simulation import labels_to_reach, simulate  # noqa: E402

COLOURS = {"random": "#777777", "uncertainty": "#1f77b4", "margin": "#2ca02c", "diverse": "#d62728"}


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, key, title in ((axes[0], "macro_f1", "test macro-F1"),
                           (axes[1], "rare_recall", f"mean recall, rare topics (< {result['settings']['rare_below']} examples)")):
        for strategy, s in result["summary"].items():
            x, mean, std = np.array(s["labels"]), np.array(s[f"{key}_mean"]), np.array(s[f"{key}_std"])
            ax.plot(x, mean, marker="o", ms=3, label=strategy, color=COLOURS.get(strategy))
            ax.fill_between(x, mean - std, mean + std, alpha=0.15, color=COLOURS.get(strategy))
        ax.set_xlabel("labelled articles")
        ax.set_title(title)
        ax.grid(alpha=0.3)
    axes[0].legend()
    st = result["settings"]
    fig.suptitle(f"Simulated active learning, TF-IDF model, {st['repeats']} repeats (mean ± std); "
                 f"pool {st['pool_size']}, held-out test {st['test_size']}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT / "data" / "corpus.jsonl"))
    parser.add_argument("--split", default=str(ROOT / "data" / "split.json"))
    parser.add_argument("--strategies", default="random,uncertainty,margin,diverse")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--batch", type=int, default=25)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "active_learning.json"))
    parser.add_argument("--plot", default=str(ROOT / "benchmarks" / "results" / "active_learning.png"))
    args = parser.parse_args()
    result = simulate(args.corpus, args.split, strategies=args.strategies.split(","), repeats=args.repeats,
                      rounds=args.rounds, batch=args.batch)
    summary = result["summary"]
    target = summary["random"]["macro_f1_mean"][-1]
    random_labels = summary["random"]["labels"][-1]
    savings = {}
    for strategy, s in summary.items():
        reached = labels_to_reach(s["labels"], s["macro_f1_mean"], target)
        savings[strategy] = {"labels_to_reach_random_final_macro_f1": None if reached is None else round(reached, 1),
                             "labels_saved_vs_random": None if reached is None else round(random_labels - reached, 1),
                             "final_macro_f1": s["macro_f1_mean"][-1], "final_rare_recall": s["rare_recall_mean"][-1]}
    result["target"] = {"what": "random's mean macro-F1 after the last round; a strategy reaches it at the label "
                                "count from which its mean curve stays at or above it", "macro_f1": target,
                        "random_labels": random_labels}
    result["savings"] = savings
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        commit = ""
    result["machine"] = {"platform": platform.platform(), "python": platform.python_version(), "commit": commit}
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    plot(result, Path(args.plot))
    print(json.dumps({"target": result["target"], "savings": savings, "seconds": result["seconds"]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
