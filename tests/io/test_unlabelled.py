"""Unlabelled news as plain texts, and self-training over them."""
from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from pemilu_nlp.errors import CorpusError
from pemilu_nlp.io.unlabelled import load_unlabelled_texts


def test_pool_files_give_title_and_text_once_each_in_order(tmp_path):
    rows = [{"id": "a", "title": "Judul", "text": "Isi berita pertama."}, {"id": "b", "text": "Tanpa judul."},
            {"id": "c", "title": "Judul", "text": "Isi berita pertama."}, {"id": "d", "text": "   "}]
    plain = tmp_path / "pool.jsonl"
    plain.write_text("".join(json.dumps(r) + "\n" for r in rows) + "\n", "utf-8")
    packed = tmp_path / "pool_2.jsonl.gz"
    with gzip.open(packed, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"title": "Lain", "text": "Berita kedua."}) + "\n")
    assert load_unlabelled_texts([plain, packed]) == ["Judul\nIsi berita pertama.", "Tanpa judul.", "Lain\nBerita kedua."]


def test_missing_file_and_bad_line_are_named(tmp_path):
    with pytest.raises(CorpusError, match="no such file"):
        load_unlabelled_texts(tmp_path / "missing.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok"}\n{"title": "no text"}\n', "utf-8")
    with pytest.raises(CorpusError, match=r"bad.jsonl:2"):
        load_unlabelled_texts(bad)


def test_self_training_adds_confident_pool_articles_as_positives():
    from benchmarks.lib.heads import SelfTrainingScorer
    from pemilu_nlp.learn.crossval import recipe_oof, run_cv

    rng = np.random.default_rng(0)
    n = 80
    Y = np.zeros((n, 1), dtype=np.int8)
    Y[:12, 0] = 1
    X = rng.normal(0, 1, (n, 4))
    X[:, 0] += 3 * Y[:, 0]
    pool = rng.normal(0, 1, (200, 4))
    pool[:40, 0] += 3
    scorer = SelfTrainingScorer(X, pool, cut=0.5, C=1.0)
    preds = run_cv(scorer, Y, {"oof": recipe_oof()}, n_splits=4, n_repeats=1)
    assert max(scorer.added_) > 0
    assert max(scorer.added_) <= 12                        # at most as many as the labelled positives
    tp = int((preds["oof"][0][:, 0] & Y[:, 0]).sum())
    assert tp >= 9
