from __future__ import annotations

import gzip
import json

import pytest
from conftest import ROOT

from pemilu_nlp.errors import CorpusError
from pemilu_nlp.io.indosum import (
    IndoSumFormatError,
    detokenize,
    indosum_part,
    load_indosum,
    read_indosum_split,
    split_indosum,
    write_indosum_split,
)

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


def test_a_split_file_is_read_and_its_parts_taken_in_article_order(tmp_path):
    articles = load_indosum(SAMPLE)
    path = write_indosum_split(split_indosum(articles, seed=1), tmp_path / "split.json", seed=1)
    split = read_indosum_split(path)
    parts = [indosum_part(articles, split, part) for part in ("train", "dev", "test")]
    assert sorted(a.id for part in parts for a in part) == sorted(a.id for a in articles)
    assert all(part == [a for a in articles if a in part] for part in parts)
    assert json.loads(path.read_text())["seed"] == 1
    with pytest.raises(ValueError, match="part must be one of train, dev, test"):
        indosum_part(articles, split, "val")
    (tmp_path / "bad.json").write_text('{"train": []}')
    with pytest.raises(CorpusError, match="needs lists 'train', 'dev' and 'test'"):
        read_indosum_split(tmp_path / "bad.json")


def test_a_folder_stands_for_its_files():
    assert load_indosum(SAMPLE.parent) == load_indosum(SAMPLE)  # the sample is the folder's only IndoSum file
