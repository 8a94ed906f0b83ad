"""An article that cleaning empties is read whole, by every model alike (issue 22, defect 2)."""
from __future__ import annotations

import numpy as np

import pemilu_nlp
from pemilu_nlp.summarize import get_summarizer

# every line of it is furniture to the cleaning rules
ALL_FURNITURE = "BACA JUGA: Hoaks surat suara tercoblos di Malaysia\nKesimpulan\nSumber: WhatsApp"


def test_all_furniture_is_all_that_cleaning_sees():
    assert pemilu_nlp.clean_text(ALL_FURNITURE) == ""


def test_tfidf_classifies_the_raw_text_when_cleaning_leaves_nothing():
    model = pemilu_nlp.load_default()
    cleaned = model.predict_proba([ALL_FURNITURE])
    raw = model.set_params(clean=False).predict_proba([ALL_FURNITURE])
    nothing = model.predict_proba(["x"])
    np.testing.assert_allclose(cleaned, raw)
    assert not np.allclose(cleaned, nothing)


def test_the_summarisers_read_the_same_raw_text():
    summary = get_summarizer("lead")(ALL_FURNITURE, 1)
    assert summary[0].text == "BACA JUGA: Hoaks surat suara tercoblos di Malaysia"
