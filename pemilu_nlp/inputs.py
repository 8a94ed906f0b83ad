"""Input checks shared by every model: one string or a sequence of strings, labels as ids or a matrix."""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .errors import UnknownLabelError

__all__ = ["BYTES_GIVEN", "as_texts", "binarize_labels", "is_blank"]

#: the message for bytes where text was expected
BYTES_GIVEN = "texts must be str, got bytes: decode them first (pemilu_nlp.read_text does UTF-8)"

# blank-looking letters and symbols that are not in category Cf
_BLANK_SYMBOLS = frozenset("\u2800\u3164\u115f\u1160\uffa0")


def is_blank(text: str) -> bool:
    """Whether ``text`` has nothing visible: whitespace and invisible format characters only
    (zero-width spaces and joiners, BOM, soft hyphen, direction marks: Unicode category Cf)."""
    return all(ch.isspace() or ch in _BLANK_SYMBOLS or unicodedata.category(ch) == "Cf" for ch in text)


def as_texts(X: str | Iterable[str]) -> tuple[list[str], bool]:
    """``(texts, single)``: a list of non-empty strings, and whether one string was passed.

    Empty or whitespace-only text raises ``ValueError`` naming its position; a non-string raises
    ``TypeError``.  Nothing is dropped: N texts in, N texts out, in order.
    """
    if isinstance(X, str):
        texts, single = [X], True
    elif isinstance(X, bytes | bytearray):
        raise TypeError(BYTES_GIVEN)
    else:
        try:
            texts, single = list(X), False
        except TypeError:
            raise TypeError(f"expected a string or a sequence of strings, got {type(X).__name__}") from None
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            kind = "bytes (decode them first)" if isinstance(text, bytes | bytearray) else type(text).__name__
            raise TypeError(f"text at position {i} must be str, got {kind}")
        if is_blank(text):
            raise ValueError(f"text at position {i} is empty or whitespace only")
    if not texts:
        raise ValueError("no texts given: pass a string or a non-empty sequence of strings")
    return texts, single


def binarize_labels(y: Any, topics: Sequence[str], *, n: int) -> np.ndarray:
    """Labels as a binary matrix (n x topics): from lists of topic ids or from a matrix."""
    if isinstance(y, np.ndarray) and y.ndim == 2:
        if y.shape != (n, len(topics)):
            raise ValueError(f"label matrix has shape {y.shape}, expected {(n, len(topics))}")
        return (y > 0).astype(np.int8)
    y = list(y)
    if len(y) != n:
        raise ValueError(f"{len(y)} label lists for {n} texts")
    index = {t: j for j, t in enumerate(topics)}
    out = np.zeros((n, len(topics)), dtype=np.int8)
    for i, labels in enumerate(y):
        if isinstance(labels, str):
            labels = [labels]
        for label in labels:
            if label not in index:
                raise UnknownLabelError(f"labels at position {i}: unknown topic {label!r}; "
                                        f"known topics: {', '.join(topics)}")
            out[i, index[label]] = 1
    return out
