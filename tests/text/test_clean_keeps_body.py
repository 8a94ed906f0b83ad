"""clean_text never drops body text: furniture goes only where the whole line is furniture, and a
dateline only at the start of the article (issue 22, defect 1)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pemilu_nlp import clean_text, split_sentences


def test_a_dash_inside_the_second_paragraph_is_not_a_dateline():
    text = ("Pemilu berjalan aman di seluruh wilayah.\n"
            "Ketua Bawaslu, Rahmat Bagja - yang ditemui usai rapat - mengatakan tidak ada pelanggaran.")
    assert clean_text(text) == text
    assert len(split_sentences(clean_text(text))) == 2


def test_the_dateline_after_a_headline_is_still_stripped():
    text = "KPU Tetapkan DPT Pemilu 2024\nJAKARTA, KOMPAS.com - KPU menetapkan daftar pemilih tetap."
    assert clean_text(text) == "KPU Tetapkan DPT Pemilu 2024\nKPU menetapkan daftar pemilih tetap."


@pytest.mark.parametrize("sentence", [
    "Dalam rapat itu, tiba-tiba hadir seorang warga dari Kramatwatu.",
    "Prabowo dan Putin Bertemu, Perjanjian Dagang RI-Eurasia Bakal Dikebut",
    "HUT Bhayangkara, Polda Riau Tanam 79 Pohon-Pohon Trembesi",
])
def test_a_sentence_with_a_comma_and_a_hyphen_is_not_a_dateline(sentence):
    assert clean_text(sentence) == sentence


@pytest.mark.parametrize("paragraph", [
    "Hoaks itu disebar lewat aplikasi WhatsApp, kata Kapolres.",
    "Selengkapnya, KPU akan mengumumkan hasil rekapitulasi pada 20 Maret 2024.",
    "Polisi berjaga di TPS (foto: Budi). Warga aman",
    "Kesimpulan: klaim surat suara sudah dicoblos di Malaysia adalah hoaks.",
    "Narasi: Beredar video yang memperlihatkan surat suara sudah dicoblos.",
    "BREAKING NEWS: Semua orang yang divaksinasi akan mati dalam 2 tahun",
])
def test_a_real_paragraph_that_mentions_furniture_words_is_kept(paragraph):
    article = f"KPU menggelar rapat pleno di Jakarta.\n{paragraph}\nRapat berakhir pukul 16.00 WIB."
    assert paragraph in clean_text(article).split("\n")


def test_a_related_articles_heading_in_the_middle_ends_nothing():
    body = ("Setelah dilakukan penelusuran, informasi tersebut tidak benar dan narasi serupa diketahui pernah "
            "beredar pada tahun sebelumnya di media sosial.")
    cleaned = clean_text(f"Klaim larangan adzan di Manokwari beredar di Facebook.\nBerita terkait\n{body}")
    assert cleaned.split("\n") == ["Klaim larangan adzan di Manokwari beredar di Facebook.", body]


def test_a_related_articles_list_at_the_end_still_goes():
    cleaned = clean_text("KPU menetapkan DPT di Banjarmasin.\nBerita terkait\nKPU Gelar Rapat Pleno\nBawaslu Awasi TPS")
    assert cleaned == "KPU menetapkan DPT di Banjarmasin."


@pytest.mark.parametrize("line", [
    "Ikuti Whatsapp Channel Republika",
    ". Pastikan kamu sudah install aplikasi WhatsApp ya.",
    "Simak juga Video 'KPU Bicara soal Aturan Ijazah Capres':",
    "Selengkapnya di bagian penjelasan.",
    "Kesimpulan",
    "[PENJELASAN]:",
    "Pemilu aman. / Foto: Isya",
])
def test_furniture_lines_still_go(line):
    assert clean_text(f"KPU menggelar rapat pleno.\n{line}") == "KPU menggelar rapat pleno."


# Body sentences built from the words the furniture rules look for, so that a rule that matches a
# word instead of a whole line is caught.
FURNITURE_WORDS = ["Baca", "juga", "Simak", "Video", "Selengkapnya", "Kesimpulan", "Narasi", "Penjelasan",
                   "Referensi", "Kategori", "foto", "Foto", "dok", "Sumber", "WhatsApp", "aplikasi",
                   "Google", "News", "berita", "Berita", "iklan", "Editor", "Penulis", "Tags", "komentar",
                   "Facebook", "Twitter", "share", "Kota", "Bogor", "Jakarta", "KOMPAS.com", "-", "/", "(foto:",
                   "Budi)", "install", "channel", "Daftar", "Isi", "Cetak", "breaking"]
BODY_WORDS = ["KPU", "Bawaslu", "polisi", "warga", "mengatakan", "pemilu", "di", "TPS", "aman", "hoaks",
              "itu", "disebar", "lewat", "kata", "Kapolres", "akan", "mengumumkan", "hasil", "pada", "Maret"]
WORD = st.sampled_from(FURNITURE_WORDS + BODY_WORDS)
# A body sentence: at least six words, two of them everyday ones, starting with a capital, ending
# with a full stop: a sentence a reporter could write, not a widget.
SENTENCE = st.tuples(st.sampled_from(["Polisi", "Warga", "Ketua", "Menurut", "Selengkapnya,", "Kesimpulan:",
                                      "Narasi:", "Simak,", "Sumber:", "Foto:", "Baca juga"]),
                     st.lists(WORD, min_size=4, max_size=14),
                     st.lists(st.sampled_from(BODY_WORDS), min_size=2, max_size=4)) \
    .map(lambda t: " ".join([t[0], *t[1], *t[2]]) + ".")
FURNITURE_LINES = (["Lompat ke isi utama", "BACA JUGA: Berita lain", "Kesimpulan", "Narasi:",
                                  "ADVERTISEMENT", "[Gambas:Video 20detik]", "5555", "Sumber: Facebook",
                                  "Ikuti Whatsapp Channel Republika", "Simak juga Video 'Pemilu Aman':"])
FURNITURE_LINE = st.sampled_from(FURNITURE_LINES)


LEAD = "KPU menggelar rapat pleno. Polisi berjaga di luar gedung."  # not a headline: no dateline after it


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(SENTENCE, FURNITURE_LINE), min_size=1, max_size=8),
       st.lists(SENTENCE, min_size=1, max_size=4, unique=True))
def test_every_sentence_that_is_not_furniture_is_kept(lines, body):
    cleaned = clean_text("\n".join([LEAD, *lines, *body]))
    kept = set(cleaned.split("\n"))
    for sentence in [LEAD, *body, *(line for line in lines if line not in FURNITURE_LINES)]:
        assert sentence in kept


def test_a_url_at_the_end_of_a_sentence_leaves_the_full_stop():
    cleaned = clean_text("Daftar di https://karir.bca.co.id/karir. Pendaftaran ditutup Senin.")
    assert split_sentences(cleaned) == ["Daftar di .", "Pendaftaran ditutup Senin."]
