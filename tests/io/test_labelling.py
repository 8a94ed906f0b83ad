"""Label Studio / doccano batches out, annotated exports in: formats, provenance, refusals."""
from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest
from conftest import OWN_SCHEMA, own_records, write_jsonl

from pemilu_nlp.errors import LabelImportError, SchemaError
from pemilu_nlp.io.labelling import (
    doccano_labels,
    import_labels,
    label_config,
    read_export,
    text_key,
    to_doccano,
    to_label_studio,
    write_batch,
)

ITEM = {"id": "p1", "title": "Banjir rendam TPS", "text": "Banjir merendam TPS 5 di Medan.", "url": "https://x.id/1",
        "predicted": ["bencana_tps"], "probabilities": {"korupsi_pemilu": 0.1, "bencana_tps": 0.8, "sengketa_hasil": 0.0},
        "confidence": 0.6, "rank": 1, "reason": "closest decision", "strategy": "diverse"}


def _ls_task(task_data: dict, choices: list[str] | None, *, task_id: int = 1, email: str = "ani@example.org",
             cancelled: bool = False, from_name: str = "topics") -> dict:
    result = [] if not choices else [{"id": "r", "from_name": from_name, "to_name": "text", "type": "choices",
                                      "value": {"choices": choices}}]
    return {"id": task_id, "data": task_data, "annotations": [
        {"id": 9, "completed_by": {"id": 3, "email": email}, "result": result, "was_cancelled": cancelled,
         "created_at": "2026-12-01T09:00:00Z", "updated_at": "2026-12-01T09:01:00Z"}]}


def test_label_studio_tasks_follow_the_documented_task_format():
    """Basic Label Studio JSON format: a list of tasks, each with ``data`` (the ``$text`` variable of
    the labelling config) and ``predictions`` [{model_version, score, result: [{from_name, to_name,
    type, value: {choices}}]}], names matching labels.xml's Choices/Text."""
    [task] = to_label_studio([ITEM], model_version="pemilu_nlp/m1")
    assert set(task) == {"data", "predictions"}
    assert task["data"]["text"] == ITEM["text"] and task["data"]["id"] == "p1" and task["data"]["url"] == ITEM["url"]
    [prediction] = task["predictions"]
    assert prediction["model_version"] == "pemilu_nlp/m1" and 0 <= prediction["score"] <= 1
    [result] = prediction["result"]
    assert {k: result[k] for k in ("from_name", "to_name", "type")} == {"from_name": "topics", "to_name": "text",
                                                                        "type": "choices"}
    assert result["value"] == {"choices": ["bencana_tps"]}
    config = ET.fromstring(label_config(OWN_SCHEMA))
    choices = config.find("Choices")
    assert config.tag == "View" and config.find("Text").get("value") == "$text"
    assert choices.get("name") == result["from_name"] and choices.get("toName") == result["to_name"]
    assert choices.get("choice") == "multiple" and config.find("Text").get("name") == "text"
    assert [c.get("value") for c in choices] == ["korupsi_pemilu", "bencana_tps", "sengketa_hasil"]
    assert "Politik uang" in choices[0].get("hint")


def test_no_prediction_means_an_empty_result_and_labels_xml_escapes_definitions():
    [task] = to_label_studio([{**ITEM, "predicted": []}])
    assert task["predictions"][0]["result"] == []
    xml = label_config({"topics": [{"id": "a", "definition": 'kutipan "resmi" & <tag>'}]})
    assert ET.fromstring(xml).find("Choices")[0].get("hint") == 'kutipan "resmi" & <tag>'
    with pytest.raises(SchemaError, match="missing 'id'"):
        label_config({"topics": [{"name_id": "A"}]})


def test_doccano_batch_keeps_predictions_out_of_label(tmp_path):
    [record] = to_doccano([ITEM])
    assert "label" not in record and record["predicted"] == ["bencana_tps"] and record["article_id"] == "p1"
    assert record["text"].startswith("Banjir rendam TPS\n\n")
    files = write_batch([ITEM], tmp_path / "b.jsonl", fmt="doccano", schema=OWN_SCHEMA)
    assert [f.name for f in files] == ["b.jsonl", "doccano_labels.json"]
    assert [x["text"] for x in doccano_labels(OWN_SCHEMA)][-1] == "no_topic"


