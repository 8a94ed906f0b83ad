"""Model folders: sealed by a manifest, checked before anything is allocated.

Model files are data, never code: weights are safetensors (or plain JSON), nothing is unpickled.
A folder is *sealed*: ``manifest.json`` lists every file a loader reads (``config.json`` itself,
weights, vocabularies, a transformers ``config.json`` and tokenizer files) with its SHA-256.  On
load, before any model is built:

1. the manifest names only plain files inside the folder (no ``..``, no absolute path, no link
   that leads out) and every listed file has its checksum; a folder whose loader reads a whole
   subfolder (``hf/`` for IndoBERT) may hold no unlisted file there;
2. ``config.json`` is read from the bytes that were checksummed, and its format and version are
   checked (an ``int``; ``true`` is not version 1);
3. the loader checks every setting against its allowed range (:func:`check_params`) and every
   array against its expected shape and finiteness (:func:`check_array`) before it allocates.

Every problem is a :class:`~pemilu_nlp.errors.ModelFormatError` that names the folder and what is
wrong.  The trade-off: the manifest protects against corruption, a wrong folder and careless
edits, not against an attacker who may rewrite it; the range checks are what keep even a
re-sealed hostile folder from allocating 12 GB or loading NaN weights.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from .. import __version__
from ..errors import ModelFormatError

__all__ = [
    "MANIFEST",
    "WEIGHTS",
    "ModelFormat",
    "OpenedFolder",
    "boolean",
    "check_array",
    "check_params",
    "check_string_list",
    "check_thresholds",
    "choice",
    "file_sha256",
    "int_pair",
    "integer",
    "number",
    "open_folder",
    "optional",
    "read_config",
    "read_manifest",
    "safetensors_header",
    "save_folder",
    "seal",
    "seal_legacy",
    "write_config",
]

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "pemilu_nlp.manifest"
MANIFEST_VERSION = 1
CONFIG = "config.json"
_SHA256 = re.compile(r"[0-9a-f]{64}")
#: a config.json or vocabulary larger than this is not one this library wrote
MAX_JSON_BYTES = 256 * 2**20


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ------------------------------------------------------------------------------------ writing
def seal(folder: str | Path, files: Iterable[str]) -> Path:
    """Write ``manifest.json``: the SHA-256 of each of ``files`` (paths inside ``folder``, with
    ``/``).  ``config.json`` is always included."""
    folder = Path(folder)
    names = sorted(dict.fromkeys([CONFIG, *files]))
    for name in names:
        _check_name(folder, name)
    manifest = {"format": MANIFEST_FORMAT, "format_version": MANIFEST_VERSION, "library_version": __version__,
                "files": {name: file_sha256(folder / name) for name in names}}
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, indent=1) + "\n", "utf-8")
    return path


def write_config(folder: str | Path, config: dict[str, Any], *, files: Sequence[str] = ()) -> None:
    """Write ``config.json`` (with the library version), then seal the folder: ``manifest.json``
    with the checksums of ``config.json`` and ``files``."""
    folder = Path(folder)
    config = {k: v for k, v in config.items() if k != "files"}
    config = {**config, "library_version": __version__}
    (folder / CONFIG).write_text(json.dumps(config, indent=1, ensure_ascii=False) + "\n", "utf-8")
    seal(folder, files)


def seal_legacy(folder: str | Path, *, subfolders: Sequence[str] = ()) -> Path:
    """Seal a folder saved before manifests existed, after checking the checksums its
    ``config.json`` lists: the listed files, ``config.json`` and every file in ``subfolders``
    are sealed.  Only for folders you trust: what the old format did not checksum (the
    configuration, tokenizer files) is sealed as it is now."""
    folder = Path(folder)
    try:
        config = json.loads((folder / CONFIG).read_text("utf-8"))
        listed = dict(config["files"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ModelFormatError(f"{folder}: not a model folder with a config.json listing its files ({err})") from None
    for name, digest in listed.items():
        path = _check_name(folder, name)
        if not path.is_file() or file_sha256(path) != digest:
            raise ModelFormatError(f"{folder}: {name} does not match its checksum in config.json; not sealing it")
    extra = [p.relative_to(folder).as_posix() for sub in subfolders
             for p in sorted((folder / sub).rglob("*")) if p.is_file()]
    return seal(folder, [*listed, *extra])


# ------------------------------------------------------------------------------------ reading
def _check_name(folder: Path, name: object) -> Path:
    """``folder / name`` for a relative, ``/``-separated path that stays inside ``folder``."""
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name:
        raise ModelFormatError(f"{folder}: manifest names a file {name!r}: not a relative path inside the folder")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or any(p in ("", ".", "..") for p in parts) or re.match(r"^[A-Za-z]:", name):
        raise ModelFormatError(f"{folder}: manifest names a file {name!r} outside the folder; refusing to read it")
    path = folder.joinpath(*parts)
    try:
        inside = path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a link loop
        inside = False
    if not inside:
        raise ModelFormatError(f"{folder}: {name} leads outside the folder (a symbolic link?); refusing to read it")
    return path


def read_manifest(folder: str | Path) -> dict[str, str]:
    """The manifest's ``{file: sha256}``, every name checked to stay inside ``folder``."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not path.is_file():
        hint = ("saved before model folders were sealed; if you trust it, seal it with "
                "pemilu_nlp.io.persistence.seal_legacy(folder)") if (folder / CONFIG).is_file() \
            else "is this a pemilu_nlp model folder?"
        raise ModelFormatError(f"{folder}: missing {MANIFEST} ({hint})")
    try:
        manifest = json.loads(_read_small(path))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise ModelFormatError(f"{path}: not valid JSON ({err})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise ModelFormatError(f"{folder}: {MANIFEST} is not a pemilu_nlp manifest")
    version = manifest.get("format_version")
    if type(version) is not int or version != MANIFEST_VERSION:
        raise ModelFormatError(f"{folder}: manifest format version {version!r} is not supported "
                               f"(supported: [{MANIFEST_VERSION}])")
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise ModelFormatError(f"{folder}: {MANIFEST} lists no file checksums; the folder cannot be verified")
    for name, digest in files.items():
        _check_name(folder, name)
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise ModelFormatError(f"{folder}: manifest checksum of {name!r} is not a SHA-256 hex digest")
    if CONFIG not in files:
        raise ModelFormatError(f"{folder}: {MANIFEST} does not cover {CONFIG}")
    return files


def _read_small(path: Path) -> bytes:
    if path.stat().st_size > MAX_JSON_BYTES:
        raise ModelFormatError(f"{path}: {path.stat().st_size} bytes, more than any file this library writes")
    return path.read_bytes()


def read_config(folder: str | Path, *, expected_format: str, supported_versions: Sequence[int],
                files: Sequence[str] = (), complete: Sequence[str] = ()) -> dict[str, Any]:
    """Verify the sealed folder and return its ``config.json``; every problem raises
    :class:`ModelFormatError`.

    ``files``: what the loader will read besides ``config.json``, each of which must be in the
    manifest; ``complete``: subfolders read as a whole (e.g. by ``from_pretrained``), which may
    hold no file the manifest does not list.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ModelFormatError(f"{folder}: no such model folder")
    if not (folder / CONFIG).is_file():
        raise ModelFormatError(f"{folder}: missing {CONFIG}; is this a pemilu_nlp model folder?")
    if not (folder / MANIFEST).is_file():  # say what the folder is, if its config tells (it is not trusted)
        try:
            found = json.loads(_read_small(folder / CONFIG)).get("format")
        except (OSError, ValueError, RecursionError, AttributeError, ModelFormatError):
            found = None
        if found != expected_format:
            raise ModelFormatError(f"{folder}: format {found!r}, expected {expected_format!r}")
    listed = read_manifest(folder)
    for sub in complete:
        base = folder / sub
        for path in sorted(base.rglob("*")) if base.is_dir() else ():
            name = path.relative_to(folder).as_posix()
            if (path.is_file() or path.is_symlink()) and name not in listed:
                raise ModelFormatError(f"{folder}: {name} is not in {MANIFEST}; an unlisted file would be read "
                                       "unchecked (remove it or re-save the model)")
    config_bytes = b""
    for name, digest in listed.items():
        path = folder / name
        if path.is_symlink() or not path.is_file():
            raise ModelFormatError(f"{folder}: missing file {name}" if not path.exists()
                                   else f"{folder}: {name} is not a plain file")
        if name == CONFIG:
            config_bytes = _read_small(path)
            actual = hashlib.sha256(config_bytes).hexdigest()
        else:
            actual = file_sha256(path)
        if actual != digest:
            raise ModelFormatError(f"{path}: checksum mismatch; the file was changed after saving")
    try:
        config = json.loads(config_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise ModelFormatError(f"{folder / CONFIG}: not valid JSON ({err})") from None
    if not isinstance(config, dict) or config.get("format") != expected_format:
        found = config.get("format") if isinstance(config, dict) else None
        raise ModelFormatError(f"{folder}: format {found!r}, expected {expected_format!r}")
    version = config.get("format_version")
    if type(version) is not int or version not in supported_versions:
        raise ModelFormatError(
            f"{folder}: format version {version!r} is not supported by pemilu_nlp "
            f"{__version__} (supported: {list(supported_versions)}); retrain or use a matching version")
    for name in files:
        if name not in listed:
            raise ModelFormatError(f"{folder}: {name} is not in {MANIFEST}; the folder cannot be verified")
    return config


# ------------------------------------------------------------------------------------ settings
# A check takes a value and returns an error message, or None when the value is allowed.
Check = Callable[[Any], "str | None"]


def integer(low: int, high: int) -> Check:
    def check(value: Any) -> str | None:
        if type(value) is not int or not low <= value <= high:
            return f"must be an integer from {low} to {high}"
        return None
    return check


def number(low: float, high: float, *, low_open: bool = False) -> Check:
    def check(value: Any) -> str | None:
        ok = type(value) in (int, float) and math.isfinite(value) and (low < value if low_open else low <= value) \
            and value <= high
        return None if ok else f"must be a finite number in {'(' if low_open else '['}{low}, {high}]"
    return check


def boolean(value: Any) -> str | None:
    return None if type(value) is bool else "must be true or false"


def choice(*allowed: Any) -> Check:
    def check(value: Any) -> str | None:
        return None if any(value == a and type(value) is type(a) for a in allowed) else \
            f"must be one of {', '.join(map(repr, allowed))}"
    return check


def optional(inner: Check) -> Check:
    def check(value: Any) -> str | None:
        return None if value is None else inner(value)
    return check


def any_of(*checks: Check) -> Check:
    def check(value: Any) -> str | None:
        errors = [c(value) for c in checks]
        return None if any(e is None for e in errors) else " or ".join(e for e in errors if e)
    return check


def text(max_length: int = 4096) -> Check:
    def check(value: Any) -> str | None:
        return None if isinstance(value, str) and len(value) <= max_length else f"must be a string (<= {max_length})"
    return check


def int_pair(low: int, high: int) -> Check:
    def check(value: Any) -> str | None:
        if not (isinstance(value, list | tuple) and len(value) == 2 and all(type(v) is int for v in value)
                and low <= value[0] <= value[1] <= high):
            return f"must be two integers [a, b] with {low} <= a <= b <= {high}"
        return None
    return check


def check_params(folder: str | Path, params: Any, spec: dict[str, Check], *, where: str = "params",
                 allow_unknown: bool = False) -> dict[str, Any]:
    """``params`` if every value passes its check in ``spec``; a missing key keeps its default.

    A key not in ``spec`` is refused unless ``allow_unknown`` (then the constructor decides)."""
    if not isinstance(params, dict):
        raise ModelFormatError(f"{folder}: config.json {where} must be an object, got {type(params).__name__}")
    for key, value in params.items():
        check = spec.get(key)
        if check is None:
            if allow_unknown:
                continue
            raise ModelFormatError(f"{folder}: config.json {where} has a setting this version does not know: {key!r}")
        problem = check(value)
        if problem:
            shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
            raise ModelFormatError(f"{folder}: config.json {where}.{key} = {shown}: {problem}")
    return params


def check_string_list(folder: str | Path, name: str, value: Any, *, unique: bool = True,
                      length: int | None = None) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ModelFormatError(f"{folder}: {name} must be a list of strings")
    if length is not None and len(value) != length:
        raise ModelFormatError(f"{folder}: {name} has {len(value)} entries, expected {length}")
    if unique and len(set(value)) != len(value):
        raise ModelFormatError(f"{folder}: {name} repeats an entry")
    return value


def check_array(folder: str | Path, name: str, array: Any, *, shape: tuple[int | None, ...] | None = None,
                finite: bool = True, low: float | None = None, high: float | None = None,
                positive: bool = False) -> np.ndarray:
    """``array`` (numpy or torch) if it has ``shape`` (None = any size on that axis) and finite
    values in range; a :class:`ModelFormatError` naming the folder and the array otherwise."""
    values = array.detach().float().numpy() if hasattr(array, "detach") else np.asarray(array)
    if shape is not None and (values.ndim != len(shape)
                              or any(s is not None and s != v for s, v in zip(shape, values.shape))):
        want = "x".join("*" if s is None else str(s) for s in shape) or "a scalar"
        raise ModelFormatError(f"{folder}: {name} has shape {tuple(values.shape)}, expected {want}")
    if values.dtype.kind not in "fiub":
        raise ModelFormatError(f"{folder}: {name} is not numeric ({values.dtype})")
    if finite and values.dtype.kind == "f" and not np.isfinite(values).all():
        raise ModelFormatError(f"{folder}: {name} holds NaN or infinite values")
    if values.size and ((low is not None and values.min() < low) or (high is not None and values.max() > high)):
        raise ModelFormatError(f"{folder}: {name} has values outside [{low}, {high}]")
    if positive and values.size and values.min() <= 0:
        raise ModelFormatError(f"{folder}: {name} must be positive")
    return array


def check_thresholds(folder: str | Path, values: Any, n_topics: int, *, name: str = "thresholds") -> np.ndarray:
    """Per-topic decision thresholds: ``n_topics`` finite numbers in [0, 1]."""
    if isinstance(values, list):
        if not all(type(v) in (int, float) for v in values):
            raise ModelFormatError(f"{folder}: {name} must be numbers")
        values = np.asarray(values, dtype=float)
    check_array(folder, name, values, shape=(n_topics,), low=0.0, high=1.0)
    return np.asarray(values, dtype=float)


def safetensors_header(folder: str | Path, name: str) -> dict[str, dict[str, Any]]:
    """``{tensor: {"dtype", "shape"}}`` from a safetensors file's header, without reading the
    tensors: shapes can be checked before anything is allocated."""
    path = Path(folder) / name
    try:
        with open(path, "rb") as fh:
            (size,) = struct.unpack("<Q", fh.read(8))
            if size > MAX_JSON_BYTES:
                raise ValueError(f"header of {size} bytes")
            header = json.loads(fh.read(size))
        if not isinstance(header, dict):
            raise ValueError("header is not an object")
        tensors = {k: v for k, v in header.items() if k != "__metadata__"}
        for key, info in tensors.items():
            if not (isinstance(info, dict) and isinstance(info.get("shape"), list)
                    and all(type(s) is int and s >= 0 for s in info["shape"])):
                raise ValueError(f"tensor {key!r} has no valid shape")
        return tensors
    except (OSError, ValueError, struct.error, RecursionError) as err:
        raise ModelFormatError(f"{folder}: cannot read the header of {name} ({err})") from None


def check_shapes(folder: str | Path, name: str, header: dict[str, dict[str, Any]],
                 expected: dict[str, tuple[int, ...]]) -> None:
    """The tensors in a safetensors ``header`` are exactly ``expected`` (names and shapes)."""
    missing = sorted(set(expected) - set(header))
    unexpected = sorted(set(header) - set(expected))
    if missing or unexpected:
        raise ModelFormatError(f"{folder}: {name} does not fit the settings in config.json (missing tensors "
                               f"{missing[:5]}, unexpected tensors {unexpected[:5]})")
    for key, shape in expected.items():
        if tuple(header[key]["shape"]) != tuple(shape):
            raise ModelFormatError(f"{folder}: {name}: tensor {key} has shape {tuple(header[key]['shape'])}, "
                                   f"the settings in config.json give {tuple(shape)}")


# ------------------------------------------------------------------------------------ one layer for every model
WEIGHTS = "weights.safetensors"


@dataclass(frozen=True)
class ModelFormat:
    """What one model family's saved folder is: its ``format`` name, version and allowed settings.

    Each model declares one (``FORMAT = ModelFormat("pemilu_nlp.tfidf", 1, PARAMS)``) and saves and
    loads through :func:`save_folder` / :func:`open_folder`; the checks are written once, here."""

    name: str
    version: int
    params: Mapping[str, Check] = field(default_factory=dict)


def save_folder(folder: str | Path, fmt: ModelFormat, *, params: Mapping[str, Any],
                arrays: Mapping[str, np.ndarray] | None = None, json_files: Mapping[str, Any] | None = None,
                files: Sequence[str] = (), config: Mapping[str, Any] | None = None) -> Path:
    """Write a sealed model folder: ``arrays`` to ``weights.safetensors``, each of ``json_files``
    (name -> JSON value), ``config.json`` (format, version, ``params`` and ``config``) and the
    manifest over all of them and the already-written ``files``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = list(files)
    if arrays is not None:
        from safetensors.numpy import save_file

        save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()}, str(folder / WEIGHTS))
        written.append(WEIGHTS)
    for name, value in (json_files or {}).items():
        (folder / name).write_text(json.dumps(value, ensure_ascii=False) + "\n", "utf-8")
        written.append(name)
    params = {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
    write_config(folder, {"format": fmt.name, "format_version": fmt.version, "params": params, **(config or {})},
                 files=written)
    return folder


@dataclass
class OpenedFolder:
    """A verified model folder: its config, checked settings and JSON files; arrays on request."""

    folder: Path
    config: dict[str, Any]
    params: dict[str, Any]
    json: dict[str, Any]

    def arrays(self, shapes: Mapping[str, tuple[int, ...]], *, name: str = WEIGHTS) -> dict[str, np.ndarray]:
        """The tensors of ``name`` as numpy arrays, after their names and shapes were checked against
        ``shapes`` from the header (nothing allocated before) and their values for finiteness."""
        from safetensors import SafetensorError
        from safetensors.numpy import load_file

        check_shapes(self.folder, name, safetensors_header(self.folder, name), shapes)
        try:
            loaded = load_file(str(self.folder / name))
        except (SafetensorError, OSError, ValueError) as err:
            raise ModelFormatError(f"{self.folder}: cannot read the weights ({err})") from None
        for key, array in loaded.items():
            check_array(self.folder, f"{name} {key}", array)
        return loaded

    def build(self, cls: type, **overrides: Any) -> Any:
        """``cls(**params, **overrides)``; settings this version does not know are a ModelFormatError."""
        try:
            return cls(**{**self.params, **overrides})
        except TypeError as err:
            raise ModelFormatError(f"{self.folder}: config.json has settings this version does not know "
                                   f"({err})") from None


def open_folder(folder: str | Path, fmt: ModelFormat, *, json_files: Sequence[str] = (), files: Sequence[str] = (),
                complete: Sequence[str] = (), tuples: Sequence[str] = ()) -> OpenedFolder:
    """Verify a sealed folder of format ``fmt`` (:func:`read_config`), check its settings against
    ``fmt.params`` and read ``json_files``; ``tuples``: settings saved as lists that are tuples."""
    folder = Path(folder)
    config = read_config(folder, expected_format=fmt.name, supported_versions=[fmt.version],
                         files=[*json_files, *files], complete=complete)
    params = dict(check_params(folder, config.get("params", {}), fmt.params))
    for key in tuples:
        if params.get(key) is not None:
            params[key] = tuple(params[key])
    loaded = {}
    for name in json_files:
        try:
            loaded[name] = json.loads(_read_small(folder / name).decode("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as err:
            raise ModelFormatError(f"{folder}: cannot read {name} ({err})") from None
    return OpenedFolder(folder, config, params, loaded)
