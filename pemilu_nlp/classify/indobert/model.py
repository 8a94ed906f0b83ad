"""IndoBERT topic classifier: fine-tuning, long articles in windows, safe saving.

The same contract as :class:`~pemilu_nlp.classify.tfidf.classifier.TfidfTopicClassifier` (:class:`~pemilu_nlp.classify.base.TopicClassifier`),
so a user swaps one for the other in one line and scikit-learn's tools take both.  News articles
are often longer than 512 tokens: the tokenizer cuts each article into overlapping windows
(``return_overflowing_tokens`` with ``stride``), all windows go through the encoder in
length-sorted batches padded by ``tokenizer.pad``, and the window logits are pooled (max or mean,
chosen on dev) into one prediction.  Training pools the same way, so the model learns what
inference does.

Three kinds of setting, kept apart:

* **model settings** (constructor): what the model is, saved with it (``model_name_or_path``,
  ``multi_label``, ``max_length``, ``stride``, ``pooling``, ``thresholds``, ``clean``);
* **training arguments**: one :class:`IndoBertTrainingArguments` (``args=``), as setfit and
  transformers do, saved with the model as a record of how it was trained;
* **runtime options**: how this machine runs it (``max_windows``, ``inference_batch_size``,
  ``precision``, ``device``), not saved, set at :meth:`IndoBertTopicClassifier.load` or from the
  CLI (``pemilu-nlp classify --precision ...``).

Randomness: the shuffling of training texts has its own ``numpy.random.Generator``.  Head
initialisation and dropout draw from torch's global generator (torch gives them no per-call
generator), so :meth:`~IndoBertTopicClassifier.fit` runs them inside ``torch.random.fork_rng``
seeded with ``args.seed``: the same seed gives the same model, and the caller's global random
state is the same after ``fit`` as before (tested).

torch and transformers are imported here only, so ``import pemilu_nlp`` stays light.
"""
from __future__ import annotations

import copy
import json
import math
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields, replace
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import expit, softmax
from sklearn.utils.validation import check_is_fitted

from ...backends.encoder_recipe import DEFAULT as DEFAULT_ENCODER
from ...backends.encoder_recipe import (
    ENCODER_JSON,
    LowerLayerCache,
    encoder_settings,
    freeze_lower_layers,
    use_mean_pooling,
)
from ...backends.forksafe import make_torch_fork_safe
from ...backends.hf import import_torch as _torch
from ...backends.hf import load_pretrained, resolve_device
from ...errors import ModelFormatError
from ...io.persistence import (
    ModelFormat,
    OpenedFolder,
    any_of,
    boolean,
    check_array,
    check_params,
    check_thresholds,
    choice,
    integer,
    number,
    open_folder,
    optional,
    save_folder,
    text,
)
from ...io.schema import (
    MODEL_SCHEMA_FILE,
    SchemaLike,
    as_schema,
    model_schema_files,
    read_model_schema,
    write_model_schema,
)
from ...text.cleaning import text_for_model
from ..base import TopicClassifier
from ..thresholds import apply_thresholds, tune_thresholds

__all__ = [
    "IndoBertTopicClassifier", "IndoBertTrainingArguments", "InferenceVariants", "pool_logits",
]

HF_SUBDIR = "hf"
PRECISIONS = ("auto", "fp32", "bf16", "fp16", "int8", "onnx-int8", "onnx-fp32")
#: the allowed range of each training argument (checked when one is made and when a folder is loaded)
TRAINING_PARAMS = {
    "epochs": integer(0, 10**4), "batch_size": integer(1, 10**5), "grad_accum": integer(1, 10**4),
    "learning_rate": number(0, 1, low_open=True), "weight_decay": number(0, 10), "warmup_ratio": number(0, 1),
    "max_grad_norm": number(0, 1e6, low_open=True), "class_weighting": boolean,
    "early_stopping_patience": integer(0, 10**4), "max_train_windows": integer(1, 10**4),
    "seed": integer(0, 2**63 - 1), "progress": boolean, "freeze_layers": integer(0, 128),
    "pos_weight_power": number(0, 1), "max_pos_weight": number(1, 1e4),
}
#: model settings: what the model is (saved)
MODEL_PARAMS = {
    "model_name_or_path": text(), "multi_label": boolean, "max_length": integer(16, 8192),
    "stride": integer(0, 8191), "pooling": choice("auto", "max", "mean"), "thresholds": choice("dev", "fixed", "oof"),
    "clean": boolean,
}
#: runtime options: how this machine runs the model (not saved; set at load or from the CLI)
RUNTIME_PARAMS = {
    "max_windows": optional(integer(1, 10**6)), "inference_batch_size": any_of(choice("auto"), integer(1, 10**5)),
    "precision": choice(*PRECISIONS), "device": text(64),
}


