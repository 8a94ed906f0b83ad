"""Reader for IndoSum (Kurniawan & Louvan, 2018; CC BY-SA 4.0), the Indonesian summarisation benchmark.

The format: one JSON object per line with ``paragraphs`` (paragraph -> sentence -> word tokens),
``summary`` (reference sentences, tokenised), ``gold_labels`` (per sentence: in the extractive
gold summary or not), ``category``, ``source``, ``source_url``.  The loader reads plain or gzipped
files, the development folds available here and the train/test folds a connected user downloads.
"""
from __future__ import annotations

import gzip
import json
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import CorpusError
from .corpus import jsonl_records

__all__ = ["IndoSumArticle", "IndoSumFormatError", "detokenize", "indosum_files", "indosum_part", "load_indosum",
           "read_indosum_split", "split_indosum", "write_indosum_split"]

PARTS = ("train", "dev", "test")


class IndoSumFormatError(CorpusError):
    """An IndoSum file is malformed; the message names the file and the line."""


def detokenize(tokens: Sequence[str]) -> str:
    """Join IndoSum word tokens into running text (no space before closing punctuation etc.)."""
    text = " ".join(t for t in tokens if t.strip())
    text = re.sub(r"\s+([.,;:!?%)\]}])", r"\1", text)
    text = re.sub(r"([(\[{])\s+", r"\1", text)
    text = re.sub(r'"\s+([^"]*?)\s+"', r'"\1"', text)
    return re.sub(r"\s*/\s*", "/", text)


@dataclass(frozen=True)
class IndoSumArticle:
    id: str
    paragraphs: tuple[tuple[tuple[str, ...], ...], ...]
    summary_tokens: tuple[tuple[str, ...], ...]
    gold_labels: tuple[tuple[bool, ...], ...]
    category: str = ""
    source: str = ""
    source_url: str = ""

    @property
    def sentence_tokens(self) -> list[tuple[str, ...]]:
        return [s for p in self.paragraphs for s in p]

    @property
    def sentences(self) -> list[str]:
        """The given sentences, detokenised, in document order."""
        return [detokenize(s) for s in self.sentence_tokens]

    @property
    def gold_indices(self) -> list[int]:
        flat = [g for p in self.gold_labels for g in p]
        return [i for i, g in enumerate(flat) if g]

    @property
    def reference(self) -> list[str]:
        """The reference summary's sentences, detokenised."""
        return [detokenize(s) for s in self.summary_tokens]

    @property
    def text(self) -> str:
        """Detokenised article, one paragraph a line (input for the raw-text path)."""
        return "\n".join(" ".join(detokenize(s) for s in p) for p in self.paragraphs)


def _article(record: object, where: str) -> IndoSumArticle:
    if not isinstance(record, dict):
        raise IndoSumFormatError(f"{where}: expected a JSON object")
    for key in ("id", "paragraphs", "summary", "gold_labels"):
        if key not in record:
            raise IndoSumFormatError(f"{where}: missing field {key!r}")

    def nested(value: object, depth: int, name: str) -> tuple:
        if depth == 0:
            if not isinstance(value, str):
                raise IndoSumFormatError(f"{where}: {name} must hold word strings")
            return value
        if not isinstance(value, list):
            raise IndoSumFormatError(f"{where}: {name} must be nested lists")
        return tuple(nested(v, depth - 1, name) for v in value)

    paragraphs = nested(record["paragraphs"], 3, "paragraphs")
    summary = nested(record["summary"], 2, "summary")
    labels = record["gold_labels"]
    if not isinstance(labels, list) or len(labels) != len(paragraphs) or any(
            not isinstance(g, list) or len(g) != len(p) or not all(isinstance(x, bool) for x in g)
            for g, p in zip(labels, paragraphs)):
        raise IndoSumFormatError(f"{where}: gold_labels must have one boolean per sentence of paragraphs")
    if not any(paragraphs):
        raise IndoSumFormatError(f"{where}: article {record['id']!r} has no sentences")
    return IndoSumArticle(
        id=str(record["id"]), paragraphs=paragraphs, summary_tokens=summary,
        gold_labels=tuple(tuple(g) for g in labels), category=str(record.get("category") or ""),
        source=str(record.get("source") or ""), source_url=str(record.get("source_url") or ""))


