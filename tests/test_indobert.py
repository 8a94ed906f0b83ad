"""IndoBERT classifier on a tiny BERT of the real class (no network, CPU, quick)."""
from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import ROOT

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from pemilu_nlp.errors import ModelFormatError, WeightsUnavailableError  # noqa: E402
from pemilu_nlp.indobert import IndoBertTopicClassifier, pool_logits, windows_of  # noqa: E402
from pemilu_nlp.testing import build_bert  # noqa: E402

LAPAS = "razia kamar narapidana di lapas rutan warga binaan kalapas pemasyarakatan"
HOAKS = "hoaks disinformasi cek fakta video palsu beredar media sosial ujaran kebencian"
OTHER = "sepak bola timnas menang gol stadion pelatih pemain liga"


def _corpus_texts(n: int = 300) -> list[str]:
    from pemilu_nlp.corpus import load_corpus

    return [a.text for a in load_corpus(ROOT / "data" / "corpus.jsonl")[:n]]


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory):
    """A 2-layer BERT and a WordPiece tokenizer trained on the project corpus, saved like a hub model."""
    return build_bert(tmp_path_factory.mktemp("tiny-bert"), _corpus_texts() + [LAPAS, HOAKS, OTHER] * 20,
                      vocab_size=1500)


def signal_corpus(n: int = 12):
    rng = np.random.default_rng(0)
    texts, labels = [], []
    for _ in range(n):
        for base, label in ((LAPAS, ["keamanan_lapas"]), (HOAKS, ["hoaks_ujaran_kebencian"]), (OTHER, [])):
            words = base.split()
            rng.shuffle(words)
            texts.append(" ".join(words))
            labels.append(label)
    return texts, labels


@pytest.fixture(scope="session")
def fitted(tiny_bert):
    texts, labels = signal_corpus()
    model = IndoBertTopicClassifier(str(tiny_bert), max_length=32, stride=8, epochs=10, batch_size=6,
                                    learning_rate=3e-3, warmup_ratio=0.0, early_stopping_patience=20,
                                    device="cpu", precision="fp32", progress=False, seed=0)
    # fp32: these tests are about windows, pooling and batching; bf16 (``auto`` on a CPU with native
    # bf16) rounds differently with other padding, and has its own agreement checks
    return model.fit(texts, labels, X_dev=texts, y_dev=labels)


def test_fine_tuning_really_learns(fitted):
    texts, labels = signal_corpus()
    losses = [h["train_loss"] for h in fitted.history_]
    assert losses[-1] < 0.5 * losses[0]
    assert fitted.history_[-1]["dev_macro_f1"] > 0.9 or max(h["dev_macro_f1"] for h in fitted.history_) > 0.9
    predictions = fitted.predict_topics(texts)
    accuracy = np.mean([set(p) == set(y) for p, y in zip(predictions, labels)])
    assert accuracy > 0.9


def test_same_surface_as_the_baseline(fitted):
    one = fitted.topic_probabilities(LAPAS)
    many = fitted.topic_probabilities([OTHER, LAPAS])
    assert set(one) == set(fitted.classes_) and len(many) == 2
    assert many[1] == pytest.approx(one, abs=1e-5)
    assert isinstance(fitted.predict_topics(LAPAS), list) and fitted.predict_top(LAPAS) == "keamanan_lapas"
    with pytest.raises(ValueError, match="position 1"):
        fitted.predict_topics([LAPAS, " "])


def test_windows_overlap_and_cover_the_text():
    ids = list(range(23))
    windows = windows_of(ids, 10, 3)
    assert all(len(w) <= 10 for w in windows)
    assert windows[0][-3:] == windows[1][:3] and windows[-1][-1] == 22
    assert sorted(set(sum(windows, []))) == ids
    with pytest.raises(ValueError):
        windows_of(ids, 10, 10)


