"""Training on any labelled JSONL: own schema, a split made when none is given, rare-topic warnings."""
from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import OWN_SCHEMA, own_records, write_jsonl

from pemilu_nlp.cli import main
from pemilu_nlp.errors import ModelFormatError
from pemilu_nlp.io.corpus import load_split
from pemilu_nlp.learn.training import TrainingWarning, cross_validate, train_model
from pemilu_nlp.registry import load

OWN_IDS = ["korupsi_pemilu", "bencana_tps", "sengketa_hasil"]


@pytest.fixture
def own(tmp_path):
    corpus = tmp_path / "data" / "mine.jsonl"
    corpus.parent.mkdir()
    write_jsonl(corpus, own_records(8))
    schema = tmp_path / "topics.json"
    schema.write_text(json.dumps(OWN_SCHEMA), "utf-8")
    return corpus, schema


def test_without_a_split_file_train_makes_one_writes_it_and_says_so(own, tmp_path, capsys):
    corpus, schema = own
    _, report = train_model("tfidf", corpus, tmp_path / "m", schema=schema)
    out = capsys.readouterr().out
    assert "made a seeded iterative-stratified split (seed 13; train/dev/test" in out
    split = load_split(tmp_path / "m" / "split.json")
    assert sorted(sum(split.values(), [])) == sorted(f"a{i}" for i in range(32))
    assert report["split_made"] and report["split"] == str(tmp_path / "m" / "split.json")
    _, report2 = train_model("tfidf", corpus, tmp_path / "m2", schema=schema, verbose=False)
    assert load_split(tmp_path / "m2" / "split.json") == split and report2["test"] == report["test"]
    loaded = load(tmp_path / "m")
    assert list(loaded.classes_) == OWN_IDS and loaded.schema_[1].name_id == "Bencana di TPS"
    assert loaded.config_["training_data"]["split"] == "split.json"
    assert loaded.predict_topics(corpus.read_text().splitlines()[0]) == ["korupsi_pemilu"]


def test_an_explicit_split_file_still_wins(own, tmp_path):
    corpus, schema = own
    train_model("tfidf", corpus, tmp_path / "m", schema=schema, verbose=False)
    split = json.loads((tmp_path / "m" / "split.json").read_text())
    split["train"], split["test"] = split["train"][:-1], split["test"] + split["train"][-1:]
    (tmp_path / "s.json").write_text(json.dumps(split))
    _, report = train_model("tfidf", corpus, tmp_path / "m3", schema=schema, split=tmp_path / "s.json", verbose=False)
    assert not report["split_made"] and report["test"]["documents"] == len(split["test"])
    assert not (tmp_path / "m3" / "split.json").exists()


def test_topics_too_rare_for_a_split_are_named_with_their_counts(tmp_path):
    records = own_records(8)
    records = [r for r in records if r["labels"] != ["sengketa_hasil"]] + \
        [r for r in records if r["labels"] == ["sengketa_hasil"]][:2]
    corpus = tmp_path / "c.jsonl"
    write_jsonl(corpus, records)
    schema = {"topics": OWN_SCHEMA["topics"] + [{"id": "kosong"}]}
    with pytest.warns(TrainingWarning) as caught:
        train_model("tfidf", corpus, None, schema=schema, verbose=False)
    messages = [str(w.message) for w in caught]
    assert any(m.startswith("topic 'sengketa_hasil' has 2 labelled examples (train") for m in messages)
    assert any("topic 'kosong' has no labelled example" in m for m in messages)
    assert not any("korupsi_pemilu" in m for m in messages)


def test_cross_validation_takes_the_schema(own):
    corpus, schema = own
    result = cross_validate("tfidf", corpus, folds=2, schema=schema)
    assert result["topics"] == OWN_IDS and len(result["per_fold"]) == 2


def test_the_model_folder_schema_is_checked(own, tmp_path):
    corpus, schema = own
    train_model("tfidf", corpus, tmp_path / "m", schema=schema, verbose=False)
    path = tmp_path / "m" / "schema.json"
    path.write_text(path.read_text().replace("Bencana di TPS", "Bencana"))
    with pytest.raises(ModelFormatError, match="schema.json: checksum mismatch"):
        load(tmp_path / "m")


def test_cli_train_prints_rare_topic_warnings_and_cv_with_schema(own, tmp_path, capsys):
    from pemilu_nlp.cli import main

    corpus, schema = own
    extra = {"topics": OWN_SCHEMA["topics"] + [{"id": "kosong"}]}
    (tmp_path / "extra.json").write_text(json.dumps(extra))
    assert main(["train", "--data", str(corpus), "--schema", str(tmp_path / "extra.json"),
                 "--out", str(tmp_path / "m")]) == 0
    assert "warning: topic 'kosong' has no labelled example" in capsys.readouterr().err
    assert main(["train", "--data", str(corpus), "--schema", str(schema), "--cv", "2"]) == 0
    assert json.loads(capsys.readouterr().out)["topics"] == OWN_IDS
    assert main(["train", "--data", str(corpus), "--cv", "2", "--unlabelled", str(corpus)]) == 2
    assert "--unlabelled is for train and for evaluate --cv" in capsys.readouterr().err


def test_python_and_the_cli_train_the_same_recipe_by_default(own, tmp_path, capsys):
    corpus, schema = own
    train_model("tfidf", corpus, tmp_path / "py", schema=schema, verbose=False)
    assert main(["train", "--data", str(corpus), "--schema", str(schema), "--out", str(tmp_path / "cli")]) == 0
    capsys.readouterr()
    py, cli = load(tmp_path / "py"), load(tmp_path / "cli")
    assert py.config_["training_data"]["thresholds"] == cli.config_["training_data"]["thresholds"] == "oof"
    np.testing.assert_array_equal(py.thresholds_, cli.thresholds_)


