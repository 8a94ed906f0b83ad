"""Graph summarisers checked by hand: PageRank, TextRank/LexRank scores, weights, MMR."""
from __future__ import annotations

import numpy as np
from summarize_samples import SENTENCES

from pemilu_nlp.summarize import (
    LexRankSummarizer,
    TextRankSummarizer,
    get_summarizer,
)
from pemilu_nlp.summarize.base import mmr_select
from pemilu_nlp.summarize.graph import pagerank


def test_pagerank_equals_the_closed_form_on_a_hand_built_graph():
    w = np.array([[0, 1.0, 0.5], [1.0, 0, 0], [0.5, 0, 0]])
    d, n = 0.85, 3
    transition = w / w.sum(axis=1, keepdims=True)
    # r = (1-d)/n + d T^T r  <=>  (I - d T^T) r = (1-d)/n
    exact = np.linalg.solve(np.eye(n) - d * transition.T, np.full(n, (1 - d) / n))
    np.testing.assert_allclose(pagerank(w, damping=d), exact, atol=1e-7)
    assert pagerank(w).argmax() == 0  # the hub


def test_textrank_and_lexrank_scores_match_hand_computation():
    sentences = ["pemilu damai aman", "pemilu damai", "sepak bola"]
    # tf-idf within the article: idf = ln((1+3)/(1+df)) + 1; "pemilu","damai" df=2, others df=1
    idf2, idf1 = np.log(4 / 3) + 1, np.log(4 / 2) + 1
    v0 = np.array([idf2, idf2, idf1, 0, 0])
    v1 = np.array([idf2, idf2, 0, 0, 0])
    cos01 = v0 @ v1 / np.linalg.norm(v0) / np.linalg.norm(v1)
    sim = np.array([[0, cos01, 0], [cos01, 0, 0], [0, 0, 0]])
    expected = pagerank(sim)
    got = TextRankSummarizer().score(sentences)
    np.testing.assert_allclose(got, expected / expected.max(), atol=1e-9)
    assert got[2] < got[0] == got[1] == 1.0  # the isolated sentence ranks last
    lex = LexRankSummarizer(threshold=0.5).score(sentences)
    binary = pagerank((sim >= 0.5).astype(float))
    np.testing.assert_allclose(lex, binary / binary.max(), atol=1e-9)


def test_position_and_title_weights_change_scores_as_defined():
    plain = TextRankSummarizer().score(SENTENCES)
    shifted = TextRankSummarizer(position_weight=2.0).score(SENTENCES)
    np.testing.assert_allclose(shifted - plain, 2.0 / (1 + np.arange(len(SENTENCES))))
    titled = TextRankSummarizer(title_weight=1.0).score(SENTENCES, title="Cuaca cerah")
    assert titled.argmax() == 4


def test_mmr_never_picks_two_identical_sentences():
    sentences = ["Polisi menjaga TPS.", "Polisi menjaga TPS.", "KPU menghitung suara.", "Bawaslu mengawasi."]
    for lam in (0.3, 0.7, 1.0):
        chosen = get_summarizer("textrank", preset=None, mmr_lambda=lam)(sentences, 3)
        texts = [s.text for s in chosen]
        assert len(texts) == len(set(texts))
    sim = np.ones((3, 3))
    assert len(mmr_select(np.array([3.0, 2.0, 1.0]), sim, 3, 1.0)) == 1
