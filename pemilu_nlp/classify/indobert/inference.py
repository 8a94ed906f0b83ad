"""IndoBERT inference: token windows, length-sorted batched forward passes, window pooling and
the precision variants inference runs in (bf16, fp16, int8, ONNX Runtime).

:class:`WindowInference` holds the classifier's window and forward-pass methods; the estimator
(:class:`~pemilu_nlp.classify.indobert.model.IndoBertTopicClassifier`) and the training loop
(:mod:`.trainer`) both read articles through it.  torch is imported on first use only."""
from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from numbers import Integral
from typing import Any

import numpy as np
from scipy.special import expit, softmax
from sklearn.utils.validation import check_is_fitted

from ...backends.hf import import_torch as _torch
from ...text.cleaning import text_for_model
from ..thresholds import apply_thresholds, tune_thresholds
from .precision import auto_precision_from_check

__all__ = ["PRECISIONS", "InferenceVariants", "WindowInference", "pool_logits"]

PRECISIONS = ("auto", "fp32", "bf16", "fp16", "int8", "onnx-int8", "onnx-fp32")


def _positive_int(value: Any, name: str, *, none_means: str | None = None) -> int | None:
    if value is None and none_means:
        return None
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        allowed = f"None ({none_means}) or an integer >= 1" if none_means else "an integer >= 1"
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return int(value)


def pool_logits(window_logits: Any, doc_index: Any, n_docs: int, how: str) -> Any:
    """Document logits: the ``max`` or ``mean`` of each document's window logits.

    The one pooling of training (torch tensors in and out, differentiable) and inference (numpy
    in and out, in float64).

    >>> logits = np.array([[1.0, -2.0], [3.0, 0.0], [5.0, 5.0]])
    >>> pool_logits(logits, np.array([0, 0, 1]), 2, "max").tolist()
    [[3.0, 0.0], [5.0, 5.0]]
    >>> pool_logits(logits, np.array([0, 0, 1]), 2, "mean").tolist()
    [[2.0, -1.0], [5.0, 5.0]]
    """
    torch = _torch()
    if isinstance(window_logits, np.ndarray):
        pooled = pool_logits(torch.from_numpy(np.asarray(window_logits, dtype=np.float64)),
                             torch.from_numpy(np.asarray(doc_index, dtype=np.int64)), n_docs, how)
        return pooled.numpy()
    out = torch.zeros((n_docs, window_logits.shape[1]), device=window_logits.device, dtype=window_logits.dtype)
    if how == "mean":
        counts = torch.bincount(doc_index, minlength=n_docs).clamp(min=1).unsqueeze(1)
        return out.index_add(0, doc_index, window_logits) / counts
    if how == "max":
        index = doc_index.unsqueeze(1).expand_as(window_logits)
        return out.fill_(-torch.inf).scatter_reduce(0, index, window_logits, reduce="amax")
    raise ValueError(f"pooling must be 'max' or 'mean', got {how!r}")


def _auto_precision(device: str) -> str:
    """The fastest precision that keeps predictions (benchmarks/results): bf16 on GPUs that have it
    (else fp16), bf16 on CPUs with native bf16 (AVX512-BF16 / AMX), fp32 on other CPUs."""
    torch = _torch()
    if device.startswith("cuda"):
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    from ...backends.cpu import auto_cpu_precision

    # int8 (torch or ONNX Runtime) is never automatic: it must be checked on the trained model
    return auto_cpu_precision()[0]


