from __future__ import annotations

import re

import pytest
from conftest import SEEDS, seed_text

from pemilu_nlp.errors import TextEncodingError
from pemilu_nlp.text import (
    clean_text,
    furniture_rule,
    parse_dateline,
    read_text,
    split_sentences,
    stopwords,
    tail_marker_rule,
    tokenize,
)

# Every cleaning rule, each with a real line from a seed or from the news pool.
FURNITURE = [
    ("skip link", "Lompat ke isi utama"),
    ("related article", "BACA JUGA: Kemenkumham Sumsel Ajak Notaris Cegah Tindak Pidana Pencucian Uang"),
    ("related article", "BACA JUGA:Bentuk Desa Binaan Imigrasi, Kemenkumham Sumsel Libatkan Maysrakat dalam Pengawasan Keimigrasian"),
    ("related article", "Baca juga:"),
    ("print/e-mail widget", "Cetak \u00a0 E-mail"),
    ("scroll/advertisement", "SCROLL TO CONTINUE WITH CONTENT"),
    ("scroll/advertisement", "ADVERTISEMENT"),
    ("embedded media", "[Gambas:Video 20detik]"),
    ("separator", "= = = = ="),
    ("separator", "--"),
    ("stray counter", "5555"),
    ("stray counter", "0"),
    ("photo credit", "Kegiatan audiensi Bawaslu Kalsel dengan Kapolda Kalsel Irjen Pol Winarto di Mako Polda Kalsel Banjarbaru . Rabu, (25/9/2024) / Foto: Isya"),
    ("source line", "Sumber:"),
    ("source line", "Sumber: Facebook"),
    ("editor/author credit", "(Kontributor Pas: Ridho, Ed: Eko/Arie)"),
    ("editor/author credit", "(Ditulis oleh Moch. Marcellodiansyah)"),
    ("table of contents", "Daftar Isi"),
    ("fact-check heading", "Kesimpulan"),
    ("fact-check heading", "KATEGORI: Konten Tiruan/Imposter Content ="),
    ("app/channel promo", "Cek Berita dan Artikel yang lain di Google News"),
    ("portal widgets", "Tanyakan right-circle"),
    ("portal widgets", "Kota Banjarmasin"),
    ("portal widgets", "Berita"),
]


@pytest.mark.parametrize(("rule", "line"), FURNITURE)
def test_each_furniture_rule_drops_its_real_line(rule, line):
    assert furniture_rule(line) == rule


@pytest.mark.parametrize("line", [
    "Baca Al-Quran bersama warga binaan menjadi kegiatan rutin.",
    "Sumber daya manusia Polri terus ditingkatkan, kata Kapolda.",
    "Kesimpulan rapat itu adalah pengamanan TPS diperketat.",
    "Berita bohong itu beredar di Facebook sejak Senin.",
])
def test_body_lines_that_start_like_furniture_are_kept(line):
    assert furniture_rule(line) is None
    assert clean_text(line) == line


def test_tail_markers_drop_comment_form_and_tag_list():
    cleaned = clean_text(seed_text("003"))
    assert "Leave a reply" not in cleaned and "Akismet" not in cleaned and "You may also like" not in cleaned
    cleaned = clean_text(seed_text("001"))
    assert "Tags" not in cleaned and "BeritaPolisi" not in cleaned


def test_urls_with_tracking_parameters_are_removed():
    cleaned = clean_text(seed_text("001"))
    assert "mci.life" not in cleaned and "feed_id" not in cleaned and "https" not in cleaned


def test_trailing_credit_in_a_body_line_is_removed_and_the_sentence_kept():
    cleaned = clean_text(seed_text("000"))
    assert "Kontributor" not in cleaned
    assert "dalam menentukan arah demokrasi negara." in cleaned


def test_repeated_headline_is_kept_once():
    cleaned = clean_text(seed_text("002"))
    assert cleaned.count("Audiensi dengan Kapolda Kalsel, Bawaslu Kalsel Perkuat Koordinasi") == 1


def test_stray_counter_glued_to_the_dateline_goes_with_it():
    cleaned = clean_text(seed_text("000"))
    assert cleaned.splitlines()[1].startswith("Dalam upaya meningkatkan sinergi")
    assert "5555" not in cleaned and "Cetak" not in cleaned


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_cleaning_keeps_every_body_sentence(path):
    raw = path.read_text("utf-8")
    cleaned = clean_text(raw, drop_dateline=False)
    for line in raw.splitlines():
        line = " ".join(line.split())
        if tail_marker_rule(line):
            break
        line = re.sub(r" \(Kontributor[^)]*\)$", "", line)  # the trailing-credit rule
        if len(line) > 80 and not furniture_rule(line) and "http" not in line:
            assert line in cleaned


def test_clean_text_rejects_bytes_and_non_strings():
    with pytest.raises(TypeError, match="decode"):
        clean_text(b"KPU")
    with pytest.raises(TypeError, match="int"):
        clean_text(3)


