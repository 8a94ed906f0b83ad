"""Sealed model folders (issue #14, item 5): a table of tampered folders, each a ModelFormatError
that names the folder and what is wrong, never a KeyError/TypeError/IndexError or a huge allocation."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

from pemilu_nlp.classify.tfidf.classifier import TfidfTopicClassifier
from pemilu_nlp.errors import ModelFormatError
from pemilu_nlp.io.persistence import file_sha256, read_manifest, seal
from pemilu_nlp.summarize import FeatureSummarizer

TRAIN = [
    ("Narapidana kabur dari lapas, razia kamar warga binaan di rutan diperketat petugas lapas", ["keamanan_lapas"]),
    ("Petugas rutan menggelar razia kamar narapidana dan menemukan ponsel di lapas", ["keamanan_lapas"]),
    ("Beredar hoaks video palsu, cek fakta menyebut disinformasi di media sosial", ["hoaks_ujaran_kebencian"]),
    ("Polisi patroli siber memburu penyebar hoaks dan ujaran kebencian", ["hoaks_ujaran_kebencian"]),
    ("Timnas sepak bola menang dua gol di stadion, pelatih memuji pemain", []),
]
SENTENCES = ["KPU menetapkan DPT pemilu.", "Bawaslu mengawasi kampanye di kota.", "Polisi berjaga di TPS.",
             "Warga datang memilih.", "Hasil dihitung malam hari."]


# ------------------------------------------------------------------------------------ edit helpers
def reseal(folder: Path) -> None:
    """Rewrite the manifest after an edit: what a careless hand edit (or a hostile one) can do."""
    seal(folder, read_manifest(folder))


def edit_json(name: str, change):
    def edit(folder: Path) -> None:
        data = json.loads((folder / name).read_text("utf-8"))
        data = change(data) or data
        (folder / name).write_text(json.dumps(data), "utf-8")
    return edit


def set_param(key, value):
    return edit_json("config.json", lambda c: c["params"].__setitem__(key, value))


def set_config(key, value):
    return edit_json("config.json", lambda c: c.__setitem__(key, value))


def edit_manifest(change):
    return edit_json("manifest.json", lambda m: change(m))


def edit_arrays(change, *, torch_format: bool = False):
    def edit(folder: Path) -> None:
        if torch_format:
            from safetensors.torch import load_file, save_file
        else:
            from safetensors.numpy import load_file, save_file
        arrays = load_file(str(folder / "weights.safetensors"))
        change(arrays)
        save_file(arrays, str(folder / "weights.safetensors"))
    return edit


def write(name: str, data: bytes):
    return lambda folder: (folder / name).write_bytes(data)


def add_outside_file(folder: Path) -> None:
    outside = folder.parent / "hostname"
    outside.write_text("evil\n")
    edit_manifest(lambda m: m["files"].__setitem__("../hostname", file_sha256(outside)))(folder)


def symlink_out(name: str):
    def edit(folder: Path) -> None:
        outside = folder.parent / f"outside-{name}"
        shutil.move(folder / name, outside)
        (folder / name).symlink_to(outside)
    return edit


def nan_in(key: str, *, torch_format: bool = False):
    def change(arrays):
        values = arrays[key].clone() if torch_format else arrays[key].copy()
        (values.view(-1) if torch_format else values.reshape(-1))[0] = float("nan")
        arrays[key] = values
    return edit_arrays(change, torch_format=torch_format)


# Each row: (name, edit, reseal after the edit, message the error must contain)
COMMON = [
    ("manifest names ../hostname", add_outside_file, False, "outside the folder"),
    ("manifest names an absolute path", edit_manifest(lambda m: m["files"].__setitem__("/etc/hostname", "0" * 64)),
     False, "outside the folder"),
    ("manifest path with ..", edit_manifest(lambda m: m["files"].__setitem__("a/../../x", "0" * 64)), False,
     "outside the folder"),
    ("weights are a link out of the folder", symlink_out("weights.safetensors"), False, "leads outside the folder"),
    ("manifest deleted", lambda f: (f / "manifest.json").unlink(), False, "missing manifest.json"),
    ("manifest not JSON", write("manifest.json", b"{nope"), False, "not valid JSON"),
    ("manifest lists no files", edit_manifest(lambda m: m.__setitem__("files", {})), False, "no file checksums"),
    ("manifest leaves out config.json", edit_manifest(lambda m: m["files"].pop("config.json") and None), False,
     "does not cover config.json"),
    ("manifest digest not hex", edit_manifest(lambda m: m["files"].__setitem__("config.json", "abc")), False,
     "not a SHA-256"),
    ("manifest version true", edit_manifest(lambda m: m.__setitem__("format_version", True)), False,
     "manifest format version True"),
    ("config edited, not resealed", set_config("metrics", {"f1": 1.0}), False, "checksum mismatch"),
    ("weights edited, not resealed", lambda f: (f / "weights.safetensors").write_bytes(
        (f / "weights.safetensors").read_bytes()[:-1] + b"\x01"), False, "checksum mismatch"),
    ("weights missing", lambda f: (f / "weights.safetensors").unlink(), False, "missing file weights.safetensors"),
    ("weights left out of the manifest", lambda f: seal(f, [n for n in read_manifest(f) if "weights" not in n]),
     False, "weights.safetensors is not in manifest.json"),
    ("format_version true", set_config("format_version", True), True, "format version True"),
    ("format_version as text", set_config("format_version", "1"), True, "format version '1'"),
    ("config.json not JSON", write("config.json", b"\xff\xfe"), True, "not valid JSON"),
    ("config.json a list", write("config.json", b"[1, 2]"), True, "format None"),
    ("params not an object", set_config("params", [1, 2]), True, "params must be an object"),
    ("an unknown setting", set_param("evil", 1), True, "does not know: 'evil'"),
    ("weights not safetensors", write("weights.safetensors", b"\x00" * 64), True, "weights.safetensors"),
    ("weights file empty", write("weights.safetensors", b""), True, "cannot read the header"),
]

TFIDF = [*COMMON,
    ("char_ngram_range [1, 2] not resealed", set_param("char_ngram_range", [1, 2]), False, "checksum mismatch"),
    ("char_ngram_range out of range", set_param("char_ngram_range", [0, 99]), True, "params.char_ngram_range"),
    ("char_ngram_range a string", set_param("char_ngram_range", "abc"), True, "params.char_ngram_range"),
    ("word_ngram_range three", set_param("word_ngram_range", [1, 3]), True, "params.word_ngram_range"),
    ("C negative", set_param("C", -1), True, "params.C"),
    ("C NaN", set_param("C", float("nan")), True, "params.C"),
    ("min_df a float", set_param("min_df", 1e30), True, "params.min_df"),
    ("stem a string", set_param("stem", "yes"), True, "params.stem"),
    ("class_weight unknown", set_param("class_weight", {"a": 1}), True, "params.class_weight"),
    ("topics of another schema", set_config("topics", ["pemilu", "olahraga"]), True, "differ from"),
    ("topics not a list", set_config("topics", 5), True, "must be a list of topic ids"),
    ("config thresholds too short", set_config("thresholds", [0.5, 0.5]), True, "config.json thresholds has shape"),
    ("config thresholds above 1", lambda f: edit_json("config.json", lambda c: c["thresholds"].__setitem__(0, 1.5))(f),
     True, "outside [0.0, 1.0]"),
    ("config thresholds text", lambda f: edit_json("config.json", lambda c: c["thresholds"].__setitem__(0, "x"))(f),
     True, "thresholds must be numbers"),
    ("untrained_topics a string", set_config("untrained_topics", "pemilu"), True, "untrained_topics must be a list"),
    ("untrained topic unknown", set_config("untrained_topics", ["olahraga"]), True, "names topics"),
    ("weight thresholds wrong length", edit_arrays(lambda a: a.__setitem__("thresholds", a["thresholds"][:3])),
     True, "thresholds has shape (3,)"),
    ("NaN weights", nan_in("coef"), True, "coef holds NaN"),
    ("infinite idf", edit_arrays(lambda a: a["word_idf"].__setitem__(0, np.inf)), True, "word_idf holds NaN or infinite"),
    ("NaN thresholds", nan_in("thresholds"), True, "thresholds holds NaN"),
    ("a tensor missing", edit_arrays(lambda a: a.pop("intercept")), True, "missing tensors ['intercept']"),
    ("an extra tensor", edit_arrays(lambda a: a.__setitem__("evil", np.zeros(3, np.float32))), True,
     "unexpected tensors ['evil']"),
    ("coef of another shape", edit_arrays(lambda a: a.__setitem__("coef", a["coef"][:, :5].copy())), True,
     "coef has shape"),
    ("vocabulary not JSON", write("vocabulary.json", b"{"), True, "cannot read vocabulary.json"),
    ("vocabulary a list", write("vocabulary.json", b"[]"), True, "vocabulary.json must be an object"),
    ("vocabulary words not strings", edit_json("vocabulary.json", lambda v: v.__setitem__("word", [1, 2])), True,
     "'word' must be a list of strings"),
    ("vocabulary repeats a word", edit_json("vocabulary.json", lambda v: v["word"].append(v["word"][0])), True,
     "repeats an entry"),
    ("vocabulary one word longer", edit_json("vocabulary.json", lambda v: v["word"].append("zzz-new")), True,
     "does not fit|has shape"),
    ("vocabulary missing", lambda f: (f / "vocabulary.json").unlink(), False, "missing file vocabulary.json"),
]

FEATURES = [*COMMON,
    ("C negative", set_param("C", -1.0), True, "params.C"),
    ("mmr_lambda 2", set_param("mmr_lambda", 2), True, "params.mmr_lambda"),
    ("other features", set_config("features", ["a"]), True, "other features"),
    ("NaN coef", nan_in("coef"), True, "coef holds NaN"),
    ("zero scale", edit_arrays(lambda a: a["scale"].__setitem__(0, 0.0)), True, "scale must be positive"),
    ("coef too short", edit_arrays(lambda a: a.__setitem__("coef", a["coef"][:3].copy())), True, "coef has shape"),
]


def _check(make, folder: Path, edit, resealed: bool, message: str, load) -> None:
    edit(folder)
    if resealed:
        reseal(folder)
    with pytest.raises(ModelFormatError) as err:
        load(folder)
    text = str(err.value)
    assert folder.name in text, text
    assert any(part in text for part in message.split("|")), text


@pytest.fixture(scope="module")
def tfidf_folder(tmp_path_factory):
    model = TfidfTopicClassifier(min_df=1).fit([t for t, _ in TRAIN], [labels for _, labels in TRAIN])
    return model.save(tmp_path_factory.mktemp("tfidf") / "model")


@pytest.fixture(scope="module")
def features_folder(tmp_path_factory):
    model = FeatureSummarizer().fit([SENTENCES, SENTENCES[::-1]], [[0, 2], [1]])
    return model.save(tmp_path_factory.mktemp("features") / "model")


def _copy(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(folder, target)
    return target


@pytest.mark.parametrize("name, edit, resealed, message", TFIDF, ids=[row[0] for row in TFIDF])
def test_tampered_tfidf_folder(tfidf_folder, tmp_path, name, edit, resealed, message):
    _check(None, _copy(tfidf_folder, tmp_path), edit, resealed, message, TfidfTopicClassifier.load)


@pytest.mark.parametrize("name, edit, resealed, message", FEATURES, ids=[row[0] for row in FEATURES])
def test_tampered_feature_scorer_folder(features_folder, tmp_path, name, edit, resealed, message):
    _check(None, _copy(features_folder, tmp_path), edit, resealed, message, FeatureSummarizer.load)


def test_untouched_copies_load(tfidf_folder, features_folder, tmp_path):
    TfidfTopicClassifier.load(_copy(tfidf_folder, tmp_path / "a"))
    FeatureSummarizer.load(_copy(features_folder, tmp_path / "b"))


def test_every_setting_of_the_models_has_an_allowed_range():
    from pemilu_nlp.classify.indobert import model as indobert
    from pemilu_nlp.classify.tfidf import classifier as tfidf
    from pemilu_nlp.summarize import features, neural

    assert set(tfidf.PARAMS) == set(TfidfTopicClassifier().get_params())
    assert set(features.PARAMS) == set(features.FeatureSummarizer().get_params())
    assert set(neural.PARAMS) == set(neural.NeuralSummarizer().get_params())
    assert set(neural.NeuralSummarizer()._params()) <= set(neural.PARAMS)  # what is saved is checked on load
    assert set(indobert.PARAMS) == set(indobert.IndoBertTopicClassifier().get_params())


# ------------------------------------------------------------------------------------ the neural scorer
@pytest.fixture(scope="module")
def neural_folder(tmp_path_factory):
    pytest.importorskip("torch")
    from pemilu_nlp.registry import load, shipped_folder

    model = load(shipped_folder("neural"))
    model.embedding_ = model.embedding_[:60]  # a small copy of the shipped model: the same format, quick to save
    model.vocabulary_ = {w: i for w, i in model.vocabulary_.items() if i < 60}
    model.network_ = model._new_network()
    return model.save(tmp_path_factory.mktemp("neural") / "model")


NEURAL = [*COMMON,
    ("hidden 1e7", set_param("hidden", 1e7), True, "params.hidden"),
    ("hidden ten million", set_param("hidden", 10_000_000), True, "params.hidden"),
    ("hidden valid but not the weights'", set_param("hidden", 64), True, "has shape"),
    ("dim zero", set_param("dim", 0), True, "params.dim"),
    ("dropout 1.5", set_param("dropout", 1.5), True, "params.dropout"),
    ("max_tokens negative", set_param("max_tokens", -5), True, "params.max_tokens"),
    ("NaN in a convolution", nan_in("conv.weight", torch_format=True), True, "conv.weight holds NaN"),
    ("NaN feature scale", nan_in("feature_scale", torch_format=True), True, "feature_scale holds NaN"),
    ("vocabulary an object", write("vocabulary.json", b"{}"), True, "vocabulary.json must be a list"),
    ("vocabulary one word longer", edit_json("vocabulary.json", lambda v: v.append("zzz-new")), True,
     "embedding.weight has shape"),
    ("a GRU tensor missing", edit_arrays(lambda a: a.pop("gru.bias_hh_l0"), torch_format=True), True,
     "missing tensors ['gru.bias_hh_l0']"),
]


@pytest.mark.parametrize("name, edit, resealed, message", NEURAL, ids=[row[0] for row in NEURAL])
def test_tampered_neural_scorer_folder(neural_folder, tmp_path, name, edit, resealed, message):
    from pemilu_nlp.summarize.neural import NeuralSummarizer

    _check(None, _copy(neural_folder, tmp_path), edit, resealed, message, NeuralSummarizer.load)


# ------------------------------------------------------------------------------------ shipped models
def test_the_shipped_models_are_sealed_and_load():
    from pemilu_nlp.registry import SHIPPED, load, shipped_folder

    for folder_name in SHIPPED.values():
        listed = read_manifest(ROOT / "models" / folder_name)
        assert "config.json" in listed and "weights.safetensors" in listed
    TfidfTopicClassifier.load(shipped_folder("tfidf"))
    assert isinstance(load(shipped_folder("features")), FeatureSummarizer)


def test_a_folder_saved_before_sealing_gets_a_clear_error_and_can_be_sealed(tfidf_folder, tmp_path):
    from pemilu_nlp.io.persistence import seal_legacy

    folder = _copy(tfidf_folder, tmp_path)
    config = json.loads((folder / "config.json").read_text())
    config["files"] = {name: file_sha256(folder / name) for name in ("weights.safetensors", "vocabulary.json")}
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "manifest.json").unlink()
    (folder / "schema.json").unlink()  # folders from before sealing carried no schema either
    with pytest.raises(ModelFormatError, match="seal_legacy"):
        TfidfTopicClassifier.load(folder)
    seal_legacy(folder)
    TfidfTopicClassifier.load(folder)
