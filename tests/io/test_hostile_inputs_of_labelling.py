"""Hostile JSONL/JSON in the labelling commands: named by file:line, the rest kept (#14 item 3
applied to suggest, import-labels and schema files)."""
from __future__ import annotations

import json

import pytest

from pemilu_nlp.errors import LabelImportError, SchemaError
from pemilu_nlp.io.labelling import import_labels
from pemilu_nlp.io.schema import load_schema
from pemilu_nlp.learn.active_learning import read_pool

HUGE_INT = '{"id": "x", "text": "Polisi menjaga TPS.", "n": ' + "9" * 5000 + "}"
DEEP = "[" * 100_000 + "]" * 100_000
SURROGATE = '{"id": "s", "text": "Lapas Cipinang dijaga ketat \\ud800 hari ini."}'


def test_a_pool_with_hostile_lines_keeps_the_good_ones_and_repairs_surrogates(tmp_path):
    pool = tmp_path / "pool.jsonl"
    good = json.dumps({"id": "g", "text": "KPU menandatangani MoU dengan Polres."})
    pool.write_text("\n".join([good, HUGE_INT, DEEP, SURROGATE]) + "\n", "utf-8")
    articles, problems = read_pool(pool)
    assert [a.id for a in articles] == ["g", "s"]
    assert "\ufffd" in articles[1].text and "\ud800" not in articles[1].text
    assert [p.split(": ")[0] for p in problems] == [f"{pool}:2", f"{pool}:3"]


@pytest.mark.parametrize("line", [HUGE_INT, DEEP], ids=["huge int", "deep nesting"])
def test_a_doccano_export_with_a_hostile_line_is_refused_naming_it(tmp_path, line):
    export = tmp_path / "export.jsonl"
    export.write_text(line + "\n", "utf-8")
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("", "utf-8")
    with pytest.raises(LabelImportError, match=f"{export}:1"):
        import_labels(export, corpus)


def test_a_deeply_nested_schema_file_is_a_schema_error(tmp_path):
    path = tmp_path / "topics.json"
    path.write_text(DEEP, "utf-8")
    with pytest.raises(SchemaError, match="not a usable schema file"):
        load_schema(path)
