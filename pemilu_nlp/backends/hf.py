"""Loading Hugging Face models and choosing their device, for every model built on transformers.

torch and transformers are imported inside the functions only, so importing this module stays light.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import MissingDependencyError, ModelFormatError, WeightsUnavailableError

__all__ = ["import_torch", "load_pretrained", "resolve_device"]


def import_torch():
    """torch (with transformers importable), or a :class:`MissingDependencyError` that says what to install."""
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError as err:  # pragma: no cover - both are dependencies
        raise MissingDependencyError("the IndoBERT classifier needs torch and transformers: "
                                     "pip install 'torch>=2.4,<2.14' transformers") from err
    return torch


def resolve_device(device: str = "auto") -> str:
    """``auto`` -> ``cuda`` when a GPU is present, else ``cpu``."""
    torch = import_torch()
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError("device='cuda' but no CUDA GPU is available; use device='cpu' or 'auto'")
    if device not in ("cpu",) and not device.startswith("cuda"):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:N]', got {device!r}")
    return device


class _ExpectedLoadReport(logging.Filter):
    """Drops transformers' load report (a base checkpoint has no topic head: "MISSING
    classifier.*" is the expected outcome here); every other message passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "LOAD REPORT" not in record.getMessage()


@contextmanager
def _expected_load_report() -> Iterator[None]:
    """Filter the load report on transformers' model-loading logger for the block only (the
    logging configuration, verbosity included, is left as it was)."""
    logger = logging.getLogger("transformers.modeling_utils")
    report_filter = _ExpectedLoadReport()
    logger.addFilter(report_filter)
    try:
        yield
    finally:
        logger.removeFilter(report_filter)


def _is_local(path: str | Path) -> bool:
    return Path(path).expanduser().exists()


def _unavailable(source: str | Path, err: Exception) -> WeightsUnavailableError:
    return WeightsUnavailableError(
        f"cannot load {source!r}: its weights are not in the local Hugging Face cache and cannot be "
        "downloaded here (no network or HF_HUB_OFFLINE=1). On a connected machine run "
        f"`python -c \"from transformers import AutoModel, AutoTokenizer; AutoModel.from_pretrained('{source}')"
        f".save_pretrained('indobert'); AutoTokenizer.from_pretrained('{source}').save_pretrained('indobert')\"`, "
        "copy the folder here and pass its path as model_name_or_path. "
        f"(Underlying error: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''})")


def load_pretrained(source: str | Path, model_class: Any, *, local_only: bool = False, **kwargs: Any):
    """``(tokenizer, model)`` from a hub id or a local folder, exactly as a connected user would load
    them, with safetensors only for local folders and one clear error when weights are unavailable."""
    import_torch()
    from transformers import AutoTokenizer

    if _is_local(source):
        kwargs["use_safetensors"] = True  # never unpickle a .bin from a user path
        if not list(Path(source).glob("*.safetensors")) and list(Path(source).glob("*.bin")):
            raise ModelFormatError(f"{source}: only PyTorch .bin (pickle) weights; pemilu_nlp loads safetensors "
                                   "only. Convert with model.save_pretrained(folder) in a trusted session.")
    try:
        with _expected_load_report():
            tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=local_only)
            model = model_class.from_pretrained(str(source), local_files_only=local_only, **kwargs)
    except ModelFormatError:
        raise
    except Exception as err:  # hub / offline errors come in many classes; one clear message instead
        if _is_local(source):
            raise ModelFormatError(f"{source}: cannot load the model ({type(err).__name__}: {err})") from None
        raise _unavailable(source, err) from None
    return tokenizer, model
