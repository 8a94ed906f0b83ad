"""Issue 12: should thresholds and cue weights be chosen on representative training articles only?

Articles a model chose for reading (rounds 4 and 5) are trained on in every fold and never scored.
They are not a sample of the news the model will see (most are negatives that scored high), so
they might pull a topic's threshold up.  Compared on the same folds: the shipped rule (the inner
out-of-fold scores of every training article choose the cue weights and thresholds) and the same
rule over the training fold's representative articles only (the regressions still learn from all).

    python3 benchmarks/rare_topics_representative_thresholds.py [--repeats 2]
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.lib.cv_setup import cv_setup, parse_args  # noqa: E402
from pemilu_nlp.crossval import Fold, bootstrap_summary, format_cv_table, recipe_oof_cue_prior, run_cv  # noqa: E402
from pemilu_nlp.cues import blend, choose_cue_weights, cue_scores  # noqa: E402
from pemilu_nlp.tfidf import OOF_REPEATS, HeadScorer  # noqa: E402
from pemilu_nlp.thresholds import apply_thresholds, oof_thresholds  # noqa: E402


def main() -> None:
    args = parse_args(__doc__, "rare_topics_representative_thresholds.json")
    start = time.time()
    setup = cv_setup(args.data, args.unlabelled)
    cue = cue_scores(setup.model.cue_counts(setup.texts))

    def representative_rows(fold: Fold):
        keep = ~setup.train_only[fold.train_idx]
        Y, oof, c = fold.Y_train[keep], fold.oof[keep], cue[fold.train_idx][keep]
        weights = choose_cue_weights(Y, oof, c)
        return apply_thresholds(blend(fold.test_scores, cue[fold.test_idx], weights),
                                oof_thresholds(Y, blend(oof, c, weights)))

    predictions = run_cv(HeadScorer(setup.model, setup.model.transform(setup.texts)), setup.Y,
                         {"every training article (shipped)": recipe_oof_cue_prior(cue),
                          "representative articles only": representative_rows},
                         n_splits=5, n_repeats=args.repeats, seed=0, inner_repeats=OOF_REPEATS,
                         train_only=setup.train_only, progress=True)
    scored = setup.Y[~setup.train_only]
    summaries = {name: bootstrap_summary(scored, p, setup.topics, n_boot=1000, seed=0) for name, p in predictions.items()}
    print(format_cv_table(summaries, title=f"{args.data}: 5-fold CV x {args.repeats}"))
    result = {"data": args.data, "n_repeats": args.repeats, "training_only_articles": int(setup.train_only.sum()),
              "recipes": summaries, "seconds": round(time.time() - start),
              "command": f"python3 benchmarks/rare_topics_representative_thresholds.py --repeats {args.repeats}"}
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
