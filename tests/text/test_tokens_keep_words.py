"""The tokeniser and the splitter keep every word (issue 22, defect 8)."""
from __future__ import annotations

import pytest

from pemilu_nlp import split_sentences, tokenize
from pemilu_nlp.text.cleaning import normalize_whitespace


def test_letters_with_diacritics_are_letters():
    assert tokenize("Café naïve résumé", remove_stopwords=False) == ["café", "naïve", "résumé"]


def test_a_decomposed_accent_is_the_same_word_as_a_composed_one():
    assert tokenize("Cafe\u0301") == tokenize("Café") == ["café"]


def test_full_width_letters_are_read_as_letters():
    assert tokenize("ＫＰＵ ＰＥＭＩＬＵ") == ["kpu", "pemilu"]


@pytest.mark.parametrize("space", ["\u200b", "\u200c"])
def test_a_zero_width_space_or_non_joiner_separates_words(space):
    assert normalize_whitespace(f"dan{space}dua") == "dan dua"
    assert tokenize(f"pemilu{space}damai") == ["pemilu", "damai"]


@pytest.mark.parametrize("joiner", ["\u2060", "\ufeff"])
def test_a_word_joiner_or_bom_is_dropped(joiner):
    assert normalize_whitespace(f"pem{joiner}ilu") == "pemilu"


def test_a_zero_width_joiner_keeps_an_emoji_sequence_whole():
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467"
    assert normalize_whitespace(f"Keluarga {family} datang.") == f"Keluarga {family} datang."


@pytest.mark.parametrize(("text", "expected"), [
    ("Ini huruf A. Itu huruf B. Selesai.", ["Ini huruf A.", "Itu huruf B.", "Selesai."]),
    ("PT BRI Tbk. Investor senang.", ["PT BRI Tbk.", "Investor senang."]),
    ("Timnas masuk Grup C. Lawan pertama Jepang.", ["Timnas masuk Grup C.", "Lawan pertama Jepang."]),
])
def test_a_capital_letter_or_company_suffix_can_end_a_sentence(text, expected):
    assert split_sentences(text) == expected


@pytest.mark.parametrize("text", [
    "Kapolres AKBP M. Irfan hadir di TPS.",
    "Rapat di Jl. A. Yani No. 5 berjalan lancar.",
    "Hal itu disampaikan oleh H. Rusnaillah kepada wartawan.",
])
def test_an_initial_before_a_name_does_not_end_a_sentence(text):
    assert split_sentences(text) == [text]