def _convert(model: Any, precision: str, device: str) -> Any:
    """``model`` in ``precision`` for inference (a converted copy; fp32 is the model itself)."""
    torch = _torch()
    if precision == "int8":
        if device != "cpu":
            raise ValueError("precision='int8' (dynamic quantisation) runs on CPU only")
        return torch.ao.quantization.quantize_dynamic(copy.deepcopy(model).float(), {torch.nn.Linear}, dtype=torch.qint8)
    if precision in ("onnx-int8", "onnx-fp32"):
        if device != "cpu":
            raise ValueError(f"precision={precision!r} (ONNX Runtime) runs on CPU only")
        from ...backends.onnx import onnx_model

        # exported once, cached under the weights' checksum (pemilu_nlp.backends.onnx)
        return onnx_model(model, quantize=precision == "onnx-int8")
    if precision in ("bf16", "fp16"):
        return copy.deepcopy(model).to(dtype=torch.bfloat16 if precision == "bf16" else torch.float16)
    if precision != "fp32":
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    return model


class InferenceVariants:
    """The model converted to the precision inference runs in, made on first use and kept.

    One precision at a time (a model in several precisions costs memory).  Created at fit and
    load, cleared whenever the weights change; a benchmark may :meth:`put` a compiled model."""

    def __init__(self) -> None:
        self._models: dict[str, Any] = {}

    def get(self, precision: str, build: Callable[[], Any]) -> Any:
        if precision not in self._models:
            self.put(precision, build())
        return self._models[precision]

    def put(self, precision: str, model: Any) -> None:
        self._models = {precision: model.eval()}

    def clear(self) -> None:
        self._models = {}


