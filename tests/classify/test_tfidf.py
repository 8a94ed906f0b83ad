from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import ROOT, SHARED
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from pemilu_nlp.classify.tfidf.classifier import TfidfTopicClassifier
from pemilu_nlp.classify.thresholds import tune_thresholds
from pemilu_nlp.errors import ModelFormatError, UnknownLabelError
from pemilu_nlp.registry import load_default, shipped_folder

# A tiny corpus with an unmistakable signal per topic.
TRAIN = [
    ("Narapidana kabur dari lapas, razia kamar warga binaan di rutan diperketat petugas lapas", ["keamanan_lapas"]),
    ("Petugas rutan menggelar razia kamar narapidana dan menemukan ponsel di lapas", ["keamanan_lapas"]),
    ("Kalapas memeriksa keamanan lapas dan rutan, warga binaan diawasi ketat", ["keamanan_lapas"]),
    ("Beredar hoaks video palsu, cek fakta menyebut disinformasi di media sosial", ["hoaks_ujaran_kebencian"]),
    ("Hoaks soal vaksin beredar, hasil cek fakta menyatakan informasi itu disinformasi", ["hoaks_ujaran_kebencian"]),
    ("Polisi patroli siber memburu penyebar hoaks dan ujaran kebencian", ["hoaks_ujaran_kebencian"]),
    ("Timnas sepak bola menang dua gol di stadion, pelatih memuji pemain", []),
    ("Harga saham naik, investor membeli obligasi dan rupiah menguat", []),
    ("Resep kue lebaran mudah dibuat di rumah bersama keluarga", []),
]
TEXTS = [t for t, _ in TRAIN]
LABELS = [labels for _, labels in TRAIN]


@pytest.fixture(scope="module")
def fitted():
    return TfidfTopicClassifier(min_df=1).fit(TEXTS, LABELS)


def test_fit_returns_self_and_learns_the_signal(fitted):
    assert fitted.predict_topics("Razia kamar narapidana di lapas menemukan narkoba") == ["keamanan_lapas"]
    assert fitted.predict_top("Cek fakta: video itu hoaks dan disinformasi") == "hoaks_ujaran_kebencian"


def test_estimator_contract_clone_and_params(fitted):
    model = TfidfTopicClassifier(C=3.0, char_ngram_range=None, thresholds="fixed")
    twin = clone(model)
    assert twin.get_params() == model.get_params() and not hasattr(twin, "coef_")
    fresh = TfidfTopicClassifier(min_df=1)
    assert fresh.fit(TEXTS, LABELS) is fresh
    unfitted = clone(fitted)  # the settings, none of the learned state (caches included)
    assert unfitted.get_params() == fitted.get_params() and not hasattr(unfitted, "word_cache_")


def test_not_fitted_error_before_fit():
    with pytest.raises(NotFittedError):
        TfidfTopicClassifier().predict(["KPU"])
    with pytest.raises(NotFittedError):
        TfidfTopicClassifier().predict_topics("KPU")


def test_predict_and_predict_proba_are_matrices_over_classes(fitted):
    texts = [TEXTS[6], TEXTS[0], TEXTS[3], TEXTS[0]]
    proba = fitted.predict_proba(texts)
    decisions = fitted.predict(texts)
    assert proba.shape == decisions.shape == (4, len(fitted.classes_)) and decisions.dtype == np.int8
    np.testing.assert_array_equal(decisions, proba >= fitted.thresholds_)
    for text, row in zip(texts, proba):  # N in, N out, in order; one text alone gives the same row
        np.testing.assert_array_equal(fitted.predict_proba([text])[0], row)
    # a generator is read once and gives the same answers as the list
    np.testing.assert_array_equal(fitted.predict(t for t in texts), decisions)


def test_one_bare_string_is_refused_by_the_matrix_methods(fitted):
    for method in (fitted.predict, fitted.predict_proba):
        with pytest.raises(TypeError, match="predict_topics"):
            method("Razia kamar narapidana di lapas")