def test_label_studio_import_keeps_provenance_and_appends(tmp_path):
    corpus = tmp_path / "c.jsonl"
    write_jsonl(corpus, own_records(1))
    before = corpus.read_text()
    export = tmp_path / "export.json"
    data = {"text": ITEM["text"], "title": ITEM["title"], "id": "p1", "url": ITEM["url"]}
    skipped = _ls_task({"text": "Hujan turun di Bogor.", "id": "p2"}, ["bencana_tps"], task_id=2, cancelled=True)
    export.write_text(json.dumps([_ls_task(data, ["bencana_tps"]), skipped]))
    report = import_labels(export, corpus, schema=OWN_SCHEMA, now="2026-12-01T12:00:00+00:00")
    assert report.added == ["p1"] and report.not_annotated == ["p2"] and report.ok
    lines = corpus.read_text().splitlines()
    assert corpus.read_text().startswith(before) and len(lines) == 5
    record = json.loads(lines[-1])
    assert record["labels"] == ["bencana_tps"] and record["url"] == ITEM["url"]
    assert "found_by" not in record                      # not a suggest batch: scored like any article
    assert record["annotation"] == {"tool": "label-studio", "export": "export.json", "task": 1,
                                    "annotators": ["ani@example.org"], "annotated_at": "2026-12-01T09:01:00Z",
                                    "imported_at": "2026-12-01T12:00:00+00:00"}


def test_conflicts_are_reported_not_merged_and_duplicates_refused(tmp_path):
    corpus = tmp_path / "c.jsonl"
    records = own_records(1)
    write_jsonl(corpus, records)
    before = corpus.read_bytes()
    first = records[0]  # korupsi_pemilu in the corpus
    tasks = [
        _ls_task({"text": first["text"], "id": first["id"]}, ["sengketa_hasil"], task_id=1),   # conflict
        _ls_task({"text": first["text"].upper(), "id": "other-id"}, ["korupsi_pemilu"], task_id=2),  # same text
        _ls_task({"text": records[1]["text"], "id": records[1]["id"]}, records[1]["labels"], task_id=3),  # same
    ]
    disagreeing = _ls_task({"text": "Sidang gugatan di MK.", "id": "z"}, ["sengketa_hasil"], task_id=4)
    disagreeing["annotations"].append({**disagreeing["annotations"][0], "result": [],
                                       "completed_by": {"email": "budi@example.org"}})
    tasks.append(disagreeing)
    (tmp_path / "e.json").write_text(json.dumps(tasks))
    report = import_labels(tmp_path / "e.json", corpus, schema=OWN_SCHEMA)
    assert not report.ok and report.added == [] and report.unchanged == [records[1]["id"]]
    assert any(first["id"] in c and "not merged" in c for c in report.conflicts)
    assert any(c.startswith("z: annotators disagree") for c in report.conflicts)
    assert any("same article as" in d for d in report.duplicates)
    assert corpus.read_bytes() == before


@pytest.mark.parametrize("export, message", [
    ({"tasks": []}, "JSON list of tasks"),
    ([{"text": "no data key"}], "expected an object with 'data'"),
    ([{"data": {"image": "x.jpg"}, "annotations": []}], "no non-empty 'text'"),
    ([_ls_task({"text": "Teks."}, ["Positive"], from_name="sentiment")], "another project"),
    ([_ls_task({"text": "Teks."}, ["korupsi"])], r"unknown topic\(s\) \['korupsi'\]"),
])
def test_exports_of_other_projects_are_refused_whole(tmp_path, export, message):
    corpus = tmp_path / "c.jsonl"
    write_jsonl(corpus, own_records(1))
    before = corpus.read_bytes()
    good = _ls_task({"text": "Banjir di TPS 3.", "id": "ok"}, ["bencana_tps"])
    path = tmp_path / "e.json"
    path.write_text(json.dumps([good, *export] if isinstance(export, list) else export))
    with pytest.raises(LabelImportError, match=message):
        import_labels(path, corpus, schema=OWN_SCHEMA)
    assert corpus.read_bytes() == before


