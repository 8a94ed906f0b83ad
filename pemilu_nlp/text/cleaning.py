"""Cleaning, dateline parsing, sentence splitting and tokenising of scraped Indonesian news.

Scraped articles carry site furniture (menus, "BACA JUGA" links, share widgets, comment forms,
photo credits) that hurts both topic models and summaries.  The rules that remove it are data
(:data:`LINE_RULES`, :data:`TAIL_MARKERS`, :data:`INLINE_RULES`), so that a new site is one more
pattern, and each rule is tested on a real line.  The trade-off: line rules only drop whole lines
that look like furniture, so a body sentence is never cut in half; furniture glued into a body
line survives unless an inline rule knows it.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import TextEncodingError

__all__ = [
    "ABBREVIATIONS",
    "ABBREVIATIONS_BEFORE_NUMBER",
    "Dateline",
    "clean_text",
    "parse_dateline",
    "read_text",
    "split_sentences",
    "stopwords",
    "strip_dateline",
    "text_for_model",
    "tokenize",
    "word_tokens",
]

# ---------------------------------------------------------------------------------------------
# Cleaning rules.  Each entry: (name, pattern).  A LINE_RULE drops a whole line that matches
# (re.fullmatch after stripping); a TAIL_MARKER drops its line and everything after it; an
# INLINE_RULE is replaced by a space inside a line.
# ---------------------------------------------------------------------------------------------
LINE_RULES: list[tuple[str, str]] = [
    ("skip link", r"(?i)lompat ke (isi|konten) utama|skip to (main )?content"),
    # "Baca juga" alone, or with a colon and the linked title; "Baca juga buku panduan …" is a sentence
    ("related article", r"(?i)baca(\s+(juga|pula))?\s*(:.*)?"),
    ("print/e-mail widget", r"(?i)(cetak|print)\s*(e-?mail)?|e-?mail"),
    ("share widget", r"(?i)(bagikan|share|tweet|facebook|twitter|whatsapp|telegram|linkedin|copy link)"
                     r"(\s*(ke|to|this|artikel( ini)?))?\s*:?"),
    ("scroll/advertisement", r"(?i)scroll to continue with content|advertisement|iklan|sponsored"),
    ("embedded media", r"\[Gambas:[^\]]*\]"),
    ("separator", r"[-=_*~•·.\s]+"),
    ("stray counter", r"\d{1,5}"),
    # a caption line that ends in its credit ("… / Foto: Isya", "… (Foto: Dok. Polres)"); a credit in
    # the middle of a sentence ("… di TPS (foto: Budi). Warga aman") is not a caption
    ("photo credit", r"(?i).{0,200}?(?:[/|]\s*(?:foto|photo|dok\.?|dokumentasi|ilustrasi)\s*:[^/|()]{0,60}"
                     r"|\(\s*(?:foto|photo|dok\.?|dokumentasi|ilustrasi)\s*:[^()]{0,60}\)[\s.]*)"),
    # a credit of at most five words; "Sumber: polisi mengatakan …" is a sentence
    ("photo line", r"(?i)\(?(foto|photo|ilustrasi|dok\.?)\s*:\s*(?=.{0,80}$)(\S+(\s+\S+){0,4})?"),
    ("source line", r"(?i)sumber\s*:\s*(?=.{0,60}$)(\S+(\s+\S+){0,4})?"),
    ("editor/author credit", r"(?i)\(?((kontributor|editor|penulis|reporter|pewarta)\b[^:]{0,20}:|ditulis oleh\b|hasil periksa fakta\b).{0,60}"),
    ("table of contents", r"(?i)daftar isi"),
    # a heading alone; "Kesimpulan: klaim itu hoaks." carries the verdict and is kept
    ("fact-check heading", r"(?i)\[?(kesimpulan|penjelasan|narasi|referensi|pemeriksaan fakta"
                           r"|kategori|berikut narasi lengkapnya|unggahan disertai narasi)\]?\s*:?"),
    # prompts to read or watch more; "Selengkapnya, KPU akan mengumumkan …" is a sentence and is kept
    ("read-more prompt", r"(?i)simak( juga)?\s*(video\b|:|[\"'‘“]).{0,160}|simak\W*"
                         r"|simak (berita|informasi|ulasan|rangkuman|selengkapnya)\w*\b[^.!?]{0,80}[.!?:]*"
                         r"|simak\b.{0,120}\bhalaman (selanjutnya|berikut\w*)\W*"
                         r"|(berita |info )?selengkapnya\s*((baca|terdapat|ada|simak|klik|lihat|di|pada)\b.{0,80}|:)?"
                         r"|berita pilihan|breaking news"),
    # "Ikuti WhatsApp Channel …", "Cek berita … di Google News", "Pastikan kamu sudah install aplikasi …";
    # "Hoaks itu disebar lewat aplikasi WhatsApp, kata Kapolres." is a sentence and is kept
    ("app/channel promo", r"(?i)(\W*|loading\.*)(ikuti|follow|gabung|bergabung(lah)?)\b.{0,40}"
                          r"(whatsapp channel|saluran whatsapp|google news|channel telegram)\b.{0,40}"
                          r"|(cek|baca|simak|ikuti|dapatkan)\b.{0,60}\b(di|ke|via) google news\W*"
                          r"|\W*pastikan (kamu|anda) sudah (install|instal|unduh|download) aplikasi\s+\w+( ya)?\W*"),
    ("portal widgets", r"(?i)toast|news|media sosial|lokasi bawaslu provinsi|tanya|konsultasi"
                       r"|hukum kepemiluan|tanyakan( right-circle)?|berita|tags?|kota [A-Z]\w+"),
]
TAIL_MARKERS: list[tuple[str, str]] = [
    ("tag list", r"(?i)tags?\s*:?"),
    ("comment form", r"(?i)comments?|leave a (reply|comment)|tinggalkan (balasan|komentar)"
                     r"|alamat email anda tidak akan dipublikasikan.*"),
    ("more articles", r"(?i)you may also like|artikel terkait|berita terkait|related posts?"),
]
INLINE_RULES: list[tuple[str, str]] = [
    # a full stop or comma after a URL ends the sentence, it is not part of the URL
    ("url", r"(?i)\b(?:https?://|www\.)(?:[^\s<>\"”]*[^\s<>\"”.,;:!?])?"),
    ("separator prefix", r"^(?:=\s*){3,}"),
    # (?<!\s): a match starts only where a whitespace run starts, so a long run is scanned once
    ("trailing credit", r"(?i)(?<!\s)\s*\((?:kontributor|editor|ed|penulis|reporter|pewarta|foto|dok)\b[^()]{0,80}\)\s*$"),
]
_LINE_RULES = [(name, re.compile(p)) for name, p in LINE_RULES]
_TAIL_MARKERS = [(name, re.compile(p)) for name, p in TAIL_MARKERS]
_INLINE_RULES = [(name, re.compile(p)) for name, p in INLINE_RULES]
#: A substring an inline rule's match must contain: lines without it skip the regex (speed only).
_INLINE_HINTS = {"url": ("http", "HTTP", "www.", "WWW."), "separator prefix": ("=",), "trailing credit": (")",)}

# Zero-width characters: a zero-width space (U+200B) and a non-joiner (U+200C) separate words, so
# they become a space ("dan\u200cdua" is two words); a word joiner (U+2060) and a BOM (U+FEFF)
# join, so they go; a zero-width joiner (U+200D) stays: it holds emoji sequences together.
_ZERO_WIDTH_BREAK = re.compile("[\u200b\u200c]")
_ZERO_WIDTH_JOIN = re.compile("[\u2060\ufeff]")
_SPACE_CHARS = re.compile(r"[ \t\x0b\x0c\x1c-\x1f\x85\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# blank lines as (spaces, newline) units: "\n+\s*" made a long run of newlines backtrack quadratically
_DETIK_DATELINE = re.compile(r"(?m)^([A-Z][A-Za-z .]{1,40})\n(?:[^\S\n]*\n)*[^\S\n]*-\s*\n+")


def _check_str(text: object, name: str = "text") -> str:
    if isinstance(text, bytes | bytearray):
        raise TypeError(f"{name} must be str, got bytes: decode it first (pemilu_nlp.read_text does UTF-8)")
    if not isinstance(text, str):
        raise TypeError(f"{name} must be str, got {type(text).__name__}")
    return text


def normalize_whitespace(text: str) -> str:
    """NFC-normalise, turn zero-width spaces into spaces and drop joiners (not U+200D, which holds
    emoji together), unify spaces and line ends."""
    if not text.isascii():  # the checks below are C-speed; most news is ASCII or already NFC
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        text = _ZERO_WIDTH_JOIN.sub("", _ZERO_WIDTH_BREAK.sub(" ", text))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _SPACE_CHARS.sub(" ", text)


def furniture_rule(line: str) -> str | None:
    """Name of the line rule that marks ``line`` as furniture, or ``None`` if it is content."""
    stripped = line.strip()
    if not stripped:
        return None
    for name, rx in _LINE_RULES:
        if rx.fullmatch(stripped):
            return name
    return None


def tail_marker_rule(line: str) -> str | None:
    """Name of the tail marker that ends the article body at ``line``, or ``None``."""
    stripped = line.strip()
    for name, rx in _TAIL_MARKERS:
        if rx.fullmatch(stripped):
            return name
    return None


def clean_text(raw: str, *, drop_dateline: bool = True) -> str:
    """Strip site furniture from a scraped article and return its body, one paragraph a line.

    Every body sentence is kept: a line rule drops a line only when the whole line is furniture,
    and a dateline is stripped only at the start of the article.  Repeated lines (a headline
    printed twice) are kept once.

    >>> clean_text("Lompat ke isi utama\\nJakarta - KPU menetapkan DPT.\\nBACA JUGA: Lain\\n5555")
    'KPU menetapkan DPT.'
    """
    return "\n".join(_clean_lines(_check_str(raw, "raw"), drop_dateline, None))


def text_for_model(text: str, *, clean: bool = True) -> str:
    """What every model reads: the cleaned text, or, when cleaning leaves nothing (an article that
    is all headings and furniture to the rules), the whole text whitespace-normalised.  One
    fallback rule, so TF-IDF, IndoBERT and the summarisers never read an empty string."""
    if clean:
        cleaned = clean_text(text)
        if cleaned.strip():
            return cleaned
    return normalize_whitespace(_check_str(text))


def cleaning_removals(raw: str, *, drop_dateline: bool = True) -> list[tuple[str, str]]:
    """What :func:`clean_text` removes from ``raw``: ``(rule name, removed text)`` in order, one
    entry per line a line rule drops, per inline match, per line after a tail marker (named
    ``"<marker> (after)"``), per repeated line and for the dateline.  For auditing the rules."""
    removed: list[tuple[str, str]] = []
    _clean_lines(_check_str(raw, "raw"), drop_dateline, removed)
    return removed


def _inline(line: str, record: list[tuple[str, str]] | None) -> str:
    for name, rx in _INLINE_RULES:
        if any(h in line for h in _INLINE_HINTS.get(name, ("",))):
            if record is not None:
                record.extend((name, m.group().strip()) for m in rx.finditer(line) if m.group().strip())
            line = rx.sub(" ", line)
    if "  " in line:
        line = re.sub(r" {2,}", " ", line)
    return line.strip()


def _is_paragraph(line: str) -> bool:
    """A line of running text: at least 15 words, ending as a sentence ends."""
    return line.rstrip(" \"”’')").endswith((".", "!", "?")) and len(line.split()) >= 15


def _body_after(lines: list[str]) -> list[bool]:
    """For each line, whether a paragraph of running text follows it: a tail marker ("Berita
    terkait", "Tags") in the middle of an article ends nothing (one pass from the end: linear)."""
    after = [False] * len(lines)
    seen = False
    for i in range(len(lines) - 1, -1, -1):
        after[i] = seen
        seen = seen or _is_paragraph(lines[i])
    return after


def _clean_lines(raw: str, drop_dateline: bool, record: list[tuple[str, str]] | None) -> list[str]:
    """The kept lines of ``raw``; each removal is appended to ``record`` when it is a list."""
    text = _DETIK_DATELINE.sub(r"\1 - ", normalize_whitespace(raw), count=1)
    kept: list[str] = []
    seen: set[str] = set()
    lines = text.split("\n")
    body_after = _body_after(lines)
    for i, line in enumerate(lines):
        line = _inline(line, record)
        if not line:
            continue
        marker = tail_marker_rule(line)
        if marker and not body_after[i]:
            if record is not None:
                record.append((marker, line))
                record.extend((f"{marker} (after)", rest) for rest in map(str.strip, lines[i + 1:]) if rest)
            break
        rule = marker or furniture_rule(line)  # a marker with body text after it: only its line goes
        key = line.casefold()
        if rule is None and key in seen and len(line.split()) >= 3:
            rule = "repeated line"
        if rule is not None:
            if record is not None:
                record.append((rule, line))
            continue
        seen.add(key)
        kept.append(line)
    if drop_dateline:
        _strip_dateline_lines(kept, record)
    return kept


def read_text(path: str | Path) -> str:
    """Read a UTF-8 text file (gzipped if its name ends in ``.gz``); a file in another encoding
    gets a :class:`TextEncodingError`."""
    data = Path(path).read_bytes()
    if str(path).lower().endswith(".gz"):
        import gzip

        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as err:
            raise TextEncodingError(f"{path}: not a readable gzip file ({err})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise TextEncodingError(
            f"{path}: not valid UTF-8 (byte {err.start}: {data[err.start:err.start + 1]!r}); "
            "re-save the file as UTF-8"
        ) from None


# ---------------------------------------------------------------------------------------------
# Datelines
# ---------------------------------------------------------------------------------------------
_WEEKDAYS = "senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad"
_MONTHS = {
    "januari": 1, "februari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
    "agustus": 8, "september": 9, "oktober": 10, "november": 11, "desember": 12,
}
_DATELINE = re.compile(
    r"^\s*\d{0,4}(?P<place>[A-Z][A-Za-z.'’ ]{1,40}?)"
    r"(?:\s*,\s*(?P<outlet>[^,\n\-–—]{2,40}?))?"
    r"(?P<dash>\s*(?:[-–—]\s*){1,2})(?=\S)"
)
_NUMERIC_DATE = re.compile(
    rf"(?i)\b(?P<weekday>{_WEEKDAYS})\b(?:\s+(?:pagi|siang|sore|malam|dini hari))?\s*,?\s*"
    r"\(\s*(?P<day>\d{1,2})/(?P<month>\d{1,2})(?:/(?P<year>\d{2}|\d{4}))?\s*\)"
)
_WORD_DATE = re.compile(
    rf"(?i)(?:\b(?P<weekday>{_WEEKDAYS})\b\s*,?\s*)?\b(?P<day>\d{{1,2}})\s+(?P<month>{'|'.join(_MONTHS)})"
    r"\s+(?P<year>\d{4})\b"
)


#: what starts an article body after its dateline: a capital, a digit or an opening quote
_STARTS_ARTICLE = re.compile(r"[\"“‘'(\[]*[A-Z0-9]")
#: a web outlet's name ("KOMPAS.com", "TEMPO.CO") or one written in capitals ("JAKARTA, ANTARA")
_WEB_OUTLET = re.compile(r"\.(?:com|co|id|net)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Dateline:
    """Where and when an article was filed, as far as its first lines say."""

    place: str | None = None
    outlet: str | None = None
    weekday: str | None = None
    day: int | None = None
    month: int | None = None
    year: int | None = None
    date_text: str | None = None


def _capitalised(words: str) -> bool:
    return all(w[0].isupper() or w[0].isdigit() for w in words.replace(",", " ").replace("(", " ").split())


def _dateline_match(line: str) -> re.Match[str] | None:
    match = _DATELINE.match(line)
    if not match:
        return None
    place = match.group("place").strip()
    outlet = (match.group("outlet") or "").strip()
    # A dateline place is a name of at most four words, not the start of a sentence.
    if len(place.split()) > 4 or place.endswith("."):
        return None
    # "Se-Kalsel" is a word, not a dateline: without an outlet the dash needs a space beside it.
    dash = match.group("dash")
    if not outlet and dash.strip() == dash:
        return None
    # Names are capitalised ("Dalam rapat itu, tiba-tiba" is a sentence) and the article starts
    # after the dash ("Ketua Bawaslu, Rahmat Bagja - yang ditemui …" is a sentence with a dash).
    if not (_capitalised(place) and _capitalised(outlet)) or not _STARTS_ARTICLE.match(line, match.end()):
        return None
    # An outlet is a name of at most four words too ("Polda Riau Tanam 79 Pohon-Pohon" is a title).
    if len(outlet.split()) > 4 or ":" in outlet:
        return None
    # A dash glued on both sides ("RI-Rusia") needs a web outlet or a name in capitals:
    # "TEMPO.CO,Jakarta-Ketua …", "JAKARTA-Ketua …"
    if dash.strip() == dash and not (_WEB_OUTLET.search(f"{place} {outlet}") or place.isupper()
                                     or (outlet and outlet.isupper())):
        return None
    return match


def parse_dateline(text: str) -> Dateline:
    """Find the place and outlet at the start of an article and the first date it gives.

    >>> d = parse_dateline("BANJARMASIN, REPORTASE9.COM – KPU menjalin sinergi, Rabu (18/10/23) pagi.")
    >>> (d.place, d.outlet, d.weekday, d.day, d.month, d.year)
    ('BANJARMASIN', 'REPORTASE9.COM', 'Rabu', 18, 10, 2023)
    """
    text = normalize_whitespace(_check_str(text))
    text = _DETIK_DATELINE.sub(r"\1 - ", text, count=1)
    place = outlet = None
    for line in [ln for ln in text.split("\n") if ln.strip()][:12]:
        match = _dateline_match(line)
        if match:
            place = match.group("place").strip()
            outlet = (match.group("outlet") or "").strip() or None
            break
    head = text[:3000]
    date = _NUMERIC_DATE.search(head)
    if date:
        year = date.group("year")
        year_n = None if year is None else int(year) + (2000 if len(year) == 2 else 0)
        return Dateline(place, outlet, date.group("weekday"), int(date.group("day")),
                        int(date.group("month")), year_n, date.group(0).strip())
    date = _WORD_DATE.search(head)
    if date:
        return Dateline(place, outlet, date.group("weekday"), int(date.group("day")),
                        _MONTHS[date.group("month").lower()], int(date.group("year")),
                        date.group(0).strip())
    return Dateline(place, outlet)


def strip_dateline(text: str) -> str:
    """Remove a leading "Place, Outlet -" dateline from the start of the article."""
    lines = text.split("\n")
    _strip_dateline_lines(lines, None)
    return "\n".join(lines)


def _is_headline(line: str) -> bool:
    """A title line: at most 20 words, no full stop inside."""
    return len(line.split()) <= 20 and ". " not in line.rstrip("\"”’')")


def _strip_dateline_lines(lines: list[str], record: list[tuple[str, str]] | None) -> None:
    """Strip a dateline at the start of the article: its first line, or the line after one or two
    headlines (a headline that ends in a full stop only before a web outlet's dateline)."""
    stop = False  # a headline before ended in a full stop
    for i in range(min(3, len(lines))):
        match = _dateline_match(lines[i])
        if match and not (stop and not _WEB_OUTLET.search(match.group())):
            if record is not None:
                record.append(("dateline", lines[i][:match.end()].strip()))
            lines[i] = lines[i][match.end():].lstrip()
            return
        if not _is_headline(lines[i]):
            return
        stop = stop or lines[i].rstrip("\"”’')").endswith(".")


# ---------------------------------------------------------------------------------------------
# Sentence splitting
# ---------------------------------------------------------------------------------------------
#: Tokens after which a period does not end a sentence (compared case-insensitively).
ABBREVIATIONS = frozenset({
    # ranks and offices (Polri, TNI, civil)
    "pol", "irjen", "brigjen", "kombes", "akbp", "kompol", "akp", "iptu", "ipda", "aiptu", "aipda",
    "bripka", "brigpol", "briptu", "bripda", "jenderal", "jend", "letjen", "mayjen", "kol", "kolonel",
    "letkol", "mayor", "kapt", "lettu", "letda", "serka", "serma", "sertu", "kopda", "praka", "inf",
    "kav", "mar", "purn", "ir", "drs", "dra", "dr", "drg", "prof", "hj", "h", "kh", "ust", "ustadz",
    "sdr", "sdri", "bpk", "ibu", "yth", "an", "u.b",
    # degrees (parts after splitting on ".")
    "s.h", "m.h", "s.i.k", "s.ik", "s.sos", "m.si", "s.e", "m.m", "s.pd", "m.pd", "s.t", "m.t",
    "s.kom", "s.ip", "m.ip", "s.ag", "m.ag", "s.kep", "s.psi", "m.kn", "s.stp", "m.ap", "ph.d",
    "lc", "mba", "msc", "sos", "kom", "ag", "pd", "kn",
    # places and references
    "no", "nomor", "jl", "jln", "kab", "kec", "kel", "ds", "prov", "rt", "rw", "tel", "telp",
    "tlp", "fax", "pt", "cv", "kp", "gg", "blok",
    # Latin and other short forms (list endings such as "dll." are in ABBREVIATIONS_BEFORE_NUMBER)
    "sbb", "yg", "vs", "st", "sd", "smp", "sma", "mr", "mrs",
    "ms", "rp", "plt", "plh", "pj", "pjs", "ps", "kb", "pkl", "tgl", "sk", "nrp",
    "nip", "dsn", "ny", "tn", "kpt", "bp", "sek", "sekr", "ttd",
})
#: Abbreviations that hold only before a number ("Km. 5", "14 Feb. 2024", "hlm. 3"); before a
#: capital they end the sentence ("…sejauh 90 km. Fenomena…", "…flu, batuk, dll. Oleh karena itu…").
ABBREVIATIONS_BEFORE_NUMBER = frozenset({
    "km", "hlm", "psl", "dll", "dsb", "dst", "dkk", "tsb", "etc",
    "jan", "feb", "apr", "jun", "jul", "agu", "agt", "ags", "aug", "sep", "sept", "okt", "oct", "nov", "des", "dec",
})
_ANY_ABBREVIATION = ABBREVIATIONS | ABBREVIATIONS_BEFORE_NUMBER
_QUOTE_OPEN_CLOSE = {"“": "”", '"': '"', "«": "»"}
_QUOTE_OPEN = re.compile('["“«]')
#: A run of sentence-final marks and the closing quotes/brackets after it.  Greedy with nothing
#: after it that can fail, so the scan never backtracks: linear however long the run.
_TERMINATOR = re.compile(r"[.?!…]+[\"”’')\]]*|(?<=\s)[•●▪‣◦]")  # or a bullet after a space
_BULLETS = "•●▪‣◦"
_CLOSERS = "\"”’')]"
_GAP = re.compile(r"[\s\"“‘'(\[]*")
_STARTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_LIST_MARKER = re.compile(r"\(?(\d{1,2}|[a-zA-Z]|[ivxIVX]{1,4})\)?")
_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.")
_BEFORE_TOKEN = frozenset("(\"“'‘,")
#: Longest token looked at before a period: no abbreviation is longer, and the bound keeps each
#: check constant-time (a quadratic rescan of the sentence so far made 40 KB take 21 s).
_MAX_TOKEN = 24


def _quote_spans(paragraph: str) -> tuple[list[int], list[int]]:
    """Starts and ends of balanced quotations (sorted, not overlapping); an unmatched quote opens none."""
    closers: dict[str, list[int]] = {}
    for close in set(_QUOTE_OPEN_CLOSE.values()):
        positions, i = [], paragraph.find(close)
        while i != -1:
            positions.append(i)
            i = paragraph.find(close, i + 1)
        closers[close] = positions
    starts: list[int] = []
    ends: list[int] = []
    resume = 0
    for match in _QUOTE_OPEN.finditer(paragraph):
        start = match.start()
        if start < resume:  # inside the last quotation (or its closing quote)
            continue
        positions = closers.get(_QUOTE_OPEN_CLOSE[match.group()], [])
        k = bisect.bisect_right(positions, start)
        if k == len(positions):
            continue
        starts.append(start)
        ends.append(positions[k])
        resume = positions[k] + 1
    return starts, ends


def _token_before(paragraph: str, dot: int, floor: int) -> str | None:
    """The word (letters and inner dots) that ends just before ``paragraph[dot]``, if it starts
    the sentence or follows a space, bracket, quote or comma; at most :data:`_MAX_TOKEN` long."""
    low = dot - _MAX_TOKEN - 1
    if low < floor:
        low = floor
    i = dot
    while i > low and paragraph[i - 1] in _TOKEN_CHARS:
        i -= 1
    if i == dot or not paragraph[i].isalpha():
        return None
    if i > floor and not (paragraph[i - 1].isspace() or paragraph[i - 1] in _BEFORE_TOKEN):
        return None  # too long, or glued to a digit or symbol ("5km.")
    return paragraph[i:dot]


#: nouns after which a capital letter is a label, not an initial: "huruf A. Itu …", "Grup B. Timnas …"
LABEL_NOUNS = frozenset({
    "huruf", "kelas", "grup", "group", "golongan", "tipe", "type", "vitamin", "blok", "zona", "poin", "opsi",
    "pilihan", "kategori", "level", "tahap", "gelombang", "seri", "model", "varian", "bagian", "kelompok",
    "kode", "nilai", "peringkat", "rangking", "ranking", "pool", "sektor", "lampiran", "paket", "sesi",
})
_NEXT_WORD = re.compile(r"[A-Za-z]+")


def _letter_ends_sentence(paragraph: str, dot: int, start: int, nxt: int) -> bool:
    """Whether the capital letter before ``paragraph[dot]`` is a label that ends its sentence ("huruf
    A. Itu …": a label noun before it, or a stopword after it), not an initial ("M. Irfan").  Looks
    at one word on each side, at most :data:`_MAX_TOKEN` characters."""
    following = _NEXT_WORD.match(paragraph, nxt, nxt + _MAX_TOKEN)
    if following and following.group().lower() in stopwords():
        return True
    i = dot - 1
    while i > start and dot - i < 4 and paragraph[i - 1] == " ":
        i -= 1
    k = i
    while k > start and i - k <= _MAX_TOKEN and paragraph[k - 1].isalpha():
        k -= 1
    return paragraph[k:i].lower() in LABEL_NOUNS


def _is_abbreviation(token: str, before_number: bool) -> bool:
    low = token.lower()
    if low in ABBREVIATIONS or (before_number and low in ABBREVIATIONS_BEFORE_NUMBER):
        return True
    if len(token) == 1 and token.isupper():  # an initial: "M. Irfan"
        return True
    parts = low.split(".")
    # Dotted short forms: S.I.K, M.H, Ph.D, a.n.  (not domains: "kpu.go.id" has a longer part)
    return len(parts) > 1 and all(0 < len(p) <= 2 for p in parts)


def _list_item_before(paragraph: str, dot: int, floor: int) -> tuple[int, int] | None:
    """``(ordinal, start)`` of a list label standing alone just before ``paragraph[dot]``: a one- or
    two-digit number (``12.``) or one lower-case letter (``b.`` is 2)."""
    i = dot
    while i > floor and dot - i < 3 and paragraph[i - 1].isdigit():
        i -= 1
    if i == dot and i > floor and "a" <= paragraph[i - 1] <= "z":
        i -= 1
    if i == dot or dot - i > 2 or not paragraph[i:dot].isascii() or (i > floor and not paragraph[i - 1].isspace()):
        return None
    label = paragraph[i:dot]
    return (int(label) if label.isdigit() else ord(label) - ord("a") + 1), i


def _inline_list_item(paragraph: str, dot: int, start: int, last_marker: int) -> tuple[int, int | None] | None:
    """A list number whose dot is not a sentence end: ``(its value, where a sentence starts at it
    or None)``; ``None`` when the dot at ``dot`` is no such list item."""
    number = _list_item_before(paragraph, dot, start)
    if number is None:
        return None
    value, at = number
    head = paragraph[start:at] if at - start <= _MAX_TOKEN else "x"
    if not head.strip():  # "1. Pertama" at the start of a sentence
        return value, None
    i = at
    while i > start and paragraph[i - 1].isspace():
        i -= 1
    prev = paragraph[i - 1]
    after_end = prev in ".!?" and not (
        prev == "." and (t := _token_before(paragraph, i - 1, start)) is not None
        and t.lower() in _ANY_ABBREVIATION)
    if (value == 1 and (prev in ":;" or after_end)) or (last_marker and value == last_marker + 1):
        # a list item inside the running text: "berikut: 1. Netralitas ASN, 2. …"
        return value, (at if after_end else None)
    return None


def _split_paragraph(paragraph: str) -> list[str]:
    """Sentences of one paragraph.  Every step looks at a bounded window around one candidate
    boundary (or at a run it consumes once), so the whole split is linear in the paragraph."""
    starts, ends = _quote_spans(paragraph)
    n = len(paragraph)
    sentences: list[str] = []
    start = 0
    last_marker = 0  # the last list number seen ("1." … "2."), 0 if none

    def emit(stop: int) -> None:
        sentence = paragraph[start:stop].strip()
        if sentence:
            sentences.append(sentence)

    for match in _TERMINATOR.finditer(paragraph):
        dot, end = match.start(), match.end()
        if paragraph[dot] in _BULLETS:  # a bullet starts a sentence, unless it is inside a quotation
            q = bisect.bisect_right(starts, dot) - 1
            if not (q >= 0 and starts[q] < dot < ends[q]):
                emit(dot)
                start = dot
            continue
        if end >= n or not paragraph[end].isspace():
            continue
        # spaces and opening quotes/brackets, then a capital or digit ('" Tidak' too); each such
        # run follows one mark, so it is read once
        nxt = _GAP.match(paragraph, end).end()
        if nxt >= n or paragraph[nxt] not in _STARTERS:
            continue
        if starts:
            q = bisect.bisect_right(starts, dot) - 1
            if q >= 0 and starts[q] < dot < ends[q] and ends[q] >= end:
                continue  # inside a quotation that goes on after this mark
        if (end - dot == 1 and paragraph[dot] == ".") or match.group().rstrip(_CLOSERS) == ".":
            if dot > start and "A" <= paragraph[dot - 1] <= "Z" and (
                    dot - 1 == start or paragraph[dot - 2].isspace() or paragraph[dot - 2] in _BEFORE_TOKEN):
                if not _letter_ends_sentence(paragraph, dot, start, nxt):
                    continue  # an initial: "M. Irfan" (the common case of _is_abbreviation, checked first for speed)
            elif (token := _token_before(paragraph, dot, start)) is not None \
                    and _is_abbreviation(token, paragraph[nxt].isdigit()):
                continue
            elif (item := _inline_list_item(paragraph, dot, start, last_marker)) is not None:
                last_marker, split_at = item
                if split_at is not None:  # the item starts a sentence: "… dua hal. 1. Netralitas."
                    emit(split_at)
                    start = split_at
                continue
        if end - start <= _MAX_TOKEN and _LIST_MARKER.fullmatch(paragraph[start:dot].strip()):
            continue  # "a. Pertama", "(ii). …"
        emit(end)
        start = end
    emit(n)
    return sentences


def split_sentences(text: str) -> list[str]:
    """Split Indonesian text into sentences, in time linear in its length.

    Paragraph breaks always end a sentence, except that a line starting in lower case continues
    the previous one (scrapers break "…," ujarnya onto its own line).  Inside a paragraph a
    sentence ends at ``.``, ``?`` or ``!`` (and any closing quotes after it) followed by a capital,
    a digit or an opening quote, except after ranks, titles, degrees and abbreviations
    (:data:`ABBREVIATIONS`; :data:`ABBREVIATIONS_BEFORE_NUMBER` only before a number: ``Km. 5``,
    ``14 Feb. 2024``), initials, a list number (``berikut: 1. Netralitas``), or inside a balanced
    quotation that goes on.  A bullet (``•``) starts a sentence.

    >>> split_sentences("Kapolres AKBP Rofikoh Yunianto, S.I.K. hadir. Ketua KPU Hj. Rusnaillah juga.")
    ['Kapolres AKBP Rofikoh Yunianto, S.I.K. hadir.', 'Ketua KPU Hj. Rusnaillah juga.']
    >>> split_sentences('"Kami siap mengamankan pemilu." Kapolres menegaskan hal itu pukul 10.00 WIB. Apel usai.')
    ['"Kami siap mengamankan pemilu."', 'Kapolres menegaskan hal itu pukul 10.00 WIB.', 'Apel usai.']
    """
    text = normalize_whitespace(_check_str(text))
    # Paragraphs are built from parts joined once: appending to one string line by line is
    # quadratic when thousands of lines continue each other.
    paragraphs: list[list[str]] = []
    last = ""  # the last character of the current paragraph
    size = 0   # its length
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        # Scrapers break lines around links and "…," ujarnya: such a line continues the last one.
        if paragraphs and (line[0].islower() or line[0] in ",.;:)]}%" or size <= 2
                           or line in ("(", "[") or last in "([{"):
            glue = "" if line[0] in ",.;:)]}%" or last in "([{" else " "
            paragraphs[-1] += [glue, line]
            size += len(glue) + len(line)
        else:
            paragraphs.append([line])
            size = len(line)
        last = line[-1]
    return [s for parts in paragraphs for s in _split_paragraph("".join(parts))]


# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------
#: a word: letters (with diacritics) and digits, inner hyphens and apostrophes ("masing-masing")
_WORD = re.compile(r"(?:[^\W_][\u0300-\u036f]*)+(?:[-'](?:[^\W_][\u0300-\u036f]*)+)*")


def word_tokens(text: str) -> list[str]:
    """Lower-cased words of ``text`` after NFKC normalisation: full-width ``ＫＰＵ`` is ``kpu``,
    ``Café`` is ``café`` (letters with diacritics are letters)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return _WORD.findall(text.lower())


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Indonesian stopwords (stopwords-iso, MIT licence), shipped as package data."""
    raw = resources.files("pemilu_nlp").joinpath("resources/stopwords-id.txt").read_text("utf-8")
    return frozenset(w.strip() for w in raw.splitlines() if w.strip())


def tokenize(text: str, *, remove_stopwords: bool = True) -> list[str]:
    """Lower-cased word tokens (NFKC: full-width letters are letters; diacritics are kept);
    reduplications ("masing-masing") stay one token.

    >>> tokenize("Polres Tanah Laut menggelar Ngupi Bakisahan, 10/11.")
    ['polres', 'tanah', 'laut', 'menggelar', 'ngupi', 'bakisahan', '10', '11']
    """
    words = word_tokens(normalize_whitespace(_check_str(text)))
    if remove_stopwords:
        stop = stopwords()
        words = [w for w in words if w not in stop]
    return words
