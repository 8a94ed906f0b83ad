"""IndoBERT classifier on a tiny BERT of the real class (no network, CPU, quick)."""
from __future__ import annotations

import json
import random
from itertools import pairwise

import numpy as np
import pytest
from conftest import ROOT, SEEDS

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from pemilu_nlp.classify.indobert.model import (  # noqa: E402
    PARAMS,
    IndoBertTopicClassifier,
    IndoBertTrainingArguments,
    pool_logits,
)
from pemilu_nlp.errors import ModelFormatError, WeightsUnavailableError  # noqa: E402
from pemilu_nlp.inputs import binarize_labels  # noqa: E402
from pemilu_nlp.testing import build_bert, shuffled_corpus  # noqa: E402

LAPAS = "razia kamar narapidana di lapas rutan warga binaan kalapas pemasyarakatan"
HOAKS = "hoaks disinformasi cek fakta video palsu beredar media sosial ujaran kebencian"
OTHER = "sepak bola timnas menang gol stadion pelatih pemain liga"
LONG = " ".join([LAPAS, OTHER, HOAKS] * 6)  # several windows of 32 tokens
#: quick training for the scikit-learn tools: one epoch, no progress bar
ONE_EPOCH = IndoBertTrainingArguments(epochs=1, batch_size=6, learning_rate=3e-3, warmup_ratio=0.0, progress=False)


def _corpus_texts(n: int = 300) -> list[str]:
    from pemilu_nlp.io.corpus import load_corpus

    # the articles of the keyword rounds only: the tiny tokenizer does not drift as model-chosen rounds are added
    return [a.text for a in load_corpus(ROOT / "data" / "corpus.jsonl") if not a.selected_by_model][:n]


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory):
    """A 2-layer BERT (128 positions) and a WordPiece tokenizer trained on the project corpus, saved like a hub model."""
    return build_bert(tmp_path_factory.mktemp("tiny-bert"), _corpus_texts() + [LAPAS, HOAKS, OTHER] * 20,
                      vocab_size=1500)


def signal_corpus(n: int = 12):
    return shuffled_corpus([(LAPAS, ["keamanan_lapas"]), (HOAKS, ["hoaks_ujaran_kebencian"]), (OTHER, [])], n)


def label_matrix(model, labels):
    return binarize_labels(labels, list(model.classes_), n=len(labels))


@pytest.fixture(scope="session")
def fitted(tiny_bert):
    texts, labels = signal_corpus()
    args = IndoBertTrainingArguments(epochs=10, batch_size=6, learning_rate=3e-3, warmup_ratio=0.0,
                                     early_stopping_patience=20, progress=False, seed=0)
    # fp32: exact comparisons (bf16, "auto" on CPUs with native bf16, rounds differently with padding)
    model = IndoBertTopicClassifier(str(tiny_bert), max_length=32, stride=8, args=args, device="cpu", precision="fp32")
    return model.fit(texts, labels, X_dev=texts, y_dev=labels)


def test_fine_tuning_really_learns(fitted):
    texts, labels = signal_corpus()
    losses = [h["train_loss"] for h in fitted.history_]
    assert losses[-1] < 0.5 * losses[0]
    assert max(h["dev_macro_f1"] for h in fitted.history_) > 0.9
    assert np.mean([set(p) == set(y) for p, y in zip(fitted.predict_topics(texts), labels)]) > 0.9
    assert fitted.threshold_source_ == "dev" and fitted.pooling_ in ("max", "mean")


def test_the_scikit_learn_surface_and_the_friendly_one(fitted):
    proba = fitted.predict_proba([OTHER, LAPAS])
    assert proba.shape == (2, len(fitted.classes_)) and proba.dtype == np.float64
    one = fitted.topic_probabilities(LAPAS)
    assert list(one) == list(fitted.classes_) and proba[1] == pytest.approx(list(one.values()), abs=1e-6)
    decisions = fitted.predict([OTHER, LAPAS])
    assert decisions.dtype == np.int8 and decisions.shape == proba.shape
    assert fitted.predict_topics(LAPAS) == ["keamanan_lapas"] and fitted.predict_top(LAPAS) == "keamanan_lapas"
    with pytest.raises(TypeError, match="predict_topics"):
        fitted.predict(LAPAS)
    with pytest.raises(ValueError, match="position 1"):
        fitted.predict([LAPAS, " "])


