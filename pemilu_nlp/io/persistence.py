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

Saving is atomic: a model is written into a new folder beside the target, which then takes the
target's place in one step (:func:`staged_folder`), so a process that loads while another saves
sees the old model or the new one, never a mix.  Loading reads each file once, from one directory
handle, and uses the very bytes it verified.

Every problem is a :class:`~pemilu_nlp.errors.ModelFormatError` that names the folder and what is
wrong.  The trade-off: the manifest protects against corruption, a wrong folder and careless
edits, not against an attacker who may rewrite it; the range checks are what keep even a
re-sealed hostile folder from allocating 12 GB or loading NaN weights.
"""
from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import re
import shutil
import struct
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from .. import __version__
from ..errors import ModelFormatError
from ..validation import (  # noqa: F401 - re-exported: the constraints are declared there
    Check,
    any_of,
    boolean,
    choice,
    int_pair,
    integer,
    number,
    optional,
    text,
)

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
    "staged_folder",
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
def _umask() -> int:
    try:  # Linux reports it without changing it
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _follow_umask(folder: Path) -> None:
    """Give every file and folder under ``folder`` the mode a plain ``open``/``mkdir`` would have:
    safetensors writes its files 0600 and ``mkdtemp`` makes 0700, everything else follows the umask."""
    mask = _umask()
    os.chmod(folder, 0o777 & ~mask)
    for path in folder.rglob("*"):
        if not path.is_symlink():
            os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~mask)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _replaceable(folder: Path) -> None:
    """Only a model folder (or an empty one) is replaced: never a folder of other files."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise ModelFormatError(f"{folder}: exists and is not a folder; refusing to save a model over it")
    if folder.is_dir() and any(folder.iterdir()) and not ((folder / MANIFEST).is_file() or (folder / CONFIG).is_file()):
        raise ModelFormatError(f"{folder}: a folder of other files, not a model folder; refusing to replace it "
                               "(save into a new or empty folder)")


def _keep_extras(old: Path, new: Path) -> None:
    """Copy the files beside the old model that are not part of it (``report.json``, ``split.json``)."""
    try:
        listed = set(read_manifest(old))
    except ModelFormatError:
        listed = set()
    for path in old.iterdir():
        if path.is_file() and not path.is_symlink() and path.name not in listed and path.name != MANIFEST \
                and not (new / path.name).exists():
            shutil.copy2(path, new / path.name)


def _swap_in(stage: Path, folder: Path) -> None:
    """Put the finished ``stage`` where ``folder`` is: an atomic exchange where the system has one,
    else old aside, new in, old removed (then a reader may briefly find no folder, never a mix)."""
    while True:
        if not folder.exists():
            try:
                os.rename(stage, folder)  # onto nothing or an empty folder
                return
            except OSError as err:
                if err.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
        _keep_extras(folder, stage)
        if _exchange(stage, folder):
            shutil.rmtree(stage, ignore_errors=True)  # the old model, now at the stage's name
            return
        aside = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
        try:
            os.rename(folder, aside / "model")
        except FileNotFoundError:  # another process moved it first: try again
            shutil.rmtree(aside, ignore_errors=True)
            continue
        os.rename(stage, folder)
        shutil.rmtree(aside, ignore_errors=True)
        return


