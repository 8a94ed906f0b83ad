"""Properties of the text functions on generated input (hypothesis)."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pemilu_nlp.text.cleaning import clean_text, split_sentences, tokenize

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


# --- long and adversarial input: split, clean, classify and summarise never crash or lose text --------
ADVERSARIAL_PIECES = st.sampled_from([
    "Jl.", "Km.", "No.", "Feb.", "dll.", "dkk.", "A.", "S.I.K.", "Pol.", "hal.", "1.", "12.", "a.", "(1)", "2,5", "10.00",
    "WIB.", "WITA.", '"', "“", "”", "'", "‘", "’", "«", "»", "(", ")", "[", "]", ".", "..", "...", "…", "!", "?", "!\"",
    ".”", "•", "-", "—", ":", ";", ",", "=", "\x00", "\x0b", "\x0c", "\x1b[31m", "\x85", "\u2028", "\u200b", "\u200d",
    "\ufeff", "\u00a0", "\t", "\n", "\n\n", "Kapolres", "KPU", "pemilu", "warga", "Bawaslu", "TPS", "siap", "e\u0301",
    "https://kpu.go.id/a?b=c", "BACA JUGA:", "Foto:", "(Kontributor: X)", "0", "99", "x" * 30,
])
ADVERSARIAL_TEXT = st.one_of(
    st.lists(ADVERSARIAL_PIECES, max_size=80).map(" ".join),
    st.lists(ADVERSARIAL_PIECES, max_size=80).map("".join),
    # huge runs of one piece, or of a short mix, up to ~100 KB
    st.builds(lambda piece, k: piece * k, ADVERSARIAL_PIECES, st.integers(1, 4000)),
    st.builds(lambda pieces, k: " ".join(pieces) * k, st.lists(ADVERSARIAL_PIECES, min_size=1, max_size=6),
              st.integers(1, 1500)),
    st.text(max_size=300),
)


def _visible(text: str) -> str:
    """The text as the splitter sees it (NFC, zero-width characters dropped) without whitespace."""
    from pemilu_nlp.text.cleaning import normalize_whitespace

    return "".join(normalize_whitespace(text).split())


@settings(max_examples=60, deadline=None)
@given(ADVERSARIAL_TEXT)
def test_splitting_adversarial_text_loses_nothing(text):
    sentences = split_sentences(text)
    assert "".join("".join(sentences).split()) == _visible(text)
    assert all(s and s == s.strip() for s in sentences)


@settings(max_examples=60, deadline=None)
@given(ADVERSARIAL_TEXT)
def test_cleaning_adversarial_text_keeps_only_its_own_words(text):
    cleaned = clean_text(text)
    assert isinstance(cleaned, str)
    assert set(tokenize(cleaned)) <= set(tokenize(text))


_MODELS: dict = {}


def _model(name):
    if name not in _MODELS:
        if name == "classifier":
            from pemilu_nlp import load_default

            _MODELS[name] = load_default()
        else:
            from pemilu_nlp.summarize import get_summarizer

            _MODELS[name] = get_summarizer(name)
    return _MODELS[name]


@settings(max_examples=25, deadline=None)
@given(ADVERSARIAL_TEXT)
def test_classifying_adversarial_text_never_crashes(text):
    from pemilu_nlp.inputs import is_blank

    model = _model("classifier")
    if is_blank(text):
        return  # a typed ValueError, tested elsewhere
    labels = model.predict_topics([text, text])
    assert labels[0] == labels[1] and set(labels[0]) <= set(model.classes_)


@settings(max_examples=20, deadline=None)
@given(ADVERSARIAL_TEXT, st.sampled_from(["lead", "textrank", "lexrank", "features", "neural"]))
def test_summarising_adversarial_text_returns_its_own_sentences(text, method):
    import pytest

    from pemilu_nlp.summarize import prepare_sentences

    summarizer = _model(method)
    try:
        sentences = prepare_sentences(text)
    except ValueError:
        with pytest.raises(ValueError):
            summarizer(text, 3)
        return
    summary = summarizer(text, 3)
    assert 1 <= len(summary) <= 3 and summary.n_sentences == len(sentences)
    assert all(sentences[s.index] == s.text for s in summary)
    assert [s.index for s in summary] == sorted({s.index for s in summary})
