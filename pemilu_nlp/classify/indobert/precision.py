"""Which precision ``precision="auto"`` runs a trained model in, chosen by measured agreement.

Whether int8 or bf16 keeps a model's decisions depends on the model (its weights, thresholds and
how close its scores sit to them), not only on the CPU.  :func:`check_precisions` runs the model
in fp32 and in each faster precision on the same texts, and records per precision the share of
texts whose whole label set equals fp32's and the documents per second.  The record travels with
the model folder (``config.json``, ``precision_check``); :func:`auto_precision_from_check` then
picks, on the machine that loads it, the fastest precision that agreed on at least
``min_agreement`` of the texts and can run there.  Without a record, ``auto`` keeps the rule of
:func:`pemilu_nlp.backends.cpu.auto_cpu_precision` (CPU flags).
"""
from __future__ import annotations

import importlib.util
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...backends.cpu import cpu_features

__all__ = ["CPU_CANDIDATES", "GPU_CANDIDATES", "auto_precision_from_check", "check_precisions", "device_kind",
           "precision_check_problem"]

CPU_CANDIDATES = ("bf16", "int8", "onnx-int8", "onnx-fp32")
GPU_CANDIDATES = ("bf16", "fp16")


def device_kind(device: str) -> str:
    """``cpu`` or ``cuda`` (``cuda:1`` included): what a precision check is valid for."""
    return "cpu" if device == "cpu" else "cuda"


def _runnable(precision: str, device: str) -> str | None:
    """Why ``precision`` cannot run (or should not: emulated bf16 is slower than fp32) here, or None."""
    if precision.startswith("onnx") and importlib.util.find_spec("onnxruntime") is None:
        return "onnxruntime is not installed (pip install 'pemilu_nlp[onnx]')"
    if precision == "bf16" and device == "cpu" and not cpu_features().get("native_bf16"):
        return "this CPU has no native bf16 (AVX512-BF16/AMX): emulated bf16 is slower than fp32"
    if device != "cpu" and precision in ("int8", "onnx-int8", "onnx-fp32"):
        return f"{precision} runs on the CPU only"
    return None


def _timed_decisions(model: Any, texts: list[str], precision: str) -> tuple[np.ndarray, float]:
    saved = model.precision
    model.precision = precision
    model.variants_.clear()
    try:
        model.inference_model()  # conversion (and an ONNX export) outside the timing
        started = time.perf_counter()
        decisions = np.asarray(model.predict(texts))
        return decisions, time.perf_counter() - started
    finally:
        model.precision = saved
        model.variants_.clear()


def check_precisions(model: Any, texts: Sequence[str], *, precisions: Sequence[str] | None = None,
                     min_agreement: float = 0.99) -> dict[str, Any]:
    """Label-set agreement with fp32 and documents/second of each precision on ``texts`` (label-free:
    any representative texts do), and the precision ``auto`` should take; see the module docstring."""
    if not 0 < min_agreement <= 1:
        raise ValueError(f"min_agreement must be in (0, 1], got {min_agreement!r}")
    texts = list(texts)
    device = device_kind(model.device_)
    candidates = list(precisions or (CPU_CANDIDATES if device == "cpu" else GPU_CANDIDATES))
    reference, seconds = _timed_decisions(model, texts, "fp32")
    results: dict[str, dict[str, Any]] = {"fp32": {"agreement": 1.0, "docs_per_second": len(texts) / seconds}}
    for precision in candidates:
        problem = _runnable(precision, device)
        if problem:
            results[precision] = {"skipped": problem}
            continue
        decisions, seconds = _timed_decisions(model, texts, precision)
        results[precision] = {"agreement": float(np.mean((decisions == reference).all(axis=1))),
                              "docs_per_second": len(texts) / seconds}
    check = {"device": device, "texts": len(texts), "min_agreement": min_agreement, "results": results,
             "cpu": {k: cpu_features().get(k) for k in ("machine", "native_bf16", "vnni", "amx", "torch_cpu_capability")}}
    check["chosen"] = auto_precision_from_check(check, model.device_, runnable=lambda p: True)
    return check


def auto_precision_from_check(check: dict[str, Any], device: str, *, runnable: Any = None) -> str | None:
    """The fastest measured precision with agreement >= the check's ``min_agreement`` that can run
    on ``device`` here (fp32 always can); ``None`` when the check was measured on another kind of
    device.  ``runnable(precision) -> bool`` overrides the can-run test."""
    kind = device_kind(device)
    if check.get("device") != kind:
        return None
    ok = runnable or (lambda p: _runnable(p, kind) is None)
    agreeing = [(r["docs_per_second"], p) for p, r in check["results"].items()
                if "agreement" in r and r["agreement"] >= check["min_agreement"] and (p == "fp32" or ok(p))]
    return max(agreeing)[1]


def precision_check_problem(check: Any, precisions: Sequence[str]) -> str | None:
    """What is wrong with a ``precision_check`` read from a model folder, or None."""
    if not isinstance(check, dict) or check.get("device") not in ("cpu", "cuda"):
        return "must be an object with device 'cpu' or 'cuda'"
    results = check.get("results")
    if not isinstance(results, dict) or "fp32" not in results or not set(results) <= set(precisions):
        return f"results must be an object keyed by precisions ({', '.join(precisions)}), fp32 among them"
    minimum = check.get("min_agreement")
    if not isinstance(minimum, (int, float)) or not 0 < minimum <= 1:
        return "min_agreement must be a number in (0, 1]"
    for precision, r in results.items():
        if not isinstance(r, dict):
            return f"results[{precision!r}] must be an object"
        if "agreement" in r and not (isinstance(r["agreement"], (int, float)) and 0 <= r["agreement"] <= 1
                                     and isinstance(r.get("docs_per_second"), (int, float))
                                     and r["docs_per_second"] > 0):
            return f"results[{precision!r}] needs agreement in [0, 1] and docs_per_second > 0"
    return None
