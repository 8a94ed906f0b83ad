"""Each model's settings have declared limits, checked where a setting comes in: the constructor,
``set_params``, ``fit`` (a setting assigned directly) and ``load`` (the saved settings)."""
from __future__ import annotations

import pytest

from pemilu_nlp.classify.indobert import IndoBertTopicClassifier
from pemilu_nlp.classify.tfidf import TfidfTopicClassifier
from pemilu_nlp.classify.tfidf.features import WordCharTfidf
from pemilu_nlp.summarize import FeatureSummarizer, LexRankSummarizer, TextRankSummarizer, get_summarizer
from pemilu_nlp.validation import check_params, choice, int_pair, integer, number, optional

MODELS = [TfidfTopicClassifier, IndoBertTopicClassifier, WordCharTfidf, TextRankSummarizer, LexRankSummarizer, FeatureSummarizer]


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_every_setting_has_a_declared_limit_and_the_defaults_pass_it(cls):
    model = cls()
    assert set(model.get_params()) <= set(cls._parameter_constraints)
    model._validate_params()  # the defaults are allowed


@pytest.mark.parametrize("cls, name, bad, message", [
    (TfidfTopicClassifier, "C", 0, r"C must be a finite number in \(0, 1e\+12\], got 0"),
    (TfidfTopicClassifier, "word_ngram_range", (1, 3), r"word_ngram_range must be two integers"),
    (TfidfTopicClassifier, "thresholds", "best", "thresholds must be one of oof, dev, fixed, got 'best'"),
    (IndoBertTopicClassifier, "pooling", "sum", "pooling must be one of auto, max, mean, got 'sum'"),
    (IndoBertTopicClassifier, "args", {"epochs": -1}, "args epochs must be an integer from 0 to 10000"),
    (WordCharTfidf, "min_df", 0, "min_df must be an integer from 1"),
    (LexRankSummarizer, "threshold", 1.0, r"threshold must be a finite number in \[0, 1\) \(or None\), got 1.0"),
    (TextRankSummarizer, "damping", 1.5, "damping must be a finite number in"),
    (FeatureSummarizer, "max_sentences", 0, "max_sentences must be an integer from 1"),
])
def test_a_bad_setting_is_refused_by_the_constructor_and_by_set_params(cls, name, bad, message):
    with pytest.raises(ValueError, match=message):
        cls(**{name: bad})
    model = cls()
    with pytest.raises(ValueError, match=message):
        model.set_params(**{name: bad})
    assert model.get_params()[name] == cls().get_params()[name]  # nothing was set


def test_a_setting_assigned_directly_is_refused_at_fit():
    model = TfidfTopicClassifier()
    model.min_df = -1
    with pytest.raises(ValueError, match="min_df must be an integer from 1"):
        model.fit(["KPU menetapkan DPT.", "Polisi berjaga di TPS."], [["pemilu"], ["operasi_pengamanan"]])


def test_a_shipped_summariser_checks_what_may_be_changed():
    with pytest.raises(ValueError, match="mmr_lambda"):
        get_summarizer("features", mmr_lambda=2)
    assert get_summarizer("features", max_chars=500).max_chars == 500


def test_the_constraint_factories_say_what_is_allowed():
    constraints = {"n": integer(1, 3), "x": optional(number(0, 1, high_open=True)), "r": int_pair(1, 2),
                   "c": choice("a", None)}
    check_params({"n": 2, "x": None, "r": (1, 2), "c": None}, constraints)
    for params, message in (({"n": True}, "n must be an integer from 1 to 3, got True"),
                            ({"x": float("nan")}, r"x must be a finite number in \[0, 1\) \(or None\)"),
                            ({"r": [2, 1]}, "r must be two integers"), ({"c": "b"}, "c must be one of a, None")):
        with pytest.raises(ValueError, match=message):
            check_params(params, constraints)