def test_windows_come_from_the_tokenizer_overlap_by_stride_and_cover_the_text(fitted):
    windows, owner = fitted.windows([OTHER, LONG])
    tok = fitted.tokenizer_
    body = [w[1:-1] for w, o in zip(windows, owner) if o == 1]  # without [CLS] ... [SEP]
    assert len(body) > 2 and all(len(w) <= fitted.max_length for w in windows) and list(owner[:2]) == [0, 1]
    assert all(a[-fitted.stride:] == b[:fitted.stride] for a, b in pairwise(body))
    full = tok(fitted._prepare([LONG]), add_special_tokens=False)["input_ids"][0]
    assert body[0] + sum((w[fitted.stride:] for w in body[1:]), []) == full
    first, owner1 = fitted.windows([OTHER, LONG], max_windows=1)
    assert list(owner1) == [0, 1] and first[1] == windows[1]
    try:  # a stride larger than half a window (128 kept while max_length is 32) overlaps by half a window
        wide, _ = fitted.set_params(stride=128).windows([LONG])
    finally:
        fitted.set_params(stride=8)
    assert wide[0][-16:-1] == wide[1][1:16] and len(wide) < 2 * len(body)


def test_one_pooling_for_training_tensors_and_inference_arrays():
    logits = np.array([[1.0, -2.0], [3.0, 0.0], [5.0, 5.0]])
    owner = np.array([0, 0, 1])
    np.testing.assert_array_equal(pool_logits(logits, owner, 2, "max"), [[3.0, 0.0], [5.0, 5.0]])
    np.testing.assert_array_equal(pool_logits(logits, owner, 2, "mean"), [[2.0, -1.0], [5.0, 5.0]])
    tensor = torch.tensor(logits, requires_grad=True)
    pooled = pool_logits(tensor, torch.tensor(owner), 2, "mean")
    pooled.sum().backward()  # differentiable: training pools the same way
    np.testing.assert_array_equal(pooled.detach().numpy(), [[2.0, -1.0], [5.0, 5.0]])
    np.testing.assert_array_equal(tensor.grad.numpy(), [[0.5, 0.5], [0.5, 0.5], [1.0, 1.0]])
    with pytest.raises(ValueError, match="pooling"):
        pool_logits(logits, owner, 2, "sum")


def test_long_article_same_prediction_alone_or_batched_with_others(fitted):
    alone = fitted.predict_proba([LONG])
    try:
        batched = fitted.set_params(inference_batch_size=3).predict_proba([OTHER, LONG, LAPAS])
    finally:
        fitted.set_params(inference_batch_size="auto")
    np.testing.assert_allclose(batched[1], alone[0], atol=1e-5)
    logits, owner = fitted.window_logits([OTHER, LONG, LAPAS], sort_by_length=False)  # order restored after sorting
    np.testing.assert_allclose(fitted.proba_of_windows(logits, owner, 3), batched, atol=1e-5)


def test_pooled_document_probability_equals_pooling_its_windows_by_hand(fitted):
    text = " ".join([LAPAS, OTHER] * 5)
    logits, _ = fitted.window_logits([text])
    pooled = logits.max(axis=0) if fitted.pooling_ == "max" else logits.mean(axis=0)
    np.testing.assert_allclose(fitted.predict_proba([text])[0], 1 / (1 + np.exp(-pooled)), atol=1e-6)