def indosum_files(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """The IndoSum files named by ``paths``: a folder stands for its ``*.jsonl*`` files (sorted)."""
    if isinstance(paths, str | Path):
        paths = [paths]
    files: list[Path] = []
    for path in map(Path, paths):
        files += sorted(path.glob("*.jsonl*")) if path.is_dir() else [path]
    return files


def load_indosum(paths: str | Path | Iterable[str | Path], *, unique: bool = True) -> list[IndoSumArticle]:
    """Read IndoSum JSONL files (``.jsonl`` or ``.jsonl.gz``, or folders of them); with ``unique``,
    keep each id once.

    >>> arts = load_indosum(sorted(Path("../shared/data/indosum").glob("dev.0*.jsonl.gz")))  # doctest: +SKIP
    """
    articles: list[IndoSumArticle] = []
    seen: set[str] = set()
    for path in indosum_files(paths):
        if not path.is_file():
            raise IndoSumFormatError(f"{path}: no such IndoSum file")
        opener = gzip.open if path.suffix == ".gz" else open
        try:
            with opener(path, "rt", encoding="utf-8-sig") as fh:
                text = fh.read()
        except (UnicodeDecodeError, gzip.BadGzipFile, OSError, EOFError) as err:
            raise IndoSumFormatError(f"{path}: cannot read as UTF-8 JSONL ({err})") from None
        for _, where, record in jsonl_records(text, path, IndoSumFormatError):
            article = _article(record, where)
            if unique and article.id in seen:
                continue
            seen.add(article.id)
            articles.append(article)
    return articles


def split_indosum(articles: Sequence[IndoSumArticle], *, seed: int = 2018,
                  fractions: tuple[float, float, float] = (0.7, 0.15, 0.15)) -> dict[str, list[str]]:
    """A fixed, seeded train/dev/test split of article ids (sorted ids, then shuffled)."""
    ids = sorted(a.id for a in articles)
    random.Random(seed).shuffle(ids)
    n_train = round(fractions[0] * len(ids))
    n_dev = round(fractions[1] * len(ids))
    return {"train": sorted(ids[:n_train]), "dev": sorted(ids[n_train:n_train + n_dev]),
            "test": sorted(ids[n_train + n_dev:])}


def write_indosum_split(split: dict[str, list[str]], path: str | Path, *, seed: int = 2018,
                        fractions: tuple[float, float, float] = (0.7, 0.15, 0.15)) -> Path:
    """Write a split made by :func:`split_indosum` (with the seed and fractions it was made with)."""
    path = Path(path)
    path.write_text(json.dumps({"seed": seed, "fractions": list(fractions), **split}, indent=0) + "\n")
    return path


def read_indosum_split(path: str | Path) -> dict[str, list[str]]:
    """The article ids of each part (``train``, ``dev``, ``test``) of a split file."""
    try:
        split = json.loads(Path(path).read_text("utf-8-sig"))
    except (OSError, ValueError) as err:
        raise CorpusError(f"{path}: cannot read the IndoSum split ({err})") from None
    if not isinstance(split, dict) or not all(isinstance(split.get(p), list) for p in PARTS):
        raise CorpusError(f"{path}: an IndoSum split file needs lists 'train', 'dev' and 'test'")
    return {p: split[p] for p in PARTS}


def indosum_part(articles: Sequence[IndoSumArticle], split: dict[str, list[str]], part: str) -> list[IndoSumArticle]:
    """The articles of one part of ``split`` (see :func:`read_indosum_split`), in their order."""
    if part not in PARTS:
        raise ValueError(f"part must be one of {', '.join(PARTS)}, got {part!r}")
    ids = set(split[part])
    return [a for a in articles if a.id in ids]
