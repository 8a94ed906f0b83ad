from __future__ import annotations

import json

import pytest
from conftest import ROOT, SEEDS

from pemilu_nlp.cli import main


def seed_files():
    return sorted(str(p) for p in SEEDS.glob("*.txt"))


def test_run_prints_topics_and_summary_for_each_seed(capsys):
    assert main(["run", *seed_files()]) == 0
    out = capsys.readouterr().out
    assert out.count("== ") == 5 and out.count("summary:") == 5
    assert "kerja_sama_mou" in out and "dialog_masyarakat" in out


def test_classify_json_on_the_seeds_gives_their_labels(capsys, seed_records):
    assert main(["classify", "--json", *seed_files()]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    from pemilu_nlp import load_default

    model = load_default()
    assert [line["topics"] for line in lines] == model.predict_topics([r["text"] for r in seed_records])
    assert all(set(r["labels"]) <= set(line["topics"]) for line, r in zip(lines, seed_records))
    assert all(set(line["probabilities"]) == set(lines[0]["probabilities"]) for line in lines)


def test_unreadable_files_are_reported_counted_and_the_rest_processed(tmp_path, capsys):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Polisi menjaga TPS di Cañar".encode("latin-1"))
    missing = tmp_path / "missing.txt"
    assert main(["classify", str(bad), seed_files()[0], str(missing)]) == 1
    captured = capsys.readouterr()
    assert captured.out.count("\n") == 1 and "000_" in captured.out
    assert "latin1.txt" in captured.err and "UTF-8" in captured.err and "missing.txt" in captured.err
    assert "2 input(s) could not be read" in captured.err


def test_classify_reads_a_jsonl_corpus_and_reports_bad_lines(tmp_path, capsys):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": "x1", "text": "Polres menggelar patroli pengamanan TPS pemilu."}) + "\n"
                      + "{broken\n" + json.dumps({"id": "x3", "text": ""}) + "\n")
    assert main(["classify", "--json", str(corpus)]) == 1
    captured = capsys.readouterr()
    assert [json.loads(line)["id"] for line in captured.out.splitlines()] == ["x1"]
    assert "c.jsonl:2" in captured.err and "c.jsonl:3" in captured.err


