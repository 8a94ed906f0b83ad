"""IndoBERT topic classifier: fine-tuning, long articles in windows, safe saving.

Same surface as :class:`~pemilu_nlp.tfidf.TfidfTopicClassifier`, so a user swaps one for the
other in one line.  News articles are often longer than 512 tokens: each article is cut into
overlapping windows, all windows go through the encoder in length-sorted, dynamically padded
batches, and the window logits are pooled (max or mean, chosen on dev) into one prediction.
Training pools the same way, so the model learns what inference does.

torch and transformers are imported here only, so ``import pemilu_nlp`` stays light.
"""
from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .classifier import TopicClassifier
from .errors import MissingDependencyError, ModelFormatError, WeightsUnavailableError
from .forksafe import make_torch_fork_safe
from .persistence import (
    any_of,
    boolean,
    check_array,
    check_params,
    check_thresholds,
    choice,
    integer,
    number,
    optional,
    read_config,
    safetensors_header,
    text,
    write_config,
)
from .schema import SchemaLike, as_schema, model_schema_files, read_model_schema, write_model_schema
from .text import clean_text, normalize_whitespace
from .thresholds import apply_thresholds, tune_thresholds

__all__ = ["IndoBertTopicClassifier", "load_pretrained", "resolve_device", "windows_of"]

FORMAT = "pemilu_nlp.indobert"
FORMAT_VERSION = 1
HF_SUBDIR = "hf"
#: the allowed range of every saved setting, checked on load before the network is built
PARAMS = {
    "model_name_or_path": text(), "multi_label": boolean, "max_length": integer(16, 8192),
    "stride": integer(0, 8191), "pooling": choice("auto", "max", "mean"), "epochs": integer(0, 10**4),
    "batch_size": integer(1, 10**5), "grad_accum": integer(1, 10**4), "learning_rate": number(0, 1, low_open=True),
    "weight_decay": number(0, 10), "warmup_ratio": number(0, 1), "max_grad_norm": number(0, 1e6, low_open=True),
    "class_weighting": boolean, "early_stopping_patience": integer(0, 10**4), "max_train_windows": integer(1, 10**4),
    "max_windows": optional(integer(1, 10**6)), "inference_batch_size": any_of(choice("auto"), integer(1, 10**5)),
    "precision": choice("auto", "fp32", "bf16", "fp16", "int8"), "device": text(64), "clean": boolean,
    "seed": integer(-2**63, 2**64), "progress": boolean, "thresholds": choice("dev", "fixed"),
}
#: the transformers settings that size the network, and their allowed ranges
HF_PARAMS = {
    "num_hidden_layers": integer(1, 128), "hidden_size": integer(1, 16384), "num_attention_heads": integer(1, 512),
    "intermediate_size": integer(1, 65536), "vocab_size": integer(1, 10**6),
    "max_position_embeddings": integer(1, 65536), "embedding_size": integer(1, 16384),
    "type_vocab_size": integer(0, 1024), "num_hidden_groups": integer(1, 128),
}