def test_max_windows_reads_only_the_first_windows(fitted):
    all_logits, owner = fitted.window_logits([LONG])
    assert len(owner) > 2
    try:
        first_only = fitted.set_params(max_windows=1).predict_proba([LONG])[0]
        np.testing.assert_allclose(first_only, 1 / (1 + np.exp(-all_logits[0])), atol=1e-5)
        for bad in (0, -1, 1.5, True):
            with pytest.raises(ValueError, match="max_windows"):
                fitted.set_params(max_windows=bad).predict_proba([LONG])
    finally:
        fitted.set_params(max_windows=None)


def test_inference_batch_size_auto_follows_the_benchmark_and_bad_values_are_refused(fitted):
    texts, _ = signal_corpus(2)
    assert fitted.inference_batch_size == "auto" and fitted.max_length == 32
    assert fitted._inference_batch_size() == 8           # short windows on CPU: batches of 8
    fitted.set_params(max_length=512)
    assert fitted._inference_batch_size() == 1           # 512-token windows on CPU: one at a time
    fitted.set_params(max_length=32, inference_batch_size=3)
    try:
        np.testing.assert_allclose(fitted.predict_proba(texts),
                                   fitted.set_params(inference_batch_size="auto").predict_proba(texts), atol=1e-5)
        for bad in (0, "big", 2.5):
            with pytest.raises(ValueError, match="inference_batch_size"):
                fitted.set_params(inference_batch_size=bad).predict_proba(texts)
        fitted.set_params(inference_batch_size=np.int64(2), max_windows=np.int64(3))  # from a numpy grid
        assert fitted.predict_proba(texts).shape == (len(texts), len(fitted.classes_))
        for bad in (-1, 0, 1.5):
            with pytest.raises(ValueError, match="batch_size"):
                fitted.window_logits(texts, batch_size=bad)
    finally:
        fitted.set_params(max_length=32, inference_batch_size="auto", max_windows=None)


def test_max_length_beyond_the_position_embeddings_is_a_clear_error(fitted, tiny_bert):
    texts, labels = signal_corpus(1)
    model = IndoBertTopicClassifier(str(tiny_bert), max_length=256, args=ONE_EPOCH, device="cpu")
    with pytest.raises(ValueError, match=r"max_length=256 is more than the model's max_position_embeddings=128"):
        model.fit(texts, labels)
    try:
        with pytest.raises(ValueError, match="max_position_embeddings=128"):
            fitted.set_params(max_length=129).predict_proba(texts)
    finally:
        fitted.set_params(max_length=32)