def test_friendly_forms_take_one_text_or_a_sequence(fitted):
    text, texts = TEXTS[0], [TEXTS[6], TEXTS[0], TEXTS[3]]
    assert fitted.predict_topics(text) == ["keamanan_lapas"]
    assert fitted.predict_topics(texts) == [[], ["keamanan_lapas"], ["hoaks_ujaran_kebencian"]]
    one = fitted.topic_probabilities(text)
    assert set(one) == set(fitted.classes_) and one["keamanan_lapas"] > one["hoaks_ujaran_kebencian"]
    assert fitted.topic_probabilities(texts)[1] == one
    assert fitted.predict_top(text) == "keamanan_lapas"
    assert fitted.predict_top(iter(texts)) == fitted.predict_top(texts) and len(fitted.predict_top(texts)) == 3
    topics, probabilities = fitted.topics_and_probabilities(texts)  # both from one pass of the model
    assert topics == fitted.predict_topics(texts) and probabilities == fitted.topic_probabilities(texts)


def test_empty_text_error_names_its_position(fitted):
    with pytest.raises(ValueError, match="position 1"):
        fitted.predict_topics(["KPU menetapkan DPT", "   "])
    with pytest.raises(TypeError, match="position 0"):
        fitted.predict_topics([b"bytes"])
    with pytest.raises(UnknownLabelError, match="pilkada"):
        TfidfTopicClassifier().fit(TEXTS[:2], [["pilkada"], []])


def test_explain_lists_the_terms_that_pushed_towards_the_topic(fitted):
    terms = fitted.explain("Razia narapidana di lapas", "keamanan_lapas", top_k=5)
    assert terms and all(weight > 0 for _, weight in terms)
    assert any("lapas" in term or "narapidana" in term for term, _ in terms)
    with pytest.raises(UnknownLabelError):
        fitted.explain("x", "olahraga")
    for bad in (0, -1, 2.5):
        with pytest.raises(ValueError, match="top_k"):
            fitted.explain("Razia narapidana di lapas", "keamanan_lapas", top_k=bad)


def test_threshold_tuning_finds_the_known_best_cut():
    # positives score 0.3-0.4, negatives at most 0.2: any cut in (0.2, 0.3] is perfect; nearest 0.5 is 0.3
    y = np.array([[1], [1], [1], [1], [1], [0], [0], [0]])
    proba = np.array([[0.4], [0.38], [0.36], [0.35], [0.3], [0.2], [0.1], [0.05]])
    assert tune_thresholds(y, proba)[0] == pytest.approx(0.3)
    # a topic without enough positives keeps the default
    assert tune_thresholds(np.array([[1], [0]]), np.array([[0.2], [0.1]]))[0] == 0.5


def test_tune_thresholds_on_a_tiny_dev_set(fitted):
    model = clone(fitted).fit(TEXTS * 2, LABELS * 2)
    model.tune_thresholds(TEXTS * 2, LABELS * 2)
    assert model.threshold_source_ == "dev"
    assert model.predict_topics(TEXTS) == [sorted(labels, key=list(model.classes_).index) for labels in LABELS]


def test_save_load_gives_identical_probabilities(fitted, tmp_path):
    fitted.save(tmp_path / "m")
    loaded = TfidfTopicClassifier.load(tmp_path / "m")
    np.testing.assert_array_equal(loaded.predict_proba(TEXTS), fitted.predict_proba(TEXTS))
    np.testing.assert_array_equal(loaded.thresholds_, fitted.thresholds_)
    assert loaded.get_params() == fitted.get_params()


def test_a_folder_saved_without_the_thresholds_setting_loads_with_the_default(saved):
    config = json.loads((saved / "config.json").read_text())
    del config["params"]["thresholds"]  # as saved before the setting existed
    _edit_config(saved, params=config["params"])
    assert TfidfTopicClassifier.load(saved).thresholds == "oof"


@pytest.fixture()
def saved(fitted, tmp_path):
    return fitted.save(tmp_path / "m")


def _edit_config(folder, **changes):
    """Edit config.json and re-seal the folder, as a careless hand edit that also rewrote the manifest."""
    from pemilu_nlp.io.persistence import read_manifest, seal

    config = json.loads((folder / "config.json").read_text())
    config.update(changes)
    (folder / "config.json").write_text(json.dumps(config))
    seal(folder, read_manifest(folder))


