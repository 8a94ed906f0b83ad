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

The subpackage is split as setfit's: :mod:`.training_args` (the training arguments),
:mod:`.inference` (windows, batched forward passes, pooling, precision variants), :mod:`.trainer`
(the training loop, the lower-layer cache, out-of-fold retraining) and this module (the
estimator: settings, fit glue, save and load).  torch and transformers are imported in these
modules only, on first use, so ``import pemilu_nlp`` stays light.
"""
from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ...backends.encoder_recipe import DEFAULT as DEFAULT_ENCODER
from ...backends.encoder_recipe import ENCODER_JSON, encoder_settings, use_mean_pooling
from ...backends.forksafe import make_torch_fork_safe
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
from ...validation import Validated
from ..base import TopicClassifier
from .inference import PRECISIONS, InferenceVariants, WindowInference, pool_logits
from .precision import check_precisions, precision_check_problem
from .trainer import _seeded, _Trainer
from .training_args import TRAINING_PARAMS, IndoBertTrainingArguments, _split_settings

__all__ = [
    "IndoBertTopicClassifier", "IndoBertTrainingArguments", "InferenceVariants", "pool_logits",
]

HF_SUBDIR = "hf"
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


def _training_args(value: Any) -> str | None:
    """``args``: training arguments, their JSON object (checked as the saved ones are), or ``None``."""
    if value is None or isinstance(value, IndoBertTrainingArguments):
        return None
    return _nested(TRAINING_PARAMS)(value)


#: the limits ``__init__``, ``set_params`` and ``fit`` check (pemilu_nlp.validation)
CONSTRAINTS = {**PARAMS, "args": _training_args}
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


def _precision_check(folder: Path, config: Mapping[str, Any]) -> dict | None:
    """The saved precision check (:meth:`IndoBertTopicClassifier.check_precisions`), checked."""
    check = config.get("precision_check")
    if check is not None and (problem := precision_check_problem(check, PRECISIONS)):
        raise ModelFormatError(f"{folder}: config.json precision_check {problem}")
    return check


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
class IndoBertTopicClassifier(WindowInference, Validated, TopicClassifier):
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

    _parameter_constraints = CONSTRAINTS

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
        self._validate_params()

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

    # ------------------------------------------------------------------------------------ inference
    def _proba(self, texts: list[str]) -> np.ndarray:
        return self.proba_of_windows(*self.window_logits(texts), len(texts))

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """0/1 decisions from a probability matrix: the thresholds, or (single-label) the best topic."""
        return self._decisions(proba, self.thresholds_)

    # ------------------------------------------------------------------------------------ training
    def _fit(self, texts: list[str], Y: np.ndarray, *, dev: tuple[list[str], np.ndarray] | None = None) -> None:
        """Fine-tune on ``texts``/``Y``; with ``dev``, early stopping on dev macro-F1 keeps the best epoch."""
        self._validate_params()
        args = self.training_args()
        if self.thresholds == "oof" and not args.freeze_layers:  # refused before training, not after it
            raise ValueError("IndoBertTopicClassifier has out-of-fold scores only with frozen, cached lower layers "
                             "(freeze_layers > 0; otherwise one whole fine-tuning per fold); use thresholds='dev' "
                             "(with X_dev/y_dev) or 'fixed', or set freeze_layers")
        if not self.multi_label and (Y.sum(axis=1) != 1).any():
            raise ValueError("multi_label=False needs exactly one topic per text")
        self.__dict__.pop("precision_check_", None)  # measured on other weights
        with _seeded(args.seed, resolve_device(self.device)):
            self._start(self.model_name_or_path)
            self.pooling_ = "mean" if self.pooling == "auto" else self.pooling
            self.thresholds_ = np.full(len(self.classes_), 0.5)
            self._trainer = _Trainer(self, args, texts, Y)
            self.history_ = self._trainer.run(dev)
            if self.thresholds != "oof":
                del self._trainer

    def check_precisions(self, texts: Sequence[str], *, precisions: Sequence[str] | None = None,
                         min_agreement: float = 0.99) -> dict:
        """Measure each faster precision against fp32 on ``texts`` (label-free) and keep the record
        (saved with the model): ``precision="auto"`` then takes the fastest one that agreed on at least
        ``min_agreement`` of the label sets (:mod:`pemilu_nlp.classify.indobert.precision`)."""
        self.precision_check_ = check_precisions(self, texts, precisions=precisions, min_agreement=min_agreement)
        return self.precision_check_

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
                               "history": getattr(self, "history_", []), "metrics": metrics or {},
                               "precision_check": getattr(self, "precision_check_", None), **(extra or {})})

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
        check = _precision_check(folder, opened.config)
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
        model.config_, model.precision_check_ = opened.config, check
        return model

    def __getstate__(self) -> dict:
        raise TypeError("IndoBertTopicClassifier is not picklable by design: use save() / load()")

