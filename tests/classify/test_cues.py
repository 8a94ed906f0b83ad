"""The schema's cue phrases as a prior: counting, the score, the per-topic weight, the classifier's use."""
from __future__ import annotations

import json

import numpy as np
import pytest

from pemilu_nlp.classify.cues import CUE_WEIGHTS, CueCounter, blend, choose_cue_weights, cue_scores
from pemilu_nlp.io.schema import topic_ids

LAPAS = list(topic_ids()).index("keamanan_lapas")


def test_cue_counts_count_each_topics_cue_phrases_as_whole_words_case_folded():
    counter = CueCounter()
    counts = counter.counts(["Razia kamar di Lapas Kelas IIA: petugas lapas menyita ponsel.", "Cuaca cerah."])
    assert counts.shape == (2, len(topic_ids()))
    assert counts[0, LAPAS] == 3.0  # "razia kamar" once, "lapas" twice
    assert counts[1].sum() == 0
    assert counter.counts(["LAPAS"])[0, LAPAS] == counter.counts(["lapas"])[0, LAPAS] == 1
    assert counter.counts(["kelapas"])[0, LAPAS] == 0


def test_a_schema_without_cues_scores_nothing():
    counts = CueCounter(["alpha", "beta"]).counts(["lapas rutan pemilu"])
    assert counts.tolist() == [[0.0, 0.0]]


def test_the_score_rises_with_each_cue_and_the_blend_mixes_per_topic():
    np.testing.assert_allclose(cue_scores(np.array([[0.0, 1.0, 3.0]])), [[0.0, 0.5, 0.75]])
    proba, scores = np.array([[0.2, 0.2]]), np.array([[1.0, 1.0]])
    np.testing.assert_allclose(blend(proba, scores, [0.0, 0.5]), [[0.2, 0.6]])


def test_the_weight_is_chosen_where_cues_separate_and_stays_zero_where_they_do_not():
    rng = np.random.default_rng(0)
    n = 200
    y = np.zeros((n, 2), dtype=np.int8)
    y[:6, 0] = y[:6, 1] = 1
    oof = rng.uniform(0, 0.3, size=(n, 2))     # the model does not separate either topic
    oof[:3] += 0.5                               # ... except half of the positives
    cue = np.zeros((n, 2))
    cue[:6, 0] = 0.75                            # topic 0: every positive has cues, no negative has
    cue[6:40, 1] = 0.75                          # topic 1: cues only on negatives
    weights = choose_cue_weights(y, oof, cue)
    assert weights[0] > 0 and weights[1] == 0
    assert set(weights) <= set(CUE_WEIGHTS)


@pytest.mark.slow
def test_the_classifier_chooses_weights_with_its_oof_thresholds_saves_and_loads_them(tmp_path):
    from conftest import ROOT

    from pemilu_nlp.classify.tfidf.classifier import TfidfTopicClassifier
    from pemilu_nlp.io.corpus import load_corpus

    articles = load_corpus(ROOT / "data" / "corpus.jsonl")[:400]
    texts, labels = [a.model_text for a in articles], [a.labels for a in articles]
    with_prior = TfidfTopicClassifier(min_df=2).fit(texts, labels)
    without = TfidfTopicClassifier(min_df=2, cue_prior=False).fit(texts, labels)
    assert without.cue_weights_.tolist() == [0.0] * len(with_prior.classes_)
    assert with_prior.cue_weights_.any()  # some topic's cues help out of fold on real articles
    raw = without.predict_proba(texts[:20])  # the same regressions: only the blend differs
    counts = with_prior.cue_counter_.counts(texts[:20])
    np.testing.assert_allclose(with_prior.predict_proba(texts[:20]),
                               blend(raw, cue_scores(counts), with_prior.cue_weights_), atol=1e-12)
    loaded = TfidfTopicClassifier.load(with_prior.save(tmp_path / "m"))
    np.testing.assert_array_equal(loaded.cue_weights_, with_prior.cue_weights_)
    np.testing.assert_array_equal(loaded.predict(texts[:50]), with_prior.predict(texts[:50]))
    fixed = TfidfTopicClassifier(min_df=2, thresholds="fixed").fit(texts, labels)
    assert not fixed.cue_weights_.any()  # weights come with out-of-fold thresholds only


def test_a_folder_saved_before_the_cue_prior_loads_with_no_blend(tmp_path):
    from safetensors.numpy import load_file, save_file

    from pemilu_nlp.classify.tfidf.classifier import TfidfTopicClassifier
    from pemilu_nlp.io.persistence import read_manifest, seal

    texts = ["razia lapas rutan narapidana", "kpu bawaslu pemilu tps", "timnas menang gol"] * 4
    labels = [["keamanan_lapas"], ["pemilu"], []] * 4
    folder = TfidfTopicClassifier(min_df=1, thresholds="fixed").fit(texts, labels).save(tmp_path / "m")
    arrays = load_file(str(folder / "weights.safetensors"))
    del arrays["cue_weights"]  # what a folder saved before the prior holds: no weights, no setting
    save_file(arrays, str(folder / "weights.safetensors"))
    config = json.loads((folder / "config.json").read_text("utf-8"))
    del config["params"]["cue_prior"]
    (folder / "config.json").write_text(json.dumps(config), "utf-8")
    seal(folder, [name for name in read_manifest(folder) if name != "config.json"])
    loaded = TfidfTopicClassifier.load(folder)
    assert not loaded.cue_weights_.any()
    assert loaded.get_params()["cue_prior"] is False  # refitting a clone makes the model that was saved
    assert loaded.predict_topics("razia kamar di lapas") == ["keamanan_lapas"]


def test_a_corpus_too_small_for_character_ngrams_still_fits():
    from pemilu_nlp.classify.tfidf.classifier import TfidfTopicClassifier

    model = TfidfTopicClassifier(min_df=1).fit(["polisi menjaga tps pemilu", "lapas razia kamar"], [["pemilu"], []])
    assert model.char_vocabulary_ == {} and model.predict_proba(["tps pemilu"]).shape == (1, len(model.classes_))
