from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT, write_jsonl

from pemilu_nlp.errors import CorpusError
from pemilu_nlp.io.corpus import (
    Article,
    label_matrix,
    load_corpus,
    load_split,
    make_split,
    split_corpus,
    to_dataset,
)
from pemilu_nlp.io.schema import topic_ids
from pemilu_nlp.text.cleaning import clean_text

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


def test_articles_a_model_chose_for_reading_are_all_in_train(corpus):
    split = load_split(SPLIT)
    chosen = {a.id for a in corpus if a.selected_by_model}
    assert len(chosen) == 350                                     # rounds 4 and 5
    assert chosen <= set(split["train"]) and not chosen & (set(split["dev"]) | set(split["test"]))
    rest = [a for a in corpus if not a.selected_by_model]
    assert make_split(corpus) == {**make_split(rest), "train": sorted(set(make_split(rest)["train"]) | chosen)}


def test_model_chosen_articles_outside_train_are_flagged_and_a_split_needs_representative_ones(tmp_path):
    from pemilu_nlp.io.corpus import MIN_SPLIT_ARTICLES

    articles = load_corpus(write(tmp_path, GOOD, {**GOOD, "id": "a2", "found_by": "model:suggest:margin"},
                                 {**GOOD, "id": "a3", "found_by": "modelling workshop"}))
    assert [a.selected_by_model for a in articles] == [False, True, False]
    with pytest.warns(UserWarning, match="1 article.s. chosen for reading by a model's scores are in dev or test"):
        split_corpus(articles, {"train": ["a1", "a3"], "dev": [], "test": ["a2"]})
    chosen = [a for a in load_corpus(CORPUS)[:MIN_SPLIT_ARTICLES + 5]]
    chosen = [Article(**{**a.__dict__, "extra": {"found_by": "model:suggest:uncertainty"}}) for a in chosen]
    with pytest.raises(CorpusError, match=r"chosen by a model's scores, e.g. by suggest, and only train"):
        make_split(chosen)


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


# --- the schema re-read of dialog_masyarakat, netralitas and audiensi (issue 12) -------------------
REREAD = ROOT / "data" / "annotation" / "schema_reread.jsonl"


@pytest.fixture(scope="module")
def build():
    """data/scripts/build_corpus.py, the one place the corpus is rebuilt, imported as a module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_corpus", ROOT / "data" / "scripts" / "build_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reread():
    return [json.loads(line) for line in REREAD.read_text("utf-8").splitlines() if line.strip()]


def test_reread_records_applied_to_the_earlier_labels_give_the_committed_corpus(corpus, build, reread):
    before = build.labels_before_reread()
    after = build.apply_reread(before, reread)
    assert {a.id: set(a.labels) for a in corpus} == {a.id: set(after[a.id]) for a in corpus}
    changed = [r for r in reread if r["decision"] == "changed"]
    assert changed, "the re-read changed nothing"
    by_id = {a.id: a for a in corpus}
    for record in changed:  # the records, not the passes, decide these articles' labels
        assert set(by_id[record["id"]].labels) == set(record["labels"]) != set(before[record["id"]])


def test_reread_covers_every_earlier_positive_and_names_real_articles_and_schema_topics(corpus, build, reread):
    before = build.labels_before_reread()
    topics = set(topic_ids())
    corpus_ids = {a.id for a in corpus}
    ids = [r["id"] for r in reread]
    assert len(ids) == len(set(ids))
    assert set(ids) <= corpus_ids
    reread_topics = {"dialog_masyarakat", "netralitas", "audiensi"}
    # the re-read came before round 3 (the second pool file) and the rounds chosen by the model's
    # scores, whose articles were all read twice anyway
    earlier = {a.id for a in corpus if not (a.selected_by_model or a.extra.get("found_by", "").startswith("keyword3:"))}
    assert earlier < corpus_ids
    assert set(ids) == {i for i in earlier if reread_topics & set(before[i])}
    for record in reread:
        assert set(record["labels"]) <= topics and set(record["old_labels"]) <= topics, record["id"]
        assert record["decision"] in build.REREAD_DECISIONS
        assert record["rule"].strip() and record["reason"].strip()
        assert (record["decision"] == "changed") == (set(record["labels"]) != set(record["old_labels"]))
        assert record["removed"] == [t for t in record["old_labels"] if t not in record["labels"]]
        assert record["added"] == [t for t in record["labels"] if t not in record["old_labels"]]
    blind = [json.loads(line)["id"] for line in REREAD.with_name("schema_reread_blind.jsonl").open()]
    assert sorted(blind) == sorted(ids)


@pytest.mark.parametrize(("change", "message"), [
    ({"id": "no-such-article"}, "no article"),
    ({"labels": ["dialog"]}, "unknown topic"),
    ({"old_labels": ["pemilu"]}, "before the re-read"),
    ({"decision": "kept"}, "decision 'kept' but labels"),
    ({"decision": "dropped"}, "decision must be one of"),
    ({"reason": ""}, "rule and reason"),
])
def test_a_bad_reread_record_stops_the_build(build, change, message):
    before = {"a1": ["pemilu", "netralitas"], "a2": []}
    good = {"id": "a1", "old_labels": ["pemilu", "netralitas"], "labels": ["pemilu"], "decision": "changed",
            "rule": "netralitas names ASN, TNI, Polri, village officials", "reason": "about the President"}
    assert build.apply_reread(before, [good]) == {"a1": ["pemilu"], "a2": []}
    with pytest.raises(ValueError, match=message):
        build.apply_reread(before, [{**good, **change}])
    with pytest.raises(ValueError, match="re-read twice"):
        build.apply_reread(before, [good, {**good, "old_labels": ["pemilu"], "decision": "kept"}])


def test_split_is_the_seeded_stratified_split_of_the_corpus_and_covers_every_article_once(corpus, build):
    split = load_split(SPLIT)
    ids = [i for name in ("train", "dev", "test") for i in split[name]]
    assert sorted(ids) == sorted(a.id for a in corpus)  # every article, exactly once
    assert split == build.build_split(corpus)  # rebuilt from the committed labels
    assert {a.id for a in corpus if a.dataset == "seeds"} <= set(split["train"])


def test_stats_are_the_counts_of_the_committed_corpus_and_split(corpus):
    stats = json.loads((ROOT / "data" / "stats.json").read_text("utf-8"))
    parts = split_corpus(corpus, load_split(SPLIT))
    assert stats["articles"] == len(corpus)
    for j, topic in enumerate(topic_ids()):
        counts = {name: int(label_matrix(parts[name])[:, j].sum()) for name in parts}
        assert stats["per_topic"][topic] == {**counts, "all": int(label_matrix(corpus)[:, j].sum())}, topic


def test_an_article_without_a_title_loads_and_the_model_reads_its_text(tmp_path):
    path = tmp_path / "own.jsonl"
    write_jsonl(path, [{"id": "t1", "text": "KPU menetapkan DPT.", "labels": ["pemilu"]}])
    (article,) = load_corpus(path)
    assert article.title == "" and article.model_text == "KPU menetapkan DPT."
