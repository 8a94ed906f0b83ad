"""LEAD: the first k sentences. News is written lead-first; this is the baseline to beat."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .base import Summarizer


class LeadSummarizer(Summarizer):
    """Scores decrease with position, so the top k are the first k."""

    name = "lead"
    uses_vectors = False

    def _score(self, sentences: Sequence[str], title: str | None, vectors: object) -> np.ndarray:
        return 1.0 / (1.0 + np.arange(len(sentences)))
