from __future__ import annotations

import json

import pytest
from conftest import ROOT, seed_text
from summarize_samples import ARTICLE, SENTENCES, long_document

from pemilu_nlp import registry
from pemilu_nlp.io.indosum import load_indosum
from pemilu_nlp.summarize import (
    TextRankSummarizer,
    check_count,
    get_summarizer,
    parse_count,
)

#: every registered method that needs no encoder weights
METHODS = [name for name in registry.SUMMARIZERS if name not in ("embedding", "encoder")]


@pytest.fixture(params=METHODS)
def summarizer(request):
    return get_summarizer(request.param)


# --- one contract for every method ------------------------------------------------------------------
def test_returns_count_sentences_in_document_order_with_index_and_score(summarizer):
    summary = summarizer(ARTICLE, 3)
    assert len(summary) == 3
    assert [s.index for s in summary] == sorted(s.index for s in summary)
    sentences = summarizer(ARTICLE, 100)
    for s in summary:
        assert sentences[s.index].text == s.text and isinstance(s.score, float)


def test_count_as_a_share(summarizer):
    n = len(summarizer(SENTENCES, 100))
    assert len(summarizer(SENTENCES, "40%")) == round(0.4 * n)
    assert len(summarizer(SENTENCES, "1%")) == 1


def test_count_above_length_returns_all_and_one_sentence_returns_it(summarizer):
    assert [s.index for s in summarizer(SENTENCES, 50)] == list(range(len(SENTENCES)))
    assert [s.text for s in summarizer(["Polisi berjaga di TPS."], 3)] == ["Polisi berjaga di TPS."]


@pytest.mark.parametrize("count", [0, -1, "150%", "abc", "0%", 2.5, True])
def test_invalid_count_says_what_is_allowed(summarizer, count):
    with pytest.raises(ValueError, match="positive int or a share"):
        summarizer(SENTENCES, count)


def test_empty_text_is_a_value_error(summarizer):
    for empty in ("", "   \n ", [], "\u200b", "\ufeff\u00a0\u200b", ["\u200b"]):  # invisible = empty
        with pytest.raises(ValueError, match="empty|no sentence"):
            summarizer(empty, 3)


def test_summarize_many_n_in_n_out_in_order(summarizer):
    texts = [ARTICLE, seed_text("000"), SENTENCES]
    many = summarizer.summarize_many(texts, 2)
    assert len(many) == 3
    for text, summary in zip(texts, many):
        assert summary == summarizer(text, 2)
    with pytest.raises(ValueError, match="position 1"):
        summarizer.summarize_many([ARTICLE, "  "], 2)


def test_blank_entries_of_a_sentence_list_keep_their_index_but_are_never_chosen(summarizer):
    sentences = ["", "KPU menetapkan DPT.", " ", "Bawaslu mengawasi.", "\u200e\u200b"]
    chosen = summarizer(sentences, 3)
    assert [s.index for s in chosen] == [1, 3]


def _count_scored(monkeypatch, summarizer) -> list[int]:
    """Record how many sentences each call of the method's scorer receives."""
    seen: list[int] = []
    original = summarizer._score

    def spy(sentences, title, vectors):
        seen.append(len(sentences))
        if vectors is not None:
            seen.append(vectors.matrix.shape[0])
        return original(sentences, title, vectors)

    monkeypatch.setattr(summarizer, "_score", spy)
    return seen


def test_a_very_long_document_is_read_up_to_the_cap_and_says_so(summarizer, monkeypatch, caplog):
    """200,000 sentences made TextRank ask for 298 GiB: now every method scores at most the first
    max_sentences, and the summary and the log say the document was cut."""
    seen = _count_scored(monkeypatch, summarizer)
    with caplog.at_level("WARNING", logger="pemilu_nlp.summarize"):
        summary = summarizer(long_document(1200), 3)
    assert [s.index for s in summary] == sorted(s.index for s in summary) and len(summary) == 3
    assert max(seen) == summarizer.max_sentences == 500
    assert summary.n_sentences == 1200 and summary.considered == 500 and summary.truncated
    assert all(s.index < 500 for s in summary)
    assert "1200 sentences" in caplog.text and "first 500" in caplog.text
    assert "considered 500 of 1200" in repr(summary)