@contextmanager
def staged_folder(folder: str | Path) -> Iterator[Path]:
    """A new folder beside ``folder`` to write a model into; when the block ends it takes
    ``folder``'s place in one step (files beside the old model that are not part of it are kept),
    with every file's mode following the umask.  On an error it is removed and ``folder`` is left
    as it was.  Only a model folder, an empty folder or a new path is replaced."""
    folder = Path(folder)
    _replaceable(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{folder.name}.saving-", dir=folder.parent))
    try:
        yield stage
        _follow_umask(stage)
        _swap_in(stage, folder)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


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
    return _parse_manifest(folder, _read_small(path))


def _parse_manifest(folder: Path, data: bytes) -> dict[str, str]:
    try:
        manifest = json.loads(data)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise ModelFormatError(f"{folder / MANIFEST}: not valid JSON ({err})") from None
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


class _Vanished(Exception):
    """A file went away while the folder was read: another process is replacing the folder."""


#: how often a load starts again when a concurrent save replaced the folder under it
_ATTEMPTS = 8


def _being_replaced(folder: Path) -> bool:
    """Whether a save beside ``folder`` is under way (its staged or set-aside folder exists)."""
    try:
        return any(name.startswith((f".{folder.name}.saving-", f".{folder.name}.old-"))
                   for name in os.listdir(folder.parent))
    except OSError:
        return False


#: reading through a folder handle needs ``dir_fd`` (POSIX); elsewhere each file is read by path
_DIR_FD = os.open in os.supports_dir_fd and os.stat in os.supports_dir_fd


def _moved(folder: Path, dir_fd: int | None) -> bool:
    """Whether the folder opened as ``dir_fd`` is no longer the one at ``folder`` (a save swapped it)."""
    if dir_fd is None:
        return False
    try:
        now, held = os.stat(folder), os.fstat(dir_fd)
    except OSError:
        return True
    return (now.st_dev, now.st_ino) != (held.st_dev, held.st_ino)


def _read_at(folder: Path, dir_fd: int | None, name: str) -> bytes:
    """The bytes of ``name`` in the folder opened as ``dir_fd`` (a plain file, not a link)."""
    where = name if dir_fd is not None else str(folder / name)
    try:
        st = os.stat(where, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        if _moved(folder, dir_fd) or _being_replaced(folder):
            raise _Vanished from None
        raise ModelFormatError(f"{folder}: missing file {name}") from None
    if not (st.st_mode & 0o170000 == 0o100000):
        raise ModelFormatError(f"{folder}: {name} is not a plain file")
    if name.endswith(".json") and st.st_size > MAX_JSON_BYTES:
        raise ModelFormatError(f"{folder / name}: {st.st_size} bytes, more than any file this library writes")
    try:
        fd = os.open(where, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0), dir_fd=dir_fd)
    except FileNotFoundError:
        raise _Vanished from None
    with os.fdopen(fd, "rb") as fh:
        return fh.read()


def _read_sealed(folder: Path) -> tuple[dict[str, str], dict[str, bytes]]:
    """The manifest and the bytes of every file it lists, each read once through one handle on the
    folder and checked against its checksum: a save that replaces the folder meanwhile cannot mix
    two models (the load starts again when the old folder's files vanish under it)."""
    for attempt in range(_ATTEMPTS):
        try:
            dir_fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if _DIR_FD else None
            if not _DIR_FD and not folder.is_dir():
                raise FileNotFoundError(folder)
        except (FileNotFoundError, NotADirectoryError):
            if attempt + 1 < _ATTEMPTS and _being_replaced(folder):
                time.sleep(0.005 * 2**attempt)
                continue
            raise ModelFormatError(f"{folder}: no such model folder") from None
        try:
            listed = _parse_manifest(folder, _read_at(folder, dir_fd, MANIFEST))
            data = {name: _read_at(folder, dir_fd, name) for name in listed}
        except _Vanished:
            time.sleep(0.005 * 2**attempt)
            continue
        finally:
            if dir_fd is not None:
                os.close(dir_fd)
        for name, digest in listed.items():
            if hashlib.sha256(data[name]).hexdigest() != digest:
                raise ModelFormatError(f"{folder / name}: checksum mismatch; the file was changed after saving")
        return listed, data
    raise ModelFormatError(f"{folder}: the folder kept changing while it was read; is another process saving "
                           "to it over and over?")


def read_config(folder: str | Path, *, expected_format: str, supported_versions: Sequence[int],
                files: Sequence[str] = (), complete: Sequence[str] = ()) -> dict[str, Any]:
    """Verify the sealed folder and return its ``config.json``; every problem raises
    :class:`ModelFormatError`.

    ``files``: what the loader will read besides ``config.json``, each of which must be in the
    manifest; ``complete``: subfolders read as a whole (e.g. by ``from_pretrained``), which may
    hold no file the manifest does not list.
    """
    return _verify(Path(folder), expected_format, supported_versions, files, complete)[0]


def _verify(folder: Path, expected_format: str, supported_versions: Sequence[int], files: Sequence[str],
            complete: Sequence[str]) -> tuple[dict[str, Any], dict[str, bytes]]:
    """``(config, {file: verified bytes})`` of a sealed folder (see :func:`read_config`)."""
    if not folder.is_dir() and not _being_replaced(folder):
        raise ModelFormatError(f"{folder}: no such model folder")
    if folder.is_dir():  # what kind of folder it is, for a clear message (a save may swap it meanwhile)
        _check_kind(folder, expected_format)
    listed, data = _read_sealed(folder)
    _check_subfolders(folder, complete, listed)
    config = _check_config(folder, data[CONFIG], expected_format, supported_versions)
    for name in files:
        if name not in listed:
            raise ModelFormatError(f"{folder}: {name} is not in {MANIFEST}; the folder cannot be verified")
    return config, data


def _check_kind(folder: Path, expected_format: str) -> None:
    if not (folder / CONFIG).is_file():
        raise ModelFormatError(f"{folder}: missing {CONFIG}; is this a pemilu_nlp model folder?")
    if not (folder / MANIFEST).is_file():  # say what the folder is, if its config tells (it is not trusted)
        try:
            found = json.loads(_read_small(folder / CONFIG)).get("format")
        except (OSError, ValueError, RecursionError, AttributeError, ModelFormatError):
            found = None
        if found != expected_format:
            raise ModelFormatError(f"{folder}: format {found!r}, expected {expected_format!r}")
        read_manifest(folder)  # its message says how to seal an old folder


def _check_subfolders(folder: Path, complete: Sequence[str], listed: Mapping[str, str]) -> None:
    for sub in complete:
        base = folder / sub
        for path in sorted(base.rglob("*")) if base.is_dir() else ():
            name = path.relative_to(folder).as_posix()
            if (path.is_file() or path.is_symlink()) and name not in listed:
                raise ModelFormatError(f"{folder}: {name} is not in {MANIFEST}; an unlisted file would be read "
                                       "unchecked (remove it or re-save the model)")


def _check_config(folder: Path, config_bytes: bytes, expected_format: str,
                  supported_versions: Sequence[int]) -> dict[str, Any]:
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
    return config


# ------------------------------------------------------------------------------------ settings
# The constraints are declared in pemilu_nlp.validation (the same ones __init__, set_params and fit
# check); here they are checked against a folder's saved settings.
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
            head = fh.read(8)
            (size,) = struct.unpack("<Q", head) if len(head) == 8 else (None,)
            body = fh.read(size) if size is not None and size <= MAX_JSON_BYTES else b""
    except OSError as err:
        raise ModelFormatError(f"{folder}: cannot read the header of {name} ({err})") from None
    return _safetensors_header_of(folder, name, head + body)


def _safetensors_header_of(folder: str | Path, name: str, data: bytes) -> dict[str, dict[str, Any]]:
    try:
        (size,) = struct.unpack("<Q", data[:8])
        if size > MAX_JSON_BYTES:
            raise ValueError(f"header of {size} bytes")
        header = json.loads(data[8:8 + size])
        if not isinstance(header, dict):
            raise ValueError("header is not an object")
        tensors = {k: v for k, v in header.items() if k != "__metadata__"}
        for key, info in tensors.items():
            if not (isinstance(info, dict) and isinstance(info.get("shape"), list)
                    and all(type(s) is int and s >= 0 for s in info["shape"])):
                raise ValueError(f"tensor {key!r} has no valid shape")
        return tensors
    except (ValueError, struct.error, RecursionError) as err:
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
                write_files: Callable[[Path], Sequence[str]] | None = None,
                config: Mapping[str, Any] | None = None) -> Path:
    """Write a sealed model folder, atomically (:func:`staged_folder`): ``arrays`` to
    ``weights.safetensors``, each of ``json_files`` (name -> JSON value), what ``write_files``
    writes into the new folder (it returns the names, ``/``-separated), ``config.json`` (format,
    version, ``params`` and ``config``) and the manifest over all of them."""
    folder = Path(folder)
    with staged_folder(folder) as stage:
        written = list(write_files(stage)) if write_files is not None else []
        if arrays is not None:
            from safetensors.numpy import save_file

            save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()}, str(stage / WEIGHTS))
            written.append(WEIGHTS)
        for name, value in (json_files or {}).items():
            (stage / name).write_text(json.dumps(value, ensure_ascii=False) + "\n", "utf-8")
            written.append(name)
        params = {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
        write_config(stage, {"format": fmt.name, "format_version": fmt.version, "params": params, **(config or {})},
                     files=written)
    return folder


@dataclass
class OpenedFolder:
    """A verified model folder: its config, checked settings and JSON files; arrays on request."""

    folder: Path
    config: dict[str, Any]
    params: dict[str, Any]
    json: dict[str, Any]
    #: the verified bytes of every file in the manifest: what the loader uses, never a second read
    data: dict[str, bytes] = field(default_factory=dict, repr=False)

    def header(self, name: str = WEIGHTS) -> dict[str, dict[str, Any]]:
        """``{tensor: {"dtype", "shape"}}`` from the header of the safetensors file ``name``."""
        return _safetensors_header_of(self.folder, name, self.data[name])

    def materialize(self, sub: str, into: Path) -> Path:
        """Write the verified files under ``sub`` into the folder ``into`` and return ``into / sub``:
        for a library that reads a folder by path (``from_pretrained``), so that it reads the bytes
        that were checked even if the model folder is replaced meanwhile."""
        for name, data in self.data.items():
            if name.startswith(f"{sub}/"):
                path = into.joinpath(*PurePosixPath(name).parts)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        return into / sub

    def arrays(self, shapes: Mapping[str, tuple[int, ...]], *, name: str = WEIGHTS) -> dict[str, np.ndarray]:
        """The tensors of ``name`` as numpy arrays, after their names and shapes were checked against
        ``shapes`` from the header (nothing allocated before) and their values for finiteness."""
        from safetensors import SafetensorError
        from safetensors.numpy import load

        check_shapes(self.folder, name, self.header(name), shapes)
        try:
            loaded = load(self.data[name])
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
    config, data = _verify(folder, fmt.name, [fmt.version], [*json_files, *files], complete)
    params = dict(check_params(folder, config.get("params", {}), fmt.params))
    for key in tuples:
        if params.get(key) is not None:
            params[key] = tuple(params[key])
    loaded = {}
    for name in json_files:
        try:
            loaded[name] = json.loads(data[name].decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as err:
            raise ModelFormatError(f"{folder}: cannot read {name} ({err})") from None
    return OpenedFolder(folder, config, params, loaded, data)
