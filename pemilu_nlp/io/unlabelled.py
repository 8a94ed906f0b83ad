"""Unlabelled news for label-free learning: vocabularies, idf and word vectors.

Reads the shared news pools (JSONL, optionally gzipped, one ``{"title", "text", ...}`` a line)
and IndoSum folders or files.  Texts are returned as a classifier reads them (title, then text),
in file order, each distinct text once, so that a model fitted on them is rebuilt bit for bit.
"""
from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from pathlib import Path

from ..errors import CorpusError
from ..inputs import with_title

__all__ = ["default_unlabelled_paths", "load_unlabelled_texts"]


def default_unlabelled_paths(root: str | Path) -> list[Path]:
    """The shared data files under ``root`` (``news_pool*.jsonl.gz`` and ``indosum/dev.*.jsonl.gz``)."""
    root = Path(root)
    return sorted(root.glob("news_pool*.jsonl.gz")) + sorted((root / "indosum").glob("*.jsonl.gz"))


def load_unlabelled_texts(paths: str | Path | Iterable[str | Path]) -> list[str]:
    """Texts of every article in ``paths`` (pool JSONL files, IndoSum files, or folders of them)."""
    from .indosum import load_indosum

    if isinstance(paths, str | Path):
        paths = [paths]
    texts: list[str] = []
    seen: set[str] = set()
    for path in map(Path, paths):
        if path.is_dir():
            files = default_unlabelled_paths(path) or sorted(path.glob("*.jsonl*"))
            texts += [t for t in load_unlabelled_texts(files) if t not in seen and not seen.add(t)]
            continue
        if not path.is_file():
            raise CorpusError(f"{path}: no such file of unlabelled news")
        if "indosum" in str(path).lower() or path.name.startswith("dev."):
            new = [a.text for a in load_indosum(path)]
        else:
            opener = gzip.open if path.suffix == ".gz" else open
            new = []
            with opener(path, "rt", encoding="utf-8-sig") as fh:
                for n, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        record = json.loads(line)
                        text = record["text"]
                    except (ValueError, KeyError, TypeError) as err:
                        raise CorpusError(f"{path}:{n}: not a JSON object with a 'text' ({err})") from None
                    title = record.get("title") or ""
                    new.append(with_title(text, title))
        for text in new:
            if text.strip() and text not in seen:
                seen.add(text)
                texts.append(text)
    return texts
