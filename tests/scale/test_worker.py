from __future__ import annotations

import pytest

from pemilu_nlp import analyze, get_summarizer, load_default
from pemilu_nlp.inputs import with_title, with_titles
from pemilu_nlp.registry import load_or_default, model_format, shipped_folder
from pemilu_nlp.scale.worker import ChunkWorker, make_summarizer

ARTICLES = [
    "KPU menetapkan daftar pemilih tetap. Bawaslu mengawasi rapat pleno di kantor KPU kabupaten.",
    "Polres menggelar apel pengamanan pemilu. Ratusan personel disiagakan di setiap TPS.",
]
TITLES = ["KPU tetapkan DPT", None]


def test_a_title_goes_on_the_line_before_its_text_and_no_title_leaves_the_text_alone():
    assert with_title("Isi berita.", "Judul") == "Judul\nIsi berita."
    assert with_title("Isi berita.", None) == "Isi berita."
    assert with_title("Isi berita.", "") == "Isi berita."
    assert with_titles(["a", "b"], ["A", None]) == ["A\na", "b"]
    assert with_titles(["a", "b"], None) == ["a", "b"]


def test_the_worker_classifies_each_text_read_with_its_title_as_the_classifier_does():
    model = load_default()
    worker = ChunkWorker(classifier=model)
    topics, probabilities = worker.classify(ARTICLES, TITLES)
    assert (topics, probabilities) == model.topics_and_probabilities(["KPU tetapkan DPT\n" + ARTICLES[0], ARTICLES[1]])
    assert (worker.predict_proba(ARTICLES, TITLES) == model.predict_proba(with_titles(ARTICLES, TITLES))).all()


def test_the_worker_summarises_as_summarize_many_and_names_a_bad_text_by_its_place_in_the_whole_input():
    worker = ChunkWorker(summarizer=get_summarizer("textrank"), count=1)
    assert worker.summarize(ARTICLES, TITLES) == get_summarizer("textrank").summarize_many(ARTICLES, 1, titles=TITLES)
    with pytest.raises(ValueError, match="text at position 11: "):
        worker.summarize([ARTICLES[0], "   "], start=10)


def test_analyze_through_the_worker_gives_what_analyze_gives():
    worker = ChunkWorker.load(method="lead", count=1)
    assert worker.analyze(ARTICLES, TITLES) == analyze(ARTICLES, titles=TITLES, summarizer="lead", count=1)
    assert [len(a.summary) for a in worker.analyze(ARTICLES)] == [1, 1]


def test_load_asks_only_for_what_is_needed():
    worker = ChunkWorker.load(classify=False, method="lead")
    assert worker.classifier is None and worker.summarizer is not None
    worker = ChunkWorker.load()
    assert worker.summarizer is None and list(worker.classifier.classes_) == list(load_default().classes_)


def test_the_embedding_summariser_needs_an_encoder():
    with pytest.raises(ValueError, match="needs an encoder"):
        make_summarizer("embedding")


def test_no_folder_means_the_shipped_model_and_a_folder_is_read_by_its_declared_format():
    folder = shipped_folder("tfidf")
    assert model_format(folder) == "pemilu_nlp.tfidf"
    assert list(load_or_default(folder).classes_) == list(load_or_default(None).classes_)


def test_a_folder_without_config_json_cannot_say_its_format(tmp_path):
    with pytest.raises(OSError):
        model_format(tmp_path)
