"""The Ray Data engine on a local Ray instance (skipped when the [ray] extra is not installed)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from pemilu_nlp import load_default
from pemilu_nlp.bench import load_articles
from pemilu_nlp.summarize import get_summarizer

ray = pytest.importorskip("ray", reason='the Ray engine needs the [ray] extra: pip install "pemilu-nlp[ray]"')
pytest.importorskip("ray.data")
pytestmark = pytest.mark.ray


@pytest.fixture(scope="module")
def local_ray():
    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def articles() -> list[str]:
    return load_articles(None, 40, seed=5)


def test_annotate_gives_the_plain_loop_output_in_order(local_ray, articles):
    from pemilu_nlp.scale.ray_engine import annotate

    ds = ray.data.from_items([{"id": f"d{i}", "text": t} for i, t in enumerate(articles)], override_num_blocks=4)
    rows = annotate(ds, batch_size=7, concurrency=2).take_all()
    topics, probabilities = load_default().topics_and_probabilities(articles)
    summaries = get_summarizer("textrank").summarize_many(articles, 3)
    assert [r["id"] for r in rows] == [f"d{i}" for i in range(len(articles))]
    assert [list(r["topics"]) for r in rows] == topics
    classes = list(probabilities[0])
    got = np.array([[r[f"p_{c}"] for c in classes] for r in rows])
    assert np.array_equal(got, np.array([[p[c] for c in classes] for p in probabilities]))  # bit-identical
    assert [list(r["summary_index"]) for r in rows] == [[s.index for s in doc] for doc in summaries]
    assert all(r["error"] is None for r in rows)


def test_bad_rows_are_kept_and_reported(local_ray, articles):
    from pemilu_nlp.scale.ray_engine import annotate

    items = [{"id": "a", "text": articles[0]}, {"id": "b", "text": " \u200b "}, {"id": "c", "text": articles[1]}]
    rows = annotate(ray.data.from_items(items), method=None, concurrency=1).take_all()
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert rows[1]["error"] == "text is empty or whitespace only" and list(rows[1]["topics"]) == []
    assert np.isnan(rows[1]["p_pemilu"]) and rows[0]["error"] is None and "summary" not in rows[0]


def test_cli_run_engine_ray_writes_parquet(local_ray, articles, tmp_path, capsys):
    import pyarrow.parquet as pq

    from pemilu_nlp.cli import main

    corpus = tmp_path / "in.jsonl"
    records = [{"id": f"x{i}", "title": "Pemilu 2024" if i % 2 else "", "text": t} for i, t in enumerate(articles[:9])]
    records.append({"id": "empty", "text": ""})
    corpus.write_text("\n".join(json.dumps(r) for r in records) + "\n", "utf-8")
    out = tmp_path / "out"
    assert main(["run", "--engine", "ray", str(corpus), "--out", str(out), "--batch-size", "4"]) == 1
    table = pq.read_table(out)
    assert table.column("id").to_pylist() == [r["id"] for r in records]
    assert table.column("error").to_pylist()[-1] == "text is empty or whitespace only"
    inputs = [f"{r['title']}\n{r['text']}" if r["title"] else r["text"] for r in records[:-1]]
    assert table.column("topics").to_pylist()[:-1] == load_default().predict_topics(inputs)
    assert "1 row(s) could not be processed" in capsys.readouterr().err


def test_inputs_ray_cannot_read_are_clear_errors(local_ray, tmp_path):
    from pemilu_nlp.scale.ray_engine import annotate, read_documents

    (tmp_path / "a.txt").write_text("Polisi menjaga TPS.", "utf-8")
    with pytest.raises(ValueError, match="JSONL or Parquet"):
        read_documents(tmp_path / "a.txt")
    with pytest.raises(FileNotFoundError):
        read_documents(tmp_path / "missing.jsonl")
    with pytest.raises(TypeError, match="ray.data.Dataset"):
        annotate(42)


def test_cli_run_engine_ray_reports_bad_lines_by_file_and_line_and_keeps_the_rest(local_ray, articles, tmp_path,
                                                                                  capsys):
    import pyarrow.parquet as pq

    from pemilu_nlp.cli import main

    corpus = tmp_path / "mixed.jsonl"
    good = [json.dumps({"id": f"g{i}", "text": t}) for i, t in enumerate(articles[:4])]
    lines = [good[0], "{broken", good[1], '{"id": "big", "text": "x", "n": ' + "9" * 5000 + "}", good[2],
             '{"id": "sur", "text": "Lapas dijaga \\ud800 ketat."}', good[3]]
    corpus.write_text("\n".join(lines) + "\n", "utf-8")
    out = tmp_path / "out"
    assert main(["run", "--engine", "ray", str(corpus), "--out", str(out), "--batch-size", "4"]) == 1
    err = capsys.readouterr().err
    assert f"{corpus}:2:" in err and f"{corpus}:4:" in err and "2 input line(s) could not be read" in err
    table = pq.read_table(out)
    assert table.column("id").to_pylist() == ["g0", "g1", "g2", "sur", "g3"]
    assert table.column("error").null_count == 5
    assert main(["run", "--engine", "ray", str(tmp_path / "missing.jsonl"), "--out", str(out)]) == 2
    assert "no such file or folder" in capsys.readouterr().err
