"""Input checks shared by every model: one string or a sequence of strings, labels as ids or a matrix."""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

import numpy as np

from .errors import UnknownLabelError

__all__ = ["BYTES_GIVEN", "as_texts", "binarize_labels", "check_one_text", "check_summary_input", "is_blank", "with_title", "with_titles"]

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
    elif isinstance(X, Mapping):  # iterating would classify the keys
        raise TypeError(f"expected a string or a sequence of strings, got a mapping ({type(X).__name__}); "
                        "pass its values as a list, e.g. list(d.values())")
    elif isinstance(X, AbstractSet):  # no defined order: results could not be matched to texts
        raise TypeError(f"expected a string or a sequence of strings, got a {type(X).__name__} (no defined "
                        "order, so results could not be matched to texts); pass a list, e.g. sorted(texts)")
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


def check_one_text(text: object, what: str) -> str:
    """``text`` if it is one string; ``TypeError`` saying ``what`` takes one text otherwise."""
    if isinstance(text, str):
        return text
    if isinstance(text, bytes | bytearray):
        raise TypeError(BYTES_GIVEN)
    raise TypeError(f"{what} takes one text (a str), got {type(text).__name__}; call it once per text")


def check_summary_input(text: object) -> None:
    """A summariser reads one article: a string or a list/tuple of its sentences; anything else
    (bytes, None, a number, a set, a dict) is a ``TypeError`` that says what is allowed."""
    if isinstance(text, str | list | tuple):
        return
    if isinstance(text, bytes | bytearray):
        raise TypeError(BYTES_GIVEN)
    raise TypeError(f"a summariser takes one text (a str) or a list of its sentences, got {type(text).__name__}")


def _numeric_rows(y: Any) -> bool:
    """Whether ``y`` is a non-empty sequence of rows of numbers (an indicator matrix as lists)."""
    try:
        rows = list(y[:1]) if isinstance(y, Sequence) else []
    except TypeError:
        return False
    return bool(rows) and isinstance(rows[0], Sequence) and not isinstance(rows[0], str) and len(rows[0]) > 0 \
        and all(isinstance(v, int | float | np.number) and not isinstance(v, str) for v in rows[0])


def binarize_labels(y: Any, topics: Sequence[str], *, n: int) -> np.ndarray:
    """Labels as a binary matrix (n x topics): from lists of topic ids, or from an indicator matrix
    (a numpy array, a scipy sparse matrix, or rows of 0/1 numbers, as scikit-learn passes them)."""
    if hasattr(y, "toarray"):  # scipy sparse
        y = y.toarray()
    elif not isinstance(y, np.ndarray) and _numeric_rows(y):
        y = np.asarray(y)
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


def with_title(text: str, title: str | None) -> str:
    """What a classifier reads: the title (when there is one) on the line before the text.

    The one place the join is written, so that the Python API, the CLI, worker processes, Ray and
    the corpus readers give a model the same input for the same article.
    """
    return f"{title}\n{text}" if title else text


def with_titles(texts: Sequence[str], titles: Sequence[str | None] | None) -> list[str]:
    """:func:`with_title` for each text (``titles``: one per text, or ``None`` for none)."""
    return [with_title(x, t) for t, x in zip(titles or [None] * len(texts), texts)]
