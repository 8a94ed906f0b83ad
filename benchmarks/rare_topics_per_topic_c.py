"""Issue 12, item 5: the regularisation C of each topic's regression chosen inside the folds.

For every outer fold, each C in ``GRID`` gets its own inner out-of-fold scores of the training
articles; per topic, the C whose out-of-fold F1 (with the shipped cue prior and threshold rule,
all from those scores) is best is kept (ties: the shipped C), and the held-out articles are scored
by that topic's regression at that C.  Compared on the same folds with the shipped recipe (one C).

    python3 benchmarks/rare_topics_per_topic_c.py [--repeats 2] [--out benchmarks/results/rare_topics_per_topic_c.json]
"""
from __future__ import annotations

import copy
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.lib.cv_setup import cv_setup, parse_args, write_summaries  # noqa: E402
from pemilu_nlp.classify.cues import blend, choose_cue_weights, cue_scores  # noqa: E402
from pemilu_nlp.classify.tfidf.classifier import OOF_REPEATS, HeadScorer  # noqa: E402
from pemilu_nlp.classify.thresholds import apply_thresholds, oof_thresholds  # noqa: E402
from pemilu_nlp.learn.crossval import Fold, scored_folds  # noqa: E402

GRID = (8.0, 32.0, 128.0)
SHIPPED_C = 32.0


def _decide(fold: Fold, cue: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The shipped rule on one fold: cue weights and thresholds from the inner OOF scores; returns
    (OOF decisions of the training articles, test decisions, Y_train)."""
    cue_train = cue[fold.train_idx]
    weights = choose_cue_weights(fold.Y_train, fold.oof, cue_train)
    oof = blend(fold.oof, cue_train, weights)
    thresholds = oof_thresholds(fold.Y_train, oof)
    return apply_thresholds(oof, thresholds), apply_thresholds(blend(fold.test_scores, cue[fold.test_idx], weights),
                                                              thresholds), fold.Y_train


def _f1(y: np.ndarray, d: np.ndarray) -> np.ndarray:
    tp = ((d == 1) & (y == 1)).sum(axis=0)
    return 2 * tp / np.maximum(d.sum(axis=0) + y.sum(axis=0), 1)


def main() -> None:
    args = parse_args(__doc__, "rare_topics_per_topic_c.json")
    start = time.time()
    setup = cv_setup(args.data, args.unlabelled)
    texts, topics, Y, model = setup.texts, setup.topics, setup.Y, setup.model
    features = model.transform(texts)
    cue = cue_scores(model.cue_counts(texts))
    scorers = {}
    for c in GRID:
        variant = copy.copy(model)
        variant.C = c
        scorers[c] = HeadScorer(variant, features)
    shipped = np.zeros((args.repeats, *Y.shape), dtype=np.int8)
    chosen_c = np.zeros((args.repeats, *Y.shape), dtype=np.int8)
    picks = []
    for r in range(args.repeats):
        for k, (train_idx, test_idx) in enumerate(scored_folds(Y, 5, seed=r, train_only=setup.train_only)):
            per_c = {c: _decide(Fold(s, Y, train_idx, test_idx, seed=100 * r + k, inner_repeats=OOF_REPEATS), cue)
                     for c, s in scorers.items()}
            f1 = np.array([_f1(per_c[c][2], per_c[c][0]) for c in GRID])  # C x topics, out of fold
            best = [SHIPPED_C if f1[GRID.index(SHIPPED_C), j] >= f1[:, j].max() - 1e-9 else GRID[int(f1[:, j].argmax())]
                    for j in range(len(topics))]
            picks.append(best)
            shipped[r, test_idx] = per_c[SHIPPED_C][1]
            chosen_c[r, test_idx] = np.column_stack([per_c[best[j]][1][:, j] for j in range(len(topics))])
            print(f"repeat {r} fold {k}: C per topic {best} ({time.time() - start:.0f} s)", flush=True)
    scored = ~setup.train_only  # rows of the scored articles, as run_cv returns them
    write_summaries(args, setup, {"one C (shipped)": shipped[:, scored], "C per topic, chosen in the folds": chosen_c[:, scored]},
                    start=start, grid=GRID, picks=picks)

if __name__ == "__main__":
    main()