def test_read_text_names_the_file_for_wrong_encoding(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Pemilu di Kecamatan Cañar".encode("latin-1"))
    with pytest.raises(TextEncodingError, match="latin1.txt.*UTF-8"):
        read_text(path)


# --- datelines on every seed ------------------------------------------------------------------
@pytest.mark.parametrize(("seed", "place", "outlet", "date"), [
    ("000", "Banjarmasin", "Humas_Info", (12, 2, 2024)),
    ("001", "Tanah Laut", None, (10, 11, None)),
    ("002", "Banjarbaru", "Bawaslu Kalsel", (25, 9, 2024)),
    ("003", "BANJARMASIN", "REPORTASE9.COM", (18, 10, 2023)),
    ("004", "INFORIAL", "PALPOS.ID", (9, 2, None)),
])
def test_dateline_of_every_seed(seed, place, outlet, date):
    dateline = parse_dateline(seed_text(seed))
    assert (dateline.place, dateline.outlet) == (place, outlet)
    assert (dateline.day, dateline.month, dateline.year) == date


def test_dateline_weekday_with_time_of_day():
    assert parse_dateline(seed_text("001")).date_text == "jumat sore (10/11)"


def test_hyphenated_word_is_not_a_dateline():
    dateline = parse_dateline("Pengamanan Lapas Se-Kalsel diperketat menjelang pemungutan suara.")
    assert dateline.place is None


# --- sentences ----------------------------------------------------------------------------------
def test_split_seed_paragraph_with_ranks_degrees_and_abbreviations():
    paragraph = seed_text("001").splitlines()[2]
    assert split_sentences(paragraph) == [
        "Kegiatan dihadiri langsung oleh Kapolres Tanah Laut AKBP Rofikoh Yunianto, S.I.K., Ketua KPU "
        "Kabupaten Tanah Laut, Ketua Bawaslu Kabupaten Tanah, diikuti oleh Wakapolres Tanah Laut Kompol "
        "M. Irfan, S.H.,M.H., Pejabat Utama Polres Tanah Laut serta Para Kapolsek jajaran Polres Tanah "
        "Laut dan Seluruh Ketua Partai Politik Se Kabupaten Tanah Laut."
    ]


def test_split_seed_paragraph_with_a_quotation_of_two_sentences():
    paragraph = next(line for line in seed_text("003").splitlines() if "Semoga sinergitas" in line)
    assert split_sentences(paragraph) == [
        "“Semoga sinergitas KPU dan Polresta terus terjalin erat. Sebelumnya terimakasih banyak kepada "
        "Kapolresta atas atensinya kepada KPU Kota Banjarmasin,” ucapnya."
    ]


def test_split_seed_paragraph_with_two_sentences_and_a_date():
    paragraph = next(line for line in seed_text("002").splitlines() if line.startswith("Sementara itu"))
    assert split_sentences(paragraph) == [
        "Sementara itu Kapolda Kalsel Irjen Pol Winarto juga menyambut baik koordinasi yang sudah terjalin "
        "dengan jajaran Bawaslu Kalsel selama ini .",
        "Oleh karena itu Kapolda berharap sinergi antara Bawaslu dan jajaran Polda terus terus lebih baik "
        ",apalagi dalam tahapan Pilkada yang berlangsung saat ini.",
    ]


def test_split_seed_whole_article_counts_and_boundaries():
    sentences = split_sentences(clean_text(seed_text("000")))
    assert sentences[1].endswith("pada Senin (12/02/2024).")
    assert sentences[2].startswith("Disambut hangat langsung oleh Kapolda Kalsel, Irjen Pol Winarto")
    assert len(sentences) == 9


@pytest.mark.parametrize(("text", "expected"), [
    ("Kapolda Irjen Pol. Winarto hadir. Acara selesai.", ["Kapolda Irjen Pol. Winarto hadir.", "Acara selesai."]),
    ("Sebanyak 1.000 personel dan 2,5 ton logistik dikirim. Semua aman.",
     ["Sebanyak 1.000 personel dan 2,5 ton logistik dikirim.", "Semua aman."]),
    ("Kantor di Jl. Ahmad Yani No. 5 Kab. Banjar dijaga. Kec. Martapura aman.",
     ["Kantor di Jl. Ahmad Yani No. 5 Kab. Banjar dijaga.", "Kec. Martapura aman."]),
    ("Lihat www.kpu.go.id atau email humas@kpu.go.id. Terima kasih.",
     ["Lihat www.kpu.go.id atau email humas@kpu.go.id.", "Terima kasih."]),
    ("Ada kertas, pena, dll. yang dibawa. Apa benar? Ya!", ["Ada kertas, pena, dll. yang dibawa.", "Apa benar?", "Ya!"]),
    ("Ketua Hj. Rusnaillah, S.Sos., M.Si. hadir.\nacara berjalan lancar.",
     ["Ketua Hj. Rusnaillah, S.Sos., M.Si. hadir. acara berjalan lancar."]),
    ("Rapat digelar Rabu (18/10/23). Kombes Pol. Sabana hadir.", ["Rapat digelar Rabu (18/10/23).", "Kombes Pol. Sabana hadir."]),
])
def test_splitter_cases(text, expected):
    assert split_sentences(text) == expected


def test_split_every_seed_without_losing_text():
    for path in sorted(SEEDS.glob("*.txt")):
        cleaned = clean_text(path.read_text("utf-8"))
        sentences = split_sentences(cleaned)
        assert sentences and all(s.strip() == s and s for s in sentences)
        assert "".join(cleaned.split()) == "".join("".join(sentences).split())


# --- tokens --------------------------------------------------------------------------------------
def test_tokenize_lowercases_keeps_reduplication_and_drops_stopwords():
    assert tokenize("Anak-anak Polres DAN Polsek yang hadir") == ["anak-anak", "polres", "polsek", "hadir"]
    assert "dan" in tokenize("Polres dan Polsek", remove_stopwords=False)


def test_stopword_list_is_the_shipped_one():
    words = stopwords()
    assert len(words) > 700 and {"yang", "dan", "di"} <= words


def test_is_blank_sees_through_invisible_format_characters():
    from pemilu_nlp.inputs import is_blank

    for blank in ("", " \n\t", "\u200b", "\ufeff\u00a0", "\u200e\u200f\u2066", "\u00ad", "\u2800"):
        assert is_blank(blank), repr(blank)
    for visible in ("a", "\u200bKPU", " . ", "٣"):
        assert not is_blank(visible), repr(visible)
