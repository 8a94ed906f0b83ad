"""Summariser names, presets and the shipped scorers through the registry."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import ROOT

from pemilu_nlp import registry
from pemilu_nlp.io.indosum import load_indosum
from pemilu_nlp.summarize import (
    INDOSUM,
    FeatureSummarizer,
    TextRankSummarizer,
    get_summarizer,
)


def test_the_preset_and_the_bare_class_are_named_apart():
    tuned = get_summarizer("textrank")  # the library's setting: the weights tuned on IndoSum dev
    assert tuned.get_params() == TextRankSummarizer(**INDOSUM["textrank"]).get_params()
    assert tuned.position_weight == 4.0 and tuned.mmr_lambda == 0.85
    bare = get_summarizer("textrank", preset=None)
    assert bare.get_params() == TextRankSummarizer().get_params() != tuned.get_params()
    assert get_summarizer("textrank", title_weight=0.0).title_weight == 0.0  # a setting overrides the preset
    with pytest.raises(ValueError, match="unknown preset 'dev'"):
        get_summarizer("textrank", preset="dev")
    with pytest.warns(DeprecationWarning, match="preset"):
        assert get_summarizer("textrank", tuned=False).get_params() == bare.get_params()


def test_trained_is_the_old_name_of_features_and_warns():
    with pytest.warns(DeprecationWarning, match="'trained' is now called 'features'"):
        old = get_summarizer("trained")
    assert isinstance(old, FeatureSummarizer) and old.name == "features"
    with pytest.warns(DeprecationWarning, match="FeatureSummarizer"):
        from pemilu_nlp.summarize import TrainedSummarizer
    assert TrainedSummarizer is FeatureSummarizer
    with pytest.warns(DeprecationWarning):
        assert registry.summarizer_class("trained") is FeatureSummarizer
    with pytest.raises(ValueError, match="choose one of lead, textrank, lexrank, features, neural, embedding"):
        get_summarizer("trainer")


#: what the shipped scorers gave for an IndoSum sample article before they were renamed and moved
#: to the shared save format (scores rounded to 6 decimals)
SHIPPED_SCORES = {
    "features": [0.821308, 0.746501, 0.203727, 0.383328, 0.19876, 0.109296, 0.082013, 0.062118, 0.044746, 0.02472],
    "neural": [0.796506, 0.853124, 0.197444, 0.566359, 0.289787, 0.184391, 0.178892, 0.112218, 0.105451, 0.013305],
}


@pytest.mark.parametrize("name", sorted(SHIPPED_SCORES))
def test_the_shipped_scorers_load_through_the_registry_and_score_as_before(name):
    if name == "neural":
        pytest.importorskip("torch")
    article = load_indosum(ROOT / "tests" / "data" / "indosum_sample.jsonl")[1]
    model = registry.load(registry.shipped_folder(name))
    assert type(model) is registry.summarizer_class(name)
    np.testing.assert_allclose(model.score(article.sentences), SHIPPED_SCORES[name], atol=5e-7)
    assert [s.index for s in model(article.sentences, 3)] == [0, 1, 3]
    assert model(article.text, 3) == get_summarizer(name)(article.text, 3)
    assert registry.shipped_folder(name).name == f"summarizer-{name}"