# ------------------------------------------------------------------------------------ training arguments
def test_training_arguments_are_one_checked_frozen_setting():
    args = IndoBertTrainingArguments(epochs=2, learning_rate=5e-5)
    assert args.replace(epochs=3).epochs == 3 and args.epochs == 2
    assert IndoBertTrainingArguments.from_dict(args.to_dict()) == args
    assert IndoBertTrainingArguments(epochs=np.int64(2)).epochs == 2 and type(IndoBertTrainingArguments(
        epochs=np.int64(2)).epochs) is int
    for bad in ({"epochs": -1}, {"learning_rate": 0.0}, {"batch_size": 2.5}, {"class_weighting": "yes"}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            IndoBertTrainingArguments(**bad)
    with pytest.raises(ValueError, match="'epoch'"):
        IndoBertTrainingArguments.from_dict({"epoch": 2})
    with pytest.raises(AttributeError):
        args.epochs = 5  # frozen: a variant is made with replace()
    model = IndoBertTopicClassifier.from_settings(model_name_or_path="x", epochs=2, pooling="max", device="cpu")
    assert model.args == IndoBertTrainingArguments(epochs=2) and model.pooling == "max"
    assert IndoBertTopicClassifier(args={"epochs": 1}).training_args() == IndoBertTrainingArguments(epochs=1)
    assert IndoBertTopicClassifier().training_args() == IndoBertTrainingArguments()
    with pytest.raises(ValueError, match="thresholds='dev'"):  # before any download or training
        IndoBertTopicClassifier("no/such-model", thresholds="oof").fit([LAPAS], [["keamanan_lapas"]])


def test_every_constructor_setting_has_an_allowed_range_and_clone_copies_the_arguments():
    from sklearn.base import clone

    assert set(PARAMS) == set(IndoBertTopicClassifier().get_params())
    model = IndoBertTopicClassifier("base", pooling="max", args=ONE_EPOCH, precision="fp32")
    copy = clone(model)
    assert copy.get_params() == model.get_params() and copy.args == ONE_EPOCH and copy.args is not ONE_EPOCH
    assert copy.set_params(args=ONE_EPOCH.replace(epochs=2), max_windows=1).training_args().epochs == 2
    assert model.args.epochs == 1


def test_fit_leaves_the_global_random_state_alone_and_the_seed_decides(tiny_bert):
    import logging

    from transformers.utils import logging as hf_logging

    texts, labels = signal_corpus(2)
    random.seed(1)
    np.random.seed(1)
    torch.manual_seed(1)
    before = (random.getstate(), np.random.get_state()[1].copy(), torch.get_rng_state().clone())
    verbosity = hf_logging.get_verbosity()
    first = IndoBertTopicClassifier(str(tiny_bert), max_length=32, args=ONE_EPOCH, device="cpu").fit(texts, labels)
    assert random.getstate() == before[0] and np.array_equal(np.random.get_state()[1], before[1])
    assert torch.equal(torch.get_rng_state(), before[2])
    assert hf_logging.get_verbosity() == verbosity and not logging.getLogger("transformers.modeling_utils").filters
    torch.manual_seed(99)  # another global state: the same seed still gives the same model
    again = IndoBertTopicClassifier(str(tiny_bert), max_length=32, args=ONE_EPOCH, device="cpu").fit(texts, labels)
    np.testing.assert_allclose(again.predict_proba(texts), first.predict_proba(texts), atol=1e-6)
    other = IndoBertTopicClassifier(str(tiny_bert), max_length=32, args=ONE_EPOCH.replace(seed=5), device="cpu")
    assert np.abs(other.fit(texts, labels).predict_proba(texts) - first.predict_proba(texts)).max() > 1e-4


def test_only_the_expected_load_report_is_silenced_and_only_while_loading():
    import logging

    from pemilu_nlp.backends.hf import _expected_load_report

    logger = logging.getLogger("transformers.modeling_utils")
    seen: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    logger.addHandler(handler)
    try:
        with _expected_load_report():
            logger.warning("BertForSequenceClassification LOAD REPORT from: base")
            logger.warning("something else")
        logger.warning("another LOAD REPORT")
    finally:
        logger.removeHandler(handler)
    assert seen == ["something else", "another LOAD REPORT"]


# ------------------------------------------------------------------------------------ scikit-learn's tools
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")  # topics absent from a fold
def test_cross_validate_grid_search_and_a_scorer_work_on_it(tiny_bert, fitted):
    from sklearn.metrics import f1_score, get_scorer
    from sklearn.model_selection import GridSearchCV, KFold, cross_validate

    texts, labels = signal_corpus(4)
    Y = label_matrix(fitted, labels)
    model = IndoBertTopicClassifier(str(tiny_bert), max_length=32, args=ONE_EPOCH, device="cpu")
    scores = cross_validate(model, texts, Y, cv=KFold(2), scoring="f1_macro")
    assert len(scores["test_score"]) == 2 and all(0.0 <= s <= 1.0 for s in scores["test_score"])
    search = GridSearchCV(model, {"pooling": ["max", "mean"], "args": [ONE_EPOCH, ONE_EPOCH.replace(seed=1)]},
                          cv=KFold(2), scoring="f1_micro")
    search.fit(texts, Y)
    assert len(search.cv_results_["params"]) == 4 and search.best_params_["pooling"] in ("max", "mean")
    assert search.best_estimator_.predict(texts).shape == Y.shape
    texts, labels = signal_corpus()
    Y = label_matrix(fitted, labels)
    assert get_scorer("f1_micro")(fitted, texts, Y) == pytest.approx(f1_score(Y, fitted.predict(texts), average="micro"))
    assert get_scorer("f1_micro")(fitted, texts, Y) > 0.9


# ------------------------------------------------------------------------------------ saving and loading
def test_save_load_identical_probabilities_and_runtime_options_at_load(fitted, tmp_path):
    texts, _ = signal_corpus(2)
    fitted.save(tmp_path / "m")
    assert (tmp_path / "m" / "hf" / "model.safetensors").is_file()
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    assert config["format_version"] == 2 and "window" not in config           # window settings saved once
    assert config["params"]["max_length"] == 32 and config["params"]["args"]["epochs"] == 10
    assert not {"device", "precision", "inference_batch_size", "max_windows"} & set(config["params"])
    loaded = IndoBertTopicClassifier.load(tmp_path / "m", device="cpu", precision="fp32")
    np.testing.assert_allclose(loaded.predict_proba(texts), fitted.predict_proba(texts), atol=1e-6)
    assert loaded.pooling_ == fitted.pooling_ and loaded.args == fitted.args
    np.testing.assert_array_equal(loaded.thresholds_, fitted.thresholds_)
    tuned = IndoBertTopicClassifier.load(tmp_path / "m", device="cpu", precision="fp32", batch_size=3,
                                         max_windows=1, max_length=64)
    assert (tuned.precision, tuned.inference_batch_size, tuned.max_windows, tuned.max_length) == ("fp32", 3, 1, 64)
    assert tuned.predict_proba([LONG]).shape == (1, len(fitted.classes_))
    with pytest.raises(ValueError, match="max_position_embeddings=128"):
        IndoBertTopicClassifier.load(tmp_path / "m", device="cpu", max_length=512)


def _as_version_1(folder):
    """Rewrite a saved folder's config.json as version 1 wrote it: one flat set of settings, runtime
    options among them, and the window settings a second time."""
    from pemilu_nlp.io.persistence import read_manifest, seal

    config = json.loads((folder / "config.json").read_text())
    params = {k: v for k, v in config["params"].items() if k not in ("args", "thresholds")}
    params |= config["params"]["args"] | {"max_windows": None, "inference_batch_size": "auto", "precision": "auto",
                                           "device": "cuda"}
    config |= {"format_version": 1, "params": params,
               "window": {"max_length": params["max_length"], "stride": params["stride"], "max_windows": None}}
    (folder / "config.json").write_text(json.dumps(config))
    seal(folder, read_manifest(folder))
    return folder


def test_version_1_folders_with_flat_settings_still_load(fitted, tmp_path):
    texts, _ = signal_corpus(2)
    folder = _as_version_1(fitted.save(tmp_path / "m"))
    loaded = IndoBertTopicClassifier.load(folder, device="cpu", precision="fp32")
    assert loaded.args == fitted.args and loaded.max_length == 32 and loaded.device == "cpu"
    np.testing.assert_allclose(loaded.predict_proba(texts), fitted.predict_proba(texts), atol=1e-6)


def test_bin_only_folder_is_refused(fitted, tmp_path):
    folder = fitted.save(tmp_path / "m")
    weights = folder / "hf" / "model.safetensors"
    weights.rename(folder / "hf" / "pytorch_model.bin")
    with pytest.raises(ModelFormatError, match=r"\.bin \(pickle\)"):
        IndoBertTopicClassifier.load(folder)


def test_missing_weights_and_other_format_version(fitted, tmp_path):
    folder = fitted.save(tmp_path / "m")
    config = json.loads((folder / "config.json").read_text())
    config["format_version"] = 7
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelFormatError, match="checksum mismatch"):
        IndoBertTopicClassifier.load(folder)
    from pemilu_nlp.io.persistence import read_manifest, seal

    seal(folder, read_manifest(folder))
    with pytest.raises(ModelFormatError, match="format version 7"):
        IndoBertTopicClassifier.load(folder)
    (folder / "hf" / "model.safetensors").unlink()
    with pytest.raises(ModelFormatError, match="missing weights"):
        IndoBertTopicClassifier.load(folder)