def test_doccano_round_trip_needs_a_decision_for_no_topic(tmp_path):
    batch = to_doccano([ITEM, {**ITEM, "id": "p2", "text": "Harga cabai naik di pasar.", "url": ""},
                        {**ITEM, "id": "p3", "text": "Pedagang sayur libur.", "url": ""}])
    batch[0]["label"] = ["bencana_tps"]
    batch[1]["label"] = ["no_topic"]
    batch[2]["label"] = []  # untouched in doccano: not a "no topic" decision
    export = tmp_path / "export.jsonl"
    write_jsonl(export, batch)
    corpus = tmp_path / "new.jsonl"
    report = import_labels(export, corpus, schema=OWN_SCHEMA)
    assert report.added == ["p1", "p2"] and report.not_annotated == ["p3"]
    records = [json.loads(line) for line in corpus.read_text().splitlines()]
    assert [r["labels"] for r in records] == [["bencana_tps"], []]
    assert records[0]["title"] == ITEM["title"] and records[0]["text"] == ITEM["text"]
    assert records[0]["annotation"]["tool"] == "doccano" and records[0]["annotation"]["line"] == 1
    write_jsonl(export, [{"text": "x", "label": [[0, 5, "PER"]]}])
    with pytest.raises(LabelImportError, match=r"export.jsonl:1: 'label' must be a list of topic ids"):
        read_export(export, schema=OWN_SCHEMA)


def test_text_key_ignores_case_spacing_and_punctuation():
    assert text_key("Banjir  merendam TPS.") == text_key("banjir merendam\nTPS") != text_key("Banjir di TPS")


def test_articles_that_suggest_chose_by_score_are_marked_and_random_draws_are_not(tmp_path):
    # suggest's tasks carry how each article was chosen; the corpus keeps it, so that evaluation
    # trains on model-chosen articles but never scores them (they are easy for the model that chose them)
    from pemilu_nlp.io.corpus import load_corpus, make_split

    chosen = to_label_studio([ITEM, {**ITEM, "id": "p2", "text": "Hujan di Bogor.", "url": "", "strategy": "random"}])
    export = tmp_path / "export.json"
    export.write_text(json.dumps([_ls_task(chosen[0]["data"], ["bencana_tps"]),
                                  _ls_task(chosen[1]["data"], ["bencana_tps"], task_id=2)]))
    corpus = tmp_path / "c.jsonl"
    write_jsonl(corpus, own_records(12))
    assert import_labels(export, corpus, schema=OWN_SCHEMA).added == ["p1", "p2"]
    articles = {a.id: a for a in load_corpus(corpus, schema=OWN_SCHEMA)}
    assert articles["p1"].extra["found_by"] == "model:suggest:diverse" and articles["p1"].selected_by_model
    assert articles["p2"].extra["found_by"] == "suggest:random" and not articles["p2"].selected_by_model
    assert not any(a.selected_by_model for i, a in articles.items() if i not in ("p1", "p2"))
    split = make_split(list(articles.values()), schema=OWN_SCHEMA, seed=0)
    assert "p1" in split["train"] and sum(map(len, split.values())) == len(articles)

    batch = to_doccano([{**ITEM, "strategy": "margin"}])
    batch[0]["label"] = ["bencana_tps"]
    write_jsonl(tmp_path / "d.jsonl", batch)
    (labelled,), _ = read_export(tmp_path / "d.jsonl", schema=OWN_SCHEMA)
    assert labelled.found_by == "model:suggest:margin"
    del batch[0]["suggest_strategy"]                     # a batch written before strategies were recorded
    write_jsonl(tmp_path / "d.jsonl", batch)
    (labelled,), _ = read_export(tmp_path / "d.jsonl", schema=OWN_SCHEMA)
    assert labelled.found_by == "model:suggest"
