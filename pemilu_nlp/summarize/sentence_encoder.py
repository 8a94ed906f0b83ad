"""One vector per sentence from a pretrained encoder that reads the whole article (BERTSUM style).

A sentence embedded alone knows nothing of its article; here the encoder reads the article, so a
sentence's vector is contextual.  Sentences are packed, in order and whole, into windows of at
most ``max_length`` tokens (``[CLS] prefix s1 s2 ... [SEP]``), so an article longer than the
encoder's 512 positions is read in several windows and **every sentence lies in exactly one
window** and gets exactly one vector.  The vector is the mean of the sentence's token states
(``pooling="mean"``, what e5 was trained with) or the state of a marker token put before it
(``pooling="marker"``: the tokenizer's CLS, as BERTSUM does).  The trade-off of whole-sentence
windows over overlapping strides: no sentence is read twice, at the price of less context for
the first sentence of each later window.

torch and transformers are imported only when an encoder is loaded.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MissingDependencyError, ModelFormatError

__all__ = ["POOLINGS", "SentenceEncoder", "Window", "pack_sentences"]

POOLINGS = ("mean", "marker")


def pack_sentences(lengths: Sequence[int], budget: int) -> list[list[int]]:
    """Sentence indices per window: in order, greedily, each sentence whole and in one window.

    ``lengths`` must each be at most ``budget``.

    >>> pack_sentences([3, 4, 2, 5], budget=7)
    [[0, 1], [2, 3]]
    """
    windows: list[list[int]] = []
    current: list[int] = []
    used = 0
    for i, n in enumerate(lengths):
        if n > budget:
            raise ValueError(f"sentence {i} has {n} tokens, more than the window's {budget}")
        if current and used + n > budget:
            windows.append(current)
            current, used = [], 0
        current.append(i)
        used += n
    if current:
        windows.append(current)
    return windows


@dataclass(frozen=True)
class Window:
    """The token ids one encoder pass reads, and where each of its sentences lies in them:
    ``spans[k] = (sentence index, start, end)``; with marker pooling ``end = start + 1``."""

    ids: tuple[int, ...]
    spans: tuple[tuple[int, int, int], ...]


def _transformers():
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as err:
        raise MissingDependencyError("the encoder summariser needs torch and transformers: "
                                     "pip install 'pemilu-nlp[e5]' (or '.[e5]' in a checkout)") from err


class SentenceEncoder:
    """A transformers encoder and its tokenizer, read in sentence windows (see the module docstring).

    Parameters
    ----------
    tokenizer, model : a fast tokenizer with CLS/SEP (or BOS/EOS) tokens, and an ``AutoModel``.
    prefix : str
        Text put at the start of every window (e5: ``"passage: "``).
    pooling : ``"mean"`` or ``"marker"``
    max_length : int
        Tokens per window, special tokens included (at most the model's positions).
    max_sentence_tokens : int
        A longer sentence is cut to this many tokens (it still gets its one vector).
    batch_size : int
        Windows per forward pass.
    """

    def __init__(self, tokenizer: Any, model: Any, *, prefix: str = "", pooling: str = "mean", max_length: int = 512,
                 max_sentence_tokens: int = 128, batch_size: int = 8):
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {', '.join(POOLINGS)}, got {pooling!r}")
        self.tokenizer, self.model = tokenizer, model.eval()
        self.pooling, self.max_length, self.batch_size = pooling, max_length, batch_size
        self.cls_id = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
        self.sep_id = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
        if self.cls_id is None or self.sep_id is None:
            raise ModelFormatError(f"{type(tokenizer).__name__} has no CLS/BOS or SEP/EOS token to frame windows")
        self.prefix_ids = tokenizer(prefix, add_special_tokens=False)["input_ids"] if prefix else []
        limit = positions(model.config)
        if max_length > limit:
            raise ValueError(f"max_length={max_length} is more than the encoder's {limit} positions")
        self.budget = max_length - 2 - len(self.prefix_ids)
        self.max_sentence_tokens = min(max_sentence_tokens, self.budget - (pooling == "marker"))
        if self.max_sentence_tokens < 1:
            raise ValueError(f"max_length={max_length} leaves no room for a sentence after the prefix")

    @classmethod
    def from_folder(cls, folder: str | Path, *, layers: int | None = None, local_only: bool = True,
                    **settings: Any) -> SentenceEncoder:
        """Load ``AutoModel`` + tokenizer from a local folder (safetensors only), keeping the first
        ``layers`` layers (``None``: all)."""
        _transformers()
        from transformers import AutoModel

        from ..backends.hf import load_pretrained

        tokenizer, model = load_pretrained(folder, AutoModel, local_only=local_only, add_pooling_layer=False)
        if not tokenizer.is_fast:
            raise ModelFormatError(f"{folder}: the encoder summariser needs a fast tokenizer (tokenizer.json)")
        return cls(tokenizer, truncate_layers(model, layers), **settings)

    # ------------------------------------------------------------------------------------ windows
    def sentence_ids(self, sentences: Sequence[str]) -> list[list[int]]:
        """Each sentence's token ids (no special tokens), cut to ``max_sentence_tokens``; an empty
        sentence reads as one unknown token, so it still has a place and a vector."""
        ids = self.tokenizer(list(sentences), add_special_tokens=False)["input_ids"]
        unknown = self.tokenizer.unk_token_id if self.tokenizer.unk_token_id is not None else self.sep_id
        return [s[:self.max_sentence_tokens] or [unknown] for s in ids]

    def windows(self, sentences: Sequence[str]) -> list[Window]:
        """The windows an article is read in; every sentence in exactly one."""
        ids = self.sentence_ids(sentences)
        marker = self.pooling == "marker"
        out = []
        for members in pack_sentences([len(s) + marker for s in ids], self.budget):
            tokens, spans = [self.cls_id, *self.prefix_ids], []
            for i in members:
                if marker:
                    tokens.append(self.cls_id)
                    spans.append((i, len(tokens) - 1, len(tokens)))
                    tokens.extend(ids[i])
                else:
                    spans.append((i, len(tokens), len(tokens) + len(ids[i])))
                    tokens.extend(ids[i])
            out.append(Window(tuple([*tokens, self.sep_id]), tuple(spans)))
        return out

    # ------------------------------------------------------------------------------------ vectors
    def encode(self, documents: Sequence[Sequence[str]], *, depths: Sequence[int] | None = None,
               progress: bool = False) -> list[np.ndarray]:
        """Per document, its sentence vectors: ``sentences x dim`` (the last layer), or with
        ``depths`` ``len(depths) x sentences x dim`` (hidden states after those layers, from one pass).

        Windows of all documents go through the encoder in length-sorted batches."""
        from tqdm.auto import tqdm

        windows = [(d, w) for d, doc in enumerate(documents) for w in self.windows(doc)]
        dim = self.model.config.hidden_size
        shape = (len(depths),) if depths is not None else ()
        out = [np.zeros((*shape, len(doc), dim), dtype=np.float32) for doc in documents]
        order = sorted(range(len(windows)), key=lambda k: len(windows[k][1].ids))
        for start in tqdm(range(0, len(order), self.batch_size), desc="encoder", disable=not progress):
            batch = [windows[k] for k in order[start:start + self.batch_size]]
            states = self._states([w.ids for _, w in batch], depths)
            for row, (d, window) in enumerate(batch):
                for i, begin, end in window.spans:
                    out[d][..., i, :] = states[..., row, begin:end, :].mean(dim=-2).float().numpy()
        return out

    def pad(self, rows: Sequence[Sequence[int]]):
        """Windows' token ids padded on the right: ``ids`` and ``attention_mask``, ``batch x tokens``."""
        import torch

        width = max(len(r) for r in rows)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        ids = torch.full((len(rows), width), pad, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, r in enumerate(rows):
            ids[i, :len(r)] = torch.tensor(r)
            mask[i, :len(r)] = 1
        return ids, mask

    def _states(self, rows: list[tuple[int, ...]], depths: Sequence[int] | None):
        """Token states of a padded batch: ``batch x tokens x dim``, or stacked per depth."""
        import torch

        ids, mask = self.pad(rows)
        with torch.inference_mode():
            output = self.model(input_ids=ids, attention_mask=mask, output_hidden_states=depths is not None)
        if depths is None:
            return output.last_hidden_state
        return torch.stack([output.hidden_states[k] for k in depths])

    @property
    def layers(self) -> int:
        return int(self.model.config.num_hidden_layers)


def positions(config: Any) -> int:
    """Usable token positions of a transformers config (RoBERTa-style models spend two on padding)."""
    limit = int(getattr(config, "max_position_embeddings", 512))
    return limit - 2 if getattr(config, "model_type", "") in ("roberta", "xlm-roberta", "camembert") else limit


def truncate_layers(model: Any, layers: int | None) -> Any:
    """``model`` with only its first ``layers`` encoder layers (the rest are never run)."""
    total = int(model.config.num_hidden_layers)
    if layers is None or layers == total:
        return model
    if not 1 <= layers <= total:
        raise ValueError(f"layers must be from 1 to the encoder's {total}, got {layers}")
    model.encoder.layer = model.encoder.layer[:layers]
    model.config.num_hidden_layers = layers
    return model