def test_offline_hub_id_gives_one_clear_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(WeightsUnavailableError, match="pass its path as model_name_or_path"):
        IndoBertTopicClassifier("indobenchmark/indobert-base-p1", device="cpu").fit(["KPU menetapkan DPT"], [["pemilu"]])


def test_single_label_mode(tiny_bert):
    texts, labels = signal_corpus(4)
    keep = [i for i, y in enumerate(labels) if y]
    model = IndoBertTopicClassifier(str(tiny_bert), multi_label=False, max_length=32, device="cpu",
                                    args=IndoBertTrainingArguments(epochs=2, batch_size=4, progress=False))
    model.fit([texts[i] for i in keep], [labels[i] for i in keep])
    assert (model.predict([texts[i] for i in keep]).sum(axis=1) == 1).all()
    assert np.allclose(model.predict_proba(texts[:3]).sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="exactly one topic"):
        model.fit(texts[:3], labels[:3])


@pytest.mark.parametrize("precision", ["bf16", "int8"])
def test_cpu_precisions_run_and_mostly_agree_with_fp32(fitted, precision):
    texts, _ = signal_corpus(2)
    reference = fitted.predict_proba(texts)
    try:
        proba = fitted.set_params(precision=precision).predict_proba(texts)
        assert fitted.inference_model()[1] == precision
    finally:
        fitted.set_params(precision="fp32")
    assert proba.shape == reference.shape and np.abs(proba - reference).max() < 0.2


