"""Where a command finds the project's data files when none is given (``data/`` of a checkout).

Only commands and benchmarks resolve such defaults; library functions take explicit paths.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import CorpusError

__all__ = ["default_corpus_path", "default_indosum_split", "find_data_file"]


def find_data_file(name: str, *, what: str, hint: str) -> Path:
    """``data/<name>`` in the working directory or the source checkout, else a :class:`CorpusError`
    that says what was looked for and ``hint`` (a wheel carries no project data).  Only commands
    resolve such defaults; library functions take explicit paths."""
    candidates = [Path.cwd() / "data" / name, Path(__file__).resolve().parents[2] / "data" / name]
    for path in candidates:
        if path.is_file():
            return path
    raise CorpusError(f"no {what} found (looked for {', '.join(map(str, dict.fromkeys(candidates)))}): {hint}")


def default_corpus_path() -> Path:
    """``data/corpus.jsonl`` in the working directory or the source checkout."""
    return find_data_file("corpus.jsonl", what="corpus",
                          hint="pass one (--corpus FILE), e.g. data/corpus.jsonl of a pemilu_nlp checkout")


def default_indosum_split() -> Path:
    """``data/indosum_split.json`` in the working directory or the source checkout."""
    return find_data_file("indosum_split.json", what="IndoSum split",
                          hint="pass --indosum-split FILE (a new file is created with a new seeded split), "
                               "or 'none' to use every article given")
