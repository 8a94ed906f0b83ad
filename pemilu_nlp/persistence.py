"""Model folders: ``config.json`` beside weight files, checked on load.

Model files are data, never code: weights are safetensors (or plain JSON), nothing is unpickled.
``config.json`` records the format, its version, the topics and a SHA-256 of every weight file,
so that a folder of another format, a missing file or a tampered file gets a clear error instead
of wrong predictions.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .errors import ModelFormatError
from .schema import topic_ids

__all__ = ["check_topics", "file_sha256", "read_config", "write_config"]


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_config(folder: str | Path, config: dict[str, Any], *, files: Sequence[str] = ()) -> None:
    """Write ``config.json`` with the library version and the checksums of ``files``."""
    folder = Path(folder)
    config = {**config, "library_version": __version__,
              "files": {name: file_sha256(folder / name) for name in files}}
    (folder / "config.json").write_text(json.dumps(config, indent=1, ensure_ascii=False) + "\n", "utf-8")


def read_config(folder: str | Path, *, expected_format: str, supported_versions: Sequence[int],
                verify_files: bool = True) -> dict[str, Any]:
    """Read and check ``config.json``; every problem raises :class:`ModelFormatError`."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ModelFormatError(f"{folder}: no such model folder")
    path = folder / "config.json"
    if not path.is_file():
        raise ModelFormatError(f"{folder}: missing config.json; is this a pemilu_nlp model folder?")
    try:
        config = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ModelFormatError(f"{path}: not valid JSON ({err})") from None
    if not isinstance(config, dict) or config.get("format") != expected_format:
        found = config.get("format") if isinstance(config, dict) else None
        raise ModelFormatError(f"{folder}: format {found!r}, expected {expected_format!r}")
    if config.get("format_version") not in supported_versions:
        raise ModelFormatError(
            f"{folder}: format version {config.get('format_version')!r} is not supported by pemilu_nlp "
            f"{__version__} (supported: {list(supported_versions)}); retrain or use a matching version")
    if verify_files:
        files = config.get("files")
        if not isinstance(files, dict) or not files:
            raise ModelFormatError(f"{folder}: config.json lists no file checksums; the folder cannot be verified")
        for name, digest in files.items():
            file = folder / name
            if not file.is_file():
                raise ModelFormatError(f"{folder}: missing file {name}")
            if file_sha256(file) != digest:
                raise ModelFormatError(f"{file}: checksum mismatch; the file was changed after saving")
    return config


def check_topics(config: dict[str, Any], folder: str | Path) -> list[str]:
    """The model's topics, which must be the schema's (same ids, same order)."""
    topics = list(config.get("topics") or [])
    if topics != list(topic_ids()):
        raise ModelFormatError(
            f"{folder}: model topics {topics} differ from this library's schema {list(topic_ids())}; "
            "retrain the model on the current schema")
    return topics