def test_auto_takes_the_fastest_precision_that_kept_the_label_sets_and_the_check_is_saved(fitted, tmp_path):
    texts, _ = signal_corpus(2)
    check = fitted.check_precisions(texts, precisions=["int8"], min_agreement=0.5)
    try:
        int8 = check["results"]["int8"]
        assert check["texts"] == len(texts) and check["results"]["fp32"]["agreement"] == 1.0
        expected = np.mean([set(a) == set(b) for a, b in zip(fitted.set_params(precision="int8").predict_topics(texts),
                                                             fitted.set_params(precision="fp32").predict_topics(texts))])
        assert int8["agreement"] == pytest.approx(expected)
        fastest = max((r["docs_per_second"], p) for p, r in check["results"].items() if r["agreement"] >= 0.5)[1]
        assert check["chosen"] == fastest
        # the same measurements, read two ways: int8 kept every label set, or it lost half of them
        for agreement, chosen in [(1.0, "int8"), (0.4, "fp32")]:
            fitted.precision_check_ = {**check, "results": {"fp32": {"agreement": 1.0, "docs_per_second": 1.0},
                                                            "int8": {"agreement": agreement, "docs_per_second": 9.0}}}
            assert fitted.set_params(precision="auto").inference_model()[1] == chosen
        from pemilu_nlp.backends.cpu import auto_cpu_precision

        fitted.precision_check_ = {**fitted.precision_check_, "device": "cuda"}  # measured elsewhere: CPU flags
        fitted.variants_.clear()
        assert fitted.inference_model()[1] == auto_cpu_precision()[0]
        fitted.precision_check_ = {**fitted.precision_check_, "device": "cpu"}
        folder = fitted.save(tmp_path / "m")
        loaded = IndoBertTopicClassifier.load(folder, device="cpu")
        assert loaded.precision_check_ == fitted.precision_check_ and loaded.inference_model()[1] == "fp32"
    finally:
        fitted.set_params(precision="fp32")
        fitted.__dict__.pop("precision_check_", None)
    with pytest.raises(ValueError, match="min_agreement"):
        fitted.check_precisions(texts, min_agreement=1.5)


@pytest.mark.gpu
def test_gpu_mixed_precision_training_and_inference(tiny_bert):
    texts, labels = signal_corpus(4)
    model = IndoBertTopicClassifier(str(tiny_bert), max_length=32, device="cuda",
                                    args=IndoBertTrainingArguments(epochs=2, progress=False))
    model.fit(texts, labels)
    proba = model.predict_proba(texts)
    assert proba.shape == (len(texts), 11) and np.isfinite(proba).all()


