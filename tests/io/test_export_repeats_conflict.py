"""One article twice in an export with different labels is a conflict, not decided by order
(issue 22, defect 5)."""
from __future__ import annotations

import json

from pemilu_nlp.io.labelling import import_labels


def _task(article_id: str, text: str, choices: list[str], task_id: int) -> dict:
    return {"id": task_id, "data": {"id": article_id, "text": text}, "annotations": [
        {"id": task_id, "completed_by": {"email": "ani@example.org"}, "was_cancelled": False,
         "result": [{"from_name": "topics", "to_name": "text", "type": "choices", "value": {"choices": choices}}]}]}


def _import(tmp_path, tasks):
    export = tmp_path / "export.json"
    export.write_text(json.dumps(tasks), "utf-8")
    corpus = tmp_path / "corpus.jsonl"
    return import_labels(export, corpus), corpus


def test_the_same_id_twice_with_other_labels_is_a_conflict_in_either_order(tmp_path):
    text = "KPU menetapkan daftar pemilih tetap di Banjarmasin."
    for order in ([["pemilu"], ["netralitas"]], [["netralitas"], ["pemilu"]]):
        report, corpus = _import(tmp_path, [_task("a1", text, order[0], 1), _task("a1", text, order[1], 2)])
        assert report.added == [] and not corpus.exists()
        assert len(report.conflicts) == 1 and report.conflicts[0].startswith("a1: appears more than once")
        assert report.duplicates == []


def test_the_same_text_under_two_ids_with_other_labels_is_a_conflict(tmp_path):
    text = "Bawaslu menemukan politik uang di Kecamatan Banjar."
    report, _ = _import(tmp_path, [_task("b1", text, ["pelanggaran_pemilu"], 1), _task("b2", text, ["netralitas"], 2),
                                   _task("c1", "Lapas Banjarmasin razia kamar hunian.", ["keamanan_lapas"], 3)])
    assert report.added == ["c1"]
    assert [c.split(":")[0] for c in report.conflicts] == ["b1", "b2"]


def test_an_exact_repeat_is_still_refused_as_a_duplicate(tmp_path):
    text = "KPU menetapkan daftar pemilih tetap di Banjarmasin."
    report, _ = _import(tmp_path, [_task("a1", text, ["pemilu"], 1), _task("a1", text, ["pemilu"], 2)])
    assert report.added == ["a1"] and report.conflicts == []
    assert report.duplicates == ["a1: appears twice in the export; the repeat is refused"]