def test_a_corpus_too_small_for_a_split_says_so(tmp_path):
    from pemilu_nlp.errors import CorpusError

    corpus = tmp_path / "tiny.jsonl"
    write_jsonl(corpus, own_records(8)[:2])
    with pytest.raises(CorpusError, match="2 labelled article.s. are too few for a train/dev/test split"):
        train_model("tfidf", corpus, tmp_path / "m", schema=OWN_SCHEMA, verbose=False)


def test_evaluate_warns_when_a_model_learned_from_the_articles_it_is_scored_on(own, tmp_path, capsys):
    corpus, schema = own
    train_model("tfidf", corpus, tmp_path / "m1", schema=schema, verbose=False)
    # a second model with a split of its own that puts m1's test articles in its training part
    train_model("tfidf", corpus, tmp_path / "m2", schema=schema, verbose=False)
    split = json.loads((tmp_path / "m2" / "split.json").read_text())
    split["train"], split["test"] = split["train"] + split["test"], []
    (tmp_path / "m2" / "split.json").write_text(json.dumps(split))
    assert main(["evaluate", str(tmp_path / "m1"), str(tmp_path / "m2"), "--data", str(corpus)]) == 0
    err = capsys.readouterr().err
    assert f"warning: {tmp_path / 'm2'} learned from" in err and str(tmp_path / "m1") + " learned" not in err


def test_thresholds_dev_fits_on_train_and_tunes_on_dev(own, tmp_path):
    from pemilu_nlp.classify.thresholds import tune_thresholds
    from pemilu_nlp.io.corpus import load_corpus, split_corpus

    corpus, schema = own
    model, report = train_model("tfidf", corpus, tmp_path / "m", schema=schema, thresholds="dev", verbose=False)
    assert model.thresholds == "dev" and model.threshold_source_ == "dev" and report["thresholds"] == "dev"
    dev = split_corpus(load_corpus(corpus, schema=schema), load_split(tmp_path / "m" / "split.json"))["dev"]
    gold = np.array([[t in a.labels for t in OWN_IDS] for a in dev])
    np.testing.assert_array_equal(model.thresholds_, tune_thresholds(gold, model.predict_proba([a.model_text for a in dev])))
    loaded = load(tmp_path / "m")
    assert loaded.thresholds == "dev" and loaded.config_["training_data"]["fitted_on"] == "train"


def test_oof_thresholds_need_a_model_with_out_of_fold_scores(own, monkeypatch):
    from pemilu_nlp.classify.base import TopicClassifier
    from pemilu_nlp.classify.tfidf.classifier import TfidfTopicClassifier

    corpus, schema = own
    with pytest.raises(ValueError, match="thresholds must be 'dev' or 'oof'"):
        train_model("tfidf", corpus, None, schema=schema, thresholds="fixed", verbose=False)
    monkeypatch.setattr(TfidfTopicClassifier, "_oof_proba", TopicClassifier._oof_proba)  # as a model without them
    with pytest.raises(ValueError, match="needs out-of-fold scores"):
        train_model("tfidf", corpus, None, schema=schema, verbose=False)


def test_cross_validation_gives_the_per_fold_figures_of_fitting_each_fold(own):
    from pemilu_nlp.classify.tfidf.classifier import TfidfTopicClassifier
    from pemilu_nlp.io.corpus import label_matrix, load_corpus
    from pemilu_nlp.learn.crossval import multilabel_folds
    from pemilu_nlp.learn.training import evaluate_model

    corpus, schema = own
    result = cross_validate("tfidf", corpus, folds=3, seed=1, schema=schema)
    articles = load_corpus(corpus, schema=schema)
    expected = []
    for train, test in multilabel_folds(label_matrix(articles, OWN_IDS), 3, seed=1):
        model = TfidfTopicClassifier(thresholds="fixed").fit([articles[i].model_text for i in train],
                                                            [articles[i].labels for i in train], schema=schema)
        report = evaluate_model(model, [articles[i] for i in test])
        expected.append({"micro_f1": report["micro_f1"], "macro_f1": report["macro_f1"]})
    assert result["per_fold"] == expected


def test_cli_train_checks_the_precisions_of_a_transformer_model_and_saves_the_check(own, tmp_path, capsys):
    pytest.importorskip("torch")
    from pemilu_nlp.testing import build_bert

    corpus, schema = own
    base = build_bert(tmp_path / "base", [json.loads(line)["text"] for line in corpus.read_text().splitlines()],
                      vocab_size=200)
    params = {"max_length": 32, "epochs": 1, "device": "cpu", "progress": False}
    assert main(["train", "--model", "indobert", "--base", str(base), "--data", str(corpus), "--schema", str(schema),
                 "--params", json.dumps(params), "--check-precisions", "--out", str(tmp_path / "m"),
                 "--report", str(tmp_path / "report.json")]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    check = report["precision_check"]
    assert check["texts"] == len(load_split(tmp_path / "m" / "split.json")["test"])
    assert check["results"]["fp32"]["agreement"] == 1.0 and check["chosen"] in check["results"]
    assert load(tmp_path / "m").precision_check_ == check
    assert main(["train", "--model", "tfidf", "--data", str(corpus), "--check-precisions"]) == 2
    assert "check_precisions is for transformer models" in capsys.readouterr().err