def test_own_schema_is_learned_saved_and_loaded(tiny_bert, tmp_path):
    schema = {"topics": [{"id": "penjara", "definition": "Keamanan lapas dan rutan."},
                         {"id": "kabar_bohong", "definition": "Hoaks dan disinformasi."}]}
    texts, labels = signal_corpus(6)
    rename = {"keamanan_lapas": "penjara", "hoaks_ujaran_kebencian": "kabar_bohong"}
    labels = [[rename[t] for t in y] for y in labels]
    model = IndoBertTopicClassifier(str(tiny_bert), max_length=32, stride=8, device="cpu", args=IndoBertTrainingArguments(
        epochs=6, batch_size=6, learning_rate=3e-3, warmup_ratio=0.0, progress=False, seed=0))
    model.fit(texts, labels, schema=schema)
    assert list(model.classes_) == ["penjara", "kabar_bohong"]
    assert model.model_.config.id2label == {0: "penjara", 1: "kabar_bohong"}
    assert set(model.topic_probabilities(LAPAS)) == {"penjara", "kabar_bohong"}
    model.save(tmp_path / "m")
    assert json.loads((tmp_path / "m" / "schema.json").read_text())["topics"][0]["definition"].startswith("Keamanan")
    from pemilu_nlp.registry import load

    loaded = load(tmp_path / "m", device="cpu", precision=model.precision)
    assert list(loaded.classes_) == ["penjara", "kabar_bohong"] and loaded.schema_[1].id == "kabar_bohong"
    np.testing.assert_allclose(loaded.predict_proba(texts[:3]), model.predict_proba(texts[:3]), atol=1e-5)
    untrained = IndoBertTopicClassifier.untrained(str(tiny_bert), schema=schema, device="cpu", max_length=128)
    assert untrained.predict_proba([LAPAS]).shape == (1, 2)
    from pemilu_nlp.errors import UnknownLabelError

    with pytest.raises(UnknownLabelError, match="unknown topic 'keamanan_lapas'"):
        IndoBertTopicClassifier(str(tiny_bert), args=ONE_EPOCH, device="cpu").fit(
            [LAPAS], [["keamanan_lapas"]], schema=schema)


# ------------------------------------------------------------------------------------ the command line
def test_cli_runtime_options_reach_an_indobert_folder_and_are_refused_for_tfidf(fitted, tmp_path, capsys):
    from pemilu_nlp.cli import main

    folder = fitted.save(tmp_path / "m")
    seed = str(sorted(SEEDS.glob("*.txt"))[0])
    options = ["--precision", "fp32", "--batch-size", "2", "--device", "cpu", "--max-length", "64"]
    assert main(["classify", "--json", "--model", str(folder), *options, seed]) == 0
    line = json.loads(capsys.readouterr().out)
    assert set(line["probabilities"]) == set(fitted.classes_)
    assert main(["run", "--json", "--model", str(folder), *options, seed]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]
    assert main(["classify", "--model", str(folder), "--max-length", "4096", seed]) == 2
    assert "max_position_embeddings=128" in capsys.readouterr().err          # the option reached the model
    assert main(["classify", "--precision", "fp32", "--batch-size", "4", seed]) == 2
    err = capsys.readouterr().err
    assert "--batch-size, --precision apply to IndoBERT model folders" in err and "TF-IDF" in err
    assert main(["classify", "--jobs", "2", "--model", str(folder), "--device", "cpu", seed]) == 2
    assert "not with --jobs" in capsys.readouterr().err
    out = tmp_path / "ray-out"
    assert main(["run", "--engine", "ray", "--out", str(out), "--model", str(folder), "--precision", "fp32", seed]) == 2
    assert "--engine ray" in capsys.readouterr().err and not out.exists()  # refused before Ray starts