def test_load_errors_other_format_version(saved):
    _edit_config(saved, format_version=99)
    with pytest.raises(ModelFormatError, match="format version 99"):
        TfidfTopicClassifier.load(saved)


def test_load_errors_missing_file(saved):
    (saved / "vocabulary.json").unlink()
    with pytest.raises(ModelFormatError, match="missing file vocabulary.json"):
        TfidfTopicClassifier.load(saved)


def test_load_errors_checksums_removed_from_manifest(saved):
    manifest = json.loads((saved / "manifest.json").read_text())
    del manifest["files"]
    (saved / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFormatError, match="no file checksums"):
        TfidfTopicClassifier.load(saved)


def test_load_errors_tampered_file(saved):
    data = bytearray((saved / "weights.safetensors").read_bytes())
    data[-3] ^= 0xFF
    (saved / "weights.safetensors").write_bytes(bytes(data))
    with pytest.raises(ModelFormatError, match="checksum mismatch"):
        TfidfTopicClassifier.load(saved)


def test_load_errors_other_topics_and_foreign_folder(saved, tmp_path):
    _edit_config(saved, topics=["pemilu", "olahraga"])
    with pytest.raises(ModelFormatError, match="differ from its schema.json"):
        TfidfTopicClassifier.load(saved)
    # a folder from before models carried their schema: its topics must be the shipped ones
    from pemilu_nlp.io.persistence import read_manifest, seal

    (saved / "schema.json").unlink()
    seal(saved, [name for name in read_manifest(saved) if name != "schema.json"])
    with pytest.raises(ModelFormatError, match="differ from this library's schema"):
        TfidfTopicClassifier.load(saved)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "config.json").write_text(json.dumps({"architectures": ["BertModel"]}))
    with pytest.raises(ModelFormatError, match="expected 'pemilu_nlp.tfidf'"):
        TfidfTopicClassifier.load(foreign)
    with pytest.raises(ModelFormatError, match="missing config.json"):
        TfidfTopicClassifier.load(tmp_path)


def test_default_model_finds_each_seeds_reading_labels(seed_records):
    # The seeds are training examples. Thresholds chosen out of fold are low for the rarest topics
    # (dialog_masyarakat 6, netralitas 4 examples), so a seed may get one extra label
    # (docs/classifiers.md says which); it must never miss one of its own, and never get two extras.
    model = load_default()
    for record in seed_records:
        predicted = model.predict_topics(record["text"])
        assert set(record["labels"]) <= set(predicted), record["file"]
        assert len(set(predicted) - set(record["labels"])) <= 1, (record["file"], predicted)


@pytest.mark.slow
def test_default_model_is_rebuilt_by_its_command(tmp_path):
    from pemilu_nlp.cli import main
    from pemilu_nlp.io.corpus import load_corpus

    out = tmp_path / "rebuilt"
    command = ["train", "--model", "tfidf", "--data", str(ROOT / "data" / "corpus.jsonl"), "--out", str(out)]
    if load_default().config_["training_data"].get("unlabelled_texts"):  # the documented command names the pool
        if not (SHARED / "data").is_dir():
            pytest.skip("the shipped model learned its vocabulary from ../shared/data, which is not here")
        command += ["--unlabelled", str(SHARED / "data")]
    assert main(command) == 0
    committed, rebuilt = load_default(), TfidfTopicClassifier.load(out)
    texts = [a.model_text for a in load_corpus(ROOT / "data" / "corpus.jsonl")]  # the whole corpus
    np.testing.assert_array_equal(committed.predict(texts), rebuilt.predict(texts))
    np.testing.assert_allclose(committed.predict_proba(texts), rebuilt.predict_proba(texts), atol=1e-6)
    np.testing.assert_array_equal(committed.thresholds_, rebuilt.thresholds_)
    assert committed.get_params() == rebuilt.get_params()


def test_default_model_folder_is_installed_with_the_package():
    folder = shipped_folder("tfidf")
    assert (folder / "weights.safetensors").is_file() and not list(folder.glob("*.pkl"))


