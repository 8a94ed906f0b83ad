from __future__ import annotations

import re

import pytest
from conftest import SEEDS, seed_text

from pemilu_nlp.errors import TextEncodingError
from pemilu_nlp.text.cleaning import (
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
    ("fact-check heading", "[KATEGORI]:"),
    ("fact-check heading", "Berikut narasi lengkapnya:"),
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


# Everyday news patterns, one row each.  "real <id>" rows are sentences from data/corpus.jsonl or
# ../shared/data/news_pool.jsonl.gz (article id given); the others are written to the pattern.
SPLITTER_CASES = [
    # a sentence that ends in a closing quote (straight, curly, after ! and ?)
    ("closing quote", '"Kami siap mengamankan pemilu." Kapolres menegaskan hal itu.',
     ['"Kami siap mengamankan pemilu."', "Kapolres menegaskan hal itu."]),
    ("closing quote after !", '"Kami siap!" Kapolres menegaskan hal itu.', ['"Kami siap!"', "Kapolres menegaskan hal itu."]),
    ("closing curly quote", "“Pemilu harus damai.” Ketua KPU menyampaikan itu.",
     ["“Pemilu harus damai.”", "Ketua KPU menyampaikan itu."]),
    ("closing curly quote after ?", "“Siapa yang menyebar hoaks?” Polisi masih menyelidiki.",
     ["“Siapa yang menyebar hoaks?”", "Polisi masih menyelidiki."]),
    ("real 03cee84071b8", 'Tentara Israel menyebutkan "menyesalkan jatuhnya korban pada orang-orang yang tidak bersalah '
     'dan berusaha untuk meminimalkan dampak serangan." Pada saat yang bersamaan, militer harus memastikan keselamatan '
     'pasukan Israel.',
     ['Tentara Israel menyebutkan "menyesalkan jatuhnya korban pada orang-orang yang tidak bersalah dan berusaha untuk '
      'meminimalkan dampak serangan."', "Pada saat yang bersamaan, militer harus memastikan keselamatan pasukan Israel."]),
    ("real 9f16d465707e", "Uni Eropa mendesak Iran dan Israel untuk “segera menghentikan aksi militer.” Rusia dan "
     "Tiongkok mengeluarkan pernyataan netral.",
     ["Uni Eropa mendesak Iran dan Israel untuk “segera menghentikan aksi militer.”",
      "Rusia dan Tiongkok mengeluarkan pernyataan netral."]),
    ("real IndoSum 1485240343: a space after the opening quote",
     'Dia akan memanfaatkan kesempatan ini dengan baik. " Tidak ada beban jika dibilang menggantikan Raphael Maitimo, '
     'karena dia adalah pemain bagus. Tetapi saya akan bermain dengan ciri saya sendiri, " tegas Hanif.',
     ["Dia akan memanfaatkan kesempatan ini dengan baik.",
      '" Tidak ada beban jika dibilang menggantikan Raphael Maitimo, karena dia adalah pemain bagus. Tetapi saya '
      'akan bermain dengan ciri saya sendiri, " tegas Hanif.']),
    ("quotation of two sentences stays whole", "“Kami siap. Semua aman,” kata Kapolres. Apel selesai.",
     ["“Kami siap. Semua aman,” kata Kapolres.", "Apel selesai."]),
    ("quote closed before a lower-case verb", '"Kami siap." kata Kapolres.', ['"Kami siap." kata Kapolres.']),
    # times
    ("time WIB", "Apel dimulai pukul 10.00 WIB. Kapolres memimpin langsung.",
     ["Apel dimulai pukul 10.00 WIB.", "Kapolres memimpin langsung."]),
    ("real 0b5aa251ed8e", "Kasi Humas Polres Nisel Aipda Apriandi Ginting mengatakan kebakaran terjadi Kamis (9/10) "
     "sekira pukul 20.30 WIB. Usai menerima informasi kejadian itu, pihaknya langsung menuju lokasi.",
     ["Kasi Humas Polres Nisel Aipda Apriandi Ginting mengatakan kebakaran terjadi Kamis (9/10) sekira pukul 20.30 WIB.",
      "Usai menerima informasi kejadian itu, pihaknya langsung menuju lokasi."]),
    ("real pool 224b8cd48eda", "Gunung Lewotobi Laki-laki kembali erupsi pada Selasa (17/6/2025) pukul 17.35 WITA. "
     "Peristiwa ini terekam di seismogram.",
     ["Gunung Lewotobi Laki-laki kembali erupsi pada Selasa (17/6/2025) pukul 17.35 WITA.",
      "Peristiwa ini terekam di seismogram."]),
    ("real 9c6b4d389617", "Kontak tembak terjadi di Kampung Pugima pada Senin (9/6), sekitar pukul 18.36 WIT. Awalnya "
     "terdengar bunyi tembakan.",
     ["Kontak tembak terjadi di Kampung Pugima pada Senin (9/6), sekitar pukul 18.36 WIT.",
      "Awalnya terdengar bunyi tembakan."]),
    ("time with colon", "Pencoblosan ditutup pukul 13:00 WIB. Penghitungan suara dimulai.",
     ["Pencoblosan ditutup pukul 13:00 WIB.", "Penghitungan suara dimulai."]),
    ("time mid-sentence", "Pukul 10.00 WIB warga mulai datang ke TPS.", ["Pukul 10.00 WIB warga mulai datang ke TPS."]),
    # list endings
    ("real 2799095b9f55", "Cuaca dingin akan berdampak meriang, flu, batuk, sesak nafas dll. Oleh Krn itu mari kita "
     "semua tingkatkan imun.",
     ["Cuaca dingin akan berdampak meriang, flu, batuk, sesak nafas dll.", "Oleh Krn itu mari kita semua tingkatkan imun."]),
    ("real 087712986537", "Ada kejadian di Salawu, Puspajaya, dll. Harus waspada.",
     ["Ada kejadian di Salawu, Puspajaya, dll.", "Harus waspada."]),
    ("real pool a8b8d1a5a90c", "Jangan sampai kelewat aksi seru Marc Marquez dkk. Berikut jadwal lengkap.",
     ["Jangan sampai kelewat aksi seru Marc Marquez dkk.", "Berikut jadwal lengkap."]),
    ("dsb. at the end", "Petugas membawa kotak suara, bilik, dsb. Semua diangkut truk.",
     ["Petugas membawa kotak suara, bilik, dsb.", "Semua diangkut truk."]),
    ("dll. inside a sentence", "Ada kertas, pena, dll. yang dibawa.", ["Ada kertas, pena, dll. yang dibawa."]),
    ("dkk. before a year", "Menurut Lubis dkk. (2020) pemilih muda bertambah.", ["Menurut Lubis dkk. (2020) pemilih muda bertambah."]),
    # bullets
    ("bullets in one line", "Syaratnya: • Membawa KTP • Membawa undangan.", ["Syaratnya:", "• Membawa KTP", "• Membawa undangan."]),
    ("real pool 2ee2e0338318", "BLT UNTUK IBU HAMIL SILAHKAN KLIK LINK YANG TERCANTUM • 9 JUTA PESERTA PENERIMA MANFAAT "
     "• CEK NAMAMU", ["BLT UNTUK IBU HAMIL SILAHKAN KLIK LINK YANG TERCANTUM", "• 9 JUTA PESERTA PENERIMA MANFAAT", "• CEK NAMAMU"]),
    ("real pool c805eb0c7fc2", "Ia membagikan lokasi di “Puncak • Cianjur”. Video itu viral.",
     ["Ia membagikan lokasi di “Puncak • Cianjur”.", "Video itu viral."]),
    ("bullet after a sentence", "Ada dua syarat. • KTP. • Undangan.", ["Ada dua syarat.", "• KTP.", "• Undangan."]),
    # abbreviations before numbers
    ("Km. before a number", "Kecelakaan terjadi di Km. 5 jalan tol. Dua orang terluka.",
     ["Kecelakaan terjadi di Km. 5 jalan tol.", "Dua orang terluka."]),
    ("Km. before a decimal", "Pos pengamanan berdiri di Km. 4,5 arah Banjarbaru.", ["Pos pengamanan berdiri di Km. 4,5 arah Banjarbaru."]),
    ("real 2799095b9f55: km. ends a sentence", "Jaraknya 90.000.000 km. Fenomena aphelion menjadi 152.000.000 km.",
     ["Jaraknya 90.000.000 km.", "Fenomena aphelion menjadi 152.000.000 km."]),
    ("month abbreviation in a date", "Pemungutan suara digelar 14 Feb. 2024 serentak.", ["Pemungutan suara digelar 14 Feb. 2024 serentak."]),
    ("month abbreviation, next sentence", "Rapat pleno 20 Okt. 2023 lancar. Hasilnya diumumkan.",
     ["Rapat pleno 20 Okt. 2023 lancar.", "Hasilnya diumumkan."]),
    ("No. before a number", "Kantor di Jl. Ahmad Yani No. 5 dijaga.", ["Kantor di Jl. Ahmad Yani No. 5 dijaga."]),
    ("address number ends a sentence", "Kantornya di Jl. A. Yani No. 1. Kapolres hadir di sana.",
     ["Kantornya di Jl. A. Yani No. 1.", "Kapolres hadir di sana."]),
    # numbered lists
    ("numbered list after a sentence", "Ada tiga hal. 1. Netralitas. 2. Keamanan.", ["Ada tiga hal.", "1. Netralitas.", "2. Keamanan."]),
    ("real c5cef4f046cb", "Hal ini disebabkan oleh dua hal. Pertama, Mahkamah Konstitusi telah menyatakannya.",
     ["Hal ini disebabkan oleh dua hal.", "Pertama, Mahkamah Konstitusi telah menyatakannya."]),
    ("list after a colon", "Kapolres menyampaikan tiga hal, yakni: 1. Netralitas ASN, 2. Keamanan TPS.",
     ["Kapolres menyampaikan tiga hal, yakni: 1. Netralitas ASN, 2. Keamanan TPS."]),
    ("real 872553a0da44", "Prabowo-Gibran masih berada di atas angin. Berikut rinciannya : 1. Indikator Suara masuk 100%",
     ["Prabowo-Gibran masih berada di atas angin.", "Berikut rinciannya : 1. Indikator Suara masuk 100%"]),
    ("list items with lower-case letters", "Syarat: a. KTP, b. Undangan.", ["Syarat: a. KTP, b. Undangan."]),
    ("a count of twelve ends a sentence", "Korban tewas berjumlah 12. Polisi masih menyelidiki.",
     ["Korban tewas berjumlah 12.", "Polisi masih menyelidiki."]),
    ("a year ends a sentence", "Pemilu digelar pada 2024. Tahapan dimulai 2022.", ["Pemilu digelar pada 2024.", "Tahapan dimulai 2022."]),
    # ranks, titles, degrees, initials (regression guards)
    ("ranks", "Kapolda Irjen Pol. Winarto hadir. Acara selesai.", ["Kapolda Irjen Pol. Winarto hadir.", "Acara selesai."]),
    ("degrees", "Ketua Hj. Rusnaillah, S.Sos., M.Si. hadir. Acara lancar.", ["Ketua Hj. Rusnaillah, S.Sos., M.Si. hadir.", "Acara lancar."]),
    ("initial", "Wakapolres Kompol M. Irfan hadir.", ["Wakapolres Kompol M. Irfan hadir."]),
    ("Drs. and Prof.", "Prof. Dr. Drs. Budi hadir. Ia berpidato.", ["Prof. Dr. Drs. Budi hadir.", "Ia berpidato."]),
    ("Rp. before a number", "Dana Rp. 5 miliar disiapkan.", ["Dana Rp. 5 miliar disiapkan."]),
    ("PT. before a name", "Kerja sama dengan PT. Pos Indonesia diteken.", ["Kerja sama dengan PT. Pos Indonesia diteken."]),
    ("numbers with dots and commas", "Sebanyak 1.000 personel dan 2,5 ton logistik dikirim. Semua aman.",
     ["Sebanyak 1.000 personel dan 2,5 ton logistik dikirim.", "Semua aman."]),
    ("date in brackets", "Rapat digelar Rabu (18/10/23). Kombes Pol. Sabana hadir.",
     ["Rapat digelar Rabu (18/10/23).", "Kombes Pol. Sabana hadir."]),
    ("domain and e-mail", "Lihat www.kpu.go.id atau email humas@kpu.go.id. Terima kasih.",
     ["Lihat www.kpu.go.id atau email humas@kpu.go.id.", "Terima kasih."]),
    ("question and exclamation", "Apa benar? Ya! Semua siap.", ["Apa benar?", "Ya!", "Semua siap."]),
    ("ellipsis", "Ia terdiam... Lalu pergi.", ["Ia terdiam...", "Lalu pergi."]),
    ("sentence in brackets", "KPU menetapkan DPT. (Baca: jadwal pemilu.) Bawaslu mengawasi.",
     ["KPU menetapkan DPT.", "(Baca: jadwal pemilu.)", "Bawaslu mengawasi."]),
    ("lower-case after a period", "Jumlahnya 5 orang. dan semua selamat.", ["Jumlahnya 5 orang. dan semua selamat."]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in SPLITTER_CASES], ids=[c[0] for c in SPLITTER_CASES])
def test_splitter_news_patterns(text, expected):
    assert split_sentences(text) == expected


def _work(monkeypatch, func, text: str) -> int:
    """Work done by ``func(text)`` in pemilu_nlp.text.cleaning: Python lines run there plus characters handed
    to its regular expressions (a search or scan over ``s[pos:endpos]`` counts that slice; an anchored
    match counts what it matched).  A deterministic cost, so linearity is tested without a clock."""
    import sys

    import pemilu_nlp.text.cleaning as module

    count = [0]

    class Counting:
        def __init__(self, pattern):
            self._p = pattern

        def __getattr__(self, name):
            attr = getattr(self._p, name)
            if name not in ("search", "match", "fullmatch", "finditer", "findall", "sub", "split"):
                return attr

            def call(*args, **kwargs):
                string = args[1] if name == "sub" else args[0]
                rest = args[2:] if name == "sub" else args[1:]
                pos = rest[0] if rest and isinstance(rest[0], int) else kwargs.get("pos", 0)
                endpos = rest[1] if len(rest) > 1 else kwargs.get("endpos", len(string))
                result = attr(*args, **kwargs)
                if name == "match":
                    count[0] += 1 + (result.end() - pos if result else 0)
                else:
                    count[0] += max(0, min(endpos, len(string)) - pos)
                return result

            return call

    filename = module.__file__

    def tracer(frame, event, arg):
        if frame.f_code.co_filename != filename:
            return None
        if event == "line":
            count[0] += 1
        return tracer

    with monkeypatch.context() as patch:  # fresh wrappers for this call, removed after it
        for key, value in list(vars(module).items()):
            if isinstance(value, re.Pattern):
                patch.setattr(module, key, Counting(value))
        for key in ("_LINE_RULES", "_TAIL_MARKERS", "_INLINE_RULES"):
            if hasattr(module, key):
                patch.setattr(module, key, [(n, Counting(rx)) for n, rx in getattr(module, key)])
        old = sys.gettrace()
        sys.settrace(tracer)
        try:
            func(text)
        finally:
            sys.settrace(old)
    return count[0]


ADVERSARIAL = {
    "abbreviation run": lambda n: "Jl. " * n + "Akhir.",
    "initials": lambda n: "A. " * n + "Akhir.",
    "quotations": lambda n: '"Kami siap." kata dia. ' * n,
    "unmatched quotes": lambda n: "“a " * n + "Akhir.",
    "numbered list": lambda n: "Ada hal. " + " ".join(f"{i % 90 + 1}. Butir," for i in range(n)),
    "continued lines": lambda n: "Awal\n" + "lanjut,\n" * n,
    "mixed news": lambda n: 'Kombes Pol. A. "Siap. Aman." Km. 5 pukul 10.00 WIB. 1. Netralitas. • Butir ' * n,
}


@pytest.mark.parametrize("kind", sorted(ADVERSARIAL))
def test_splitting_and_cleaning_do_linear_work(monkeypatch, kind):
    """Doubling adversarial input at most about doubles the work (it quadrupled: 40 KB took 21 s)."""
    make = ADVERSARIAL[kind]
    for func in (split_sentences, clean_text, tokenize):
        small = _work(monkeypatch, func, make(1500))
        large = _work(monkeypatch, func, make(3000))
        assert large <= 2.3 * small, (func.__name__, small, large)


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