def _check_transformers_folder(folder: Path, weights: list[str], n_topics: int) -> None:
    """The transformers config sizes the network: check its sizes, and that the weights were saved
    for exactly that network (layers, vocabulary, topic head), before anything is built."""
    import json
    import re

    path = folder / HF_SUBDIR / "config.json"
    try:
        hf_config = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError, RecursionError) as err:
        raise ModelFormatError(f"{folder}: cannot read {HF_SUBDIR}/config.json ({err})") from None
    if not isinstance(hf_config, dict):
        raise ModelFormatError(f"{folder}: {HF_SUBDIR}/config.json must be an object")
    sizes = {k: hf_config[k] for k in HF_PARAMS if k in hf_config}
    check_params(folder, sizes, HF_PARAMS, where=f"{HF_SUBDIR}/config.json")
    labels = hf_config.get("id2label")
    if labels is not None and (not isinstance(labels, dict) or len(labels) != n_topics):
        raise ModelFormatError(f"{folder}: {HF_SUBDIR}/config.json has {len(labels) if isinstance(labels, dict) else '?'}"
                               f" labels, the model {n_topics} topics")
    tensors: dict = {}
    for name in weights:
        tensors |= safetensors_header(folder, name)
    layers = {int(m.group(1)) for key in tensors for m in [re.search(r"\.layer\.(\d+)\.", key)] if m}
    if layers and layers != set(range(sizes.get("num_hidden_layers", len(layers)))):
        raise ModelFormatError(f"{folder}: {HF_SUBDIR}/config.json says num_hidden_layers="
                               f"{sizes.get('num_hidden_layers')}, the weights hold {len(layers)} layers")
    for key, info in tensors.items():
        shape = tuple(info["shape"])
        if key.endswith("word_embeddings.weight") and "vocab_size" in sizes and shape[:1] != (sizes["vocab_size"],):
            raise ModelFormatError(f"{folder}: {key} has {shape[0]} rows, {HF_SUBDIR}/config.json "
                                   f"vocab_size={sizes['vocab_size']}")
        if key == "classifier.weight" and (shape[0] != n_topics or shape[1:] != (sizes.get("hidden_size", shape[1]),)):
            raise ModelFormatError(f"{folder}: the topic head {key} has shape {shape}, expected "
                                   f"({n_topics}, {sizes.get('hidden_size')})")


def _torch():
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError as err:  # pragma: no cover - both are dependencies
        raise MissingDependencyError("the IndoBERT classifier needs torch and transformers: "
                                     "pip install 'torch>=2.4,<2.14' transformers") from err
    return torch


def resolve_device(device: str = "auto") -> str:
    """``auto`` -> ``cuda`` when a GPU is present, else ``cpu``."""
    torch = _torch()
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError("device='cuda' but no CUDA GPU is available; use device='cpu' or 'auto'")
    if device not in ("cpu",) and not device.startswith("cuda"):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:N]', got {device!r}")
    return device


def windows_of(ids: Sequence[int], length: int, stride: int) -> list[list[int]]:
    """Overlapping windows of at most ``length`` token ids; consecutive windows share ``stride`` ids.

    >>> windows_of(list(range(10)), 4, 2)
    [[0, 1, 2, 3], [2, 3, 4, 5], [4, 5, 6, 7], [6, 7, 8, 9]]
    """
    if length < 1 or not 0 <= stride < length:
        raise ValueError(f"need length >= 1 and 0 <= stride < length, got {length}, {stride}")
    if len(ids) <= length:
        return [list(ids)]
    step = length - stride
    starts = list(range(0, len(ids) - length + 1, step))
    if starts[-1] + length < len(ids):
        starts.append(len(ids) - length)
    return [list(ids[s:s + length]) for s in starts]


def pool_logits(window_logits: np.ndarray, doc_index: np.ndarray, n_docs: int, how: str) -> np.ndarray:
    """Pool window logits into document logits (``max`` or ``mean`` over each document's windows)."""
    out = np.full((n_docs, window_logits.shape[1]), -np.inf if how == "max" else 0.0)
    if how == "max":
        np.maximum.at(out, doc_index, window_logits)
    elif how == "mean":
        np.add.at(out, doc_index, window_logits)
        out /= np.bincount(doc_index, minlength=n_docs)[:, None]
    else:
        raise ValueError(f"pooling must be 'max' or 'mean', got {how!r}")
    return out


def _special_tokens(tokenizer) -> tuple[list[int], list[int]]:
    """Ids around every window: [CLS] ... [SEP] for BERT and ALBERT."""
    cls_id = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
    sep_id = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
    return ([cls_id] if cls_id is not None else []), ([sep_id] if sep_id is not None else [])


def _auto_precision(device: str) -> str:
    """The fastest precision that keeps predictions (benchmarks/results): bf16 on GPUs that have it
    (else fp16), bf16 on CPUs with native bf16 (AVX512-BF16 / AMX), fp32 on other CPUs."""
    torch = _torch()
    if device.startswith("cuda"):
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    from .cpu import auto_cpu_precision

    # int8 (torch or ONNX Runtime) is never automatic: it must be checked on the trained model
    return auto_cpu_precision()[0]


