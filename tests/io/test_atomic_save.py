"""Saving over a model folder while other processes load it: every load gets one whole model
(issue 22, defect 4), and the saved files follow the umask (issue 22, also)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pemilu_nlp import TfidfTopicClassifier
from pemilu_nlp.errors import ModelFormatError

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ["KPU menetapkan daftar pemilih tetap.", "Bawaslu mengawasi kampanye di Banjar.",
         "Polisi mengamankan TPS saat pemungutan suara.", "Lapas Banjarmasin menggelar razia kamar.",
         "Hoaks surat suara tercoblos beredar di WhatsApp.", "ASN diminta netral dalam pilkada."]
LABELS = [["pemilu"], ["pemilu", "pelanggaran_pemilu"], ["operasi_pengamanan"], ["keamanan_lapas"],
          ["hoaks_ujaran_kebencian"], ["netralitas"]]

WRITER = """
import sys
from pemilu_nlp import TfidfTopicClassifier
a, b = TfidfTopicClassifier.load(sys.argv[1]), TfidfTopicClassifier.load(sys.argv[2])
for i in range(int(sys.argv[4])):
    model, name = (a, "small") if i % 2 else (b, "large")
    model.save(sys.argv[3], extra={"which": name})
open(sys.argv[3] + ".done", "w").close()
"""
READER = """
import os, sys
from pemilu_nlp import TfidfTopicClassifier
sizes = {"small": int(sys.argv[2]), "large": int(sys.argv[3])}
loads = 0
while loads < 400 and (loads == 0 or not os.path.exists(sys.argv[1] + ".done")):
    model = TfidfTopicClassifier.load(sys.argv[1])
    assert model.n_features_ == sizes[model.config_["which"]], "a mix of two saves"
    model.predict(["KPU menetapkan daftar pemilih."])
    loads += 1
    if loads == 1:  # tell the test this reader is loading, so the saves start under it
        open(f"{sys.argv[1]}.ready{os.getpid()}", "w").close()
print(loads)
"""


def _trained(texts: list[str]) -> TfidfTopicClassifier:
    return TfidfTopicClassifier(min_df=1, thresholds="fixed", cue_prior=False).fit(texts, LABELS)


def test_loads_during_repeated_saves_always_get_one_whole_model(tmp_path):
    small = _trained(TEXTS)
    large = _trained([t + " Hal itu disampaikan Ketua KPU kepada wartawan di kantor." for t in TEXTS])
    assert small.n_features_ != large.n_features_
    small.save(tmp_path / "small")
    large.save(tmp_path / "large")
    target = tmp_path / "model"
    large.save(target, extra={"which": "large"})
    script = lambda code, *args: [sys.executable, "-c", textwrap.dedent(code), *map(str, args)]  # noqa: E731
    readers = [subprocess.Popen(script(READER, target, small.n_features_, large.n_features_), cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    deadline = time.monotonic() + 120  # a loaded machine can take long to start three Pythons
    while len(list(tmp_path.glob("model.ready*"))) < len(readers) and time.monotonic() < deadline:
        assert all(reader.poll() is None for reader in readers), "a reader stopped before the saves began"
        time.sleep(0.05)
    writer = subprocess.run(script(WRITER, tmp_path / "small", tmp_path / "large", target, 60), cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert writer.returncode == 0, writer.stderr
    for reader in readers:
        out, err = reader.communicate(timeout=300)
        assert reader.returncode == 0, err
        assert int(out) > 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no staged folder left


def test_a_save_that_fails_leaves_the_old_model_as_it_was(tmp_path, monkeypatch):
    model = _trained(TEXTS)
    target = model.save(tmp_path / "model")
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    monkeypatch.setattr("pemilu_nlp.io.persistence.write_config", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        model.save(target)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_a_folder_of_other_files_is_never_replaced(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", "utf-8")
    with pytest.raises(ModelFormatError, match="not a model folder"):
        _trained(TEXTS).save(tmp_path)
    assert (tmp_path / "notes.txt").read_text("utf-8") == "mine"


def test_files_beside_the_model_survive_a_new_save(tmp_path):
    target = _trained(TEXTS).save(tmp_path / "model")
    (target / "report.json").write_text("{}", "utf-8")
    _trained(TEXTS).save(target)
    assert (target / "report.json").read_text("utf-8") == "{}"
    TfidfTopicClassifier.load(target)


def test_every_saved_file_follows_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        target = _trained(TEXTS).save(tmp_path / "model")
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in target.iterdir()}
    assert modes["weights.safetensors"] == 0o644
    assert set(modes.values()) == {0o644}
    assert target.stat().st_mode & 0o777 == 0o755
