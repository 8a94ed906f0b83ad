"""Wrong types at the Python API are TypeErrors that say what is allowed (issue #14, item 9)."""
from __future__ import annotations

import pytest

from pemilu_nlp import load_default
from pemilu_nlp.inputs import BYTES_GIVEN
from pemilu_nlp.summarize import get_summarizer

TEXT = "Polres menggelar patroli pengamanan TPS pemilu. Bawaslu mengawasi kampanye. KPU menghitung suara."


@pytest.fixture(scope="module")
def model():
    return load_default()


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_top", "predict_topics", "topic_probabilities"])
def test_a_dict_is_refused_not_its_keys_classified(model, method):
    with pytest.raises(TypeError, match="mapping"):
        getattr(model, method)({"a": 1})
    with pytest.raises(TypeError, match="mapping"):
        getattr(model, method)({TEXT: "label"})


@pytest.mark.parametrize("texts", [{TEXT, "KPU menetapkan DPT."}, frozenset({TEXT}), {TEXT: 1}.keys()])
def test_a_set_is_refused_for_it_has_no_order(model, texts):
    with pytest.raises(TypeError, match="no defined order"):
        model.predict(texts)


def test_sequences_and_generators_still_work(model):
    assert len(model.predict(t for t in [TEXT, TEXT])) == 2
    assert len(model.predict({1: TEXT}.values())) == 1


def test_explain_takes_one_text(model):
    with pytest.raises(TypeError, match="explain takes one text"):
        model.explain([TEXT, "KPU menetapkan DPT."], "pemilu")
    with pytest.raises(TypeError, match="decode"):
        model.explain(TEXT.encode(), "pemilu")
    assert model.explain(TEXT, "pemilu")


@pytest.mark.parametrize("method", ["lead", "textrank", "lexrank", "features"])
def test_summarizers_name_bytes_and_none(method):
    summarizer = get_summarizer(method)
    with pytest.raises(TypeError) as err:
        summarizer(TEXT.encode())
    assert str(err.value) == BYTES_GIVEN
    for wrong, name in ((None, "NoneType"), (42, "int"), ({TEXT}, "set")):
        with pytest.raises(TypeError, match=f"one text \\(a str\\) or a list of its sentences, got {name}"):
            summarizer(wrong)
    assert summarizer(TEXT, 1)


def test_labels_as_rows_of_numbers_or_a_sparse_matrix_are_an_indicator_matrix():
    import scipy.sparse as sp

    from pemilu_nlp.inputs import binarize_labels

    topics = ["a", "b"]
    expected = [[1, 0], [0, 1]]
    assert binarize_labels([[1, 0], [0, 1]], topics, n=2).tolist() == expected
    assert binarize_labels(sp.csr_matrix(expected), topics, n=2).tolist() == expected
    assert binarize_labels([["a"], ["b"]], topics, n=2).tolist() == expected
