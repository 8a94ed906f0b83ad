"""Parameter limits, declared once per model and checked wherever a setting comes in.

In the spirit of scikit-learn's ``_parameter_constraints``: a model class declares
``_parameter_constraints = {name: constraint}``, and the same declaration is checked

- at ``__init__`` and ``set_params`` (a ``ValueError`` that names the setting, its limits and
  the value: a typo fails where it is made, not deep inside ``fit``),
- at ``fit`` (a setting assigned directly, ``model.C = -1``, is caught before any work), and
- at ``load`` (:func:`pemilu_nlp.io.persistence.open_folder` checks a folder's saved settings
  against its format's constraints: a :class:`~pemilu_nlp.errors.ModelFormatError` before
  anything is allocated).

A constraint is a function of the value that returns ``None`` when the value is allowed and
otherwise what is wrong (``"must be an integer from 1 to 10"``); the factories below build them.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from numbers import Integral, Real
from typing import Any, ClassVar

__all__ = [
    "Check",
    "Validated",
    "any_of",
    "boolean",
    "check_params",
    "choice",
    "int_pair",
    "integer",
    "number",
    "optional",
    "text",
]

#: a constraint: the value -> ``None`` if allowed, else what is wrong with it
Check = Callable[[Any], "str | None"]


def _is_int(value: Any) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def integer(low: int, high: int) -> Check:
    """An integer (a numpy integer too, never a bool) in ``[low, high]``."""
    def check(value: Any) -> str | None:
        return None if _is_int(value) and low <= value <= high else f"must be an integer from {low} to {high}"
    return check


def number(low: float, high: float, *, low_open: bool = False, high_open: bool = False) -> Check:
    """A finite real number (not a bool) in ``[low, high]``; ``low_open`` / ``high_open`` leave
    out an end."""
    def check(value: Any) -> str | None:
        ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value) \
            and (low < value if low_open else low <= value) and (value < high if high_open else value <= high)
        return None if ok else \
            f"must be a finite number in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    return check


def boolean(value: Any) -> str | None:
    """``True`` or ``False`` (not 0 or 1)."""
    return None if type(value) is bool else "must be true or false"


def choice(*allowed: Any) -> Check:
    """One of ``allowed``, of the same type (``1`` is not ``True``)."""
    def check(value: Any) -> str | None:
        return None if any(value == a and type(value) is type(a) for a in allowed) else \
            f"must be one of {', '.join(map(str, allowed))}"
    return check


def optional(inner: Check) -> Check:
    """``None``, or a value ``inner`` allows."""
    def check(value: Any) -> str | None:
        if value is None:
            return None
        problem = inner(value)
        return None if problem is None else f"{problem} (or None)"
    return check


def any_of(*checks: Check) -> Check:
    """A value that one of ``checks`` allows."""
    def check(value: Any) -> str | None:
        errors = [c(value) for c in checks]
        return None if any(e is None for e in errors) else " or ".join(e for e in errors if e)
    return check


def text(max_length: int = 4096) -> Check:
    """A string of at most ``max_length`` characters."""
    def check(value: Any) -> str | None:
        return None if isinstance(value, str) and len(value) <= max_length else f"must be a string (<= {max_length})"
    return check


def int_pair(low: int, high: int) -> Check:
    """Two integers ``(a, b)`` (a tuple, or a list as JSON has it) with ``low <= a <= b <= high``."""
    def check(value: Any) -> str | None:
        if not (isinstance(value, list | tuple) and len(value) == 2 and all(_is_int(v) for v in value)
                and low <= value[0] <= value[1] <= high):
            return f"must be two integers (a, b) with {low} <= a <= b <= {high}"
        return None
    return check


def _shown(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def check_params(params: Mapping[str, Any], constraints: Mapping[str, Check], *,
                 error: Callable[[str], Exception] = ValueError, prefix: str = "") -> None:
    """Raise ``error`` for the first of ``params`` that its constraint refuses, with a message
    ``"<prefix><name> must be ..., got <value>"``; a name without a constraint is not checked."""
    for name, value in params.items():
        check = constraints.get(name)
        problem = check(value) if check is not None else None
        if problem:
            raise error(f"{prefix}{name} {problem}, got {_shown(value)}")


class Validated:
    """Mix-in for a scikit-learn estimator whose settings are declared in ``_parameter_constraints``:
    :meth:`set_params` checks what it sets; ``__init__`` and ``fit`` call :meth:`_validate_params`."""

    _parameter_constraints: ClassVar[dict[str, Check]] = {}

    def _validate_params(self) -> None:
        """Every declared setting's current value against its constraint (``ValueError``)."""
        check_params({name: getattr(self, name) for name in self._parameter_constraints if hasattr(self, name)},
                     self._parameter_constraints)

    def set_params(self, **params: Any) -> Any:
        check_params(params, self._parameter_constraints)
        return super().set_params(**params)  # type: ignore[misc]