def test_pooling_matches_a_hand_computation():
    logits = np.array([[1.0, -2.0], [3.0, 0.0], [5.0, 5.0]])
    owner = np.array([0, 0, 1])
    np.testing.assert_array_equal(pool_logits(logits, owner, 2, "max"), [[3.0, 0.0], [5.0, 5.0]])
    np.testing.assert_array_equal(pool_logits(logits, owner, 2, "mean"), [[2.0, -1.0], [5.0, 5.0]])


def test_long_article_same_prediction_alone_or_batched_with_others(fitted):
    long_text = " ".join([LAPAS, OTHER, HOAKS] * 6)  # several windows of 32 tokens
    windows, _ = fitted._windows([long_text])
    assert len(windows) > 2
    alone = fitted.predict_proba([long_text])
    batched = fitted._proba([OTHER, long_text, LAPAS], batch_size=3)
    np.testing.assert_allclose(batched[1], alone[0], atol=1e-5)
    # order restored after length sorting
    unsorted = fitted._proba([OTHER, long_text, LAPAS], sort_by_length=False)
    np.testing.assert_allclose(batched, unsorted, atol=1e-5)


def test_pooled_document_probability_equals_pooling_its_windows_by_hand(fitted):
    text = " ".join([LAPAS, OTHER] * 5)
    logits, _ = fitted.window_logits([text])
    pooled = logits.max(axis=0) if fitted.pooling_ == "max" else logits.mean(axis=0)
    np.testing.assert_allclose(fitted.predict_proba([text])[0], 1 / (1 + np.exp(-pooled)), atol=1e-6)


def test_max_windows_reads_only_the_first_windows(fitted):
    long_text = " ".join([LAPAS, OTHER, HOAKS] * 6)
    all_logits, owner = fitted.window_logits([long_text])
    assert len(owner) > 2
    fitted.set_params(max_windows=1)
    try:
        first_only = fitted.predict_proba([long_text])[0]
        np.testing.assert_allclose(first_only, 1 / (1 + np.exp(-all_logits[0])), atol=1e-5)
        for bad in (0, -1, 1.5, True):
            fitted.set_params(max_windows=bad)
            with pytest.raises(ValueError, match="max_windows"):
                fitted.predict_proba([long_text])
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
            fitted.set_params(inference_batch_size=bad)
            with pytest.raises(ValueError, match="inference_batch_size"):
                fitted.predict_proba(texts)
        fitted.set_params(inference_batch_size=np.int64(2), max_windows=np.int64(3))  # from a numpy grid
        assert fitted.predict_proba(texts).shape == (len(texts), len(fitted.classes_))
        for bad in (-1, 0, 1.5):
            with pytest.raises(ValueError, match="batch_size"):
                fitted._proba(texts, batch_size=bad)
    finally:
        fitted.set_params(max_length=32, inference_batch_size="auto", max_windows=None)


def test_save_load_identical_probabilities(fitted, tmp_path):
    texts, _ = signal_corpus(2)
    fitted.save(tmp_path / "m")
    assert (tmp_path / "m" / "hf" / "model.safetensors").is_file()
    loaded = IndoBertTopicClassifier.load(tmp_path / "m", device="cpu")
    np.testing.assert_allclose(loaded.predict_proba(texts), fitted.predict_proba(texts), atol=1e-6)
    assert loaded.pooling_ == fitted.pooling_
    np.testing.assert_array_equal(loaded.thresholds_, fitted.thresholds_)


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
    from pemilu_nlp.persistence import read_manifest, seal

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
    model = IndoBertTopicClassifier(str(tiny_bert), multi_label=False, max_length=32, epochs=2, batch_size=4,
                                    device="cpu", progress=False)
    model.fit([texts[i] for i in keep], [labels[i] for i in keep])
    predictions = model.predict_topics([texts[i] for i in keep])
    assert all(len(p) == 1 for p in predictions)
    assert np.allclose(model.predict_proba(texts[:3]).sum(axis=1), 1.0)


