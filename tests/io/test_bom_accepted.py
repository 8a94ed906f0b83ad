"""A UTF-8 BOM (Windows editors write one) is accepted wherever JSON is read (issue 22, defect 7)."""
from __future__ import annotations

import json

from pemilu_nlp.io.corpus import load_corpus
from pemilu_nlp.io.labelling import import_labels
from pemilu_nlp.io.schema import load_schema

BOM = "\ufeff"


def test_a_schema_file_with_a_bom_is_read(tmp_path):
    path = tmp_path / "topics.json"
    path.write_text(BOM + json.dumps({"topics": [{"id": "pemilu"}, {"id": "hoaks"}]}), "utf-8")
    assert [t.id for t in load_schema(path)] == ["pemilu", "hoaks"]


def test_a_doccano_export_with_a_bom_is_imported(tmp_path):
    export = tmp_path / "export.jsonl"
    export.write_text(BOM + json.dumps({"id": 1, "article_id": "a1", "text": "KPU menetapkan DPT.",
                                        "label": ["pemilu"]}) + "\n", "utf-8")
    report = import_labels(export, tmp_path / "corpus.jsonl")
    assert report.added == ["a1"]


def test_a_label_studio_export_with_a_bom_is_imported(tmp_path):
    export = tmp_path / "export.json"
    task = {"id": 1, "data": {"id": "a1", "text": "KPU menetapkan DPT."}, "annotations": [{"result": [
        {"from_name": "topics", "to_name": "text", "type": "choices", "value": {"choices": ["pemilu"]}}]}]}
    export.write_text(BOM + json.dumps([task]), "utf-8")
    assert import_labels(export, tmp_path / "corpus.jsonl").added == ["a1"]


def test_a_corpus_with_a_bom_is_read(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(BOM + json.dumps({"id": "a1", "title": "", "text": "KPU menetapkan DPT.",
                                        "labels": ["pemilu"]}) + "\n", "utf-8")
    assert [a.id for a in load_corpus(corpus)] == ["a1"]