def _nested(spec: Mapping[str, Callable[[Any], str | None]]) -> Callable[[Any], str | None]:
    """A check for a JSON object whose keys are checked by ``spec`` (the saved training arguments)."""
    def check(value: Any) -> str | None:
        if not isinstance(value, dict):
            return "must be an object"
        for key, item in value.items():
            problem = spec[key](item) if key in spec else "is not a setting this version knows"
            if problem:
                return f"{key} {problem}"
        return None
    return check


#: every constructor setting and its allowed range
PARAMS = {**MODEL_PARAMS, "args": optional(_nested(TRAINING_PARAMS)), **RUNTIME_PARAMS}
#: version 2 saves model settings and the training arguments nested under ``args``
FORMAT = ModelFormat("pemilu_nlp.indobert", 2, {**MODEL_PARAMS, "args": _nested(TRAINING_PARAMS)})
#: version 1 (still read) saved one flat set of settings, runtime options among them
FORMAT_V1 = ModelFormat("pemilu_nlp.indobert", 1, {
    **{k: v for k, v in MODEL_PARAMS.items() if k != "thresholds"}, **TRAINING_PARAMS, **RUNTIME_PARAMS,
    "seed": integer(-2**63, 2**64), "precision": choice("auto", "fp32", "bf16", "fp16", "int8")})
#: the transformers settings that size the network, and their allowed ranges
HF_PARAMS = {
    "num_hidden_layers": integer(1, 128), "hidden_size": integer(1, 16384), "num_attention_heads": integer(1, 512),
    "intermediate_size": integer(1, 65536), "vocab_size": integer(1, 10**6),
    "max_position_embeddings": integer(1, 65536), "embedding_size": integer(1, 16384),
    "type_vocab_size": integer(0, 1024), "num_hidden_groups": integer(1, 128),
}


# ------------------------------------------------------------------------------------ training arguments
@dataclass(frozen=True)
class IndoBertTrainingArguments:
    """How :meth:`IndoBertTopicClassifier.fit` trains (as setfit's and transformers' training arguments).

    Frozen: make a variant with :meth:`replace`; ``to_dict``/``from_dict`` give and read the JSON
    form saved in a model folder.  Every value is checked when the arguments are made.

    Attributes
    ----------
    epochs : int
        Passes over the training texts (early stopping may end sooner).
    batch_size, grad_accum : int
        Articles per forward pass, and passes per optimiser step (effective batch = product).
    learning_rate, weight_decay, warmup_ratio, max_grad_norm : float
        AdamW with linear warm-up (share of the steps) then linear decay; gradient clipping norm.
    class_weighting : bool
        Weigh rare topics up in the loss (capped at 50x).
    early_stopping_patience : int
        With dev data: stop after this many epochs without a better dev macro-F1 (the best epoch is kept).
    max_train_windows : int
        Windows of each article read in training (inference reads ``max_windows``, default all).
    seed : int
        Shuffling, head initialisation and dropout; the caller's global random state is left as it was.
    progress : bool
        A progress bar per epoch.
    freeze_layers : int
        Freeze the embeddings and this many lower layers, and run them once per training window
        (cached; each epoch then runs only the top layers and the head).  0: train everything.
    pos_weight_power, max_pos_weight : float
        With ``class_weighting``, a topic's positive weight is ``(negatives / positives) **
        pos_weight_power``, capped at ``max_pos_weight`` (1.0 and 50: the inverse ratio; 0.5: its
        square root, gentler on topics with a handful of positives).

    >>> args = IndoBertTrainingArguments(epochs=2, learning_rate=5e-5)
    >>> args.replace(epochs=3).epochs, args.to_dict()["learning_rate"]
    (3, 5e-05)
    >>> IndoBertTrainingArguments(epochs=-1)
    Traceback (most recent call last):
    ...
    ValueError: IndoBertTrainingArguments: epochs=-1 must be an integer from 0 to 10000
    """

    epochs: int = 4
    batch_size: int = 8
    grad_accum: int = 1
    learning_rate: float = 3e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_grad_norm: float = 1.0
    class_weighting: bool = True
    early_stopping_patience: int = 2
    max_train_windows: int = 4
    seed: int = 0
    progress: bool = True
    freeze_layers: int = 0
    pos_weight_power: float = 1.0
    max_pos_weight: float = 50.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.generic):  # a value from a numpy grid
                value = value.item()
                object.__setattr__(self, f.name, value)
            problem = TRAINING_PARAMS[f.name](value)
            if problem:
                raise ValueError(f"{type(self).__name__}: {f.name}={value!r} {problem}")

    def replace(self, **changes: Any) -> IndoBertTrainingArguments:
        """A copy with ``changes``."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> IndoBertTrainingArguments:
        unknown = sorted(set(values) - {f.name for f in fields(cls)})
        if unknown:
            raise ValueError(f"{cls.__name__} has no setting {', '.join(map(repr, unknown))}")
        return cls(**values)


def _split_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Constructor settings from one flat set (training arguments by their own names among them),
    as the CLI's ``--params`` and version-1 folders give them."""
    names = {f.name for f in fields(IndoBertTrainingArguments)}
    out = {k: v for k, v in settings.items() if k not in names}
    flat = {k: v for k, v in settings.items() if k in names}
    base = out.get("args")
    base = IndoBertTrainingArguments.from_dict(base) if isinstance(base, Mapping) else base or IndoBertTrainingArguments()
    out["args"] = base.replace(**flat) if flat else base
    return out


