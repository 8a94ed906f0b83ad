"""Thresholds from out-of-fold scores, nested cross-validation without peeking, bootstrap summaries."""
from __future__ import annotations

import numpy as np
import pytest

from benchmarks.lib.heads import FeatureScorer
from pemilu_nlp.classify.thresholds import oof_threshold, oof_thresholds
from pemilu_nlp.learn.crossval import (
    bootstrap_summary,
    format_cv_table,
    multilabel_folds,
    oof_scores,
    recipe_fixed,
    recipe_oof,
    recipe_prior_shift,
    recipe_today,
    run_cv,
    scored_folds,
)


# ------------------------------------------------------------------------------ the threshold rule
def test_many_positives_take_the_f1_optimal_cut():
    # 40 positives at 0.60..0.99, 60 negatives at 0.00..0.59: one clean gap, found whatever the prior
    pos, neg = np.linspace(0.6, 0.99, 40), np.linspace(0.0, 0.59, 60)
    y = np.r_[np.ones(40), np.zeros(60)]
    t = oof_threshold(y, np.r_[pos, neg])
    assert 0.59 < t < 0.6
    assert ((np.r_[pos, neg] >= t) == y.astype(bool)).all()


def test_the_rule_written_out_for_two_positives():
    # positives 0.9 and 0.1; negatives 0.5, 0.3, 0.2, 0.05.  F1 is best keeping only 0.9 (cut 0.7,
    # between 0.9 and 0.5); the prevalence cut keeps two articles (cut 0.4, between 0.5 and 0.3).
    # w = 2 / (2 + 5): threshold = 2/7 * 0.7 + 5/7 * 0.4
    y = np.array([1, 0, 1, 0, 0, 0])
    s = np.array([0.9, 0.5, 0.1, 0.3, 0.2, 0.05])
    assert oof_threshold(y, s) == pytest.approx(2 / 7 * 0.7 + 5 / 7 * 0.4)
    assert oof_threshold(y, s, shrink=0.0) == pytest.approx(0.7)     # no shrinkage: the F1 optimum


@pytest.mark.parametrize("n_pos", [1, 2, 3])
def test_one_to_three_positives_are_pulled_towards_the_prevalence_cut(n_pos):
    rng = np.random.default_rng(n_pos)
    neg = rng.uniform(0.0, 0.3, 50)
    pos = np.r_[0.8, np.full(n_pos - 1, 0.25)]   # one clear positive, the others among the negatives
    y = np.r_[np.ones(n_pos), np.zeros(50)]
    s = np.r_[pos, neg]
    f1_cut, shrunk = oof_threshold(y, s, shrink=0.0), oof_threshold(y, s)
    desc = np.sort(s)[::-1]
    rank_cut = (desc[n_pos - 1] + desc[n_pos]) / 2
    w = n_pos / (n_pos + 5)
    assert shrunk == pytest.approx(w * f1_cut + (1 - w) * rank_cut)
    assert min(f1_cut, rank_cut) <= shrunk <= max(f1_cut, rank_cut)


def test_no_positive_keeps_the_default_and_ties_are_never_split():
    assert oof_threshold(np.zeros(5), np.linspace(0, 1, 5)) == 0.5
    y, s = np.array([1, 0, 0, 0]), np.array([0.7, 0.7, 0.2, 0.1])
    t = oof_threshold(y, s)
    assert (s >= t).sum() in (0, 2)       # both tied articles in, or both out
    with pytest.raises(ValueError):
        oof_thresholds(np.zeros((3, 2)), np.zeros((3, 3)))


# ------------------------------------------------------------------------------ no peeking
class SpyScorer:
    """Scores every article by a fixed number and records which articles each call touched."""

    def __init__(self, signal: np.ndarray):
        self.signal, self.calls = signal, []

    def fit_score(self, fit_idx, Y_fit, eval_idx):
        self.calls.append((set(map(int, fit_idx)), set(map(int, eval_idx))))
        return np.repeat(self.signal[eval_idx][:, None], Y_fit.shape[1], axis=1)


def _toy(n=60, seed=0):
    rng = np.random.default_rng(seed)
    Y = np.zeros((n, 2), dtype=np.int8)
    Y[rng.choice(n, 12, replace=False), 0] = 1
    Y[rng.choice(n, 3, replace=False), 1] = 1          # a topic with three positives
    return Y, Y[:, 0] * 0.6 + rng.uniform(0, 0.5, n)