def test_summarize_json_with_share_and_method(capsys):
    assert main(["summarize", "--json", "--method", "lexrank", "--count", "30%", seed_files()[3]]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["method"] == "lexrank" and len(record["summary"]) >= 1


def test_run_takes_whole_number_counts_and_the_titles_of_jsonl_records(tmp_path, capsys):
    corpus = tmp_path / "c.jsonl"
    record = {"id": "t1", "title": "Bawaslu dan KPU gelar rapat koordinasi pengawasan Pemilu 2024",
              "text": "Rapat berlangsung di aula kantor. Peserta membahas jadwal. Semua pihak sepakat menjaga kondusivitas."}
    corpus.write_text(json.dumps(record) + "\n", "utf-8")
    assert main(["run", "--json", "--count", "2", str(corpus)]) == 0
    ran = json.loads(capsys.readouterr().out)
    assert len(ran["summary"]) == 2 and ran["count"] == 2  # the same whole number in run and summarize
    assert main(["classify", "--json", str(corpus)]) == 0
    classified = json.loads(capsys.readouterr().out)
    assert ran["topics"] == classified["topics"] and ran["probabilities"] == classified["probabilities"]


def test_invisible_only_documents_are_reported_and_the_rest_processed(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("\u200b\n", "utf-8")
    (tmp_path / "b.TXT").write_text("Polisi berjaga di TPS. KPU menghitung suara.", "utf-8")
    for command in ("run", "summarize"):
        assert main([command, str(tmp_path)]) == 1
        captured = capsys.readouterr()
        assert "a.txt" in captured.err and "no visible text" in captured.err
        assert "== b" in captured.out


def test_jsonl_lines_with_unicode_line_separators_stay_one_document(tmp_path, capsys):
    corpus = tmp_path / "u.jsonl"
    lines = [json.dumps({"id": f"u{i}", "text": f"Polisi berjaga.{sep}KPU siap."}, ensure_ascii=False)
             for i, sep in enumerate(("\u2028", "\u2029", "\u0085"))]
    corpus.write_text("\n".join(lines) + "\n", "utf-8")
    assert main(["classify", "--json", str(corpus)]) == 0
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.strip().split("\n")] == ["u0", "u1", "u2"]


def test_folder_ids_are_paths_inside_it_and_gzipped_jsonl_is_read(tmp_path, capsys):
    import gzip

    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "x.txt").write_text("Polisi berjaga di TPS. KPU menghitung suara.", "utf-8")
    records = [{"id": None, "text": "Bawaslu mengawasi kampanye."}, {"id": "g2", "text": "KPU menetapkan DPT."}]
    with gzip.open(tmp_path / "c.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(json.dumps(r) for r in records) + "\n")
    assert main(["classify", "--json", str(tmp_path)]) == 0
    ids = [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()]
    assert ids == ["a/x", "b/x", f"{tmp_path / 'c.jsonl.gz'}:1", "g2"]


def test_embedding_summaries_need_an_encoder_and_use_a_local_one(tmp_path, capsys):
    import pytest

    pytest.importorskip("torch")
    from pemilu_nlp.testing import build_bert

    assert main(["summarize", "--method", "embedding", seed_files()[0]]) == 2
    assert "--encoder" in capsys.readouterr().err
    encoder = build_bert(tmp_path / "enc", [open(f, encoding="utf-8").read() for f in seed_files()], vocab_size=300)
    assert main(["summarize", "--json", "--method", "embedding", "--encoder", str(encoder), "--count", "2",
                 seed_files()[0]]) == 0
    assert len(json.loads(capsys.readouterr().out)["summary"]) == 2


def test_an_empty_jsonl_file_is_reported_not_skipped(tmp_path, capsys):
    (tmp_path / "empty.jsonl").write_text("\n\n", "utf-8")
    assert main(["summarize", str(tmp_path / "empty.jsonl"), seed_files()[0]]) == 1
    captured = capsys.readouterr()
    assert "empty.jsonl: no records" in captured.err and "== 000_" in captured.out


@pytest.mark.parametrize("command", ["summarize", "run"])
@pytest.mark.parametrize("count", ["0", "abc", "150%", "2.5"])
def test_a_bad_count_is_a_usage_error_before_any_work(command, count, capsys, monkeypatch):
    import pemilu_nlp.io.documents

    def no_work(*args, **kwargs):
        raise AssertionError("an input was read before --count was checked")

    monkeypatch.setattr(pemilu_nlp.io.documents, "iter_documents", no_work)
    with pytest.raises(SystemExit) as exit_:
        main([command, "--count", count, seed_files()[0]])
    assert exit_.value.code == 2
    assert "--count" in capsys.readouterr().err


def test_a_share_means_the_same_in_run_and_summarize(capsys):
    assert main(["summarize", "--json", "--count", "50%", seed_files()[0]]) == 0
    summarized = json.loads(capsys.readouterr().out)
    assert main(["run", "--json", "--count", "50%", seed_files()[0]]) == 0
    ran = json.loads(capsys.readouterr().out)
    assert ran["summary"] == summarized["summary"] and ran["count"] == "50%"


def test_the_old_method_name_still_works_and_says_its_new_one(capsys):
    assert main(["summarize", "--json", "--method", "trained", seed_files()[0]]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["method"] == "features"
    assert "--method trained is now called features" in captured.err
    with pytest.raises(SystemExit):
        main(["summarize", "--method", "trainer", seed_files()[0]])
    assert "choose one of lead, textrank, lexrank, features, neural, embedding" in capsys.readouterr().err


def test_default_data_files_are_found_from_the_working_directory_or_a_clear_error(tmp_path, monkeypatch):
    import pemilu_nlp.io.paths as cli
    from pemilu_nlp.errors import CorpusError

    monkeypatch.setattr(cli, "__file__", str(tmp_path / "site-packages" / "pemilu_nlp" / "io" / "paths.py"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CorpusError, match="--corpus FILE"):
        cli.default_corpus_path()
    with pytest.raises(CorpusError, match="--indosum-split FILE"):
        cli.default_indosum_split()
    (tmp_path / "data").mkdir()
    for name in ("corpus.jsonl", "indosum_split.json"):
        (tmp_path / "data" / name).write_text("", "utf-8")
    assert cli.default_corpus_path() == tmp_path / "data" / "corpus.jsonl"
    assert cli.default_indosum_split() == tmp_path / "data" / "indosum_split.json"


def test_evaluate_summaries_names_the_part_it_scored(tmp_path, capsys):
    from pemilu_nlp.io.indosum import load_indosum

    sample = ROOT / "tests" / "data" / "indosum_sample.jsonl"
    ids = [a.id for a in load_indosum(sample)]
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"train": ids[:2], "dev": ids[2:4], "test": ids[4:]}))
    out = tmp_path / "scores.json"
    assert main(["evaluate-summaries", "--indosum", str(sample), "--indosum-split", str(split),
                 "--methods", "lead,textrank", "--out", str(out)]) == 0
    scores = json.loads(out.read_text())
    assert list(scores) == ["IndoSum test"] and list(scores["IndoSum test"]) == [
        "lead", "textrank", "ORACLE (greedy)", "GOLD labels"]
    assert scores["IndoSum test"]["lead"]["documents"] == 2 and "IndoSum test (2 documents)" in capsys.readouterr().out
    assert main(["evaluate-summaries", "--indosum", str(sample), "--indosum-split", "none", "--methods", "lead",
                 "--out", str(out)]) == 0
    assert json.loads(out.read_text())["IndoSum (all given)"]["lead"]["documents"] == 6