# ------------------------------------------------------------------------------------ helpers
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


@contextmanager
def _seeded(seed: int, device: str) -> Iterator[None]:
    """Seed torch's generator of ``device`` (and the CPU's) for the block only: the caller's
    random state is restored after it (``torch.random.fork_rng``)."""
    torch = _torch()
    index = (torch.device(device).index or 0) if device.startswith("cuda") else None
    with torch.random.fork_rng(devices=[] if index is None else [index]):
        torch.random.default_generator.manual_seed(seed)
        if index is not None:
            with torch.cuda.device(index):
                torch.cuda.manual_seed(seed)
        yield


def _check_transformers_folder(opened: OpenedFolder, weights: list[str], n_topics: int) -> None:
    """The transformers config sizes the network: check its sizes, and that the weights were saved
    for exactly that network (layers, vocabulary, topic head), before anything is built."""
    folder = opened.folder
    try:
        hf_config = json.loads(opened.data[f"{HF_SUBDIR}/config.json"].decode("utf-8"))
    except (KeyError, ValueError, RecursionError) as err:
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
        tensors |= opened.header(name)
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


def _hf_weights(folder: Path) -> list[str]:
    """The safetensors files of ``hf/`` (a ``.bin``-only folder is refused: pickles are never loaded)."""
    hf = folder / HF_SUBDIR
    if not hf.is_dir():
        return []
    weights = sorted(f"{HF_SUBDIR}/{p.name}" for p in hf.glob("*.safetensors"))
    if not weights and list(hf.glob("*.bin")):
        raise ModelFormatError(f"{hf}: only PyTorch .bin (pickle) weights; pemilu_nlp loads safetensors only")
    if not weights:
        raise ModelFormatError(f"{hf}: missing weights (no .safetensors file)")
    return weights


def _open(folder: Path, files: list[str]) -> OpenedFolder:
    """Verify the folder; version-1 settings (flat) come back in today's shape (``args`` nested)."""
    try:  # the version only picks which declaration verifies the folder; open_folder checks it
        version = json.loads((folder / "config.json").read_text("utf-8")).get("format_version")
    except (OSError, ValueError, AttributeError, RecursionError):
        version = None
    fmt = FORMAT_V1 if type(version) is int and version == 1 else FORMAT
    opened = open_folder(folder, fmt, files=files, complete=[HF_SUBDIR])
    params = dict(opened.params)
    if fmt is FORMAT_V1:
        params.pop("device", None)  # a runtime option: load's own device decides
    try:
        opened.params = _split_settings(params)
    except ValueError as err:
        raise ModelFormatError(f"{folder}: config.json params: {err}") from None
    return opened


