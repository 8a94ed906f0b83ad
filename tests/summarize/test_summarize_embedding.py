"""Optional sentence-embedding centrality (summarize/embedding.py), with a tiny BERT."""
from __future__ import annotations

import numpy as np
import pytest
from summarize_samples import ARTICLE, SENTENCES, long_document

from pemilu_nlp.summarize import (
    get_summarizer,
)


@pytest.fixture(scope="module")
def embedding_summarizer(tmp_path_factory):
    pytest.importorskip("torch")
    from pemilu_nlp.testing import build_bert

    folder = build_bert(tmp_path_factory.mktemp("enc"), [ARTICLE, *SENTENCES] * 5, vocab_size=300)
    return get_summarizer("embedding", model_name_or_path=str(folder), device="cpu")


def test_embedding_centrality_follows_the_contract(embedding_summarizer):
    summary = embedding_summarizer(ARTICLE, 3)
    assert len(summary) == 3 and [s.index for s in summary] == sorted(s.index for s in summary)
    assert [s.index for s in embedding_summarizer(SENTENCES, 50)] == list(range(len(SENTENCES)))
    vectors = embedding_summarizer.embed(SENTENCES)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    with pytest.raises(ValueError):
        embedding_summarizer("  ", 3)


def test_embedding_centrality_reads_a_long_document_up_to_the_cap(embedding_summarizer, monkeypatch):
    embedded: list[int] = []
    original = embedding_summarizer.embed
    monkeypatch.setattr(embedding_summarizer, "embed", lambda sentences: embedded.append(len(sentences)) or original(sentences))
    monkeypatch.setattr(embedding_summarizer, "max_sentences", 40)
    summary = embedding_summarizer(long_document(300), 3)
    assert embedded == [40] and summary.truncated and summary.considered == 40 and len(summary) == 3


def test_embedding_centrality_offline_gives_one_clear_error(monkeypatch):
    pytest.importorskip("torch")
    from pemilu_nlp.errors import WeightsUnavailableError

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(WeightsUnavailableError, match="pass its path"):
        get_summarizer("embedding", model_name_or_path="indolem/indobert-base-uncased")
