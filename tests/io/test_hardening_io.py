"""Bad input at the edges (issue #14): JSONL lines, raw control content, folders, pipes, streaming."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT, SEEDS

from pemilu_nlp.cli import main
from pemilu_nlp.errors import CorpusError
from pemilu_nlp.io.corpus import load_corpus

GOOD = "Polres menggelar patroli pengamanan TPS pemilu. Bawaslu mengawasi kampanye."
HUGE_INT = '{"id": "big", "text": "x", "n": ' + "9" * 5000 + "}"
DEEP = '{"id": "deep", "text": "x", "n": ' + "[" * 100_000 + "]" * 100_000 + "}"
SURROGATE = '{"id": "sur", "text": "Polisi berjaga \\ud800 di TPS. KPU siap."}'


def _jsonl(tmp_path, *lines):
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _good(i):
    return json.dumps({"id": f"ok{i}", "text": GOOD})


# ------------------------------------------------------------------------------------ 3. bad JSONL lines
@pytest.mark.parametrize("bad, reason", [(HUGE_INT, "4300 digits"), (DEEP, "nested too deeply")],
                         ids=["huge-int", "deep-nesting"])
@pytest.mark.parametrize("command", ["classify", "summarize", "run"])
def test_a_bad_jsonl_line_is_named_and_the_rest_processed(tmp_path, capsys, bad, reason, command):
    path = _jsonl(tmp_path, _good(1), bad, _good(3))
    assert main([command, "--json", str(path)]) == 1
    captured = capsys.readouterr()
    assert [json.loads(line)["id"] for line in captured.out.splitlines()] == ["ok1", "ok3"]
    assert "c.jsonl:2: invalid JSON" in captured.err and reason in captured.err


@pytest.mark.parametrize("command", ["classify", "summarize", "run"])
def test_a_lone_surrogate_is_replaced_with_a_warning_and_no_document_is_lost(tmp_path, capsys, command):
    path = _jsonl(tmp_path, _good(1), SURROGATE, _good(3))
    for json_flag in (["--json"], []):
        assert main([command, *json_flag, str(path)]) == 0
        captured = capsys.readouterr()
        assert "c.jsonl:2: 1 lone surrogate(s) replaced by U+FFFD" in captured.err
        out = captured.out
        assert out.count("ok1") == 1 and out.count("sur") >= 1 and out.count("ok3") == 1
        out.encode("utf-8")  # writable


def test_a_lone_surrogate_reaches_stdout_as_real_output(tmp_path):
    path = _jsonl(tmp_path, _good(1), SURROGATE, _good(3))
    for command in ("summarize", "run"):
        result = subprocess.run([sys.executable, "-m", "pemilu_nlp", command, "--json", str(path)],
                                capture_output=True, cwd=ROOT)
        assert result.returncode == 0, result.stderr
        ids = [json.loads(line)["id"] for line in result.stdout.decode("utf-8").splitlines()]
        assert ids == ["ok1", "sur", "ok3"]


@pytest.mark.parametrize("bad, message", [(HUGE_INT, "4300 digits"), (DEEP, "nested too deeply"),
                                          (SURROGATE, "lone surrogate")], ids=["huge-int", "deep-nesting", "surrogate"])
def test_load_corpus_gives_corpus_error_for_every_bad_line(tmp_path, bad, message):
    record = {"id": "a1", "title": "T", "text": GOOD, "labels": []}
    path = _jsonl(tmp_path, json.dumps(record), bad)
    with pytest.raises(CorpusError, match=rf"c.jsonl:2: .*{message}"):
        load_corpus(path)


# ------------------------------------------------------------------------------------ 7. raw control content
def test_a_file_of_nul_bytes_is_reported_as_binary(tmp_path, capsys):
    (tmp_path / "nul.txt").write_bytes(b"\x00" * 4096)
    for command in ("classify", "summarize", "run"):
        assert main([command, str(tmp_path / "nul.txt"), str(SEEDS / next(p.name for p in SEEDS.glob("000_*")))]) == 1
        captured = capsys.readouterr()
        assert "nul.txt: binary data (NUL bytes)" in captured.err and "\x00" not in captured.out
        assert "000_" in captured.out


def test_ansi_escapes_and_control_characters_are_escaped_in_human_output(tmp_path, capsys):
    text = "Polisi \x1b[2J\x1b[31mberjaga\x1b[0m di TPS.\x07 KPU menghitung \u202esuara\u202c. Bawaslu mengawasi."
    (tmp_path / "ansi.txt").write_text(text, "utf-8")
    for command in ("summarize", "run", "classify"):
        assert main([command, str(tmp_path / "ansi.txt")]) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
        if command != "classify":
            assert "\\x1b[31mberjaga" in out and "\\u202e" in out
    assert main(["summarize", "--json", str(tmp_path / "ansi.txt")]) == 0
    line = capsys.readouterr().out
    assert "\x1b" not in line and "\u202e" not in line
    assert "\x1b[31mberjaga" in json.loads(line)["summary"][0]["text"] + json.loads(line)["summary"][-1]["text"]


def test_ids_with_a_newline_keep_one_line_per_document(tmp_path, capsys):
    (tmp_path / "a\nb.txt").write_text(GOOD, "utf-8")
    (tmp_path / "c.txt").write_text(GOOD, "utf-8")
    assert main(["classify", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("a\\x0ab\t") and lines[1].startswith("c\t")
    path = _jsonl(tmp_path, json.dumps({"id": "x\ny\x1b[1m", "text": GOOD}))
    assert main(["classify", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("x\\x0ay\\x1b[1m\t")


# ------------------------------------------------------------------------------------ 8. folder walking
def test_an_unreadable_subfolder_is_reported_and_counted(tmp_path, capsys, monkeypatch):
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "a.txt").write_text(GOOD, "utf-8")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "b.txt").write_text(GOOD, "utf-8")
    real_scandir = os.scandir

    def scandir(path):  # chmod 000 does not stop root, so the refusal is simulated
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert main(["classify", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "locked: cannot read folder (Permission denied)" in captured.err
    assert "1 input(s) could not be read" in captured.err and captured.out.startswith("ok/a\t")


def test_symlink_loops_are_reported_and_counted_not_followed_forever(tmp_path, capsys):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text(GOOD, "utf-8")
    (tmp_path / "sub" / "up").symlink_to(tmp_path)          # a folder link back to an ancestor
    (tmp_path / "self.txt").symlink_to(tmp_path / "self.txt")  # a link to itself
    assert main(["classify", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "up: symbolic link loop" in captured.err and "self.txt: cannot follow symbolic link" in captured.err
    assert "2 input(s) could not be read" in captured.err and captured.out.splitlines()[0].startswith("sub/a\t")


# ------------------------------------------------------------------------------------ 10. broken pipe
def test_a_closed_pipe_ends_the_run_quietly():
    files = sorted(str(p) for p in SEEDS.glob("*.txt"))
    proc = subprocess.Popen([sys.executable, "-m", "pemilu_nlp", "run", *files], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = [proc.stdout.readline() for _ in range(3)]  # `| head -3`
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert len(head) == 3 and head[0].startswith(b"== ")
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr


# ------------------------------------------------------------------------------------ 11. streaming
def test_output_comes_chunk_by_chunk_before_the_input_is_read(tmp_path, monkeypatch, capsys):
    import pemilu_nlp.cli.chunks as cli

    monkeypatch.setattr(cli, "CHUNK_DOCS", 2)
    written, read = [], []
    real_iter = cli.read_chunks

    def chunks(paths, failures, **kwargs):
        for chunk in real_iter(paths, failures, max_docs=2):
            read.append(len(written))  # how many chunks were written before this one was read
            yield chunk

    real_write = cli.write_results
    monkeypatch.setattr(cli, "read_chunks", chunks)
    monkeypatch.setattr(cli, "write_results", lambda lines: (written.append(1), real_write(lines)))
    path = _jsonl(tmp_path, *[_good(i) for i in range(7)])
    assert main(["classify", "--json", str(path)]) == 0
    assert read == [0, 1, 2, 3]
    assert [json.loads(x)["id"] for x in capsys.readouterr().out.splitlines()] == [f"ok{i}" for i in range(7)]


def test_chunked_classification_equals_one_batch(tmp_path, capsys, monkeypatch):
    import pemilu_nlp.cli.chunks as cli

    texts = [json.dumps({"id": f"s{i}", "text": p.read_text("utf-8")}) for i, p in enumerate(sorted(SEEDS.glob("*.txt")))]
    path = _jsonl(tmp_path, *texts)
    assert main(["classify", "--json", str(path)]) == 0
    whole = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    real = cli.read_chunks
    monkeypatch.setattr(cli, "read_chunks", lambda paths, failures, **kw: real(paths, failures, max_docs=2))
    assert main(["classify", "--json", str(path)]) == 0
    chunked = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["topics"] for r in whole] == [r["topics"] for r in chunked]
    assert [{k: round(v, 6) for k, v in r["probabilities"].items()} for r in whole] == \
        [{k: round(v, 6) for k, v in r["probabilities"].items()} for r in chunked]


def test_a_document_the_summariser_fails_on_is_reported_with_its_id(tmp_path, capsys, monkeypatch):
    from pemilu_nlp.summarize.graph import TextRankSummarizer

    real = TextRankSummarizer.summarize

    def failing(self, text, count=3, *, title=None):
        if "MELEDAK" in text:
            raise MemoryError("cannot allocate 298 GiB")
        return real(self, text, count, title=title)

    monkeypatch.setattr(TextRankSummarizer, "summarize", failing)
    monkeypatch.setattr(TextRankSummarizer, "__call__", failing)
    path = _jsonl(tmp_path, _good(1), json.dumps({"id": "boom", "text": "MELEDAK. " + GOOD}), _good(3))
    for command in ("summarize", "run"):
        assert main([command, "--json", str(path)]) == 1
        captured = capsys.readouterr()
        assert [json.loads(x)["id"] for x in captured.out.splitlines()] == ["ok1", "ok3"]
        assert "boom: cannot summarise (MemoryError: cannot allocate 298 GiB)" in captured.err


# ------------------------------------------------------------------------------------ 12. batch-independent
def test_probabilities_are_identical_alone_or_in_a_batch():
    import numpy as np

    from pemilu_nlp import load_default

    texts = [json.loads(line) for line in (ROOT / "data" / "corpus.jsonl").read_text("utf-8").splitlines()[:120]]
    texts = [f"{r['title']}\n{r['text']}" for r in texts]
    model = load_default()
    batch = model.predict_proba(texts)
    alone = np.vstack([model.predict_proba([t]) for t in texts])
    np.testing.assert_array_equal(alone, batch)
    np.testing.assert_array_equal(model.predict_proba(texts[::-1]), batch[::-1])


# ------------------------------------------------------------------------------------ 4. fork safety


def test_the_neural_summariser_works_in_a_fork_pool_after_use_in_the_parent():
    pytest.importorskip("torch")
    code = f"""