@pytest.mark.parametrize("recipe", [recipe_oof(), recipe_today()])
def test_a_folds_threshold_never_sees_its_test_articles(recipe):
    Y, signal = _toy()
    folds = multilabel_folds(Y, 3, seed=0)
    for train_idx, test_idx in folds:
        spy = SpyScorer(signal)
        from pemilu_nlp.learn.crossval import Fold

        recipe(Fold(spy, Y, train_idx, test_idx))
        test = set(map(int, test_idx))
        # every call may score the test articles only with a model fitted on training articles, and
        # the calls that choose thresholds (all but the one that scores the test part) never touch them
        for fitted, _ in spy.calls:
            assert not fitted & test
        rule_calls = [c for c in spy.calls if not c[1] & test]
        assert rule_calls, "the rule must be chosen on calls that do not score test articles"
        for fitted, scored in rule_calls:
            assert (fitted | scored) <= set(map(int, train_idx))


def test_thresholds_do_not_change_when_test_labels_change():
    Y, signal = _toy()
    train_idx, test_idx = multilabel_folds(Y, 3, seed=0)[0]
    from pemilu_nlp.learn.crossval import Fold

    flipped = Y.copy()
    flipped[test_idx] = 1 - flipped[test_idx]
    a = recipe_oof()(Fold(SpyScorer(signal), Y, train_idx, test_idx))
    b = recipe_oof()(Fold(SpyScorer(signal), flipped, train_idx, test_idx))
    np.testing.assert_array_equal(a, b)


def test_oof_scores_cover_each_article_once_per_repeat():
    Y, signal = _toy()
    spy = SpyScorer(signal)
    idx = np.arange(10, 60)
    scores = oof_scores(spy, idx, Y[idx], n_splits=5, n_repeats=2)
    np.testing.assert_allclose(scores[:, 0], signal[idx])
    scored = [i for _, s in spy.calls for i in s]
    assert sorted(scored) == sorted(list(idx) * 2)


# ------------------------------------------------------------------------------ the whole loop
def test_run_cv_predicts_every_article_once_per_repeat_and_learns_the_signal():
    rng = np.random.default_rng(0)
    n = 120
    Y = np.zeros((n, 2), dtype=np.int8)
    Y[:30, 0] = 1
    Y[30:34, 1] = 1
    X = rng.normal(0, 1, (n, 5))
    X[:, 0] += 3 * Y[:, 0]
    X[:, 1] += 3 * Y[:, 1]
    preds = run_cv(FeatureScorer(X, "lr", C=1.0), Y, {"oof": recipe_oof(), "0.5": recipe_fixed(0.5),
                                                       "prior": recipe_prior_shift()}, n_splits=4, n_repeats=2)
    assert preds["oof"].shape == (2, n, 2)
    summary = bootstrap_summary(Y, preds["oof"], ["a", "b"], n_boot=100)
    assert summary["per_topic"]["a"]["f1"]["mean"] > 0.8
    low, high = summary["macro_f1"]["ci95"]
    assert low <= summary["macro_f1"]["mean"] <= high
    assert "macro-F1" in format_cv_table({"oof": summary})


def test_articles_chosen_by_a_model_are_trained_on_in_every_fold_and_never_scored():
    Y, signal = _toy()
    train_only = np.zeros(len(Y), bool)
    train_only[[0, 5, 17, 40]] = True
    folds = scored_folds(Y, 4, seed=0, train_only=train_only)
    tested = np.concatenate([test for _, test in folds])
    assert sorted(tested) == sorted(np.flatnonzero(~train_only))          # each other article once
    for fit, test in folds:
        assert set(np.flatnonzero(train_only)) <= set(fit) and not set(fit) & set(test)
    spy = SpyScorer(signal)
    preds = run_cv(spy, Y, {"oof": recipe_oof()}, n_splits=4, n_repeats=1, train_only=train_only)
    assert preds["oof"].shape == (1, len(Y) - 4, 2)                       # rows of the scored articles
    test_sets = [set(map(int, test)) for _, test in folds]
    assert [scored for _, scored in spy.calls if scored in test_sets] == test_sets  # the test parts, as above
    with pytest.raises(ValueError, match="one flag per article"):
        scored_folds(Y, 4, train_only=np.zeros(3, bool))
    plain = multilabel_folds(Y, 4, seed=0)
    for flags in (None, np.zeros(len(Y), bool)):                          # nothing chosen: the usual folds
        assert all((a == c).all() and (b == d).all()
                   for (a, b), (c, d) in zip(scored_folds(Y, 4, seed=0, train_only=flags), plain))
    with pytest.raises(ValueError, match="3 article.s. can be scored"):
        scored_folds(Y, 4, train_only=np.arange(len(Y)) >= 3)


