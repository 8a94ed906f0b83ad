"""Active learning: scores, the diversity step, skipping what is labelled, the pool reader."""
from __future__ import annotations

import gzip
import json

import numpy as np
import pytest
from conftest import OWN_SCHEMA, own_records, write_jsonl

from pemilu_nlp.classify.tfidf.classifier import TfidfTopicClassifier
from pemilu_nlp.errors import UnknownLabelError
from pemilu_nlp.io.documents import Document
from pemilu_nlp.learn.active_learning import (
    EmptyPoolError,
    decision_scores,
    read_pool,
    select,
    suggest,
    text_vectors,
)


@pytest.fixture(scope="module")
def model():
    records = own_records(8)
    return TfidfTopicClassifier().fit([f"{r['title']}\n{r['text']}" for r in records], [r["labels"] for r in records],
                                      schema=OWN_SCHEMA)


def _pool(n_per_topic=6, seed=1):
    return [Document(r["id"], r["text"], r["title"], url=r["url"]) for r in own_records(n_per_topic, seed=seed, prefix="p")]


def test_scores_put_the_threshold_at_the_top():
    proba = np.array([[0.5, 0.01], [0.9, 0.02], [0.3, 0.29], [0.05, 0.01]])
    thresholds = np.array([0.5, 0.3])
    unc, conf = decision_scores(proba, thresholds, "uncertainty")
    assert list(np.argsort(-unc)[:2]) == [2, 0]  # unsure on two topics beats unsure on one
    assert np.argmin(conf) in (0, 2) and np.argmax(conf) == 3
    margin, _ = decision_scores(proba, thresholds, "margin")
    assert list(np.argsort(-margin)[:2]) == [0, 2]  # both have a decision on its threshold
    by_topic, _ = decision_scores(proba, thresholds, "margin", topic_index=1)
    assert np.argmax(by_topic) == 2
    with pytest.raises(ValueError, match="unknown strategy"):
        decision_scores(proba, thresholds, "entropy")


def test_near_duplicates_are_not_suggested_twice():
    texts = ["banjir merendam tps di medan hari ini"] * 3 + ["sidang gugatan hasil pemilu di mahkamah",
                                                            "politik uang caleg ditangkap polisi"]
    scores = np.array([0.9, 0.85, 0.8, 0.5, 0.4])
    vectors = text_vectors(texts)
    assert select(scores, 3, strategy="uncertainty", vectors=vectors) == [0, 3, 4]
    assert select(scores, 3, strategy="uncertainty", vectors=vectors, near_duplicate=None) == [0, 1, 2]
    assert sorted(select(scores, 3, strategy="diverse", vectors=vectors)) == [0, 3, 4]
    assert select(scores, 5, strategy="random", seed=1) == select(scores, 5, strategy="random", seed=1)


def test_diverse_batch_covers_several_events(model):
    # one event reported 30 times (small wording changes) beside varied articles
    echo = [Document(f"e{i}", f"Banjir besar merendam TPS 7 Medan, kotak suara basah, laporan ke-{i}.")
            for i in range(30)]
    batch = suggest(model, echo + _pool(), n=10, strategy="diverse")
    assert len(batch) == 10 and sum(s.id.startswith("e") for s in batch) <= 1
    assert [s.rank for s in batch] == list(range(1, 11))
    assert all(set(s.probabilities) == {"korupsi_pemilu", "bencana_tps", "sengketa_hasil"} for s in batch)


def test_labelled_articles_are_skipped_by_id_url_and_text(model):
    pool = _pool()
    labelled = [{"id": pool[0].id}, {"id": "zz", "url": pool[1].url}, {"id": "yy", "text": pool[2].text.upper()}]
    batch = suggest(model, pool, n=len(pool), strategy="uncertainty", labelled=labelled, near_duplicate=None)
    ids = {s.id for s in batch}
    assert len(batch) == len(pool) - 3 and not ids & {pool[0].id, pool[1].id, pool[2].id}
    with pytest.raises(EmptyPoolError, match="already labelled"):
        suggest(model, pool[:1], labelled=[{"id": pool[0].id}])
    with pytest.raises(EmptyPoolError, match="pool is empty"):
        suggest(model, [])


def test_topic_focus_and_plain_text_api(model):
    texts = [a.text for a in _pool()]
    batch = suggest(model, texts, n=5, strategy="margin", topic="sengketa_hasil")
    assert len(batch) == 5 and all(s.id.startswith("pool-") for s in batch)
    assert all("sengketa_hasil" in s.reason for s in batch)
    with pytest.raises(UnknownLabelError, match="unknown topic 'audiensi'"):
        suggest(model, texts, topic="audiensi")
    with pytest.raises(ValueError, match="n must be"):
        suggest(model, texts, n=0)


def test_read_pool_reads_jsonl_gz_txt_and_folders_and_reports_bad_lines(tmp_path):
    folder = tmp_path / "pool"
    folder.mkdir()
    with gzip.open(folder / "a.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "g1", "text": "Banjir di TPS.", "url": "https://u/1"}) + "\n{bad\n")
    (folder / "b.txt").write_text("Sidang gugatan di MK.", "utf-8")
    write_jsonl(folder / "c.jsonl", [{"id": "c1", "text": ""}])
    articles, problems = read_pool(folder)
    assert [a.id for a in articles] == ["g1", "b"] and articles[0].url == "https://u/1"
    assert any("a.jsonl.gz:2" in p for p in problems) and any("c.jsonl:1" in p for p in problems)
    with pytest.raises(EmptyPoolError, match="no such pool"):
        read_pool(tmp_path / "missing")