def test_cross_validation_reports_mean_and_spread(tmp_path):
    from pemilu_nlp.learn.training import cross_validate

    corpus = tmp_path / "small.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"d{i}", "title": "", "text": t, "labels": y}) + "\n"
                              for i, (t, y) in enumerate(TRAIN * 3)), "utf-8")
    result = cross_validate("tfidf", corpus, folds=3, params={"min_df": 1})
    assert len(result["per_fold"]) == 3
    assert result["micro_f1_mean"] > 0.8 and result["micro_f1_std"] >= 0
    assert result["scored_articles"] == len(TRAIN) * 3 and result["training_only_articles"] == 0
    # articles a model chose for reading: trained on in every fold, never scored
    with corpus.open("a", encoding="utf-8") as fh:
        for i, (t, y) in enumerate(TRAIN[:4]):
            fh.write(json.dumps({"id": f"m{i}", "title": "", "text": t + " lagi", "labels": y,
                                 "found_by": "model:suggest:uncertainty"}) + "\n")
    result = cross_validate("tfidf", corpus, folds=3, params={"min_df": 1})
    assert result["scored_articles"] == len(TRAIN) * 3 and result["training_only_articles"] == 4


def test_the_shipped_model_reproduces_the_test_figures_it_was_saved_with():
    from pemilu_nlp.io.corpus import load_corpus, load_split, split_corpus
    from pemilu_nlp.learn.training import evaluate_model

    model = load_default()
    report = json.loads((shipped_folder("tfidf") / "report.json").read_text())
    parts = split_corpus(load_corpus(ROOT / "data" / "corpus.jsonl"), load_split(ROOT / "data" / "split.json"))
    assert evaluate_model(model, parts["test"]) == report["test"]


# ------------------------------------------------------------------------------------ thresholds rules
def _label_matrix(labels, topics):
    from sklearn.preprocessing import MultiLabelBinarizer

    return MultiLabelBinarizer(classes=list(topics)).fit_transform(labels)


def test_thresholds_fixed_keeps_one_half_for_every_topic():
    model = TfidfTopicClassifier(min_df=1, thresholds="fixed").fit(TEXTS, LABELS)
    assert model.threshold_source_ == "fixed" and (model.thresholds_ == 0.5).all()


def test_thresholds_dev_tunes_on_the_dev_data_given_to_fit():
    from pemilu_nlp.io.schema import topic_ids

    model = TfidfTopicClassifier(min_df=1, thresholds="dev")
    model.fit(TEXTS, LABELS, X_dev=TEXTS * 2, y_dev=LABELS * 2)
    expected = tune_thresholds(_label_matrix(LABELS * 2, topic_ids()), model.predict_proba(TEXTS * 2))
    assert model.threshold_source_ == "dev"
    np.testing.assert_array_equal(model.thresholds_, expected)
    without_dev = TfidfTopicClassifier(min_df=1, thresholds="dev").fit(TEXTS, LABELS)
    assert without_dev.threshold_source_ == "fixed" and (without_dev.thresholds_ == 0.5).all()


def test_thresholds_oof_come_from_out_of_fold_scores_of_the_training_texts():
    from pemilu_nlp.classify.tfidf.classifier import HeadScorer
    from pemilu_nlp.classify.thresholds import oof_thresholds
    from pemilu_nlp.io.schema import topic_ids
    from pemilu_nlp.learn.crossval import oof_scores

    model = TfidfTopicClassifier(min_df=1).fit(TEXTS * 2, LABELS * 2)  # "oof" is the default
    Y = _label_matrix(LABELS * 2, topic_ids())
    # the regressions refitted on 5 inner folds, twice, seed 0 (what the shipped model was built with)
    oof = oof_scores(HeadScorer(model, model.transform(TEXTS * 2)), np.arange(len(Y)), Y, n_splits=5, n_repeats=2)
    assert model.threshold_source_ == "oof"
    np.testing.assert_array_equal(model.thresholds_, oof_thresholds(Y, oof))


def test_an_unknown_thresholds_rule_is_refused():
    with pytest.raises(ValueError, match="thresholds must be one of oof, dev, fixed"):
        TfidfTopicClassifier(thresholds="best").fit(TEXTS, LABELS)