import multiprocessing as mp, sys
sys.path.insert(0, {str(ROOT)!r})
from pemilu_nlp.summarize import get_summarizer
text = {GOOD + ' KPU menghitung suara di kantor kecamatan.'!r}
summarizer = get_summarizer("neural")
parent = [s.index for s in summarizer(text, 2)]   # torch's thread pool now exists in the parent
def work(_):
    return [s.index for s in summarizer(text, 2)]
with mp.get_context("fork").Pool(2) as pool:
    result = pool.map_async(work, range(4)).get(timeout=60)
assert result == [parent] * 4, (result, parent)
print("ok")
"""
    # the timeout turns a regression (a hung child) into a failure instead of a hung test run
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]


def test_a_json_file_is_reported_not_read_as_one_plain_text_article(tmp_path, capsys):
    from pemilu_nlp.cli import main

    records = tmp_path / "b.json"
    records.write_text("\n".join(json.dumps({"id": f"r{i}", "text": "Polisi menjaga TPS."}) for i in range(5)), "utf-8")
    seed = tmp_path / "a.txt"
    seed.write_text("Polisi menjaga TPS di Banjarmasin.", "utf-8")
    assert main(["classify", str(records), str(seed)]) == 1
    captured = capsys.readouterr()
    assert captured.out.count("\n") == 1 and captured.out.startswith("a\t")
    assert "b.json: a .json file" in captured.err
