"""An extractive scorer on a pretrained encoder (BERTSUM / IndoBERT-ext style), e.g. multilingual-e5-small.

The encoder reads the article in sentence windows and gives each sentence one contextual vector
(:class:`~.sentence_encoder.SentenceEncoder`); a small network scores the sentences from those
vectors: a projection, a learned embedding of the sentence's position in the article (windows
restart the encoder's own positions, and news is written lead-first), one or two transformer
layers over the article's sentences, and a linear output.  With ``features=True`` (default) each
sentence's vector is joined by the feature scorer's :data:`~.features.FEATURES` (position, length,
TF-IDF centrality, title similarity, ...), standardised, so the network starts from what the
feature scorer knows.  It learns from gold sentence labels
(IndoSum's ``gold_labels``).

The CPU trade-off: the encoder is **frozen** (its weights as exported) and may be cut to its first
``layers`` layers.  Its sentence vectors are then computed once per article and reused by every
epoch, so training costs one encoder pass over the training articles plus seconds per epoch;
fine-tuning even the top encoder layer would repeat a forward and backward pass per epoch
(docs/encoder-summaries.md says what each choice cost).  The scorer and the (cut) encoder are
saved together in one sealed folder: ``hf/`` (``save_pretrained``: safetensors, fast tokenizer)
and ``weights.safetensors`` for the scorer; nothing is unpickled.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..backends.forksafe import make_torch_fork_safe
from ..errors import ModelFormatError
from ..io.persistence import (
    WEIGHTS,
    ModelFormat,
    boolean,
    check_array,
    check_params,
    choice,
    integer,
    number,
    open_folder,
    optional,
    save_folder,
    text,
)
from .base import MAX_CHARS, MAX_SENTENCES, NOT_FITTED, SUMMARIZER_CONSTRAINTS, Summarizer
from .features import FEATURES, check_features, sentence_features, standardization
from .sentence_encoder import POOLINGS, SentenceEncoder
from .training import bce_epoch, keep_best_epoch, top3_gold_precision
from .vectors import SentenceVectors

__all__ = ["EncoderSummarizer", "encoder_prefix", "top3_gold_precision"]

HF_SUBDIR = "hf"
#: the allowed range of every saved setting, checked on load before anything is built
PARAMS = {
    "base": optional(text()), "layers": optional(integer(1, 128)), "max_length": integer(8, 8192),
    "max_sentence_tokens": integer(1, 8192), "pooling": choice(*POOLINGS), "prefix": optional(text(256)),
    "scorer_layers": integer(0, 8), "hidden": integer(4, 4096), "heads": integer(1, 64), "dropout": number(0, 1),
    "max_positions": integer(1, 4096), "epochs": integer(0, 10**4), "batch_size": integer(1, 10**5),
    "learning_rate": number(0, 10, low_open=True), "seed": integer(0, 2**63 - 1), "batch_windows": integer(1, 4096),
    "mmr_lambda": optional(number(0, 1, low_open=True)), "progress": boolean, "features": boolean,
    "finetune_layers": integer(0, 127), "finetune_learning_rate": number(0, 1, low_open=True),
}
FORMAT = ModelFormat("pemilu_nlp.encoder_sentence_scorer", 1, PARAMS)
#: the transformers settings of ``hf/`` that size the encoder, and their ranges
HF_SIZES = {"num_hidden_layers": integer(1, 128), "hidden_size": integer(1, 16384),
            "max_position_embeddings": integer(1, 65536), "vocab_size": integer(1, 10**7)}
#: where an encoder export records its input prefix and pooling (``pemilu-nlp export-encoder``)
ENCODER_NOTE = "encoder.json"


def encoder_prefix(folder: str | Path) -> str:
    """The input prefix an encoder folder records in ``encoder.json`` (e5: ``"passage: "``), else ``""``."""
    try:
        note = json.loads((Path(folder) / ENCODER_NOTE).read_text("utf-8"))
    except (OSError, ValueError, RecursionError):
        return ""
    prefix = note.get("input_prefix") if isinstance(note, dict) else None
    return prefix if isinstance(prefix, str) and len(prefix) <= 256 else ""


def _network(dim: int, hidden: int, layers: int, heads: int, dropout: float, max_positions: int):
    import torch
    from torch import nn

    class SentenceScorer(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.LayerNorm(dim)
            self.project = nn.Linear(dim, hidden)
            self.position = nn.Embedding(max_positions, hidden)
            self.dropout = nn.Dropout(dropout)
            layer = nn.TransformerEncoderLayer(hidden, heads, 2 * hidden, dropout, batch_first=True)
            self.context = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False) if layers else None
            self.head = nn.Linear(hidden, 1)

        def forward(self, vectors, mask):
            """vectors: docs x sentences x dim; mask: docs x sentences (True = a sentence)."""
            where = torch.arange(vectors.shape[1], device=vectors.device).clamp(max=max_positions - 1)
            x = self.dropout(self.project(self.norm(vectors)) + self.position(where))
            if self.context is not None:
                x = self.context(x, src_key_padding_mask=~mask)
            return self.head(x).squeeze(-1)

    return SentenceScorer()


class EncoderSummarizer(Summarizer):
    """Scores sentences with a small network over a frozen encoder's contextual sentence vectors.

    >>> from pemilu_nlp.summarize import get_summarizer
    >>> model = get_summarizer("encoder", folder="encoder-summarizer/")        # doctest: +SKIP
    >>> [s.index for s in model("KPU menetapkan DPT. Bawaslu mengawasi. Polisi berjaga.", 1)]  # doctest: +SKIP
    """

    name = "encoder"
    _parameter_constraints = SUMMARIZER_CONSTRAINTS | PARAMS

    def __init__(self, base: str | None = None, *, layers: int | None = None, max_length: int = 512,
                 max_sentence_tokens: int = 128, pooling: str = "mean", prefix: str | None = None,
                 scorer_layers: int = 2, hidden: int = 128, heads: int = 4, dropout: float = 0.1,
                 max_positions: int = 64, epochs: int = 20, batch_size: int = 16, learning_rate: float = 1e-3,
                 seed: int = 0, batch_windows: int = 8, features: bool = True, finetune_layers: int = 0,
                 finetune_learning_rate: float = 5e-5, mmr_lambda: float | None = None, progress: bool = True,
                 max_sentences: int | None = MAX_SENTENCES, max_chars: int | None = MAX_CHARS):
        super().__init__(mmr_lambda=mmr_lambda, max_sentences=max_sentences, max_chars=max_chars)
        self.base = base
        self.layers = layers
        self.max_length = max_length
        self.max_sentence_tokens = max_sentence_tokens
        self.pooling = pooling
        self.prefix = prefix  # None: what the base folder records (e5: "passage: ")
        self.scorer_layers = scorer_layers
        self.hidden = hidden
        self.heads = heads
        self.dropout = dropout
        self.max_positions = max_positions
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.seed = seed
        self.batch_windows = batch_windows
        self.features = features
        self.finetune_layers = finetune_layers  # 0: frozen encoder; k: its top k layers trained too
        self.finetune_learning_rate = finetune_learning_rate
        self.progress = progress
        self._validate_params()

    @property
    def uses_vectors(self) -> bool:  # TF-IDF sentence vectors: for the features (and MMR)
        return self.features

    # ------------------------------------------------------------------------------------ encoder
    def load_encoder(self, folder: str | Path | None = None) -> SentenceEncoder:
        """The frozen encoder from ``folder`` (default ``base``), cut to ``layers``; kept as ``encoder_``."""
        source = folder or self.base
        if source is None:
            raise ValueError("EncoderSummarizer needs base=FOLDER: an encoder saved with save_pretrained "
                             "(e.g. made by `pemilu-nlp export-encoder --out DIR`)")
        make_torch_fork_safe()
        prefix = encoder_prefix(source) if self.prefix is None else self.prefix
        self.encoder_ = SentenceEncoder.from_folder(
            source, layers=self.layers, prefix=prefix, pooling=self.pooling, max_length=self.max_length,
            max_sentence_tokens=self.max_sentence_tokens, batch_size=self.batch_windows)
        self.prefix_ = prefix
        return self.encoder_

    def sentence_vectors(self, documents: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Each document's sentence vectors (``sentences x dim``): what the scorer reads; those
        handed to :meth:`given_vectors` are looked up, not encoded again."""
        given = getattr(self, "_given", {})
        missing = [d for d in documents if tuple(d) not in given]
        if missing and not hasattr(self, "encoder_"):
            self.load_encoder()
        encoded = iter(self.encoder_.encode(missing, progress=self.progress and len(missing) > 1) if missing else [])
        return [given[tuple(d)] if tuple(d) in given else next(encoded) for d in documents]

    @contextmanager
    def given_vectors(self, documents: Sequence[Sequence[str]], vectors: Sequence[np.ndarray]) -> Iterator[None]:
        """Within the block, score these documents from these vectors (e.g. the dev vectors
        :meth:`fit` already computed, kept as ``dev_vectors_``) instead of a second encoder pass."""
        self._given = {tuple(d): v for d, v in zip(documents, vectors)}
        try:
            yield
        finally:
            del self._given

    # ------------------------------------------------------------------------------------ training
    def fit(self, documents: Sequence[Sequence[str]], gold: Sequence[Sequence[int]],
            titles: Sequence[str | None] | None = None, *, dev: tuple | None = None,
            vectors: Sequence[np.ndarray] | None = None, dev_vectors: Sequence[np.ndarray] | None = None,
            ) -> EncoderSummarizer:
        """Learn from documents (lists of sentences), their gold sentence indices and titles.

        With ``dev`` (documents, gold[, titles]), the epoch whose top-3 sentences best match the
        dev gold labels is kept; otherwise the last.  ``vectors`` / ``dev_vectors``: the documents'
        :meth:`sentence_vectors`, when already computed (they are the expensive part)."""
        import torch

        self._validate_params()
        if len(documents) != len(gold) or not documents:
            raise ValueError(f"{len(documents)} documents and {len(gold)} gold label lists: need as many, at least one")
        if self.finetune_layers and (vectors is not None or dev_vectors is not None):
            raise ValueError("finetune_layers > 0 trains the encoder: it reads the documents, not given vectors")
        rows = self._feature_rows(documents, titles)
        if rows is not None:
            self.mean_, self.scale_ = standardization(np.vstack(rows))
        dev_rows = None if dev is None else self._feature_rows(dev[0], dev[2] if len(dev) > 2 else None)
        labels = [np.isin(np.arange(len(d)), list(g)).astype(np.float32) for d, g in zip(documents, gold)]
        if self.finetune_layers:
            self.load_encoder()  # from the base weights, also on a second fit
        if not self.finetune_layers:
            vectors = list(vectors) if vectors is not None else self.sentence_vectors(documents)
        if dev is not None and not self.finetune_layers:
            self.dev_vectors_ = list(dev_vectors if dev_vectors is not None else self.sentence_vectors(dev[0]))
        with torch.random.fork_rng(devices=[]):  # seed our own stream, leave the caller's alone
            torch.manual_seed(self.seed)
            dim = self.encoder_.model.config.hidden_size if self.finetune_layers else vectors[0].shape[-1]
            self.network_ = self._new_network(dim + len(FEATURES) * self.features)
            if self.finetune_layers:
                from .encoder_finetune import fine_tune

                self.history_ = fine_tune(self, documents, labels, rows, dev, dev_rows)
            else:
                dev_inputs = None if dev is None else self._inputs(self.dev_vectors_, dev_rows)
                self._train(self._inputs(vectors, rows), labels, dev_inputs, None if dev is None else dev[1])
        return self

    def _feature_rows(self, documents: Sequence[Sequence[str]], titles: Sequence[str | None] | None):
        """The feature scorer's features of each document (``None`` with ``features=False``)."""
        if not self.features:
            return None
        return [sentence_features(list(d), titles[i] if titles else None) for i, d in enumerate(documents)]

    def _standardised(self, rows: list[np.ndarray] | None) -> list[np.ndarray] | None:
        return None if rows is None else [((f - self.mean_) / self.scale_).astype(np.float32) for f in rows]

    def _inputs(self, vectors: list[np.ndarray], rows: list[np.ndarray] | None) -> list[np.ndarray]:
        """What the network reads per sentence: the encoder's vector [+ the standardised features]."""
        if rows is None:
            return [np.asarray(v, dtype=np.float32) for v in vectors]
        return [np.hstack([v, f]).astype(np.float32) for v, f in zip(vectors, self._standardised(rows))]

    def _new_network(self, dim: int):
        return _network(dim, self.hidden, self.scorer_layers, self.heads, self.dropout, self.max_positions)

    def _train(self, vectors: list[np.ndarray], labels: list[np.ndarray], dev_vectors: Sequence[np.ndarray] | None,
               dev_gold: Sequence[Sequence[int]] | None) -> None:
        """``epochs`` passes over the cached vectors; with dev articles, keep the best epoch."""
        import torch

        rng = np.random.default_rng(self.seed)
        optimiser = torch.optim.AdamW(self.network_.parameters(), lr=self.learning_rate, weight_decay=0.01)
        def batch(chosen: list[int]) -> tuple:
            inputs, mask = _padded([vectors[i] for i in chosen])
            return inputs, mask, _padded([labels[i][:, None] for i in chosen])[0][..., 0]

        self.history_ = keep_best_epoch(self.network_, self.epochs, lambda e: bce_epoch(
            self.network_, optimiser, rng.permutation(len(vectors)), self.batch_size, batch,
            desc=f"epoch {e + 1}/{self.epochs}", progress=self.progress),
            None if dev_vectors is None else lambda: top3_gold_precision(self.score_vectors(dev_vectors), dev_gold))

    # ------------------------------------------------------------------------------------ scoring
    def score_vectors(self, vectors: Sequence[np.ndarray], *, batch_size: int = 32) -> list[np.ndarray]:
        """Scores of documents given as what the network reads (encoder vectors [+ features], see
        :meth:`_inputs`).  Articles are scored in batches; the
        padding of shorter articles is masked out, so an article's scores do not depend on its batch
        beyond float rounding."""
        import torch

        check_is_fitted(self, "network_", msg=NOT_FITTED)
        self.network_.eval()
        out = []
        with torch.inference_mode():
            for start in range(0, len(vectors), batch_size):
                chunk = vectors[start:start + batch_size]
                batch, mask = _padded(chunk)
                scores = torch.sigmoid(self.network_(batch, mask)).numpy().astype(np.float64)
                out += [scores[i, :len(v)] for i, v in enumerate(chunk)]
        return out

    def _score(self, sentences: Sequence[str], title: str | None, vectors: SentenceVectors | None) -> np.ndarray:
        check_is_fitted(self, "network_", msg=NOT_FITTED)
        rows = [sentence_features(sentences, title, vectors)] if self.features else None
        return self.score_vectors(self._inputs(self.sentence_vectors([list(sentences)]), rows))[0]

    # ------------------------------------------------------------------------------------ files
    def _params(self) -> dict[str, Any]:
        params = {k: v for k, v in self.get_params(deep=False).items() if k in PARAMS and k != "progress"}
        return params | {"prefix": self.prefix_, "layers": self.encoder_.layers}

    def save(self, folder: str | Path, *, metrics: dict | None = None) -> Path:
        """``hf/`` (the encoder as used, cut to ``layers``, and its tokenizer), ``weights.safetensors``
        (the scorer) and ``config.json``, sealed by a manifest of checksums."""
        check_is_fitted(self, "network_", msg=NOT_FITTED)
        if not hasattr(self, "encoder_"):  # trained on given vectors: the encoder they came from
            self.load_encoder()
        def write_files(stage: Path) -> list[str]:
            hf = stage / HF_SUBDIR
            hf.mkdir(parents=True, exist_ok=True)
            self.encoder_.model.save_pretrained(hf)
            self.encoder_.tokenizer.save_pretrained(hf)
            return sorted(p.relative_to(stage).as_posix() for p in hf.rglob("*") if p.is_file())

        arrays = {k: v.detach().cpu().numpy() for k, v in self.network_.state_dict().items()}
        if self.features:
            arrays |= {"feature_mean": self.mean_.astype(np.float64), "feature_scale": self.scale_.astype(np.float64)}
        return save_folder(folder, FORMAT, params=self._params(), arrays=arrays, write_files=write_files,
                           config={"features": list(FEATURES) if self.features else [],
                                   "history": getattr(self, "history_", []), "metrics": metrics or {}})

    @classmethod
    def load(cls, folder: str | Path) -> EncoderSummarizer:
        """Load a folder written by :meth:`save`; every file is checked against the manifest and
        every setting and tensor shape against its range before anything is built, so a bad folder
        is a :class:`~pemilu_nlp.errors.ModelFormatError`."""
        import torch

        folder = Path(folder)
        weights = sorted(f"{HF_SUBDIR}/{p.name}" for p in (folder / HF_SUBDIR).glob("*.safetensors"))
        opened = open_folder(folder, FORMAT, files=[WEIGHTS, f"{HF_SUBDIR}/config.json", *weights],
                             complete=[HF_SUBDIR])
        if not weights:
            raise ModelFormatError(f"{folder}: {HF_SUBDIR}/ holds no .safetensors weights")
        sizes = _hf_sizes(folder)
        if sizes["num_hidden_layers"] != opened.params.get("layers"):
            raise ModelFormatError(f"{folder}: config.json layers={opened.params.get('layers')}, the encoder in "
                                   f"{HF_SUBDIR}/ has {sizes['num_hidden_layers']}")
        model = opened.build(cls, progress=False)
        n_features = len(FEATURES) if model.features else 0
        if model.features:
            check_features(folder, opened.config)
        model.load_encoder(folder / HF_SUBDIR)
        network = model._new_network(sizes["hidden_size"] + n_features)
        shapes = {k: tuple(v.shape) for k, v in network.state_dict().items()}
        if model.features:
            shapes |= {"feature_mean": (n_features,), "feature_scale": (n_features,)}
        arrays = opened.arrays(shapes)
        if model.features:
            check_array(folder, "weights.safetensors feature_scale", arrays["feature_scale"], positive=True)
            model.mean_, model.scale_ = arrays.pop("feature_mean"), arrays.pop("feature_scale")
        network.load_state_dict({k: torch.from_numpy(v) for k, v in arrays.items()})
        model.network_ = network.eval()
        model.history_ = opened.config.get("history", [])
        return model

    def __repr__(self) -> str:
        return (f"EncoderSummarizer(base={self.base!r}, layers={self.layers}, scorer_layers={self.scorer_layers}, "
                f"mmr_lambda={self.mmr_lambda})")