def test_bootstrap_summary_matches_a_hand_count_and_checks_shapes():
    Y = np.array([[1], [1], [0], [0]])
    P = np.array([[[1], [0], [1], [0]]])
    s = bootstrap_summary(Y, P, ["t"], n_boot=50)
    assert s["per_topic"]["t"]["precision"]["mean"] == 0.5
    assert s["per_topic"]["t"]["recall"]["mean"] == 0.5
    assert s["macro_f1"]["mean"] == 0.5
    with pytest.raises(ValueError):
        bootstrap_summary(Y, np.zeros((1, 3, 1)), ["t"])


# ------------------------------------------------------------------------------ the TF-IDF recipes
LAPAS = ["Narapidana kabur dari lapas {i}, razia kamar warga binaan di rutan diperketat",
         "Petugas rutan {i} menggelar razia kamar narapidana dan menemukan ponsel di lapas"]
HOAKS = ["Beredar hoaks video palsu {i}, cek fakta menyebut disinformasi di media sosial"]
OTHER = ["Timnas sepak bola menang {i} gol di stadion, pelatih memuji pemain",
         "Harga saham naik {i} persen, investor membeli obligasi dan rupiah menguat"]


def _tiny_corpus(path):
    import json

    rows = [(t.format(i=i), ["keamanan_lapas"]) for i in range(6) for t in LAPAS] \
        + [(t.format(i=i), ["hoaks_ujaran_kebencian"]) for i in range(8) for t in HOAKS] \
        + [(t.format(i=i), []) for i in range(10) for t in OTHER]
    path.write_text("".join(json.dumps({"id": f"d{i}", "title": "", "text": t, "labels": y}) + "\n"
                            for i, (t, y) in enumerate(rows)), "utf-8")
    return path


def test_evaluate_cv_command_prints_both_recipes(tmp_path, capsys):
    from pemilu_nlp.cli import main

    corpus = _tiny_corpus(tmp_path / "c.jsonl")
    out = tmp_path / "cv.json"
    assert main(["evaluate", "--data", str(corpus), "--cv", "3", "--repeats", "1", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "macro-F1" in text and "keamanan_lapas" in text and "before" in text and "after" in text
    import json

    result = json.loads(out.read_text())
    assert result["recipes"]["after"]["per_topic"]["keamanan_lapas"]["f1"]["mean"] > 0.9
    assert result["recipes"]["after"]["per_topic"]["keamanan_lapas"]["support"] == 12


def test_evaluate_cv_trains_on_model_chosen_articles_but_scores_only_the_others(tmp_path, capsys):
    import json

    from pemilu_nlp.cli import main

    corpus = _tiny_corpus(tmp_path / "c.jsonl")
    chosen = [json.dumps({"id": f"m{i}", "title": "", "text": LAPAS[i % 2].format(i=100 + i),
                          "labels": ["keamanan_lapas"], "found_by": f"model:suggest:uncertainty:{i}"}) + "\n"
              for i in range(4)]
    corpus.write_text(corpus.read_text("utf-8") + "".join(chosen), "utf-8")
    out = tmp_path / "cv.json"
    assert main(["evaluate", "--data", str(corpus), "--cv", "3", "--repeats", "1", "--recipes", "after",
                 "--out", str(out)]) == 0
    assert "4 articles chosen for reading by a model's scores" in capsys.readouterr().out
    result = json.loads(out.read_text())
    assert result["scored_articles"] == 40 and result["training_only_articles"] == 4
    assert result["training_only_positives"]["keamanan_lapas"] == 4
    assert result["recipes"]["after"]["per_topic"]["keamanan_lapas"]["support"] == 12   # the 4 are not scored


def test_tfidf_oof_thresholds_and_unlabelled_vocabulary():
    from pemilu_nlp.classify.tfidf.classifier import TfidfTopicClassifier

    texts = [t.format(i=i) for i in range(6) for t in LAPAS] + [t.format(i=i) for i in range(10) for t in OTHER]
    labels = [["keamanan_lapas"]] * 12 + [[]] * 20
    model = TfidfTopicClassifier(min_df=1, thresholds="oof")
    model.fit(texts, labels, unlabelled=["Sipir lapas bertugas malam", "sipir"])
    assert "sipir" in model.word_vocabulary_ and model.n_unlabelled_ == 2
    j = list(model.classes_).index("keamanan_lapas")
    assert model.threshold_source_ == "oof" and 0.0 < model.thresholds_[j] < 1.0
    assert model.predict_topics(texts[0]) == ["keamanan_lapas"] and model.predict_topics(texts[-1]) == []


def test_an_oof_threshold_stays_a_probability_when_every_score_is_tiny():
    from pemilu_nlp.classify.thresholds import oof_threshold

    y = np.array([0, 0, 0] + [1] * 10)
    scores = np.array([0.9, 0.5, 0.3] + [1e-8] * 10)
    assert 0.0 <= oof_threshold(y, scores) <= 1.0
