"""Label-free document features from the topic schema: how often each topic's cue phrases occur
(a feature tried for the rare topics in ``benchmarks/rare_topics.py``).

The schema (``resources/topics.json``) gives each topic a handful of cue phrases an annotator
looks for.  One column per topic counts them (whole words, case-folded); a model can weigh these
columns beside its TF-IDF features, or use them as a prior.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from pemilu_nlp.schema import load_schema

__all__ = ["cue_counts"]


@lru_cache(maxsize=1)
def _cue_patterns() -> tuple[re.Pattern, ...]:
    return tuple(re.compile(r"(?<!\w)(?:" + "|".join(re.escape(c.lower()) for c in sorted(t.cues, key=len, reverse=True))
                            + r")(?!\w)") if t.cues else re.compile(r"(?!x)x") for t in load_schema())


def cue_counts(texts: Sequence[str]) -> np.ndarray:
    """Documents x topics: occurrences of each topic's cue phrases.

    >>> float(cue_counts(["Razia kamar di Lapas Kelas IIA: petugas lapas menyita ponsel."])[0, 1])
    3.0
    """
    patterns = _cue_patterns()
    return np.array([[len(p.findall(text.lower())) for p in patterns] for text in texts], dtype=np.float32)
