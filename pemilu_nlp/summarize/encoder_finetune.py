"""Fine-tuning the top encoder layers together with the sentence scorer (``EncoderSummarizer(finetune_layers=k)``).

What IndoBERT-ext and BERTSUM do is fine-tune the whole encoder on the extraction task; on a CPU
only the top ``k`` layers are trained here.  The embeddings and the layers below stay frozen, so
their output is the same in every epoch: it is computed once per window and kept (fp16, on the
CPU) by :class:`~pemilu_nlp.backends.encoder_recipe.LowerLayerCache`, the cache the IndoBERT
topic classifier trains with.  Each epoch then runs only the top ``k`` layers (forward and
backward), the per-sentence mean pooling and the scorer.  The dev windows are cached the same
way, so choosing the epoch on dev costs the top layers' forward pass.  The trained layers stay in
the summariser's encoder, which is saved whole in ``hf/``: a fine-tuned folder loads and scores
like a frozen one.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..backends.encoder_recipe import LowerLayerCache, freeze_lower_layers
from .sentence_encoder import SentenceEncoder
from .training import bce_epoch, keep_best_epoch, top3_gold_precision

__all__ = ["CachedArticles", "fine_tune"]


class CachedArticles:
    """Articles read in the encoder's windows (every sentence in exactly one), the frozen lower
    layers' output of each window, and the articles' standardised features."""

    #: windows per pass through the top layers (sorted by length, so padding stays small)
    group = 4

    def __init__(self, encoder: SentenceEncoder, documents: Sequence[Sequence[str]], frozen: int,
                 features: list[np.ndarray] | None, progress: bool = False) -> None:
        import torch

        self.windows, self.rows_of = [], []
        for doc in documents:
            found = encoder.windows(doc)
            self.rows_of.append(list(range(len(self.windows), len(self.windows) + len(found))))
            self.windows.extend(found)
        self.counts = [len(d) for d in documents]
        self.features = None if features is None else [torch.from_numpy(f.astype(np.float32)) for f in features]
        self.cache = LowerLayerCache(encoder.model, frozen, [list(w.ids) for w in self.windows], encoder.pad, "cpu",
                                     batch_size=encoder.batch_size, progress=progress)

    def __len__(self) -> int:
        return len(self.counts)

    def vectors(self, docs: Sequence[int]) -> list[Any]:
        """Sentence vectors of articles ``docs`` (``sentences x dim`` each): the top layers run on
        the cached windows, then the mean of each sentence's token states (as the encoder pools)."""
        import torch

        rows = [r for d in docs for r in self.rows_of[d]]
        states: dict[int, Any] = {}
        by_length = sorted(rows, key=lambda r: len(self.windows[r].ids))
        for start in range(0, len(by_length), self.group):  # windows of like length together: little padding
            chunk = by_length[start:start + self.group]
            hidden, _ = self.cache.upper(chunk)
            states.update(zip(chunk, hidden))
        out = []
        for d in docs:
            pieces: list[Any] = [None] * self.counts[d]
            for r in self.rows_of[d]:
                for i, begin, end in self.windows[r].spans:
                    pieces[i] = states[r][begin:end].mean(dim=0)
            out.append(torch.stack(pieces))
        return out

    def inputs(self, docs: Sequence[int]) -> tuple[Any, Any]:
        """What the scorer reads for articles ``docs``: ``docs x sentences x dim`` [+ features], and the mask."""
        import torch
        from torch.nn.utils.rnn import pad_sequence

        vectors = self.vectors(docs)
        if self.features is not None:
            vectors = [torch.cat([v, self.features[d]], dim=1) for v, d in zip(vectors, docs)]
        mask = pad_sequence([torch.ones(len(v), dtype=torch.bool) for v in vectors], batch_first=True)
        return pad_sequence(vectors, batch_first=True), mask

    def scores(self, network: Any, batch: int = 8) -> list[np.ndarray]:
        """Every article's sentence scores (inference), in order."""
        import torch

        out = []
        with torch.inference_mode():
            for start in range(0, len(self), batch):
                docs = list(range(start, min(start + batch, len(self))))
                inputs, mask = self.inputs(docs)
                scores = torch.sigmoid(network(inputs, mask)).numpy().astype(np.float64)
                out += [scores[k, :self.counts[d]] for k, d in enumerate(docs)]
        return out

    def sentence_vectors(self, batch: int = 8) -> list[np.ndarray]:
        """Every article's sentence vectors as the encoder now gives them (its fp16-cached lower part)."""
        import torch

        with torch.inference_mode():
            return [v.numpy() for start in range(0, len(self), batch)
                    for v in self.vectors(range(start, min(start + batch, len(self))))]


def fine_tune(model: Any, documents: Sequence[Sequence[str]], labels: list[np.ndarray],
              rows: list[np.ndarray] | None, dev: tuple | None, dev_rows: list[np.ndarray] | None) -> list[dict]:
    """Train ``model.network_`` and the top ``model.finetune_layers`` layers of ``model.encoder_``
    for ``model.epochs`` epochs; with ``dev``, both end at the epoch with the best dev top-3 gold
    precision (and ``model.dev_vectors_`` holds the dev vectors they give).  Returns the history."""
    import time

    import torch

    encoder, k = model.encoder_, model.finetune_layers
    if k >= encoder.layers:
        raise ValueError(f"finetune_layers={k} must be less than the encoder's {encoder.layers} layers "
                         "(the layers below the trained ones are the frozen, cached part)")
    frozen = encoder.layers - k
    freeze_lower_layers(encoder.model, frozen)
    began = time.perf_counter()
    train = CachedArticles(encoder, documents, frozen, model._standardised(rows), model.progress)
    seconds = {"train_cache": round(time.perf_counter() - began, 2), "train_windows": len(train.windows), "epochs": []}
    held = None if dev is None else CachedArticles(encoder, dev[0], frozen, model._standardised(dev_rows), model.progress)
    top = encoder.model.encoder.layer[frozen:]
    both = torch.nn.ModuleList([model.network_, top])
    optimiser = torch.optim.AdamW([{"params": model.network_.parameters(), "lr": model.learning_rate},
                                   {"params": top.parameters(), "lr": model.finetune_learning_rate}], weight_decay=0.01)
    targets = [torch.from_numpy(y) for y in labels]
    rng = np.random.default_rng(model.seed)

    def batch(docs: list[int]) -> tuple:
        inputs, mask = train.inputs(docs)
        return inputs, mask, torch.nn.utils.rnn.pad_sequence([targets[d] for d in docs], batch_first=True)

    def epoch(e: int) -> float:
        began = time.perf_counter()
        loss = bce_epoch(model.network_, optimiser, rng.permutation(len(train)), model.batch_size, batch,
                         trained=both, desc=f"epoch {e + 1}/{model.epochs}", progress=model.progress)
        seconds["epochs"].append(round(time.perf_counter() - began, 2))
        return loss

    def dev_score() -> float:
        both.eval()
        return top3_gold_precision(held.scores(model.network_), dev[1])

    history = keep_best_epoch(both, model.epochs, epoch, None if held is None else dev_score)
    encoder.model.eval()
    model.seconds_ = seconds  # wall time of the train windows' cache pass and of each epoch's training
    if held is not None:
        model.dev_vectors_ = held.sentence_vectors()
    return history
