"""ROUGE, LEAD-3 and ORACLE (summarize/evaluate.py)."""
from __future__ import annotations

import pytest
from summarize_samples import indosum_sample_documents

from pemilu_nlp.summarize import (
    get_summarizer,
)
from pemilu_nlp.summarize.evaluate import evaluate_methods, oracle_indices, rouge


def test_rouge_equals_rouge_score_on_a_known_pair():
    from rouge_score import rouge_scorer

    ref, pred = "polisi menjaga tps pemilu di banjarmasin", "polisi menjaga kantor kpu di banjarmasin"
    expected = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"]).score(ref, pred)
    got = rouge(ref, pred)
    for key in ("rouge1", "rouge2", "rougeL"):
        assert got[key] == pytest.approx(100 * expected[key].fmeasure)
    assert rouge(ref, pred)["rouge1"] == pytest.approx(100 * 4 / 6)  # 4 of 6 unigrams shared both ways



@pytest.fixture(scope="module")
def indosum_docs():
    return indosum_sample_documents()

def test_lead3_and_oracle_behave_as_defined_on_indosum(indosum_docs):
    lead = get_summarizer("lead")
    results = evaluate_methods(indosum_docs, {
        "lead": lambda d: [s.index for s in lead(list(d.sentences), 3)],
        "oracle": lambda d: oracle_indices(list(d.sentences), d.reference),
        "gold": lambda d: list(d.gold)}, progress=False)
    assert results["oracle"]["rouge1"] >= results["lead"]["rouge1"]
    assert results["gold"]["sentence_precision"] == 1.0 and results["gold"]["sentence_recall"] == 1.0
    for doc in indosum_docs:
        chosen = oracle_indices(list(doc.sentences), doc.reference)
        score = rouge(doc.reference, " ".join(doc.sentences[i] for i in chosen))
        for extra in set(range(len(doc.sentences))) - set(chosen):  # greedy: no single addition helps
            more = rouge(doc.reference, " ".join(doc.sentences[i] for i in sorted([*chosen, extra])))
            assert more["rouge1"] + more["rouge2"] <= score["rouge1"] + score["rouge2"] + 1e-9