# ------------------------------------------------------------------------------------ the classifier
class IndoBertTopicClassifier(TopicClassifier):
    """Fine-tuned IndoBERT (or any BERT/ALBERT checkpoint with a fast tokenizer) over the topic schema.

    Parameters
    ----------
    model_name_or_path : str
        Hub id (``indobenchmark/indobert-base-p1``, ``indolem/indobert-base-uncased``,
        ``indobenchmark/indobert-lite-base-p1``) or a local ``save_pretrained`` folder.
    multi_label : bool
        One sigmoid per topic (default) or one softmax over topics.
    max_length, stride : int
        Window length in tokens (special tokens included; at most the model's
        ``max_position_embeddings``) and the tokens consecutive windows share (at most half of a
        window's text).
    pooling : "auto", "max" or "mean"
        How window logits become one document; ``auto`` picks on dev data.
    thresholds : "dev" or "fixed"
        ``dev``: with ``X_dev``/``y_dev`` given to :meth:`fit`, the pooling (for ``auto``) and each
        topic's F1-best threshold are chosen on them (0.5 without dev data); ``fixed``: 0.5.
    clean : bool
        Strip web boilerplate (:func:`~pemilu_nlp.text.cleaning.clean_text`) before tokenising.
    args : IndoBertTrainingArguments or None
        How to train (``None``: the defaults); a dict of the same names is accepted.
    max_windows : int or None
        Runtime: read at most this many windows of each article (``None``: the whole article).
        ``max_windows=1`` reads the first ``max_length`` tokens only, as a plain truncating
        pipeline does: faster on long articles, blind to what comes after.
    inference_batch_size : int or "auto"
        Runtime: windows per forward pass.  ``auto``: 64 on a GPU; on a CPU 1 for windows of 256
        tokens or more and 8 for shorter ones (``pemilu-nlp bench`` on 2 cores: with 512-token
        windows batching adds padding and no parallelism, batch 1 is 7-20 % faster than 8; with
        128-token windows batch 8 is 1.2-1.5x faster than 1).
    precision : "auto", "fp32", "bf16", "fp16", "int8", "onnx-int8" or "onnx-fp32"
        Runtime: ``auto`` = bf16 on a GPU that supports it (else fp16), bf16 on a CPU with native
        bf16 (AVX512-BF16/AMX), else fp32 (:mod:`pemilu_nlp.backends.cpu`); never int8.  ``int8`` = torch
        dynamic quantisation of the linear layers (CPU); ``onnx-int8`` / ``onnx-fp32`` = ONNX
        Runtime (CPU, the ``[onnx]`` extra, :mod:`pemilu_nlp.backends.onnx`).  Training always
        keeps fp32 weights.
    device : str
        Runtime: ``auto``, ``cpu`` or ``cuda[:N]``, resolved at fit and load.

    Examples
    --------
    >>> args = IndoBertTrainingArguments(epochs=3, batch_size=16)
    >>> clf = IndoBertTopicClassifier("indobenchmark/indobert-base-p1", args=args)
    >>> clf.fit(train_texts, train_labels, X_dev=dev_texts, y_dev=dev_labels)    # doctest: +SKIP
    >>> clf.predict_topics("Polres menggelar apel gelar pasukan Operasi Mantap Brata.")  # doctest: +SKIP
    ['operasi_pengamanan']
    """

    def __init__(self, model_name_or_path: str = "indobenchmark/indobert-base-p1", *, multi_label: bool = True,
                 max_length: int = 512, stride: int = 128, pooling: str = "auto", thresholds: str = "dev",
                 clean: bool = True, args: IndoBertTrainingArguments | Mapping[str, Any] | None = None,
                 max_windows: int | None = None, inference_batch_size: int | str = "auto", precision: str = "auto",
                 device: str = "auto"):
        self.model_name_or_path = model_name_or_path
        self.multi_label = multi_label
        self.max_length = max_length
        self.stride = stride
        self.pooling = pooling
        self.thresholds = thresholds
        self.clean = clean
        self.args = args
        self.max_windows = max_windows
        self.inference_batch_size = inference_batch_size
        self.precision = precision
        self.device = device

    @classmethod
    def from_settings(cls, **settings: Any) -> IndoBertTopicClassifier:
        """A classifier from one flat set of settings, training arguments by their own names among
        them (``epochs=3``), as the CLI's ``--params`` gives them; ``args=`` may be one of them."""
        return cls(**_split_settings(settings))

    def training_args(self) -> IndoBertTrainingArguments:
        """The training arguments in effect (``args``, or the defaults)."""
        if isinstance(self.args, Mapping):
            return IndoBertTrainingArguments.from_dict(self.args)
        if self.args is not None and not isinstance(self.args, IndoBertTrainingArguments):
            raise TypeError(f"args must be IndoBertTrainingArguments, a dict or None, got {type(self.args).__name__}")
        return self.args or IndoBertTrainingArguments()

    # ------------------------------------------------------------------------------------ loading
    def _from_pretrained(self, source: str | Path, *, local_only: bool = False):
        from transformers import AutoModelForSequenceClassification

        topics = [str(t) for t in self.classes_]
        tokenizer, model = load_pretrained(
            source, AutoModelForSequenceClassification, local_only=local_only, num_labels=len(topics),
            problem_type="multi_label_classification" if self.multi_label else "single_label_classification",
            id2label=dict(enumerate(topics)), label2id={t: i for i, t in enumerate(topics)},
            ignore_mismatched_sizes=True)
        if not tokenizer.is_fast:  # windows come from the fast tokenizer's overflowing tokens
            raise ModelFormatError(f"{source}: {type(tokenizer).__name__} is not a fast tokenizer; pemilu_nlp needs "
                                   "one (tokenizer.json; install `tokenizers` and re-save the tokenizer)")
        return tokenizer, model

    def _start(self, source: str | Path, *, local_only: bool = False) -> None:
        """Tokenizer and network from ``source`` on the resolved device; a fresh variant cache."""
        self.device_ = resolve_device(self.device)
        self.tokenizer_, model = self._from_pretrained(source, local_only=local_only)
        self.encoder_ = encoder_settings(source)
        if self.encoder_["pooling"] == "mean":
            use_mean_pooling(model)
        self.model_ = model.to(self.device_)
        self.variants_ = InferenceVariants()

    @classmethod
    def untrained(cls, model_name_or_path: str, *, schema: SchemaLike = None, **settings: Any) -> IndoBertTopicClassifier:
        """A classifier with a fresh (random) topic head and default thresholds, without training.

        For throughput measurements, where the weights' values do not matter; ``settings`` as
        :meth:`from_settings` takes them."""
        model = cls.from_settings(model_name_or_path=model_name_or_path, **settings)
        model.schema_ = as_schema(schema)
        model.classes_ = np.array([t.id for t in model.schema_])
        with _seeded(model.training_args().seed, resolve_device(model.device)):
            model._start(model_name_or_path)
        model._check_max_length()
        model.model_.eval()
        model.thresholds_ = np.full(len(model.classes_), 0.5)
        model.pooling_ = "max" if model.pooling == "auto" else model.pooling
        model.history_ = []
        return model

    # ------------------------------------------------------------------------------------ windows
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
        precision = _auto_precision(self.device_) if self.precision == "auto" else self.precision
        return self.variants_.get(precision, lambda: _convert(self.model_, precision, self.device_)), precision

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

    def _proba(self, texts: list[str]) -> np.ndarray:
        return self.proba_of_windows(*self.window_logits(texts), len(texts))

    def _decisions(self, proba: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
        if self.multi_label:
            return apply_thresholds(proba, thresholds)
        decisions = np.zeros_like(proba, dtype=np.int8)
        decisions[np.arange(len(proba)), proba.argmax(axis=1)] = 1
        return decisions

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """0/1 decisions from a probability matrix: the thresholds, or (single-label) the best topic."""
        return self._decisions(proba, self.thresholds_)

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

    # ------------------------------------------------------------------------------------ training
    def _fit(self, texts: list[str], Y: np.ndarray, *, dev: tuple[list[str], np.ndarray] | None = None) -> None:
        """Fine-tune on ``texts``/``Y``; with ``dev``, early stopping on dev macro-F1 keeps the best epoch."""
        args = self.training_args()
        if self.thresholds == "oof" and not args.freeze_layers:  # refused before training, not after it
            raise ValueError("IndoBertTopicClassifier has out-of-fold scores only with frozen, cached lower layers "
                             "(freeze_layers > 0; otherwise one whole fine-tuning per fold); use thresholds='dev' "
                             "(with X_dev/y_dev) or 'fixed', or set freeze_layers")
        if not self.multi_label and (Y.sum(axis=1) != 1).any():
            raise ValueError("multi_label=False needs exactly one topic per text")
        with _seeded(args.seed, resolve_device(self.device)):
            self._start(self.model_name_or_path)
            self.pooling_ = "mean" if self.pooling == "auto" else self.pooling
            self.thresholds_ = np.full(len(self.classes_), 0.5)
            self._trainer = _Trainer(self, args, texts, Y)
            self.history_ = self._trainer.run(dev)
            if self.thresholds != "oof":
                del self._trainer

    def _oof_proba(self, texts: list[str], Y: np.ndarray) -> np.ndarray:
        """Out-of-fold probabilities from the training run's cache (``freeze_layers`` > 0)."""
        trainer = self.__dict__.pop("_trainer", None)
        if trainer is None or trainer.cache is None:
            raise ValueError("thresholds='oof' needs freeze_layers > 0 (out-of-fold scores from the cached layers)")
        with _seeded(trainer.args.seed, self.device_):
            proba = trainer.out_of_fold()
        self.variants_.clear()
        return proba

    def _dev_score(self, texts: list[str], Y: np.ndarray) -> float:
        from ..metrics import macro_f1

        self.variants_.clear()  # the weights changed
        return float(macro_f1(Y, self.decide(self._proba(texts))))

    # ------------------------------------------------------------------------------------ saving
    def save(self, folder: str | Path, *, metrics: dict | None = None, extra: dict | None = None) -> Path:
        """``hf/`` via ``save_pretrained`` (safetensors) + ``config.json`` (model settings, training
        arguments, topics, thresholds, pooling, history) + ``schema.json``, sealed by a manifest."""
        check_is_fitted(self, "model_")
        folder = Path(folder)

        def write_files(stage: Path) -> list[str]:
            hf = stage / HF_SUBDIR
            hf.mkdir(parents=True, exist_ok=True)
            self.model_.save_pretrained(hf)
            self.tokenizer_.save_pretrained(hf)
            if getattr(self, "encoder_", DEFAULT_ENCODER) != DEFAULT_ENCODER:  # how the encoder is fed and pooled
                (hf / ENCODER_JSON).write_text(json.dumps(self.encoder_, indent=1) + "\n", "utf-8")
            if not list(hf.glob("*.safetensors")):
                raise ModelFormatError(f"{folder}: save_pretrained wrote no safetensors file")
            hf_files = sorted(p.relative_to(stage).as_posix() for p in hf.rglob("*") if p.is_file())
            return [*hf_files, write_model_schema(stage, self.schema_)]

        settings = {k: v for k, v in self.get_params(deep=False).items() if k in MODEL_PARAMS}
        return save_folder(folder, FORMAT, params={**settings, "args": self.training_args().to_dict()},
                           write_files=write_files, config={
                               "model": type(self).__name__, "topics": [str(t) for t in self.classes_],
                               "thresholds": [float(t) for t in self.thresholds_], "pooling": self.pooling_,
                               "history": getattr(self, "history_", []), "metrics": metrics or {}, **(extra or {})})

    @classmethod
    def load(cls, folder: str | Path, *, device: str = "auto", precision: str | None = None,
             batch_size: int | str | None = None, max_windows: int | None = None,
             max_length: int | None = None) -> IndoBertTopicClassifier:
        """Load a folder written by :meth:`save` (safetensors only; ``.bin`` pickles are refused).

        Runtime options: ``device``, ``precision``, ``batch_size`` (windows per forward pass,
        ``inference_batch_size``), ``max_windows``; ``max_length`` reads in windows of another
        length than the model was trained with (at most its ``max_position_embeddings``).
        Every file of ``hf/`` (weights, transformers config, tokenizer) must be in the folder's
        manifest with its checksum, and the settings and tensor shapes are checked before the
        network is built.  Version-1 folders (flat settings) load too."""
        folder = Path(folder)
        weights = _hf_weights(folder)
        opened = _open(folder, [f"{HF_SUBDIR}/config.json", *weights, *model_schema_files(folder)])
        schema = read_model_schema(folder, opened.config, data=opened.data.get(MODEL_SCHEMA_FILE))
        thresholds = check_thresholds(folder, opened.config.get("thresholds"), len(schema),
                                      name="config.json thresholds")
        if opened.config.get("pooling") not in ("max", "mean"):
            raise ModelFormatError(f"{folder}: config.json pooling must be 'max' or 'mean', "
                                   f"got {opened.config.get('pooling')!r}")
        _check_transformers_folder(opened, weights, len(schema))
        runtime = {"device": device, "precision": precision, "inference_batch_size": batch_size,
                   "max_windows": max_windows, "max_length": max_length}
        model = opened.build(cls, **{k: v for k, v in runtime.items() if v is not None})
        model.schema_, model.classes_ = schema, np.array([t.id for t in schema])
        make_torch_fork_safe()
        with tempfile.TemporaryDirectory(prefix="pemilu_nlp-hf-") as private:  # the verified bytes, not a re-read
            model._start(opened.materialize(HF_SUBDIR, Path(private)), local_only=True)
        for name, tensor in model.model_.state_dict().items():
            if tensor.is_floating_point():
                check_array(folder, f"{HF_SUBDIR} tensor {name}", tensor)
        model.model_.eval()
        model._check_max_length()
        model.thresholds_, model.pooling_ = thresholds, opened.config["pooling"]
        model.history_ = opened.config.get("history", [])
        model.config_ = opened.config
        return model

    def __getstate__(self) -> dict:
        raise TypeError("IndoBertTopicClassifier is not picklable by design: use save() / load()")


# ------------------------------------------------------------------------------------ the training loop
class _EarlyStopping:
    """The best dev score so far, the weights that reached it, and whether patience ran out."""

    def __init__(self, patience: int) -> None:
        self.patience, self.best, self.state, self.stale = patience, -1.0, None, 0

    def update(self, score: float, model: Any) -> bool:
        """Record an epoch's dev score; ``True`` when training should stop."""
        if score > self.best:
            self.best, self.stale = score, 0
            self.state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            self.stale += 1
        return self.stale > self.patience

    def restore(self, model: Any) -> None:
        if self.state is not None:
            model.load_state_dict(self.state)


class _Trainer:
    """One fine-tuning run of ``clf.model_``: the article windows, loss, optimiser, schedule and
    (on a GPU) mixed precision; :meth:`run` returns the per-epoch history."""

    def __init__(self, clf: IndoBertTopicClassifier, args: IndoBertTrainingArguments, texts: list[str],
                 Y: np.ndarray) -> None:
        torch = _torch()
        from transformers import get_linear_schedule_with_warmup

        self.clf, self.args, self.model, self.device = clf, args, clf.model_, clf.device_
        self.Y = Y.astype(np.float32)
        windows, owner = clf.windows(texts, max_windows=args.max_train_windows)
        self.windows_of: list[list[list[int]]] = [[] for _ in texts]
        self.rows_of: list[list[int]] = [[] for _ in texts]
        for row, (window, doc) in enumerate(zip(windows, owner)):
            self.windows_of[doc].append(window)
            self.rows_of[doc].append(row)
        freeze_lower_layers(self.model, args.freeze_layers)
        self.cache = LowerLayerCache(self.model, args.freeze_layers, windows, clf._pad, self.device) \
            if args.freeze_layers else None
        self.trainable = [p for p in self.model.parameters() if p.requires_grad]
        self.initial = [p.detach().clone() for p in self.trainable]
        self.loss_fn = self._loss_function()
        self.docs = np.arange(len(texts))
        self._new_optimiser(get_linear_schedule_with_warmup)
        cuda = self.device.startswith("cuda")
        self.amp_dtype = (torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16) if cuda else None
        self.scaler = torch.amp.GradScaler("cuda") if self.amp_dtype == torch.float16 else None
        self.rng = np.random.default_rng(self.args.seed)

    def _new_optimiser(self, schedule: Callable) -> None:
        torch = _torch()
        args = self.args
        self.optimizer = torch.optim.AdamW(self.trainable, lr=args.learning_rate, weight_decay=args.weight_decay)
        total = max(1, math.ceil(len(self.docs) / (args.batch_size * args.grad_accum)) * args.epochs)
        self.scheduler = schedule(self.optimizer, int(args.warmup_ratio * total), total)

    def _loss_function(self):
        """BCE with positive weights (multi-label) or weighted cross-entropy; weights lift rare topics."""
        torch = _torch()
        positives, n, k = self.Y.sum(axis=0), len(self.Y), self.Y.shape[1]
        if self.clf.multi_label:
            ratio = (n - positives) / np.maximum(positives, 1)
            weight = np.clip(ratio ** self.args.pos_weight_power, 1.0, self.args.max_pos_weight) \
                if self.args.class_weighting else np.ones(k)
            return torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(weight, dtype=torch.float32, device=self.device))
        weight = n / np.maximum(positives, 1) / k if self.args.class_weighting else np.ones(k)
        return torch.nn.CrossEntropyLoss(weight=torch.tensor(weight, dtype=torch.float32, device=self.device))

    def run(self, dev: tuple[list[str], np.ndarray] | None) -> list[dict]:
        history: list[dict] = []
        stopping = _EarlyStopping(self.args.early_stopping_patience)
        for epoch in range(self.args.epochs):
            started = time.perf_counter()
            record = {"epoch": epoch + 1, "train_loss": self._epoch(epoch),
                      "seconds": round(time.perf_counter() - started, 1)}
            self.model.eval()
            stop = False
            if dev is not None:
                record["dev_macro_f1"] = self.clf._dev_score(*dev)
                stop = stopping.update(record["dev_macro_f1"], self.model)
            history.append(record)
            if stop:
                break
        stopping.restore(self.model)
        self.model.eval()
        self.clf.variants_.clear()
        return history

    def _epoch(self, epoch: int) -> float:
        """One pass over the shuffled texts; the mean training loss."""
        from tqdm.auto import tqdm

        self.model.train()
        size, order = self.args.batch_size, self.rng.permutation(self.docs)
        bar = tqdm(range(0, len(order), size), desc=f"epoch {epoch + 1}/{self.args.epochs}",
                   disable=not self.args.progress)
        running, seen = 0.0, 0
        for step, start in enumerate(bar):
            docs = order[start:start + size]
            loss = self._loss(docs)
            scaled = loss / self.args.grad_accum
            (self.scaler.scale(scaled) if self.scaler else scaled).backward()
            if (step + 1) % self.args.grad_accum == 0 or start + size >= len(order):
                self._step()
            running += loss.item() * len(docs)
            seen += len(docs)
            bar.set_postfix(loss=f"{running / seen:.4f}")
        return running / max(seen, 1)

    def _loss(self, docs: np.ndarray):
        """The loss of a batch of articles: their windows through the model, pooled per article."""
        torch = _torch()
        target = torch.tensor(self.Y[docs], device=self.device)
        return self.loss_fn(self._doc_logits(docs), target if self.clf.multi_label else target.argmax(dim=1))

    def _doc_logits(self, docs: np.ndarray):
        """Articles' logits: their windows (from the cache, or through the whole model), pooled."""
        torch = _torch()
        segment = torch.tensor([k for k, d in enumerate(docs) for _ in self.windows_of[d]], device=self.device)
        if self.cache is not None:
            logits = self.cache.logits([r for d in docs for r in self.rows_of[d]]).float()
        else:
            ids, mask = self.clf._pad([w for d in docs for w in self.windows_of[d]])
            with torch.autocast("cuda", dtype=self.amp_dtype, enabled=self.amp_dtype is not None):
                logits = self.model(input_ids=ids.to(self.device), attention_mask=mask.to(self.device)).logits.float()
        return pool_logits(logits, segment, len(docs), self.clf.pooling_)

    def out_of_fold(self, n_splits: int = 3) -> np.ndarray:
        """Out-of-fold probabilities of the training articles: the trainable part restarted from the
        base weights and retrained on each fold's rest (cheap with the cache); the trained weights
        are put back afterwards."""
        torch = _torch()
        from transformers import get_linear_schedule_with_warmup

        from ..folds import multilabel_folds

        trained = [p.detach().clone() for p in self.trainable]
        proba = np.zeros_like(self.Y, dtype=np.float64)
        for rest, held in multilabel_folds(self.Y, n_splits, seed=self.args.seed):
            with torch.no_grad():
                for p, start in zip(self.trainable, self.initial):
                    p.copy_(start)
            self.docs = np.asarray(rest)
            self._new_optimiser(get_linear_schedule_with_warmup)
            for epoch in range(self.args.epochs):
                self._epoch(epoch)
            self.model.eval()
            with torch.inference_mode():
                for start in range(0, len(held), 32):
                    chunk = np.asarray(held[start:start + 32])
                    proba[chunk] = expit(self._doc_logits(chunk).float().cpu().numpy())
        with torch.no_grad():
            for p, value in zip(self.trainable, trained):
                p.copy_(value)
        self.docs = np.arange(len(self.Y))
        return proba

    def _step(self) -> None:
        """Clip, step the optimiser (through the scaler with fp16) and the schedule, zero the gradients."""
        torch = _torch()
        if self.scaler:
            self.scaler.unscale_(self.optimizer)
        torch.nn.utils.clip_grad_norm_(self.trainable, self.args.max_grad_norm)
        if self.scaler:
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
