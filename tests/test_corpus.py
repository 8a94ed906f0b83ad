from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT

from pemilu_nlp.corpus import (
    default_corpus_path,
    label_matrix,
    load_corpus,
    load_split,
    make_split,
    split_corpus,
    to_dataset,
)
from pemilu_nlp.errors import CorpusError
from pemilu_nlp.schema import topic_ids
from pemilu_nlp.text import clean_text

CORPUS = ROOT / "data" / "corpus.jsonl"
SPLIT = ROOT / "data" / "split.json"
GOOD = {"id": "a1", "title": "KPU", "text": "KPU menetapkan DPT.", "labels": ["pemilu"]}


def write(tmp_path: Path, *lines: object, raw: bytes | None = None) -> Path:
    path = tmp_path / "corpus.jsonl"
    if raw is not None:
        path.write_bytes(raw)
    else:
        path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", "utf-8")
    return path


def test_loads_valid_records_with_optional_fields(tmp_path):
    path = write(tmp_path, GOOD, {**GOOD, "id": "a2", "labels": [], "summary": ["KPU menetapkan DPT."],
                                  "url": "https://x", "source": "detik.com"})
    articles = load_corpus(path)
    assert [a.id for a in articles] == ["a1", "a2"]
    assert articles[1].summary == ("KPU menetapkan DPT.",) and articles[1].labels == ()


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", r"corpus.jsonl:2: invalid JSON"),
    ({"id": "b", "title": "", "labels": []}, r"corpus.jsonl:2: missing field 'text'"),
    ({**GOOD, "id": "b", "text": "   "}, r"corpus.jsonl:2: empty 'text'"),
    ({**GOOD, "id": "b", "labels": ["pilkada"]}, r"corpus.jsonl:2: unknown topic 'pilkada'"),
    ({**GOOD}, r"corpus.jsonl:2: duplicate id 'a1' \(first on line 1\)"),
    ({**GOOD, "id": "b", "labels": "pemilu"}, r"corpus.jsonl:2: field 'labels' must be list"),
    ({**GOOD, "id": "b", "text": 5}, r"corpus.jsonl:2: field 'text' must be str"),
    ({**GOOD, "id": "b", "summary": []}, r"corpus.jsonl:2: 'summary' must be a non-empty list"),
    ([1, 2], r"corpus.jsonl:2: expected a JSON object"),
])
def test_each_corpus_error_names_file_and_line(tmp_path, line, message):
    with pytest.raises(CorpusError, match=message):
        load_corpus(write(tmp_path, GOOD, line))


def test_non_utf8_bytes_name_the_line(tmp_path):
    raw = (json.dumps(GOOD) + "\n" + json.dumps({**GOOD, "id": "b"}).replace("DPT", "DPT\udcff") + "\n")
    path = write(tmp_path, raw=raw.encode("utf-8", "surrogateescape"))
    with pytest.raises(CorpusError, match=r"corpus.jsonl:2: not valid UTF-8"):
        load_corpus(path)


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(CorpusError, match="no such corpus file"):
        load_corpus(tmp_path / "nope.jsonl")
    with pytest.raises(CorpusError, match="is a folder"):
        load_corpus(tmp_path)
    with pytest.raises(CorpusError, match="empty"):
        load_corpus(write(tmp_path, raw=b"\n"))


def test_default_corpus_is_found_from_the_working_directory_or_a_clear_error(tmp_path, monkeypatch):
    import pemilu_nlp.corpus as corpus_module

    monkeypatch.setattr(corpus_module, "__file__", str(tmp_path / "site-packages" / "pemilu_nlp" / "corpus.py"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CorpusError, match="--corpus FILE"):
        default_corpus_path()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "corpus.jsonl").write_text("", "utf-8")
    assert default_corpus_path() == tmp_path / "data" / "corpus.jsonl"


def test_split_corpus_rejects_articles_in_no_split_or_two(tmp_path):
    articles = load_corpus(write(tmp_path, GOOD, {**GOOD, "id": "a2"}))
    with pytest.raises(CorpusError, match="in no split"):
        split_corpus(articles, {"train": ["a1"], "dev": [], "test": []})
    with pytest.raises(CorpusError, match="in both"):
        split_corpus(articles, {"train": ["a1", "a2"], "dev": ["a1"], "test": []})


def test_to_dataset_keeps_every_article():
    articles = load_corpus(CORPUS)[:20]
    dataset = to_dataset(articles)
    assert len(dataset) == 20 and dataset[3]["id"] == articles[3].id


# --- the project's labelled corpus ------------------------------------------------------------------
@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS)


def test_corpus_size_ids_and_provenance(corpus):
    assert len(corpus) >= 1000
    assert len({a.id for a in corpus}) == len(corpus)
    for article in corpus:
        assert article.dataset and (article.url or article.origin_repo or article.dataset == "seeds")


def test_corpus_labels_are_in_the_schema_and_no_topic_is_common(corpus):
    y = label_matrix(corpus)
    assert y.shape[1] == len(topic_ids())
    assert 0.3 < (y.sum(axis=1) == 0).mean() < 0.7  # the real share of articles with no topic


def test_every_split_has_every_topic_that_the_corpus_has_enough_of(corpus):
    parts = split_corpus(corpus, load_split(SPLIT))
    totals = label_matrix(corpus).sum(axis=0)
    for name, articles in parts.items():
        counts = label_matrix(articles).sum(axis=0) if articles else None
        assert articles, name
        for j, topic in enumerate(topic_ids()):
            if totals[j] >= 5:
                assert counts[j] > 0, (name, topic)


def test_every_summary_sentence_occurs_in_the_cleaned_text(corpus):
    with_summary = [a for a in corpus if a.summary]
    assert len(with_summary) >= 150
    for article in with_summary:
        cleaned = " ".join(clean_text(article.text).split())
        assert len(article.summary) == 3
        for sentence in article.summary:
            assert " ".join(sentence.split()) in cleaned, article.id


def test_both_annotation_passes_are_kept_and_cover_the_corpus(corpus):
    ann = ROOT / "data" / "annotation"
    first = {json.loads(line)["id"] for p in (ann / "pass1").glob("*.jsonl") for line in p.open()}
    second = {json.loads(line)["id"] for p in (ann / "pass2").glob("*.jsonl") for line in p.open()}
    dropped = {d["dropped"] for d in json.loads((ann / "duplicates_dropped.json").read_text())}
    assert {a.id for a in corpus if a.dataset != "seeds"} == first - dropped
    assert len(second) >= 200 and second <= first


def test_make_split_is_seeded_and_stratified(corpus):
    split = make_split(corpus[:400], seed=1)
    assert split == make_split(corpus[:400], seed=1)
    sizes = Counter({k: len(v) for k, v in split.items()})
    assert sizes["train"] > sizes["test"] > sizes["dev"] > 0
