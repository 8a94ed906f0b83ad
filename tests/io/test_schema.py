from __future__ import annotations

import json

import pytest

from pemilu_nlp.errors import SchemaError, UnknownLabelError
from pemilu_nlp.io.schema import load_schema, parse_schema, schema_to_dict, topic_ids, validate_labels


def test_eleven_topics_with_unique_ids_and_complete_entries():
    topics = load_schema()
    assert len(topics) == 11
    assert len({t.id for t in topics}) == 11
    for topic in topics:
        assert topic.name_id and topic.name_en and len(topic.definition) > 60 and topic.cues


def test_ids_are_stable_and_pemilu_is_first():
    assert topic_ids()[0] == "pemilu"
    assert {"keamanan_lapas", "kerja_sama_mou", "audiensi", "dialog_masyarakat", "netralitas",
            "operasi_pengamanan", "logistik_pemilu", "hoaks_ujaran_kebencian", "pelanggaran_pemilu",
            "kerawanan_konflik"} <= set(topic_ids())


def test_every_seed_label_is_in_the_schema(seed_records):
    assert len(seed_records) == 5
    for record in seed_records:
        assert validate_labels(record["labels"]) and "pemilu" in record["labels"]


def test_validate_labels_orders_by_schema_and_rejects_unknown():
    assert validate_labels(["netralitas", "pemilu"]) == ("pemilu", "netralitas")
    with pytest.raises(UnknownLabelError, match="unknown topic 'pilkada'"):
        validate_labels(["pilkada"], where="x.jsonl:3")


# ------------------------------------------------------------------------------------ own schemas
def test_a_schema_file_of_ones_own(tmp_path):
    from conftest import OWN_SCHEMA

    path = tmp_path / "topics.json"
    path.write_text(json.dumps(OWN_SCHEMA), "utf-8")
    topics = load_schema(path)
    assert [t.id for t in topics] == ["korupsi_pemilu", "bencana_tps", "sengketa_hasil"]
    assert topics[0].name_en == "Election corruption" and topics[0].cues == ("politik uang", "suap")
    assert topic_ids(path) == topic_ids(topics) == topic_ids([t.id for t in topics])
    assert validate_labels(["sengketa_hasil", "korupsi_pemilu"], schema=path) == ("korupsi_pemilu", "sengketa_hasil")
    with pytest.raises(UnknownLabelError, match="unknown topic 'pemilu'"):
        validate_labels(["pemilu"], schema=topics)
    assert parse_schema(schema_to_dict(topics)) == topics
    assert topic_ids() == tuple(t.id for t in load_schema())  # the shipped schema stays the default


@pytest.mark.parametrize("raw, message", [
    ({"topics": [{"name_id": "Korupsi"}]}, "topic 1: missing 'id'"),
    ({"topics": [{"id": ""}]}, "missing 'id'"),
    ({"topics": [{"id": "a"}, {"id": "b"}, {"id": "a"}]}, "topic 3: duplicate id 'a' \\(first at topic 1\\)"),
    ({"topics": {"id": "a"}}, "'topics' must be a list"),
    ("korupsi", "'topics' must be a list"),
    ({"topik": []}, "no 'topics' key"),
    ({"topics": []}, "no topics"),
    ({"topics": [{"id": "korupsi pemilu"}]}, "must be one word"),
    ({"topics": [{"id": 3}]}, "must be one word"),
    ({"topics": [{"id": "no_topic"}]}, "reserved"),
    ({"topics": [{"id": "a", "cues": "uang"}]}, "'cues' must be a list"),
    ({"topics": [{"id": "a", "definition": 5}]}, "'definition' must be a string"),
    ({"topics": [7]}, "expected an object"),
])
def test_bad_schemas_raise_schema_error(raw, message):
    with pytest.raises(SchemaError, match=message):
        parse_schema(raw, source="my.json")


def test_schema_file_errors_name_the_file(tmp_path):
    with pytest.raises(SchemaError, match="no such schema file"):
        load_schema(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"topics": [\n{"id": "a",}\n]}')
    with pytest.raises(SchemaError, match="bad.json:2: not valid JSON"):
        load_schema(bad)
    assert issubclass(SchemaError, ValueError)


def test_corpus_checked_against_an_own_schema_with_file_and_line(tmp_path):
    from conftest import OWN_SCHEMA, own_records, write_jsonl

    from pemilu_nlp.errors import CorpusError
    from pemilu_nlp.io.corpus import load_corpus, make_split

    path = tmp_path / "c.jsonl"
    write_jsonl(path, own_records(4))
    articles = load_corpus(path, schema=OWN_SCHEMA)
    assert len(articles) == 16 and articles[0].labels == ("korupsi_pemilu",)
    with pytest.raises(CorpusError, match=r"c.jsonl:1: unknown topic 'korupsi_pemilu'"):
        load_corpus(path)  # the shipped schema does not know it
    split = make_split(articles, schema=OWN_SCHEMA)
    assert sorted(sum(split.values(), [])) == sorted(a.id for a in articles)
    assert split == make_split(articles, schema=OWN_SCHEMA)