def _hf_sizes(folder: Path) -> dict[str, int]:
    """The encoder's sizes from ``hf/config.json``, each checked against its range."""
    try:
        hf_config = json.loads((folder / HF_SUBDIR / "config.json").read_text("utf-8"))
    except (OSError, ValueError, RecursionError) as err:
        raise ModelFormatError(f"{folder}: cannot read {HF_SUBDIR}/config.json ({err})") from None
    if not isinstance(hf_config, dict) or any(k not in hf_config for k in HF_SIZES):
        raise ModelFormatError(f"{folder}: {HF_SUBDIR}/config.json must give {', '.join(HF_SIZES)}")
    sizes = {k: hf_config[k] for k in HF_SIZES}
    check_params(folder, sizes, HF_SIZES, where=f"{HF_SUBDIR}/config.json")
    return sizes


def _padded(arrays: Sequence[np.ndarray]):
    """``docs x max sentences x dim`` float tensor and its boolean sentence mask."""
    import torch

    n = max(len(a) for a in arrays)
    out = np.zeros((len(arrays), n, arrays[0].shape[-1]), dtype=np.float32)
    mask = np.zeros((len(arrays), n), dtype=bool)
    for i, a in enumerate(arrays):
        out[i, :len(a)] = a
        mask[i, :len(a)] = True
    return torch.from_numpy(out), torch.from_numpy(mask)
