"""The topic schema: one JSON file of package data that every model and the corpus read.

Topic ids are stable keys: models store them, so a changed schema is caught when a model loads.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .errors import UnknownLabelError

__all__ = ["Topic", "load_schema", "topic_ids", "validate_labels"]


@dataclass(frozen=True)
class Topic:
    """One topic: a stable id, names in Indonesian and English, a definition and example cues."""

    id: str
    name_id: str
    name_en: str
    definition: str
    cues: tuple[str, ...]


@lru_cache(maxsize=1)
def load_schema() -> tuple[Topic, ...]:
    """All topics, in schema order (the column order of every model)."""
    raw = json.loads(resources.files("pemilu_nlp").joinpath("resources/topics.json").read_text("utf-8"))
    return tuple(Topic(t["id"], t["name_id"], t["name_en"], t["definition"], tuple(t["cues"]))
                 for t in raw["topics"])


def topic_ids() -> tuple[str, ...]:
    """Topic ids in schema order."""
    return tuple(t.id for t in load_schema())


def validate_labels(labels: Iterable[str], *, where: str = "") -> tuple[str, ...]:
    """Return ``labels`` in schema order; an id not in the schema raises :class:`UnknownLabelError`."""
    known = topic_ids()
    labels = list(labels)
    for label in labels:
        if label not in known:
            prefix = f"{where}: " if where else ""
            raise UnknownLabelError(f"{prefix}unknown topic {label!r}; known topics: {', '.join(known)}")
    return tuple(t for t in known if t in set(labels))
