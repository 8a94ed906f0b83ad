"""README's walk-through, run end to end: own topics -> train -> classify -> suggest -> Label Studio
-> import -> retrain, each one command; and a clear error, with nothing lost, at each step."""
from __future__ import annotations

import json

import pytest
from conftest import OWN_SCHEMA, own_records, write_jsonl

from pemilu_nlp.cli import main


def _annotate_in_label_studio(tasks: list[dict], truth: dict[str, list[str]]) -> list[dict]:
    """What Label Studio's JSON export of the imported tasks looks like once each is labelled."""
    exported = []
    for k, task in enumerate(tasks, 1):
        result = [{"id": f"r{k}", "from_name": "topics", "to_name": "text", "type": "choices",
                   "value": {"choices": truth[task["data"]["id"]]}}] if truth[task["data"]["id"]] else []
        exported.append({"id": 100 + k, "data": task["data"], "predictions": task["predictions"], "annotations": [{
            "id": 500 + k, "completed_by": {"id": 1, "email": "ani@example.org"}, "result": result,
            "was_cancelled": False, "ground_truth": False, "created_at": "2026-12-01T10:00:00Z",
            "updated_at": "2026-12-01T10:05:00Z", "lead_time": 12.5, "task": 100 + k}]})
    return exported


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my_topics.json").write_text(json.dumps(OWN_SCHEMA), "utf-8")
    write_jsonl(tmp_path / "my.jsonl", own_records(8))
    pool = own_records(20, seed=1, prefix="p")
    write_jsonl(tmp_path / "pool.jsonl", [{k: v for k, v in r.items() if k != "labels"} for r in pool])
    write_jsonl(tmp_path / "new.jsonl", [{k: v for k, v in r.items() if k != "labels"}
                                         for r in own_records(1, seed=2, prefix="n")])
    return tmp_path, {r["id"]: r["labels"] for r in pool}


def test_walkthrough_end_to_end(workspace, capsys):
    tmp, truth = workspace
    # 1. train on my own labelled JSONL with my own topics: no split file, so train makes one
    assert main(["train", "--data", "my.jsonl", "--schema", "my_topics.json", "--out", "m1"]) == 0
    out = capsys.readouterr().out
    assert "made a seeded iterative-stratified split" in out and "m1/split.json" in out
    assert (tmp / "m1" / "schema.json").is_file() and (tmp / "m1" / "split.json").is_file()

    # 2. classify new files with it: its own topics, no flag
    assert main(["classify", "--json", "--model", "m1", "new.jsonl"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert set(lines[0]["probabilities"]) == {"korupsi_pemilu", "bencana_tps", "sengketa_hasil"}
    assert [line["topics"] for line in lines] == [["korupsi_pemilu"], ["bencana_tps"], ["sengketa_hasil"], []]

    # 3. 50 suggestions from the pool, as Label Studio tasks with labels.xml beside them
    assert main(["suggest", "--model", "m1", "--pool", "pool.jsonl", "--corpus", "my.jsonl", "--n", "50",
                 "--out", "batch/tasks.json"]) == 0
    assert "50 suggestions" in capsys.readouterr().out
    tasks = json.loads((tmp / "batch" / "tasks.json").read_text())
    assert len(tasks) == 50 and len({t["data"]["id"] for t in tasks}) == 50
    assert '<Choice value="bencana_tps"' in (tmp / "batch" / "labels.xml").read_text()

    # importing the task file itself by mistake adds nothing and says what to import instead
    assert main(["import-labels", "batch/tasks.json", "--corpus", "my.jsonl", "--model", "m1"]) == 0
    assert "is it the task file that `suggest` wrote?" in capsys.readouterr().err

    # 4. labelled in Label Studio, exported as JSON, imported back into the corpus
    export = tmp / "export.json"
    export.write_text(json.dumps(_annotate_in_label_studio(tasks, truth)), "utf-8")
    assert main(["import-labels", str(export), "--corpus", "my.jsonl", "--model", "m1"]) == 0
    assert "50 added" in capsys.readouterr().out
    corpus = [json.loads(line) for line in (tmp / "my.jsonl").read_text().splitlines()]
    assert len(corpus) == 32 + 50
    added = corpus[-1]
    assert added["labels"] == truth[added["id"]]
    assert added["annotation"]["tool"] == "label-studio" and added["annotation"]["annotators"] == ["ani@example.org"]

    # importing the same export again adds nothing and changes nothing
    before = (tmp / "my.jsonl").read_bytes()
    assert main(["import-labels", str(export), "--corpus", "my.jsonl", "--model", "m1"]) == 0
    assert "0 added, 50 already in the corpus" in capsys.readouterr().out
    assert (tmp / "my.jsonl").read_bytes() == before

    # 5. retrain on the grown corpus
    assert main(["train", "--data", "my.jsonl", "--schema", "m1", "--out", "m2"]) == 0
    config = json.loads((tmp / "m2" / "config.json").read_text())
    assert sum(config["training_data"]["sizes"].values()) == 82
    assert config["topics"] == ["korupsi_pemilu", "bencana_tps", "sengketa_hasil"]
    assert main(["evaluate", "m2", "--data", "my.jsonl"]) == 0  # the model's topics and split, no flag


def test_bad_input_at_each_step_is_a_clear_error_and_loses_nothing(workspace, capsys):
    tmp, _ = workspace
    # unknown topic in the corpus: file and line named, no model written
    bad = tmp / "bad.jsonl"
    write_jsonl(bad, [*own_records(2), {"id": "x", "title": "", "text": "Teks.", "labels": ["korupsi"]}])
    assert main(["train", "--data", str(bad), "--schema", "my_topics.json", "--out", "mbad"]) == 2
    err = capsys.readouterr().err
    assert "bad.jsonl:9" in err and "unknown topic 'korupsi'" in err and not (tmp / "mbad").exists()
    # schemas without ids, with duplicate ids, not a list
    for schema, message in (({"topics": [{"name_id": "Korupsi"}]}, "missing 'id'"),
                            ({"topics": [{"id": "a"}, {"id": "a"}]}, "duplicate id 'a'"),
                            ({"topics": {"id": "a"}}, "must be a list")):
        (tmp / "s.json").write_text(json.dumps(schema))
        assert main(["train", "--data", "my.jsonl", "--schema", "s.json", "--out", "ms"]) == 2
        assert message in capsys.readouterr().err
    assert not (tmp / "ms").exists()

    assert main(["train", "--data", "my.jsonl", "--schema", "my_topics.json", "--out", "m1"]) == 0
    capsys.readouterr()
    # an empty pool
    (tmp / "empty.jsonl").write_text("")
    assert main(["suggest", "--model", "m1", "--pool", "empty.jsonl", "--out", "b.json"]) == 2
    assert "pool is empty" in capsys.readouterr().err and not (tmp / "b.json").exists()
    # an export from another project: refused as a whole, the corpus untouched
    before = (tmp / "my.jsonl").read_bytes()
    other = [{"id": 1, "data": {"text": "Film bagus sekali."}, "annotations": [{"result": [
        {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]}]}]
    (tmp / "other.json").write_text(json.dumps(other))
    assert main(["import-labels", "other.json", "--corpus", "my.jsonl", "--model", "m1"]) == 2
    assert "another project" in capsys.readouterr().err
    assert (tmp / "my.jsonl").read_bytes() == before
