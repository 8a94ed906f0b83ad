"""Issue 12: should thresholds and cue weights be chosen on representative training articles only?

Articles a model chose for reading (rounds 4 and 5) are trained on in every fold and never scored.
They are not a sample of the news the model will see (most are negatives that scored high), so
they might pull a topic's threshold up.  Compared on the same folds: the shipped rule (the inner
out-of-fold scores of every training article choose the cue weights and thresholds) and the same
rule over the training fold's representative articles only (the regressions still learn from all).

    python3 benchmarks/rare_topics_representative_thresholds.py [--repeats 2]
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.lib.cv_setup import cv_setup, parse_args, write_summaries  # noqa: E402
from pemilu_nlp.classify.cues import blend, choose_cue_weights, cue_scores  # noqa: E402
from pemilu_nlp.classify.tfidf.classifier import OOF_REPEATS, HeadScorer  # noqa: E402
from pemilu_nlp.classify.thresholds import apply_thresholds, oof_thresholds  # noqa: E402
from pemilu_nlp.learn.crossval import Fold, recipe_oof_cue_prior, run_cv  # noqa: E402


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
    write_summaries(args, setup, predictions, start=start, training_only_articles=int(setup.train_only.sum()))

if __name__ == "__main__":
    main()
