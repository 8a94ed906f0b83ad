"""Text suite: cleaning and sentence splitting on real articles, and on 1 MB documents of the
patterns that once made splitting quadratic (40 KB of "Jl. " took 21 s)."""
from __future__ import annotations

from argparse import Namespace
from collections.abc import Sequence

from .core import Measurement, measure

__all__ = ["bench_text", "bench_text_at_scale", "scale_texts"]


def bench_text(articles: Sequence[str], batch_size: int) -> list[Measurement]:
    """``clean_text`` + ``split_sentences`` over ``articles``, then the 1 MB documents."""
    from ..text.cleaning import clean_text, split_sentences

    m, _ = measure("text", "clean_text + split_sentences",
                   lambda batch: [split_sentences(clean_text(t)) for t in batch], articles, batch_size=batch_size)
    return [m, *bench_text_at_scale(articles)]


def scale_texts(articles: Sequence[str], size: int = 1_000_000) -> dict[str, str]:
    """Texts of ``size`` characters: real articles end to end, and patterns that once made splitting
    quadratic: abbreviation and initial runs, quotations, news patterns."""
    def fill(unit: str) -> str:
        return (unit * (size // len(unit) + 1))[:size]

    return {
        "real articles": fill("\n".join(articles) or "KPU menetapkan DPT. "),
        "abbreviations": fill("Jl. "),
        "initials": fill("A. "),
        "quotations": fill('"Kami siap." kata dia. '),
        "news patterns": fill('Kombes Pol. A. "Siap. Aman." Km. 5, 14 Feb. 2024 pukul 10.00 WIB. 1. Netralitas. • Butir '),
    }


def bench_text_at_scale(articles: Sequence[str], size: int = 1_000_000) -> list[Measurement]:
    """One 1 MB document per kind through clean_text + split_sentences: docs/s is MB/s here."""
    from ..text.cleaning import clean_text, split_sentences

    texts = scale_texts(articles, size)
    m, _ = measure("text", f"text at scale: {len(texts)} x {size / 1e6:g} MB ({', '.join(texts)})",
                   lambda batch: [split_sentences(clean_text(t)) for t in batch], list(texts.values()),
                   batch_size=1, warmup=0, settings={"characters_per_document": size, "kinds": list(texts)})
    m.quality = {"slowest_kind_seconds": round(m.latency_doc_p95_ms / 1000, 3) if len(texts) < 20 else None}
    return [m]


def run(args: Namespace, articles: list[str], notes: list[str], extra: dict) -> list[Measurement]:
    """The suite as ``pemilu-nlp bench --parts text`` runs it."""
    return bench_text(articles, args.batch_size)
