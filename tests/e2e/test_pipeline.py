"""analyze(): topics and a summary per article, the library's main job in one call."""
from __future__ import annotations

import pytest
from conftest import seed_text

from pemilu_nlp import analyze
from pemilu_nlp.registry import load_default, shipped_folder
from pemilu_nlp.summarize import LeadSummarizer

TEXTS = [seed_text("000"), seed_text("003"), "KPU menetapkan DPT. Bawaslu mengawasi. Polisi berjaga."]


def test_n_in_n_out_in_order_and_one_string_gives_one_result():
    many = analyze(TEXTS, count=2)
    assert len(many) == 3
    alone = analyze(TEXTS[2], count=2)
    assert many[2].summary == alone.summary and many[2].topics == alone.topics
    assert many[2].probabilities == pytest.approx(alone.probabilities, abs=1e-6)  # batched sums: float order
    assert [len(r.summary) for r in many] == [2, 2, 2]


def test_classifier_as_object_or_folder_and_summarizer_as_object():
    by_folder = analyze(TEXTS, classifier=shipped_folder("tfidf"), summarizer=LeadSummarizer())
    by_object = analyze(TEXTS, classifier=load_default(), summarizer="lead")
    assert [r.summary for r in by_folder] == [r.summary for r in by_object]
    assert [r.topics for r in by_folder] == [r.topics for r in by_object]
    assert [s.index for s in by_folder[2].summary] == [0, 1, 2]


def test_titles_reach_the_classifier_and_are_checked():
    title = "Bawaslu dan KPU gelar rapat koordinasi pengawasan Pemilu 2024"
    body = "Rapat berlangsung di aula kantor. Peserta membahas jadwal kegiatan."
    with_title = analyze([body], titles=[title])[0]
    model = load_default()
    assert with_title.probabilities == pytest.approx(model.topic_probabilities(f"{title}\n{body}"), abs=1e-6)
    assert with_title.probabilities["pemilu"] > analyze(body).probabilities["pemilu"] + 0.1
    with pytest.raises(TypeError, match="single string"):
        analyze([body], titles=title)
    with pytest.raises(ValueError, match="2 titles for 1 texts"):
        analyze([body], titles=[title, title])
    with pytest.raises(TypeError, match="position 0"):
        analyze([body], titles=[5])