def _is_local(path: str | Path) -> bool:
    return Path(path).expanduser().exists()


def load_pretrained(source: str | Path, model_class: Any, *, local_only: bool = False, **kwargs: Any):
    """``(tokenizer, model)`` from a hub id or a local folder, exactly as a connected user would load
    them, with safetensors only for local folders and one clear error when weights are unavailable."""
    _torch()
    from transformers import AutoTokenizer
    from transformers.utils import logging as hf_logging

    if _is_local(source):
        kwargs["use_safetensors"] = True  # never unpickle a .bin from a user path
        if not list(Path(source).glob("*.safetensors")) and list(Path(source).glob("*.bin")):
            raise ModelFormatError(f"{source}: only PyTorch .bin (pickle) weights; pemilu_nlp loads safetensors "
                                   "only. Convert with model.save_pretrained(folder) in a trusted session.")
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # the "newly initialised head" report is expected here
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=local_only)
        model = model_class.from_pretrained(str(source), local_files_only=local_only, **kwargs)
    except ModelFormatError:
        raise
    except Exception as err:  # hub / offline errors come in many classes; one clear message instead
        if _is_local(source):
            raise ModelFormatError(f"{source}: cannot load the model ({type(err).__name__}: {err})") from None
        raise WeightsUnavailableError(
            f"cannot load {source!r}: its weights are not in the local Hugging Face cache and cannot be "
            "downloaded here (no network or HF_HUB_OFFLINE=1). On a connected machine run "
            f"`python -c \"from transformers import AutoModel, AutoTokenizer; AutoModel.from_pretrained('{source}')"
            f".save_pretrained('indobert'); AutoTokenizer.from_pretrained('{source}').save_pretrained('indobert')\"`, "
            "copy the folder here and pass its path as model_name_or_path. "
            f"(Underlying error: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''})") from None
    finally:
        hf_logging.set_verbosity(verbosity)
    return tokenizer, model


