from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import SEEDS

from pemilu_nlp import analyze as analyze_one_process
from pemilu_nlp import load_default
from pemilu_nlp.bench import load_articles
from pemilu_nlp.cli import main
from pemilu_nlp.scale.parallel import analyze, classify, classify_matrix, resolve_jobs, summarize
from pemilu_nlp.summarize import summarize_many


@pytest.fixture(scope="module")
def articles() -> list[str]:
    return load_articles(None, 60, seed=3)


def test_classify_with_two_jobs_is_identical_to_one_process_and_keeps_order(articles):
    expected = load_default().topics_and_probabilities(articles)
    # chunks of 7 texts: 9 chunks over 2 workers, so out-of-order completion would show
    got = classify(articles, jobs=2, chunk_size=7)
    assert got == expected  # same topics, bit-identical probabilities, same order
    reversed_got = classify(articles[::-1], jobs=2, chunk_size=7)
    assert reversed_got[0] == expected[0][::-1]


def test_classify_matrix_is_batch_invariant(articles):
    classes, one_chunk = classify_matrix(articles, jobs=1, chunk_size=len(articles))
    _, small_chunks = classify_matrix(articles, jobs=2, chunk_size=5)
    assert classes == [str(c) for c in load_default().classes_]
    assert np.array_equal(one_chunk, small_chunks)


def test_summarize_neural_in_workers_after_the_parent_ran_it(articles):
    texts = articles[:12]
    # the neural summariser runs torch in the parent first: a forked pool would hang here
    expected = summarize_many(texts, 2, method="neural")
    got = summarize(texts, 2, method="neural", jobs=2, chunk_size=5)
    # the same sentences; torch's float32 sums follow its thread count (workers run fewer
    # threads each), so a score may differ in its last bit
    assert [[(s.index, s.text) for s in doc] for doc in got] == [[(s.index, s.text) for s in doc] for doc in expected]
    assert [s.score for doc in got for s in doc] == pytest.approx([s.score for doc in expected for s in doc], abs=1e-6)


def test_analyze_with_jobs_matches_one_process(articles):
    texts, titles = articles[:15], [None, "Bawaslu awasi kampanye Pemilu"] * 7 + [None]
    expected = analyze_one_process(texts, titles=titles)
    assert analyze(texts, titles=titles, jobs=2, chunk_size=4) == expected
    assert analyze_one_process(texts, titles=titles, jobs=2, chunk_size=4) == expected


def test_a_bad_text_is_reported_as_one_process_reports_it(articles):
    texts = [*articles[:13], "   \u200b ", *articles[13:20]]
    with pytest.raises(ValueError) as one:
        load_default().predict_proba(texts)
    with pytest.raises(ValueError) as many:
        classify(texts, jobs=2, chunk_size=4)
    assert str(many.value) == str(one.value) and "position 13" in str(many.value)
    with pytest.raises(TypeError, match="position 2 must be str, got bytes"):
        classify([*articles[:2], b"bytes"], jobs=2)


def test_an_error_inside_a_worker_names_the_position_in_the_whole_input(articles):
    texts = [*articles[:9], ["", "  "], articles[9]]  # a list of blank sentences fails in the summariser
    with pytest.raises(ValueError) as one:
        summarize_many(texts, 2)
    with pytest.raises(ValueError) as many:
        summarize(texts, 2, jobs=2, chunk_size=4)
    assert str(many.value) == str(one.value) == "text at position 9: all sentences are empty"


def test_jobs_and_models_are_checked():
    assert resolve_jobs(-1) >= 1 and resolve_jobs(3) == 3
    with pytest.raises(ValueError, match="jobs must be >= 1"):
        resolve_jobs(0)
    with pytest.raises(TypeError):
        resolve_jobs(2.0)
    with pytest.raises(TypeError, match="by path"):
        classify(["Polisi menjaga TPS."], model=load_default(), jobs=2)
    with pytest.raises(TypeError, match="by path"):
        analyze_one_process(["Polisi menjaga TPS."], classifier=load_default(), jobs=2)
    with pytest.raises(ValueError, match="chunk_size"):
        classify(["Polisi menjaga TPS."], jobs=2, chunk_size=0)


def test_cli_jobs_gives_the_same_output_and_reports_bad_lines(tmp_path, capsys, articles):
    corpus = tmp_path / "c.jsonl"
    # every other line has a title: one process classifies title + text, so must the workers
    lines = [json.dumps({"id": f"a{i}", "text": t, **({"title": t.split(".")[0]} if i % 2 else {})})
             for i, t in enumerate(articles[:11])]
    lines.insert(5, "{broken")
    corpus.write_text("\n".join(lines) + "\n", "utf-8")
    seeds = sorted(str(p) for p in SEEDS.glob("*.txt"))
    for command in (["classify", "--json"], ["summarize", "--json"], ["run", "--json"]):
        assert main([*command, str(corpus), *seeds]) == 1
        one = capsys.readouterr()
        assert main([*command, "--jobs", "2", "--chunk-size", "3", str(corpus), *seeds]) == 1
        many = capsys.readouterr()
        assert many.out == one.out and many.out.count("\n") == 16
        assert many.err == one.err and "c.jsonl:6" in many.err
    with pytest.raises(SystemExit):
        main(["classify", "--jobs", "0", seeds[0]])
    assert "--jobs takes a number of processes >= 1, or all" in capsys.readouterr().err


def test_a_model_or_method_that_cannot_load_fails_in_the_caller_with_its_own_error(tmp_path):
    from pemilu_nlp.errors import ModelFormatError

    with pytest.raises(ModelFormatError, match="config.json"):
        classify(["Polisi menjaga TPS."], model=tmp_path, jobs=2)
    with pytest.raises(ValueError, match="unknown summariser 'nope'"):
        summarize(["Polisi menjaga TPS."], method="nope", jobs=2)


@pytest.mark.parametrize("jobs", [1, 2])
def test_isolated_work_reports_a_bad_text_and_keeps_the_rest(jobs):
    """What the CLI's --jobs path relies on: one bad text gives an error outcome in its place,
    the texts around it keep their results, in order."""
    from pemilu_nlp.scale.parallel import Work, iter_chunks

    texts = ["KPU menandatangani MoU pengamanan Pemilu. Kapolres hadir.", "\u200b\u200b",
             "Lapas Cipinang diperketat. Napi kabur."]
    outcomes = [o for chunk in iter_chunks(Work("analyze", isolate=True), texts, jobs=jobs, chunk_size=3)
                for o in chunk]
    assert len(outcomes) == 3
    assert outcomes[1].error is not None and outcomes[1].error.startswith("cannot analyse")
    assert outcomes[0].error is None and outcomes[2].error is None
    assert [s.text for s in outcomes[2].summary] == ["Lapas Cipinang diperketat.", "Napi kabur."]
    assert set(outcomes[0].probabilities) >= set(outcomes[0].topics)
