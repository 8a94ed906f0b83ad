"""Properties of the text functions on generated input (hypothesis)."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pemilu_nlp.text import clean_text, split_sentences, tokenize

WORDS = st.sampled_from([
    "Kapolda", "Irjen", "Pol.", "AKBP", "S.I.K.", "M.H.,", "Hj.", "KPU", "Bawaslu", "pemilu", "1.000",
    "2,5", "(12/02/2024).", "dll.", "No.", "Jl.", "\"Kami", "siap,\"", "ujarnya.", "Apa?", "Ya!", "“Aman.”",
    "www.kpu.go.id", "humas@kpu.go.id.", "di", "TPS", "diamankan.", "Senin", "warga", "binaan",
])
TEXT = st.lists(st.lists(WORDS, min_size=1, max_size=25).map(" ".join), min_size=1, max_size=6).map("\n".join)


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_splitting_never_loses_or_invents_text(text):
    sentences = split_sentences(text)
    assert "".join("".join(sentences).split()) == "".join(text.split())
    assert all(s and s == s.strip() for s in sentences)


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_cleaning_keeps_running_text_and_is_stable(text):
    cleaned = clean_text(text, drop_dateline=False)
    assert clean_text(cleaned, drop_dateline=False) == cleaned
    assert set(tokenize(cleaned)) <= set(tokenize(text)) | {""}


@given(st.text(max_size=200))
def test_arbitrary_unicode_never_crashes(text):
    for sentence in split_sentences(text):
        assert sentence.strip()
    assert isinstance(clean_text(text), str)
    assert all(t == t.lower() for t in tokenize(text))