@pytest.mark.parametrize("precision", ["bf16", "int8"])
def test_cpu_precisions_run_and_mostly_agree_with_fp32(fitted, precision):
    texts, _ = signal_corpus(2)
    reference = fitted.predict_proba(texts)
    fitted.set_params(precision=precision)
    try:
        proba = fitted.predict_proba(texts)
    finally:
        fitted.set_params(precision="auto")
    assert proba.shape == reference.shape and np.abs(proba - reference).max() < 0.2


@pytest.mark.gpu
def test_gpu_mixed_precision_training_and_inference(tiny_bert):
    texts, labels = signal_corpus(4)
    model = IndoBertTopicClassifier(str(tiny_bert), max_length=32, epochs=2, device="cuda", progress=False)
    model.fit(texts, labels)
    proba = model.predict_proba(texts)
    assert proba.shape == (len(texts), 11) and np.isfinite(proba).all()


def test_own_schema_is_learned_saved_and_loaded(tiny_bert, tmp_path):
    schema = {"topics": [{"id": "penjara", "definition": "Keamanan lapas dan rutan."},
                         {"id": "kabar_bohong", "definition": "Hoaks dan disinformasi."}]}
    texts, labels = signal_corpus(6)
    rename = {"keamanan_lapas": "penjara", "hoaks_ujaran_kebencian": "kabar_bohong"}
    labels = [[rename[t] for t in y] for y in labels]
    model = IndoBertTopicClassifier(str(tiny_bert), max_length=32, stride=8, epochs=6, batch_size=6,
                                    learning_rate=3e-3, warmup_ratio=0.0, device="cpu", progress=False, seed=0)
    model.fit(texts, labels, schema=schema)
    assert list(model.classes_) == ["penjara", "kabar_bohong"]
    assert model.model_.config.id2label == {0: "penjara", 1: "kabar_bohong"}
    assert set(model.topic_probabilities(LAPAS)) == {"penjara", "kabar_bohong"}
    model.save(tmp_path / "m")
    assert json.loads((tmp_path / "m" / "schema.json").read_text())["topics"][0]["definition"].startswith("Keamanan")
    from pemilu_nlp.registry import load

    loaded = load(tmp_path / "m")
    assert list(loaded.classes_) == ["penjara", "kabar_bohong"] and loaded.schema_[1].id == "kabar_bohong"
    np.testing.assert_allclose(loaded.predict_proba(texts[:3]), model.predict_proba(texts[:3]), atol=1e-5)
    untrained = IndoBertTopicClassifier.untrained(str(tiny_bert), schema=schema, device="cpu", progress=False)
    assert untrained.predict_proba([LAPAS]).shape == (1, 2)
    from pemilu_nlp.errors import UnknownLabelError

    with pytest.raises(UnknownLabelError, match="unknown topic 'keamanan_lapas'"):
        IndoBertTopicClassifier(str(tiny_bert), epochs=1, device="cpu", progress=False).fit(
            [LAPAS], [["keamanan_lapas"]], schema=schema)


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
    ("format_version true", _edit_config("format_version", True), True, "format version True"),
    ("NaN weights", _nan_weights, True, "holds NaN"),
]


@pytest.mark.parametrize("name, edit, resealed, message", INDOBERT_TAMPERING, ids=[r[0] for r in INDOBERT_TAMPERING])
def test_tampered_indobert_folder(fitted, tmp_path, name, edit, resealed, message):
    from pemilu_nlp.persistence import read_manifest, seal

    folder = fitted.save(tmp_path / "m")
    edit(folder)
    if resealed:
        seal(folder, read_manifest(folder))
    with pytest.raises(ModelFormatError) as err:
        IndoBertTopicClassifier.load(folder, device="cpu")
    assert str(folder) in str(err.value) and message in str(err.value)


def test_indobert_manifest_covers_every_file_of_the_folder(fitted, tmp_path):
    from pemilu_nlp.persistence import read_manifest

    folder = fitted.save(tmp_path / "m")
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(read_manifest(folder)) == files
    assert {"hf/config.json", "hf/model.safetensors", "hf/tokenizer.json", "hf/tokenizer_config.json"} <= files
