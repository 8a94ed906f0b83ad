"""Issue 12, item 4: the schema's cue phrases as a prior blended with the model's probability, with a
per-topic weight chosen inside each training fold.

For every outer fold the recipe (:func:`pemilu_nlp.learn.crossval.recipe_oof_cue_prior`, what
``TfidfTopicClassifier(cue_prior=True)`` does when it is fitted) takes the inner out-of-fold probabilities of the training articles
(the same ones the thresholds come from), blends them with a label-free cue score
``s = c / (c + 1)`` (``c``: the topic's cue phrases counted in the article) as ``(1 - w) p + w s``
for each ``w`` in ``pemilu_nlp.classify.cues.CUE_WEIGHTS``, keeps per topic the ``w`` whose out-of-fold F1 at its own
out-of-fold threshold is best (ties: the smaller ``w``), and applies ``w`` and that threshold to the
held-out articles.  Nothing of a test article is seen before its prediction; the cue score needs no
label.  Compared on the same folds with the same recipe without the prior.

    python3 benchmarks/rare_topics_cue_prior.py [--repeats 2] [--out benchmarks/results/rare_topics_cue_prior.json]
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.lib.cv_setup import cv_setup, parse_args, write_summaries  # noqa: E402
from pemilu_nlp.classify.cues import CUE_WEIGHTS, cue_scores  # noqa: E402
from pemilu_nlp.classify.tfidf.classifier import OOF_REPEATS, HeadScorer  # noqa: E402
from pemilu_nlp.learn.crossval import recipe_oof, recipe_oof_cue_prior, run_cv  # noqa: E402


def main() -> None:
    args = parse_args(__doc__, "rare_topics_cue_prior.json")
    start = time.time()
    setup = cv_setup(args.data, args.unlabelled)
    texts, Y, model = setup.texts, setup.Y, setup.model
    predictions = run_cv(HeadScorer(model, model.transform(texts)), Y,
                         {"without the cue prior": recipe_oof(),
                          "with the cue prior (shipped)": recipe_oof_cue_prior(cue_scores(model.cue_counts(texts)))},
                         n_splits=5, n_repeats=args.repeats, seed=0, inner_repeats=OOF_REPEATS,
                         train_only=setup.train_only, progress=True)
    write_summaries(args, setup, predictions, start=start, weights_tried=CUE_WEIGHTS)

if __name__ == "__main__":
    main()
