from __future__ import annotations

import gzip
import json

import pytest
from conftest import ROOT

from pemilu_nlp.indosum import IndoSumFormatError, detokenize, load_indosum, split_indosum

SAMPLE = ROOT / "tests" / "data" / "indosum_sample.jsonl"


def test_loads_sentences_gold_and_reference():
    articles = load_indosum(SAMPLE)
    assert len(articles) == 6
    first = articles[0]
    assert len(first.sentences) == len([g for p in first.gold_labels for g in p])
    assert first.gold_indices == [0, 1, 2]
    assert first.sentences[0].startswith("Ketua MPR Zulkifli Hasan menyesalkan")
    assert first.reference and first.text.count("\n") == len(first.paragraphs) - 1


def test_reads_gzip_and_keeps_each_id_once(tmp_path):
    path = tmp_path / "dev.01.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(SAMPLE.read_text("utf-8"))
    assert len(load_indosum([SAMPLE, path])) == 6
    assert len(load_indosum([SAMPLE, path], unique=False)) == 12


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda r: r.pop("gold_labels"), "missing field 'gold_labels'"),
    (lambda r: r.update(gold_labels=[[True]]), "one boolean per sentence"),
    (lambda r: r.update(paragraphs="text"), "nested lists"),
])
def test_format_errors_name_file_and_line(tmp_path, mutate, message):
    record = json.loads(SAMPLE.read_text("utf-8").splitlines()[0])
    mutate(record)
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(record) + "\n")
    with pytest.raises(IndoSumFormatError, match=rf"bad.jsonl:1: .*{message}"):
        load_indosum(path)


def test_invalid_json_and_missing_file(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text("{oops\n")
    with pytest.raises(IndoSumFormatError, match="bad.jsonl:1: invalid JSON"):
        load_indosum(path)
    with pytest.raises(IndoSumFormatError, match="no such IndoSum file"):
        load_indosum(tmp_path / "nope.jsonl")


def test_detokenize_and_split_are_deterministic():
    assert detokenize(["Senin", "(", "27", "/", "3", ")", "."]) == "Senin (27/3)."
    articles = load_indosum(SAMPLE)
    split = split_indosum(articles, seed=1)
    assert split == split_indosum(list(reversed(articles)), seed=1)
    assert sorted(sum(split.values(), [])) == sorted(a.id for a in articles)


def test_default_split_outside_a_checkout_is_a_clear_error(tmp_path, monkeypatch):
    import pemilu_nlp.corpus as corpus_module
    import pemilu_nlp.summarize.experiments as experiments
    from pemilu_nlp.errors import CorpusError

    monkeypatch.setattr(corpus_module, "__file__", str(tmp_path / "site-packages" / "pemilu_nlp" / "corpus.py"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CorpusError, match="--indosum-split FILE"):
        experiments.default_indosum_split()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "indosum_split.json").write_text("{}")
    assert experiments.default_indosum_split() == tmp_path / "data" / "indosum_split.json"


def test_summary_evaluation_names_the_part_it_scored(tmp_path):
    from pemilu_nlp.summarize.experiments import run_summary_evaluation

    ids = [a.id for a in load_indosum(SAMPLE)]
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"train": ids[:2], "dev": ids[2:4], "test": ids[4:]}))
    on_test = run_summary_evaluation(indosum=[SAMPLE], indosum_split=split, part="test")
    assert list(on_test) == ["IndoSum test"] and on_test["IndoSum test"]["LEAD-3"]["documents"] == 2
    everything = run_summary_evaluation(indosum=[SAMPLE], indosum_split="none")
    assert list(everything) == ["IndoSum (all given)"] and everything["IndoSum (all given)"]["LEAD-3"]["documents"] == 6
