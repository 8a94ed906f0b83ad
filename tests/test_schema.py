from __future__ import annotations

import pytest

from pemilu_nlp.errors import UnknownLabelError
from pemilu_nlp.schema import load_schema, topic_ids, validate_labels


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