class WindowInference:
    """The classifier's reading of articles: windows, batches, forward passes, pooling, and the
    pooling and thresholds tuned on dev (a mixin of
    :class:`~pemilu_nlp.classify.indobert.model.IndoBertTopicClassifier`: it uses the estimator's
    settings and fitted attributes)."""

    def _prepare(self, texts: Sequence[str]) -> list[str]:
        prefix = getattr(self, "encoder_", {}).get("input_prefix", "")
        return [prefix + text_for_model(t, clean=self.clean) for t in texts]

    def _check_max_length(self) -> None:
        limit = getattr(self.model_.config, "max_position_embeddings", None)
        if limit is not None and self.max_length > limit:
            raise ValueError(f"max_length={self.max_length} is more than the model's max_position_embeddings={limit} "
                             f"({self.model_name_or_path}): windows that long have no position embeddings; "
                             f"use max_length <= {limit}")

    def windows(self, texts: Sequence[str], *, max_windows: int | None = None) -> tuple[list[list[int]], np.ndarray]:
        """The token-id windows the model reads (special tokens included) and the text index of
        each: the tokenizer's overflowing windows of ``max_length`` tokens that share ``stride``."""
        check_is_fitted(self, "tokenizer_")
        self._check_max_length()
        max_windows = _positive_int(max_windows, "max_windows", none_means="whole article")
        body = self.max_length - self.tokenizer_.num_special_tokens_to_add()
        if body < 8:
            raise ValueError(f"max_length={self.max_length} leaves no room for text")
        # windows share at most half their text: a larger overlap (e.g. stride=128 kept while max_length
        # goes down to 64) would read every token dozens of times
        encoded = self.tokenizer_(self._prepare(texts), truncation=True, max_length=self.max_length,
                                  stride=min(self.stride, body // 2), return_overflowing_tokens=True,
                                  return_attention_mask=False, return_token_type_ids=False, verbose=False)
        ids, owner = encoded["input_ids"], np.asarray(encoded["overflow_to_sample_mapping"], dtype=np.int64)
        if max_windows:  # windows of a text are consecutive: keep each text's first ones
            keep = np.arange(len(owner)) - np.searchsorted(owner, owner) < max_windows
            ids, owner = [w for w, k in zip(ids, keep) if k], owner[keep]
        return ids, owner

    def _pad(self, rows: list[list[int]]):
        """``input_ids`` and ``attention_mask`` of ``rows``, padded on the right to the longest one."""
        batch = self.tokenizer_.pad({"input_ids": rows}, padding="longest", padding_side="right",
                                    return_attention_mask=True, return_tensors="pt")
        return batch["input_ids"], batch["attention_mask"]

    def _batches(self, windows: list[list[int]], batch_size: int, *, sort: bool = True):
        """Yield (positions, input_ids, attention_mask): windows grouped by length, padded per batch."""
        order = sorted(range(len(windows)), key=lambda i: -len(windows[i])) if sort else list(range(len(windows)))
        for start in range(0, len(order), batch_size):
            positions = order[start:start + batch_size]
            yield (positions, *self._pad([windows[i] for i in positions]))

    # ------------------------------------------------------------------------------------ inference
    def inference_model(self) -> tuple[Any, str]:
        """The model in the precision inference runs in, and that precision (made once, kept in
        :attr:`variants_`)."""
        check_is_fitted(self, "model_")
        precision = self._auto_precision() if self.precision == "auto" else self.precision
        return self.variants_.get(precision, lambda: _convert(self.model_, precision, self.device_)), precision

    def _auto_precision(self) -> str:
        """By the model's own measured agreement (:mod:`.precision`) where it has a check for this
        kind of device, else by the device's flags."""
        check = getattr(self, "precision_check_", None)
        measured = None if check is None else auto_precision_from_check(check, self.device_)
        return measured or _auto_precision(self.device_)

    def _inference_batch_size(self) -> int:
        size = self.inference_batch_size
        if size == "auto":
            return 64 if self.device_ != "cpu" else 1 if self.max_length >= 256 else 8
        if isinstance(size, bool) or not isinstance(size, Integral) or size < 1:
            raise ValueError(f"inference_batch_size must be 'auto' or an integer >= 1, got {size!r}")
        return int(size)

    def window_logits(self, texts: Sequence[str], *, batch_size: int | None = None,
                      sort_by_length: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Logits of every window and the text each belongs to (in window order); ``batch_size``
        and ``sort_by_length`` override the runtime settings for this call (benchmarks)."""
        torch = _torch()
        size = self._inference_batch_size() if batch_size is None else _positive_int(batch_size, "batch_size")
        model, _ = self.inference_model()
        windows, owner = self.windows(texts, max_windows=self.max_windows)
        out = np.zeros((len(windows), len(self.classes_)), dtype=np.float32)
        with torch.inference_mode():
            for positions, ids, mask in self._batches(windows, size, sort=sort_by_length):
                logits = model(input_ids=ids.to(self.device_), attention_mask=mask.to(self.device_)).logits
                out[positions] = logits.float().cpu().numpy()
        return out, owner

    def proba_of_windows(self, logits: np.ndarray, owner: np.ndarray, n_texts: int,
                         pooling: str | None = None) -> np.ndarray:
        """Text probabilities from window logits (:meth:`window_logits`): pooled (``pooling_`` unless
        given), then sigmoid per topic (multi-label) or softmax over topics."""
        pooled = pool_logits(logits, owner, n_texts, pooling or self.pooling_)
        return expit(pooled) if self.multi_label else softmax(pooled, axis=1)

    def _decisions(self, proba: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
        if self.multi_label:
            return apply_thresholds(proba, thresholds)
        decisions = np.zeros_like(proba, dtype=np.int8)
        decisions[np.arange(len(proba)), proba.argmax(axis=1)] = 1
        return decisions

    def _tune_on(self, texts: list[str], Y: np.ndarray) -> None:
        """On dev data: the window pooling (max / mean, for ``pooling="auto"``) and each topic's
        threshold, by macro-F1."""
        from ..metrics import macro_f1

        logits, owner = self.window_logits(texts)
        best: tuple[float, str, np.ndarray] | None = None
        for how in ("max", "mean") if self.pooling == "auto" else (self.pooling,):
            proba = self.proba_of_windows(logits, owner, len(texts), how)
            thresholds = tune_thresholds(Y, proba) if self.multi_label else self.thresholds_
            score = macro_f1(Y, self._decisions(proba, thresholds))
            if best is None or score > best[0]:
                best = (score, how, thresholds)
        _, self.pooling_, self.thresholds_ = best
