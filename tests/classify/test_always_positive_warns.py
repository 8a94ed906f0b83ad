"""A topic that every training text has is learned as "always": fit warns (issue 22, also)."""
from __future__ import annotations

import pytest

from pemilu_nlp import TfidfTopicClassifier

TEXTS = ["KPU menetapkan daftar pemilih tetap.", "Bawaslu mengawasi kampanye.", "Polisi mengamankan TPS."]


def test_a_topic_on_every_training_text_gets_a_warning():
    with pytest.warns(UserWarning, match="pemilu: every training text is labelled with it"):
        TfidfTopicClassifier(min_df=1, thresholds="fixed").fit(TEXTS, [["pemilu"], ["pemilu", "netralitas"], ["pemilu"]])


def test_topics_with_negatives_train_without_that_warning(recwarn):
    TfidfTopicClassifier(min_df=1, thresholds="fixed").fit(TEXTS, [["pemilu"], ["netralitas"], []])
    assert not [w for w in recwarn if "every training text" in str(w.message)]