# --- sealed folders (issue #14, item 5) -----------------------------------------------------------------
def _edit_hf_config(key, value):
    def edit(folder):
        path = folder / "hf" / "config.json"
        config = json.loads(path.read_text())
        config[key] = value
        path.write_text(json.dumps(config))
    return edit


def _edit_config(key, value):
    def edit(folder):
        config = json.loads((folder / "config.json").read_text())
        if key.startswith("params."):
            config["params"][key[7:]] = value
        else:
            config[key] = value
        (folder / "config.json").write_text(json.dumps(config))
    return edit


def _nan_weights(folder):
    from safetensors.torch import load_file, save_file

    state = load_file(str(folder / "hf" / "model.safetensors"))
    key = next(k for k in state if k.endswith("query.weight"))
    state[key] = state[key].clone()
    state[key].view(-1)[0] = float("nan")
    save_file(state, str(folder / "hf" / "model.safetensors"), metadata={"format": "pt"})


INDOBERT_TAMPERING = [
    ("num_hidden_layers 2 -> 1, not resealed", _edit_hf_config("num_hidden_layers", 1), False, "checksum mismatch"),
    ("num_hidden_layers 2 -> 1", _edit_hf_config("num_hidden_layers", 1), True, "num_hidden_layers=1"),
    ("hidden_size 1e7", _edit_hf_config("hidden_size", 1e7), True, "hidden_size"),
    ("vocab_size changed", _edit_hf_config("vocab_size", 7), True, "vocab_size=7"),
    ("three labels", _edit_hf_config("id2label", {"0": "a", "1": "b", "2": "c"}), True, "3 labels"),
    ("tokenizer edited", lambda f: (f / "hf" / "tokenizer.json").write_text(
        (f / "hf" / "tokenizer.json").read_text() + " "), False, "checksum mismatch"),
    ("an unlisted file in hf/", lambda f: (f / "hf" / "added_tokens.json").write_text("{}"), False,
     "hf/added_tokens.json is not in manifest.json"),
    ("thresholds too short", _edit_config("thresholds", [0.5]), True, "thresholds has shape (1,)"),
    ("pooling unknown", _edit_config("pooling", "sum"), True, "pooling must be"),
    ("max_length a billion", _edit_config("params.max_length", 10**9), True, "params.max_length"),
    ("a training argument out of range", _edit_config("params.args", {"epochs": -1}), True, "params.args"),
    ("format_version true", _edit_config("format_version", True), True, "format version True"),
    ("NaN weights", _nan_weights, True, "holds NaN"),
    ("precision check with an agreement of 2", _edit_config("precision_check", {
        "device": "cpu", "min_agreement": 0.99, "results": {"fp32": {"agreement": 2, "docs_per_second": 1}}}),
     True, "precision_check results['fp32']"),
    ("precision check of an unknown precision", _edit_config("precision_check", {
        "device": "cpu", "min_agreement": 0.99, "results": {"fp32": {"agreement": 1, "docs_per_second": 1},
                                                             "int3": {"agreement": 1, "docs_per_second": 9}}}),
     True, "precision_check results must be"),
]


@pytest.mark.parametrize("name, edit, resealed, message", INDOBERT_TAMPERING, ids=[r[0] for r in INDOBERT_TAMPERING])
def test_tampered_indobert_folder(fitted, tmp_path, name, edit, resealed, message):
    from pemilu_nlp.io.persistence import read_manifest, seal

    folder = fitted.save(tmp_path / "m")
    edit(folder)
    if resealed:
        seal(folder, read_manifest(folder))
    with pytest.raises(ModelFormatError) as err:
        IndoBertTopicClassifier.load(folder, device="cpu")
    assert str(folder) in str(err.value) and message in str(err.value)


def test_indobert_manifest_covers_every_file_of_the_folder(fitted, tmp_path):
    from pemilu_nlp.io.persistence import read_manifest

    folder = fitted.save(tmp_path / "m")
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(read_manifest(folder)) == files
    assert {"hf/config.json", "hf/model.safetensors", "hf/tokenizer.json", "hf/tokenizer_config.json"} <= files