def test_the_character_cap_and_lifting_the_caps(monkeypatch, caplog):
    text = long_document(300)  # about 25,000 characters
    capped = get_summarizer("textrank", max_chars=2_000)
    summary = capped(text, "100%")
    assert summary.truncated and summary.considered < 40 and len(summary) == summary.considered
    assert sum(len(s.text) for s in summary) <= 2_000
    whole = get_summarizer("textrank", max_sentences=None, max_chars=None)(text, 3)
    assert not whole.truncated and whole.considered == whole.n_sentences == 300
    one_huge = get_summarizer("lead", max_chars=10)("Kalimat pertama yang panjang sekali. Kedua.", 2)
    assert [s.index for s in one_huge] == [0] and one_huge.considered == 1  # the first sentence always counts


def test_a_summary_is_still_a_list_and_short_documents_are_not_cut():
    summary = get_summarizer("textrank")(SENTENCES, 2)
    assert isinstance(summary, list) and summary == list(summary)
    assert not summary.truncated and summary.n_sentences == summary.considered == len(SENTENCES)
    assert json.loads(json.dumps([s.index for s in summary])) == [s.index for s in summary]


@pytest.mark.parametrize("bad", [0, -1, 2.5, "500", True])
def test_caps_are_checked(bad):
    for name in ("max_sentences", "max_chars"):
        with pytest.raises(ValueError, match=name):
            TextRankSummarizer(**{name: bad})
        with pytest.raises(ValueError, match=name):
            get_summarizer("features", **{name: bad})
    assert get_summarizer("features", max_sentences=7).max_sentences == 7


def test_the_caps_change_no_indosum_article():
    """The defaults sit far above IndoSum's longest articles, so the ROUGE table is unaffected."""
    from pemilu_nlp.summarize.base import MAX_CHARS, MAX_SENTENCES, considered_sentences, prepare_sentences

    paths = sorted((ROOT.parent / "shared/data/indosum").glob("*.jsonl.gz"))
    if not paths:
        pytest.skip("IndoSum is not in ../shared/data/indosum")
    for article in load_indosum(paths):
        for sentences in (article.sentences, prepare_sentences(article.text)):
            assert considered_sentences(sentences, MAX_SENTENCES, MAX_CHARS) == len(sentences), article.id


def test_summarize_many_takes_one_string_as_one_text_and_refuses_non_texts():
    lead = get_summarizer("lead")
    assert lead.summarize_many("KPU menetapkan DPT. Bawaslu mengawasi.", 1) == [
        lead("KPU menetapkan DPT. Bawaslu mengawasi.", 1)]
    with pytest.raises(ValueError, match="no texts"):
        lead.summarize_many([], 2)
    for bad, message in ((None, "sequence of texts"), (5, "sequence of texts"), (b"abc", "bytes"),
                         ([b"abc"], "position 0 .* bytes")):
        with pytest.raises(TypeError, match=message):
            lead.summarize_many(bad, 2)


def test_mmr_lambda_is_checked_for_every_method():
    for name in ("textrank", "features", "neural"):
        for bad in (-5, 0, 1.5, "x", True):
            with pytest.raises(ValueError, match="mmr_lambda"):
                get_summarizer(name, mmr_lambda=bad)
    assert get_summarizer("features", mmr_lambda=0.5).mmr_lambda == 0.5
    with pytest.raises(TypeError, match="takes only mmr_lambda"):
        get_summarizer("features", C=3.0)  # what a shipped scorer learned is not a setting


def test_parse_count():
    assert check_count("3") == 3 and check_count(3) == 3 and check_count("20%") == "20%"  # one meaning, no document
    assert parse_count(3, 10) == 3 and parse_count("50%", 10) == 5 and parse_count(" 20 % ", 3) == 1
    assert parse_count("3", 10) == 3 and parse_count("12", 4) == 4
    assert parse_count("50%", 5) == 3 and parse_count("50%", 7) == 4  # halves round up, always
    for bad in ("²", "٣", "0", "-2", "²%"):  # only ASCII digits
        with pytest.raises(ValueError, match="positive int"):
            parse_count(bad, 5)
        with pytest.raises(ValueError, match="positive int"):
            check_count(bad)


def test_analyze_checks_the_count_before_it_classifies():
    from pemilu_nlp import analyze

    class NeverCalled:
        def __getattr__(self, name):
            raise AssertionError(f"the classifier was used ({name}) before the count was checked")

    with pytest.raises(ValueError, match="positive int or a share"):
        analyze("KPU menetapkan DPT. Bawaslu mengawasi.", classifier=NeverCalled(), count="0")
