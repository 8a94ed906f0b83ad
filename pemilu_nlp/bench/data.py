"""The documents the suites run on: real corpus articles (resized to a length if asked), pool
articles drawn with replacement up to any count, and short articles cut from them.

Every generator draws from real text, so that a model's vocabulary and caches see what they would
see in use; seeds make every draw repeatable.
"""
from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..inputs import with_title

__all__ = ["corpus_path", "load_articles", "load_pool", "short_article", "short_articles"]


def corpus_path(corpus: str | Path | None) -> Path:
    """``corpus``, or the project's ``data/corpus.jsonl`` when none is given (resolved as the
    command line resolves it: the benchmark is a command)."""
    from ..io.paths import default_corpus_path

    return Path(corpus) if corpus else default_corpus_path()


def load_articles(corpus: str | Path | None, n: int, *, words: int | None = None, seed: int = 0,
                  schema: Any = None) -> list[str]:
    """``n`` real articles (drawn with replacement from the corpus when it has fewer); with ``words``,
    each is cut or repeated to about that many words (a synthetic length drawn from real text).
    ``schema``: the topics the corpus is checked against (a model folder: the model's own)."""
    from ..io.corpus import load_corpus

    path = corpus_path(corpus)
    texts = [a.model_text for a in load_corpus(path, schema=schema)]
    rng = np.random.default_rng(seed)
    chosen = [texts[i] for i in rng.choice(len(texts), size=n, replace=n > len(texts))]
    if words:
        resized = []
        for text in chosen:
            tokens = text.split()
            while len(tokens) < words:
                tokens += tokens
            resized.append(" ".join(tokens[:words]))
        chosen = resized
    return chosen


def load_pool(path: str | Path | None, n: int, *, seed: int = 0) -> list[str]:
    """``n`` pool articles (title + text), shuffled, cycling through the pool when ``n`` exceeds it.

    ``path``: a JSONL(.gz) of ``{"title", "text"}`` records; ``None``: ``../shared/data/news_pool.jsonl.gz``
    beside the repository, else the labelled corpus.
    """
    if path is None:
        guess = Path(__file__).resolve().parents[3] / "shared" / "data" / "news_pool.jsonl.gz"
        if not guess.is_file():
            return load_articles(None, n, seed=seed)
        path = guess
    path = Path(path)
    opener = gzip.open if path.name.endswith(".gz") else open
    texts = []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                record = json.loads(line)
                text = (record.get("text") or "").strip()
                if text:
                    title = (record.get("title") or "").strip()
                    texts.append(with_title(text, title))
    if not texts:
        raise ValueError(f"{path}: no articles with text")
    order = np.random.default_rng(seed).permutation(len(texts))
    return [texts[order[i % len(texts)]] for i in range(n)]


def short_article(texts: Sequence[str], i: int, words: int = 40) -> str:
    """Short article number ``i``: a window of ``words`` words of text ``i % len(texts)``, starting
    one word later on each pass through the texts, so that articles differ while their vocabulary
    stays the pool's (no made-up tokens that would grow a model's per-word cache for ever)."""
    tokens = texts[i % len(texts)].split()
    span = max(1, len(tokens) - words + 1)
    start = (i // len(texts)) % span
    return " ".join(tokens[start:start + words])


def short_articles(texts: Sequence[str], n: int, *, words: int = 40) -> list[str]:
    """``n`` short articles (:func:`short_article`), as from a headline or lead-paragraph feed."""
    return [short_article(texts, i, words) for i in range(n)]
