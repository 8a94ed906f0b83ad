"""The topic schema: which topics exist, what they mean, in which order models store them.

The shipped schema (``resources/topics.json``, 11 topics) is the default everywhere.  A user can
bring their own schema file in the same format (``{"topics": [{"id", "name_id", "name_en",
"definition", "cues"}, ...]}``) to train on topics of their own; the model folder then carries
that schema (``schema.json``), so every later step reads the model's topics, not the package's.

Topic ids are stable keys: models store them, so a changed schema is caught when a model loads.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ModelFormatError, SchemaError, UnknownLabelError

__all__ = [
    "MODEL_SCHEMA_FILE", "NO_TOPIC", "SchemaLike", "Topic", "as_schema", "load_schema", "model_schema_files", "parse_schema",
    "read_model_schema", "schema_to_dict", "topic_ids", "validate_labels", "write_model_schema",
]

#: the schema file inside a model folder
MODEL_SCHEMA_FILE = "schema.json"
#: the label an annotator gives an article with no topic in tools where "nothing chosen" is
#: indistinguishable from "not annotated yet" (doccano); never a topic id
NO_TOPIC = "no_topic"
# ids end up in JSON keys, XML attributes and command lines: one word, no spaces
_ID = re.compile(r"\w[\w\-]*")  # matched whole (fullmatch): "pemilu\n" is no id


@dataclass(frozen=True)
class Topic:
    """One topic: a stable id, names in Indonesian and English, a definition and example cues."""

    id: str
    name_id: str = ""
    name_en: str = ""
    definition: str = ""
    cues: tuple[str, ...] = ()


#: what every ``schema=`` argument accepts: ``None`` (the shipped schema), a schema file, a model
#: folder (its ``schema.json``), topics, topic ids, or the parsed JSON of a schema file
SchemaLike = None | str | Path | Sequence[Topic] | Sequence[str] | Mapping[str, Any]


def parse_schema(raw: Any, *, source: str = "schema") -> tuple[Topic, ...]:
    """Check the parsed JSON of a schema file and return its topics; any problem raises
    :class:`SchemaError` naming ``source`` and the topic's position."""
    if isinstance(raw, Mapping):
        if "topics" not in raw:
            raise SchemaError(f"{source}: a schema is an object with a list 'topics' (as pemilu_nlp's "
                              "resources/topics.json); no 'topics' key found")
        items = raw["topics"]
    else:
        items = raw
    if not isinstance(items, list):
        raise SchemaError(f"{source}: 'topics' must be a list of topic objects, got {type(items).__name__}")
    if not items:
        raise SchemaError(f"{source}: the schema has no topics")
    topics: list[Topic] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items, 1):
        where = f"{source}: topic {i}"
        if isinstance(item, str):  # a bare list of ids is allowed: names default to the id
            item = {"id": item}
        if not isinstance(item, Mapping):
            raise SchemaError(f"{where}: expected an object with an 'id', got {type(item).__name__}")
        topic_id = item.get("id")
        if topic_id is None or (isinstance(topic_id, str) and not topic_id.strip()):
            raise SchemaError(f"{where}: missing 'id' (every topic needs a stable id, e.g. \"korupsi_pemilu\")")
        if not isinstance(topic_id, str) or not _ID.fullmatch(topic_id):
            raise SchemaError(f"{where}: id {topic_id!r} must be one word of letters, digits, '_' or '-' "
                              "(e.g. \"korupsi_pemilu\")")
        if topic_id == NO_TOPIC:
            raise SchemaError(f"{where}: id {NO_TOPIC!r} is reserved (it marks an article with no topic)")
        if topic_id in seen:
            raise SchemaError(f"{where}: duplicate id {topic_id!r} (first at topic {seen[topic_id]})")
        seen[topic_id] = i
        for key in ("name_id", "name_en", "definition"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise SchemaError(f"{where} ({topic_id}): {key!r} must be a string")
        cues = item.get("cues") or []
        if not isinstance(cues, list) or not all(isinstance(c, str) for c in cues):
            raise SchemaError(f"{where} ({topic_id}): 'cues' must be a list of strings")
        topics.append(Topic(topic_id, item.get("name_id") or topic_id, item.get("name_en") or "",
                            item.get("definition") or "", tuple(cues)))
    return tuple(topics)


def _read_schema_file(path: Path) -> tuple[Topic, ...]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SchemaError(f"{path}: no such schema file") from None
    except OSError as err:
        raise SchemaError(f"{path}: cannot read the schema file ({err})") from None
    return _parse_schema_bytes(path, data)


def _parse_schema_bytes(path: Path, data: bytes) -> tuple[Topic, ...]:
    try:
        raw = json.loads(data.decode("utf-8-sig"))  # a BOM (Windows editors) is allowed
    except UnicodeDecodeError as err:
        raise SchemaError(f"{path}: cannot read the schema file ({err})") from None
    except json.JSONDecodeError as err:
        raise SchemaError(f"{path}:{err.lineno}: not valid JSON ({err.msg})") from None
    except (RecursionError, ValueError) as err:  # deep nesting, integers over 4,300 digits
        raise SchemaError(f"{path}: not a usable schema file ({str(err).splitlines()[0] or 'nested too deeply'})") from None
    return parse_schema(raw, source=str(path))


@lru_cache(maxsize=1)
def _shipped_schema() -> tuple[Topic, ...]:
    raw = json.loads(resources.files("pemilu_nlp").joinpath("resources/topics.json").read_text("utf-8"))
    return parse_schema(raw, source="pemilu_nlp/resources/topics.json")


def load_schema(path: str | Path | None = None) -> tuple[Topic, ...]:
    """All topics, in schema order (the column order of every model): the shipped schema, or the
    schema file (or model folder) at ``path``."""
    return _shipped_schema() if path is None else as_schema(path)


def as_schema(schema: SchemaLike = None) -> tuple[Topic, ...]:
    """Topics from anything a ``schema=`` argument accepts (see :data:`SchemaLike`)."""
    if schema is None:
        return _shipped_schema()
    if isinstance(schema, str | Path):
        path = Path(schema)
        if path.is_dir():
            return read_model_schema(path)
        return _read_schema_file(path)
    if isinstance(schema, Mapping):
        return parse_schema(schema)
    if isinstance(schema, bytes | bytearray):
        raise SchemaError("schema: got bytes; pass a path, topics or topic ids")
    try:
        items = list(schema)
    except TypeError:
        raise SchemaError(f"schema: expected a schema file, a model folder, topics or topic ids, "
                          f"got {type(schema).__name__}") from None
    if items and all(isinstance(t, Topic) for t in items):
        return _checked_topics(tuple(items))
    return parse_schema(items)


@lru_cache(maxsize=32)
def _checked_topics(topics: tuple[Topic, ...]) -> tuple[Topic, ...]:
    # topics are hashable: a schema passed down through many calls is checked once
    return parse_schema([t.__dict__ | {"cues": list(t.cues)} for t in topics])


def topic_ids(schema: SchemaLike = None) -> tuple[str, ...]:
    """Topic ids in schema order."""
    return tuple(t.id for t in as_schema(schema))


def validate_labels(labels: Iterable[str], *, where: str = "", schema: SchemaLike = None) -> tuple[str, ...]:
    """Return ``labels`` in schema order; an id not in the schema raises :class:`UnknownLabelError`."""
    known = topic_ids(schema)
    labels = list(labels)
    for label in labels:
        if label not in known:
            prefix = f"{where}: " if where else ""
            raise UnknownLabelError(f"{prefix}unknown topic {label!r}; known topics: {', '.join(known)}")
    return tuple(t for t in known if t in set(labels))


def schema_to_dict(schema: SchemaLike = None) -> dict[str, Any]:
    """The schema as the JSON object of a schema file."""
    return {"topics": [{"id": t.id, "name_id": t.name_id, "name_en": t.name_en, "definition": t.definition,
                        "cues": list(t.cues)} for t in as_schema(schema)]}


def write_model_schema(folder: str | Path, schema: SchemaLike) -> str:
    """Write ``schema.json`` into a model folder; returns its name (for the folder's checksums)."""
    path = Path(folder) / MODEL_SCHEMA_FILE
    path.write_text(json.dumps(schema_to_dict(schema), indent=1, ensure_ascii=False) + "\n", "utf-8")
    return MODEL_SCHEMA_FILE


def model_schema_files(folder: str | Path) -> list[str]:
    """The schema file of a model folder, if it has one (for the loader's list of sealed files)."""
    return [MODEL_SCHEMA_FILE] if (Path(folder) / MODEL_SCHEMA_FILE).exists() else []


def read_model_schema(folder: str | Path, config: Mapping[str, Any] | None = None, *,
                      data: bytes | None = None) -> tuple[Topic, ...]:
    """The schema a model folder was trained with, checked against its ``config.json`` topics.

    Folders saved before models carried a schema have no ``schema.json``: their topics must then be
    the shipped schema's.  A mismatch raises :class:`~pemilu_nlp.errors.ModelFormatError`.
    """
    folder = Path(folder)
    if config is None:
        try:
            config = json.loads((folder / "config.json").read_text("utf-8"))
        except (OSError, ValueError) as err:
            raise ModelFormatError(f"{folder}: cannot read config.json ({err})") from None
        if not isinstance(config, Mapping):
            raise ModelFormatError(f"{folder}: config.json is not a JSON object")
    topics = config.get("topics")
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise ModelFormatError(f"{folder}: config.json topics must be a list of topic ids, got {topics!r:.200}")
    path = folder / MODEL_SCHEMA_FILE
    if data is not None or path.is_file():
        try:  # ``data``: the bytes the loader verified, not a second read of the file
            schema = _parse_schema_bytes(path, data) if data is not None else _read_schema_file(path)
        except SchemaError as err:
            raise ModelFormatError(str(err)) from None
        if [t.id for t in schema] != topics:
            raise ModelFormatError(f"{folder}: config.json topics {topics} differ from its {MODEL_SCHEMA_FILE} "
                                   f"{[t.id for t in schema]}")
        return schema
    shipped = _shipped_schema()
    if topics != [t.id for t in shipped]:
        raise ModelFormatError(
            f"{folder}: model topics {topics} differ from this library's schema {[t.id for t in shipped]} "
            f"and the folder has no {MODEL_SCHEMA_FILE}; retrain the model on the current schema")
    return shipped