class IndoBertTopicClassifier(TopicClassifier):
    """Fine-tuned IndoBERT (or any BERT/ALBERT checkpoint) over the topic schema.

    Parameters
    ----------
    model_name_or_path : str
        Hub id (``indobenchmark/indobert-base-p1``, ``indolem/indobert-base-uncased``,
        ``indobenchmark/indobert-lite-base-p1``) or a local ``save_pretrained`` folder.
    multi_label : bool
        One sigmoid per topic (default) or one softmax over topics.
    max_length, stride : int
        Window length in tokens (special tokens included) and overlap between windows.
    max_windows : int or None
        Read at most this many windows of each article at inference (``None``: the whole
        article).  ``max_windows=1`` reads the first ``max_length`` tokens only, as a plain
        truncating pipeline does: faster on long articles, blind to what comes after.
    pooling : "auto", "max" or "mean"
        How window logits become one document; ``auto`` picks on dev in :meth:`tune_thresholds`.
    inference_batch_size : int or "auto"
        Windows per forward pass at inference.  ``auto``: 64 on a GPU; on a CPU 1 for windows of
        256 tokens or more and 8 for shorter ones (``pemilu-nlp bench`` on 2 cores: with 512-token
        windows batching adds padding and no parallelism, batch 1 is 7-20 % faster than 8; with
        128-token windows batch 8 is 1.2-1.5x faster than 1).
    precision : "auto", "fp32", "bf16", "fp16", "int8", "onnx-int8" or "onnx-fp32"
        Inference precision; ``auto`` = bf16 on a GPU that supports it (else fp16), bf16 on a CPU
        with native bf16 (AVX512-BF16/AMX), else fp32 (:mod:`pemilu_nlp.cpu`); never int8.
        ``int8`` = torch dynamic quantisation of the linear layers (CPU); ``onnx-int8`` /
        ``onnx-fp32`` = ONNX Runtime with fused attention, int8 dynamic quantisation or fp32
        (CPU, the ``[onnx]`` extra; exported once and cached, :mod:`pemilu_nlp.onnx_backend`).
        Training always keeps fp32 weights.

    Examples
    --------
    >>> clf = IndoBertTopicClassifier("indobenchmark/indobert-base-p1", epochs=3)   # doctest: +SKIP
    >>> clf.fit(train_texts, train_labels, X_dev=dev_texts, y_dev=dev_labels)       # doctest: +SKIP
    >>> clf.predict_topics("Polres menggelar apel gelar pasukan Operasi Mantap Brata.")  # doctest: +SKIP
    """

    def __init__(self, model_name_or_path: str = "indobenchmark/indobert-base-p1", *, multi_label: bool = True,
                 max_length: int = 512, stride: int = 128, pooling: str = "auto", epochs: int = 4,
                 batch_size: int = 8, grad_accum: int = 1, learning_rate: float = 3e-5,
                 weight_decay: float = 0.01, warmup_ratio: float = 0.1, max_grad_norm: float = 1.0,
                 class_weighting: bool = True, early_stopping_patience: int = 2, max_train_windows: int = 4,
                 max_windows: int | None = None, inference_batch_size: int | str = "auto", precision: str = "auto",
                 device: str = "auto", clean: bool = True, seed: int = 0, progress: bool = True,
                 thresholds: str = "dev"):
        self.model_name_or_path = model_name_or_path
        self.multi_label = multi_label
        self.max_length = max_length
        self.stride = stride
        self.pooling = pooling
        self.epochs = epochs
        self.batch_size = batch_size
        self.grad_accum = grad_accum
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.warmup_ratio = warmup_ratio
        self.max_grad_norm = max_grad_norm
        self.class_weighting = class_weighting
        self.early_stopping_patience = early_stopping_patience
        self.max_train_windows = max_train_windows
        self.max_windows = max_windows
        self.inference_batch_size = inference_batch_size
        self.precision = precision
        self.device = device
        self.clean = clean
        self.seed = seed
        self.progress = progress
        self.thresholds = thresholds

    # ------------------------------------------------------------------------------------ loading
    def _from_pretrained(self, source: str | Path, *, num_labels: int, local_only: bool = False):
        from transformers import AutoModelForSequenceClassification

        topics = [str(t) for t in self.classes_]
        return load_pretrained(
            source, AutoModelForSequenceClassification, local_only=local_only, num_labels=num_labels,
            problem_type="multi_label_classification" if self.multi_label else "single_label_classification",
            id2label=dict(enumerate(topics)), label2id={t: i for i, t in enumerate(topics)},
            ignore_mismatched_sizes=True)

    # ------------------------------------------------------------------------------------ windows
    def _prepare(self, texts: Sequence[str]) -> list[str]:
        return [clean_text(t) or normalize_whitespace(t) if self.clean else normalize_whitespace(t) for t in texts]

    def _windows(self, texts: Sequence[str], max_windows: int | None = None) -> tuple[list[list[int]], np.ndarray]:
        """Token-id windows (with special tokens) of every text, and the text index of each window."""
        tok = self.tokenizer_
        prefix, suffix = _special_tokens(tok)
        body = self.max_length - len(prefix) - len(suffix)
        if body < 8:
            raise ValueError(f"max_length={self.max_length} leaves no room for text")
        if max_windows is not None and (isinstance(max_windows, bool) or not isinstance(max_windows, Integral)
                                        or max_windows < 1):
            raise ValueError(f"max_windows must be None (whole article) or an integer >= 1, got {max_windows!r}")
        encoded = tok(list(self._prepare(texts)), add_special_tokens=False, truncation=False,
                      return_attention_mask=False, verbose=False)["input_ids"]
        windows, owner = [], []
        for i, ids in enumerate(encoded):
            parts = windows_of(ids, body, min(self.stride, body - 1))
            if max_windows:
                parts = parts[:max_windows]
            for part in parts:
                windows.append(prefix + part + suffix)
                owner.append(i)
        return windows, np.asarray(owner, dtype=np.int64)

    def _batches(self, windows: list[list[int]], batch_size: int, *, sort: bool = True):
        """Yield (positions, input_ids, attention_mask): windows grouped by length, padded per batch."""
        order = sorted(range(len(windows)), key=lambda i: -len(windows[i])) if sort else list(range(len(windows)))
        for start in range(0, len(order), batch_size):
            positions = order[start:start + batch_size]
            yield (positions, *self._pad([windows[i] for i in positions]))

    def _pad(self, rows: list[list[int]]):
        """``input_ids`` and ``attention_mask`` of ``rows``, padded to the longest one (dynamic padding)."""
        torch = _torch()
        width = max(len(r) for r in rows)
        ids = torch.full((len(rows), width), self.tokenizer_.pad_token_id or 0, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, row in enumerate(rows):
            ids[i, :len(row)] = torch.tensor(row)
            mask[i, :len(row)] = 1
        return ids, mask

    # ------------------------------------------------------------------------------------ inference
    def _inference_model(self):
        """The model in the precision to run (cached per precision)."""
        torch = _torch()
        device = self.device_
        precision = self.precision
        if precision == "auto":
            precision = _auto_precision(device)
        cache = self.__dict__.setdefault("_variants", {})
        if precision not in cache:
            cache.clear()  # one converted copy at a time: a model in several precisions costs memory
            model = self.model_
            if precision == "int8":
                if device != "cpu":
                    raise ValueError("precision='int8' (dynamic quantisation) runs on CPU only")
                model = torch.ao.quantization.quantize_dynamic(copy.deepcopy(model).float(), {torch.nn.Linear},
                                                               dtype=torch.qint8)
            elif precision in ("onnx-int8", "onnx-fp32"):
                if device != "cpu":
                    raise ValueError(f"precision={precision!r} (ONNX Runtime) runs on CPU only")
                from .onnx_backend import onnx_model

                # exported once, cached under the weights' checksum (pemilu_nlp.onnx_backend)
                model = onnx_model(model, quantize=precision == "onnx-int8")
            elif precision in ("bf16", "fp16"):
                dtype = torch.bfloat16 if precision == "bf16" else torch.float16
                model = copy.deepcopy(model).to(dtype=dtype)
            elif precision != "fp32":
                raise ValueError(f"precision must be auto, fp32, bf16, fp16, int8, onnx-int8 or onnx-fp32, "
                                 f"got {precision!r}")
            cache[precision] = model.eval()
        return cache[precision], precision

    def _inference_batch_size(self) -> int:
        size = self.inference_batch_size
        if size == "auto":
            if self.device_ != "cpu":
                return 64
            return 1 if self.max_length >= 256 else 8
        if isinstance(size, bool) or not isinstance(size, Integral) or size < 1:
            raise ValueError(f"inference_batch_size must be 'auto' or an integer >= 1, got {size!r}")
        return int(size)

    def window_logits(self, texts: Sequence[str], *, batch_size: int | None = None,
                      sort_by_length: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Logits of every window and the text each belongs to (in window order)."""
        torch = _torch()
        if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, Integral)
                                       or batch_size < 1):
            raise ValueError(f"batch_size must be None (inference_batch_size) or an integer >= 1, got {batch_size!r}")
        model, _ = self._inference_model()
        windows, owner = self._windows(texts, max_windows=self.max_windows)
        out = np.zeros((len(windows), len(self.classes_)), dtype=np.float32)
        with torch.inference_mode():
            for positions, ids, mask in self._batches(windows, int(batch_size or self._inference_batch_size()),
                                                      sort=sort_by_length):
                logits = model(input_ids=ids.to(self.device_), attention_mask=mask.to(self.device_)).logits
                out[positions] = logits.float().cpu().numpy()
        return out, owner

    def _doc_logits(self, texts: Sequence[str], pooling: str | None = None, **kwargs: Any) -> np.ndarray:
        logits, owner = self.window_logits(texts, **kwargs)
        return pool_logits(logits, owner, len(texts), pooling or self.pooling_)

    def _activate(self, logits: np.ndarray) -> np.ndarray:
        if self.multi_label:
            return 1.0 / (1.0 + np.exp(-logits))
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)

    def _proba(self, texts: list[str], **kwargs: Any) -> np.ndarray:
        check_is_fitted(self, "model_")
        return self._activate(self._doc_logits(texts, **kwargs))

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """Binary topic decisions from a probability matrix (thresholds, or the best topic)."""
        if self.multi_label:
            return apply_thresholds(proba, self.thresholds_)
        decisions = np.zeros_like(proba, dtype=np.int8)
        decisions[np.arange(len(proba)), proba.argmax(axis=1)] = 1
        return decisions

    @classmethod
    def untrained(cls, model_name_or_path: str, *, schema: SchemaLike = None, **params: Any) -> IndoBertTopicClassifier:
        """A classifier with a fresh (random) topic head and default thresholds, without training.

        For throughput measurements, where the weights' values do not matter.
        """
        model = cls(model_name_or_path, **params)
        model.schema_ = as_schema(schema)
        model.classes_ = np.array([t.id for t in model.schema_])
        model._set_seed()
        model.device_ = resolve_device(model.device)
        model.tokenizer_, hf_model = model._from_pretrained(model_name_or_path, num_labels=len(model.classes_))
        model.model_ = hf_model.to(model.device_).eval()
        model.thresholds_ = np.full(len(model.classes_), 0.5)
        model.pooling_ = "max" if model.pooling == "auto" else model.pooling
        return model

    # ------------------------------------------------------------------------------------ training
    def _set_seed(self) -> None:
        from transformers import set_seed

        set_seed(self.seed)

    def _fit(self, texts: list[str], Y: np.ndarray, *, dev: tuple[list[str], np.ndarray] | None = None) -> None:
        """Fine-tune on ``texts``/``Y``; with ``dev`` data, early stopping on dev macro-F1 keeps the best epoch."""
        torch = _torch()
        from tqdm.auto import tqdm
        from transformers import get_linear_schedule_with_warmup

        labels = Y.astype(np.float32)
        if not self.multi_label and (labels.sum(axis=1) != 1).any():
            raise ValueError("multi_label=False needs exactly one topic per text")
        dev_texts, dev_labels = dev if dev is not None else (None, None)
        self._set_seed()
        self.device_ = resolve_device(self.device)
        self.tokenizer_, model = self._from_pretrained(self.model_name_or_path, num_labels=len(self.classes_))
        self.model_ = model.to(self.device_)
        self.__dict__.pop("_variants", None)
        self.pooling_ = "mean" if self.pooling == "auto" else self.pooling
        self.thresholds_ = np.full(len(self.classes_), 0.5)

        windows, owner = self._windows(texts, max_windows=self.max_train_windows)
        by_doc: list[list[int]] = [[] for _ in texts]
        for w, d in enumerate(owner):
            by_doc[d].append(w)
        positives = labels.sum(axis=0)
        if self.multi_label:
            weight = np.clip((len(labels) - positives) / np.maximum(positives, 1), 1.0, 50.0) \
                if self.class_weighting else np.ones(len(self.classes_))
            loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(weight, dtype=torch.float32, device=self.device_))
        else:
            weight = len(labels) / np.maximum(positives, 1) / len(self.classes_) if self.class_weighting \
                else np.ones(len(self.classes_))
            loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(weight, dtype=torch.float32, device=self.device_))

        optimizer = torch.optim.AdamW(self.model_.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay)
        steps_per_epoch = math.ceil(len(texts) / (self.batch_size * self.grad_accum))
        total = max(1, steps_per_epoch * self.epochs)
        scheduler = get_linear_schedule_with_warmup(optimizer, int(self.warmup_ratio * total), total)
        use_cuda = self.device_.startswith("cuda")
        amp_dtype = (torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16) if use_cuda else None
        scaler = torch.amp.GradScaler("cuda") if amp_dtype == torch.float16 else None
        rng = np.random.default_rng(self.seed)
        self.history_: list[dict] = []
        best_score, best_state, stale = -1.0, None, 0
        for epoch in range(self.epochs):
            self.model_.train()
            order = rng.permutation(len(texts))
            bar = tqdm(range(0, len(order), self.batch_size), desc=f"epoch {epoch + 1}/{self.epochs}",
                       disable=not self.progress)
            running, seen = 0.0, 0
            for step, start in enumerate(bar):
                docs = order[start:start + self.batch_size]
                ids, mask = self._pad([windows[w] for d in docs for w in by_doc[d]])
                segment = torch.tensor([k for k, d in enumerate(docs) for _ in by_doc[d]], device=self.device_)
                with torch.autocast("cuda", dtype=amp_dtype, enabled=amp_dtype is not None):
                    window_logits = self.model_(input_ids=ids.to(self.device_),
                                                attention_mask=mask.to(self.device_)).logits.float()
                doc_logits = self._pool_torch(window_logits, segment, len(docs))
                target = torch.tensor(labels[docs], device=self.device_)
                loss = loss_fn(doc_logits, target if self.multi_label else target.argmax(dim=1))
                (scaler.scale(loss / self.grad_accum) if scaler else loss / self.grad_accum).backward()
                if (step + 1) % self.grad_accum == 0 or start + self.batch_size >= len(order):
                    if scaler:
                        scaler.unscale_(optimizer)
                    torch.nn.utils.clip_grad_norm_(self.model_.parameters(), self.max_grad_norm)
                    if scaler:
                        scaler.step(optimizer)
                        scaler.update()
                    else:
                        optimizer.step()
                    scheduler.step()
                    optimizer.zero_grad(set_to_none=True)
                running += loss.item() * len(docs)
                seen += len(docs)
                bar.set_postfix(loss=f"{running / seen:.4f}")
            record = {"epoch": epoch + 1, "train_loss": running / max(seen, 1)}
            self.model_.eval()
            self.__dict__.pop("_variants", None)
            if dev_texts is not None:
                from .metrics import macro_f1

                proba = self._proba(dev_texts)
                score = macro_f1(dev_labels, self.decide(proba))
                record["dev_macro_f1"] = float(score)
                if score > best_score:
                    best_score, stale = score, 0
                    best_state = {k: v.detach().clone() for k, v in self.model_.state_dict().items()}
                else:
                    stale += 1
            self.history_.append(record)
            if dev_texts is not None and stale > self.early_stopping_patience:
                break
        if best_state is not None:
            self.model_.load_state_dict(best_state)
        self.model_.eval()
        self.__dict__.pop("_variants", None)

    def _pool_torch(self, window_logits, segment, n_docs: int):
        torch = _torch()
        how = self.pooling_
        out = torch.zeros((n_docs, window_logits.shape[1]), device=window_logits.device, dtype=window_logits.dtype)
        if how == "mean":
            out = out.index_add(0, segment, window_logits)
            counts = torch.bincount(segment, minlength=n_docs).clamp(min=1).unsqueeze(1)
            return out / counts
        out = out.fill_(-torch.inf)
        return out.scatter_reduce(0, segment.unsqueeze(1).expand_as(window_logits), window_logits, reduce="amax")

    def _tune_on(self, texts: list[str], gold: np.ndarray) -> None:
        """On dev data: choose the window pooling (max / mean) and each topic's threshold by F1."""
        from .metrics import macro_f1

        logits, owner = self.window_logits(texts)
        choices = ["max", "mean"] if self.pooling == "auto" else [self.pooling]
        best = (-1.0, self.pooling_, self.thresholds_)
        for how in choices:
            proba = self._activate(pool_logits(logits, owner, len(texts), how))
            thresholds = tune_thresholds(gold, proba) if self.multi_label else self.thresholds_
            decisions = apply_thresholds(proba, thresholds) if self.multi_label else self.decide(proba)
            score = macro_f1(gold, decisions)
            if score > best[0]:
                best = (score, how, thresholds)
        _, self.pooling_, self.thresholds_ = best

    # ------------------------------------------------------------------------------------ saving
    def save(self, folder: str | Path, *, metrics: dict | None = None, extra: dict | None = None) -> Path:
        """``hf/`` via ``save_pretrained`` (safetensors) + ``config.json`` with topics, thresholds, settings."""
        check_is_fitted(self, "model_")
        folder = Path(folder)
        (folder / HF_SUBDIR).mkdir(parents=True, exist_ok=True)
        self.model_.save_pretrained(folder / HF_SUBDIR)
        self.tokenizer_.save_pretrained(folder / HF_SUBDIR)
        weights = sorted(p.name for p in (folder / HF_SUBDIR).glob("*.safetensors"))
        if not weights:
            raise ModelFormatError(f"{folder}: save_pretrained wrote no safetensors file")
        params = self.get_params()
        schema_file = write_model_schema(folder, getattr(self, "schema_", [str(t) for t in self.classes_]))
        write_config(folder, {
            "format": FORMAT, "format_version": FORMAT_VERSION, "model": type(self).__name__, "params": params,
            "topics": [str(t) for t in self.classes_], "thresholds": [float(t) for t in self.thresholds_],
            "pooling": self.pooling_, "window": {"max_length": self.max_length, "stride": self.stride,
                                         "max_windows": self.max_windows},
            "history": getattr(self, "history_", []), "metrics": metrics or {}, **(extra or {}),
        }, files=[*sorted(p.relative_to(folder).as_posix() for p in (folder / HF_SUBDIR).rglob("*") if p.is_file()),
                  schema_file])
        return folder

    @classmethod
    def load(cls, folder: str | Path, *, device: str = "auto", precision: str | None = None) -> IndoBertTopicClassifier:
        """Load a folder written by :meth:`save` (safetensors only; ``.bin`` pickles are refused).

        Every file of ``hf/`` (weights, transformers config, tokenizer) must be in the folder's
        manifest with its checksum, and the settings and tensor shapes are checked before the
        network is built."""
        folder = Path(folder)
        hf = folder / HF_SUBDIR
        if hf.is_dir() and not list(hf.glob("*.safetensors")):
            if list(hf.glob("*.bin")):
                raise ModelFormatError(f"{hf}: only PyTorch .bin (pickle) weights; pemilu_nlp loads safetensors only")
            raise ModelFormatError(f"{hf}: missing weights (no .safetensors file)")
        weights = sorted(f"{HF_SUBDIR}/{p.name}" for p in hf.glob("*.safetensors")) if hf.is_dir() else []
        config = read_config(folder, expected_format=FORMAT, supported_versions=[FORMAT_VERSION],
                             files=[f"{HF_SUBDIR}/config.json", *weights, *model_schema_files(folder)], complete=[HF_SUBDIR])
        schema = read_model_schema(folder, config)
        topics = [t.id for t in schema]
        params = {**check_params(folder, config.get("params"), PARAMS), "device": device}
        if precision is not None:
            params["precision"] = precision
        thresholds = check_thresholds(folder, config.get("thresholds"), len(topics), name="config.json thresholds")
        if config.get("pooling") not in ("max", "mean"):
            raise ModelFormatError(f"{folder}: config.json pooling must be 'max' or 'mean', got {config.get('pooling')!r}")
        _check_transformers_folder(folder, weights, len(topics))
        try:
            model = cls(**params)
        except TypeError as err:
            raise ModelFormatError(f"{folder}: config.json has settings this version does not know ({err})") from None
        model.classes_ = np.array(topics)
        model.schema_ = schema
        model.device_ = resolve_device(device)
        make_torch_fork_safe()
        model.tokenizer_, hf_model = model._from_pretrained(hf, num_labels=len(topics), local_only=True)
        for name, tensor in hf_model.state_dict().items():
            if tensor.is_floating_point():
                check_array(folder, f"{HF_SUBDIR} tensor {name}", tensor)
        model.model_ = hf_model.to(model.device_).eval()
        model.thresholds_ = thresholds
        model.pooling_ = config["pooling"]
        model.history_ = config.get("history", [])
        model.config_ = config
        return model

    def __getstate__(self) -> dict:
        raise TypeError("IndoBertTopicClassifier is not picklable by design: use save() / load()")