def test_tune_summarizers_searches_the_preset_grid_on_the_dev_part(tmp_path, capsys):
    from pemilu_nlp.io.indosum import load_indosum

    sample = ROOT / "tests" / "data" / "indosum_sample.jsonl"
    ids = [a.id for a in load_indosum(sample)]
    split, out = tmp_path / "split.json", tmp_path / "tuning.json"
    split.write_text(json.dumps({"train": ids[:2], "dev": ids[2:4], "test": ids[4:]}))
    assert main(["tune-summarizers", "--indosum", str(sample), "--indosum-split", str(split), "--out", str(out)]) == 0
    best = json.loads(capsys.readouterr().out)
    assert set(best) == {"textrank", "lexrank"} and best["textrank"]["position_weight"] in (0.5, 1.0, 2.0, 4.0)
    grid = json.loads(out.read_text())["textrank"]["grid"]
    assert len(grid) == 4 * 3 * 2 and all(row["documents"] == 2 for row in grid)


def test_train_summarizer_makes_a_missing_split_and_saves_a_folder_that_loads(tmp_path, capsys):
    from pemilu_nlp.registry import load
    from pemilu_nlp.summarize import FeatureSummarizer

    sample = ROOT / "tests" / "data" / "indosum_sample.jsonl"
    split, out = tmp_path / "split.json", tmp_path / "scorer"
    assert main(["train-summarizer", "--indosum", str(sample), "--indosum-split", str(split), "--out", str(out)]) == 0
    assert "wrote a new IndoSum split" in capsys.readouterr().err and split.is_file()
    model = load(out)
    assert isinstance(model, FeatureSummarizer)
    assert json.loads((out / "config.json").read_text())["metrics"]["trained_on"] == "IndoSum train part (4 articles)"


def test_evaluate_prints_side_by_side(capsys):
    model = str(ROOT / "models" / "tfidf-default")
    assert main(["evaluate", model, model, "--data", str(ROOT / "data" / "corpus.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "macro_f1" in out and out.count("tfidf-default") >= 2


def test_module_entry_point_and_version():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "pemilu_nlp", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and "pemilu_nlp" in result.stdout


def test_import_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, pemilu_nlp; pemilu_nlp.analyze; print('torch' in sys.modules, 'transformers' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False False", result.stderr
