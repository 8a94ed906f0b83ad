"""Inputs the summariser tests share: a hand-written article as sentences, the seed article, and
the IndoSum sample as documents (not a test file: ``from summarize_samples import ...``)."""
from __future__ import annotations

from conftest import ROOT, seed_text

from pemilu_nlp.io.indosum import load_indosum
from pemilu_nlp.summarize.evaluate import indosum_documents

ARTICLE = seed_text("003")
SENTENCES = [
    "KPU Banjarmasin dan Polresta menandatangani nota kesepahaman pengamanan pemilu.",
    "Penandatanganan dihadiri Forkompinda, Bawaslu dan partai politik.",
    "Ketua KPU berharap pemilu berjalan aman dan damai.",
    "Kapolresta meminta Kapolsek mendukung kegiatan pemilu.",
    "Cuaca cerah sepanjang hari.",
]


def indosum_sample_documents() -> list:
    return indosum_documents(load_indosum(ROOT / "tests" / "data" / "indosum_sample.jsonl"))


def long_document(n: int) -> str:
    """``n`` distinct sentences: a document past the summarisers' caps for large ``n``."""
    return " ".join(f"Petugas ke-{i} menjaga TPS {i} di Desa Warga{i % 97} bersama Bawaslu{i % 13}." for i in range(n))
