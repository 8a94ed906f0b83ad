"""Messages that say what is wrong: pipes are read, options are named, output paths are checked
before the work starts (issue 22, defect 7)."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pemilu_nlp.cli import main

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = "KPU Kota Banjarmasin menetapkan daftar pemilih tetap Pemilu 2024."


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pemilu_nlp", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_a_named_pipe_is_read_as_a_file(tmp_path):
    fifo = tmp_path / "artikel.txt"
    os.mkfifo(fifo)
    run = subprocess.Popen([sys.executable, "-m", "pemilu_nlp", "classify", "--json", str(fifo)], cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    writer = threading.Thread(target=fifo.write_text, args=(ARTICLE, "utf-8"), daemon=True)
    writer.start()  # opening a FIFO to write waits for a reader: never in this test's own thread
    out, err = run.communicate(timeout=120)
    if writer.is_alive():  # the command never opened the pipe: let the writer go
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
    assert run.returncode == 0, err
    assert '"pemilu"' in out and "no such file" not in err


def test_dev_stdin_reads_the_piped_text():
    result = _cli("classify", "/dev/stdin", stdin=ARTICLE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("stdin\t") and "pemilu" in result.stdout
    assert "symbolic link" not in result.stderr


def test_a_terminal_or_device_is_named_for_what_it_is(capsys):
    assert main(["classify", "/dev/null"]) == 1
    err = capsys.readouterr().err
    assert "character device" in err and "symbolic link" not in err and "no such file" not in err


def test_a_negative_seed_names_the_option(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["suggest", "--pool", "x.jsonl", "--seed", "-1"])
    assert stop.value.code == 2
    assert "argument --seed: a seed is a whole number from 0 to" in capsys.readouterr().err


def test_an_output_in_a_missing_folder_is_refused_before_anything_is_written(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["label-config", "--out", str(tmp_path / "miss" / "dir" / "labels.xml")])
    assert "argument --out: cannot write" in capsys.readouterr().err


def test_train_checks_its_report_path_before_training(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("pemilu_nlp.learn.training.train_model", lambda *a, **k: pytest.fail("trained first"))
    corpus = str(ROOT / "data" / "corpus.jsonl")
    assert main(["train", "--data", corpus, "--report", str(tmp_path / "missing" / "r.json")]) == 2
    assert "error: --report: cannot write" in capsys.readouterr().err


def test_a_report_inside_the_new_model_folder_is_fine(tmp_path, monkeypatch):
    trained = []
    monkeypatch.setattr("pemilu_nlp.learn.training.train_model", lambda *a, **k: trained.append(k["report"]))
    out = tmp_path / "model"
    assert main(["train", "--data", str(ROOT / "data" / "corpus.jsonl"), "--out", str(out),
                 "--report", str(out / "report.json")]) == 0
    assert trained == [str(out / "report.json")]