# ------------------------------------------------------------------------------------ word cache
def test_the_word_cache_is_named_state_and_never_changes_predictions(fitted, tmp_path):
    texts = [TEXTS[0], "Warga binaan lapas kabur, petugas rutan berjaga", TEXTS[3]]
    fitted.word_cache_.clear()
    cold = fitted.predict_proba(texts)
    attributes = set(vars(fitted))
    warm = fitted.predict_proba(texts)
    assert set(vars(fitted)) == attributes  # predicting adds no attribute
    assert len(fitted.word_cache_) > 0
    np.testing.assert_array_equal(cold, warm)
    loaded = TfidfTopicClassifier.load(fitted.save(tmp_path / "m"))
    assert len(loaded.word_cache_) == 0  # created empty at load
    np.testing.assert_array_equal(loaded.predict_proba(texts), cold)


# ------------------------------------------------------------------------------------ scikit-learn's tools
# topics of one's own (the schema goes to fit); the texts without a topic are "lainnya" (other) here
OWN_TOPICS = ["keamanan_lapas", "hoaks_ujaran_kebencian", "lainnya"]
Y_OWN = _label_matrix([labels or ["lainnya"] for labels in LABELS] * 2, OWN_TOPICS)


def test_scikit_learn_cross_validate_scores_it_with_its_own_scorers():
    from sklearn.model_selection import KFold, cross_validate

    scores = cross_validate(TfidfTopicClassifier(min_df=1), TEXTS * 2, Y_OWN, cv=KFold(3, shuffle=True, random_state=0),
                            scoring=["f1_macro", "f1_micro", "roc_auc", "average_precision"],
                            params={"schema": OWN_TOPICS}, error_score="raise")
    for name in ("f1_macro", "f1_micro", "roc_auc", "average_precision"):
        assert len(scores[f"test_{name}"]) == 3 and scores[f"test_{name}"].min() > 0.5, name
    assert scores["test_roc_auc"].mean() > 0.9


def test_grid_search_tunes_C():
    from sklearn.model_selection import GridSearchCV, KFold

    search = GridSearchCV(TfidfTopicClassifier(min_df=1, thresholds="fixed"), {"C": [1.0, 32.0]}, scoring="f1_macro",
                          cv=KFold(3, shuffle=True, random_state=0), error_score="raise")
    search.fit(TEXTS * 2, Y_OWN, schema=OWN_TOPICS)
    assert len(search.cv_results_["mean_test_score"]) == 2 and search.best_score_ > 0.9
    assert search.best_estimator_.C == search.best_params_["C"]  # refitted on everything with the best C
    assert search.best_estimator_.predict_topics("Razia narapidana di lapas") == ["keamanan_lapas"]
    assert search.predict(["Razia narapidana di lapas"]).tolist() == [[1, 0, 0]]


def test_a_scorer_made_with_make_scorer_reads_predict_proba():
    from sklearn.metrics import label_ranking_average_precision_score, make_scorer

    model = TfidfTopicClassifier(min_df=1).fit(TEXTS * 2, Y_OWN, schema=OWN_TOPICS)
    ranking = make_scorer(label_ranking_average_precision_score, response_method="predict_proba")
    assert ranking(model, TEXTS[:6], Y_OWN[:6]) == 1.0
    assert list(model.classes_) == OWN_TOPICS and model.score(TEXTS * 2, Y_OWN) == 1.0  # subset accuracy


def test_a_setting_changed_on_a_fitted_model_reaches_its_featurizer():
    from pemilu_nlp import load_default

    text = ["JAKARTA, KOMPAS.com - Polres menggelar apel pengamanan TPS Pemilu 2024. Baca juga: Bawaslu "
            "awasi kampanye https://kompas.com/x"]
    model = load_default()
    cleaned = model.predict_proba(text)
    raw = model.set_params(clean=False).predict_proba(text)
    assert not np.array_equal(cleaned, raw)  # the boilerplate is read as words now
    np.testing.assert_array_equal(model.set_params(clean=True).predict_proba(text), cleaned)
