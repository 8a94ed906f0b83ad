"""One JSONL line to a Python value, with every way a line can be bad turned into one error.

``json.loads`` fails in more ways than ``JSONDecodeError``: an integer of more than 4,300 digits
raises a plain ``ValueError`` (CPython's guard against quadratic int parsing), deeply nested
brackets raise ``RecursionError``, and a lone surrogate escape (``"\\ud800"``) parses fine but
gives a string that cannot be written as UTF-8, so it fails later, far from its line.  Readers call
:func:`parse_line` and get a :class:`BadLine` naming what is wrong, or a value that is safe to write.
"""
from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["BadLine", "has_lone_surrogate", "parse_line", "replace_lone_surrogates"]

# a \uD800-\uDFFF escape in the raw line: the only way JSON text can produce a surrogate
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class BadLine(ValueError):
    """A JSONL line that is not a usable JSON value; the message says why (without the file:line)."""


def has_lone_surrogate(text: str) -> bool:
    return _LONE_SURROGATE.search(text) is not None


def replace_lone_surrogates(value: Any) -> tuple[Any, int]:
    """``value`` with every lone surrogate in its strings (keys included) replaced by U+FFFD, and
    how many were replaced."""
    if isinstance(value, str):
        return _LONE_SURROGATE.subn("\ufffd", value)
    if isinstance(value, list):
        items = [replace_lone_surrogates(v) for v in value]
        return [v for v, _ in items], sum(n for _, n in items)
    if isinstance(value, dict):
        out, total = {}, 0
        for key, item in value.items():
            key, n_key = replace_lone_surrogates(key)
            item, n_item = replace_lone_surrogates(item)
            out[key] = item
            total += n_key + n_item
        return out, total
    return value, 0


def parse_line(line: str, *, surrogates: str = "error") -> tuple[Any, int]:
    """``(value, surrogates replaced)`` of one JSON line.

    ``surrogates``: ``"error"`` raises :class:`BadLine` on a lone surrogate; ``"replace"`` puts
    U+FFFD in its place (and counts it).  Invalid JSON, over-long integers and over-deep nesting
    raise :class:`BadLine`.
    """
    try:
        value = json.loads(line)
    except json.JSONDecodeError as err:
        raise BadLine(f"invalid JSON ({err.msg} at column {err.colno})") from None
    except RecursionError:
        raise BadLine("invalid JSON (nested too deeply)") from None
    except ValueError as err:  # e.g. "Exceeds the limit (4300 digits) for integer string conversion"
        raise BadLine(f"invalid JSON ({str(err).splitlines()[0]})") from None
    if _SURROGATE_ESCAPE.search(line):
        try:
            value, replaced = replace_lone_surrogates(value)
        except RecursionError:  # pragma: no cover - json.loads would have refused first
            raise BadLine("invalid JSON (nested too deeply)") from None
        if replaced and surrogates != "replace":
            raise BadLine(f"{replaced} lone surrogate escape(s) such as \\ud800: not valid Unicode text")
        return value, replaced
    return value, 0
