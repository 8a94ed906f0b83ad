"""Training the learned sentence scorers (``features``, ``neural``, ``encoder``) on documents with gold labels.

The data comes in as arguments (:class:`~pemilu_nlp.summarize.evaluate.EvalDocument` lists, e.g.
from :func:`~pemilu_nlp.summarize.evaluate.indosum_documents` of one part of the IndoSum split);
``pemilu-nlp train-summarizer`` reads the files and writes the folder.
"""
from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np

from .base import Summarizer
from .evaluate import EvalDocument, evaluate_methods, sentence_picker

__all__ = ["SCORERS", "bce_epoch", "keep_best_epoch", "masked_bce_step", "news_texts", "top3_gold_precision", "train_scorer"]

#: the methods that learn from gold labels
SCORERS = ("features", "neural", "encoder")


def masked_bce_step(network, optimiser, logits, target, mask) -> float:
    """One optimiser step on the binary cross-entropy of ``logits`` against ``target`` over the real
    sentences (``mask``) of a padded batch, gradients clipped at norm 1; returns the loss (the
    learned scorers' shared step)."""
    import torch

    loss = (torch.nn.functional.binary_cross_entropy_with_logits(logits, target, reduction="none")
            * mask).sum() / mask.sum()
    optimiser.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
    optimiser.step()
    return float(loss.item())


def bce_epoch(network, optimiser, order: Sequence[int], batch_size: int, batch: Callable[[list[int]], tuple], *,
              trained=None, desc: str = "epoch", progress: bool = False) -> float:
    """One shuffled pass of :func:`masked_bce_step` over articles ``order``, in batches;
    ``batch(indices)`` gives ``(inputs, mask, target)`` for ``network``; ``trained`` (default
    ``network``) is the module whose parameters are stepped and clipped.  Returns the mean loss."""
    from tqdm.auto import tqdm

    trained = network if trained is None else trained
    trained.train()
    total = 0.0
    for start in tqdm(range(0, len(order), batch_size), desc=desc, disable=not progress, leave=False):
        chosen = [int(i) for i in order[start:start + batch_size]]
        inputs, mask, target = batch(chosen)
        total += masked_bce_step(trained, optimiser, network(inputs, mask), target, mask) * len(chosen)
    return total / len(order)


def top3_gold_precision(scores: Sequence[np.ndarray], gold: Sequence[Sequence[int]]) -> float:
    """Mean share of each article's 3 best-scored sentences that are gold (the dev criterion)."""
    hits = [len(set(np.argsort(-s, kind="stable")[:3].tolist()) & set(g)) / min(3, len(s))
            for s, g in zip(scores, gold)]
    return float(np.mean(hits)) if hits else 0.0


def keep_best_epoch(network, epochs: int, run_epoch: Callable[[int], float],
                    dev_score: Callable[[], float] | None) -> list[dict]:
    """Run ``epochs`` epochs (``run_epoch(epoch)`` returns the mean training loss); with ``dev_score``
    (the dev top-3 gold precision), ``network`` ends with the weights of the best dev epoch, else
    the last.  Returns the history, one record per epoch."""
    best, history = (-1.0, None), []
    for epoch in range(epochs):
        record = {"epoch": epoch + 1, "train_loss": round(run_epoch(epoch), 5)}
        if dev_score is not None:
            record["dev_top3_gold_precision"] = round(dev_score(), 5)
            if record["dev_top3_gold_precision"] > best[0]:
                best = (record["dev_top3_gold_precision"], {k: v.clone() for k, v in network.state_dict().items()})
        history.append(record)
    if best[1] is not None:
        network.load_state_dict(best[1])
    network.eval()
    return history


def news_texts(pool: str | Path) -> list[str]:
    """Every article text of a news pool (JSONL.gz), in file order: unlabelled news for the
    neural scorer's word vectors (the texts alone, as the shipped model learned them)."""
    with gzip.open(pool, "rt", encoding="utf-8") as fh:
        return [t for t in (json.loads(line).get("text", "") for line in fh) if t.strip()]


def _columns(documents: Sequence[EvalDocument]) -> tuple[list[list[str]], list[list[int]], list[str | None]]:
    return [list(d.sentences) for d in documents], [list(d.gold) for d in documents], [d.title for d in documents]


def train_scorer(method: str, train: Sequence[EvalDocument], dev: Sequence[EvalDocument], *,
                 unlabelled_texts: Sequence[str] = (), progress: bool = True,
                 settings: dict[str, Any] | None = None) -> tuple[Summarizer, dict]:
    """Fit the ``features``, ``neural`` or ``encoder`` scorer on ``train`` (the neural and encoder
    ones keep the epoch that does best on ``dev``; the neural one learns its word vectors from
    ``train`` and ``unlabelled_texts``); ``settings`` go to the model's constructor (``encoder``
    needs ``base``, the encoder folder).  Returns the model and the metrics its folder records
    (ROUGE of its top 3 sentences on ``dev``)."""
    from ..registry import summarizer_class, summarizer_name

    method = summarizer_name(method, stacklevel=3)
    if method not in SCORERS:
        raise ValueError(f"method must be one of {', '.join(SCORERS)}, got {method!r}")
    cls = summarizer_class(method)
    if method == "features":
        model = cls(**(settings or {})).fit(*_columns(train))
    elif method == "neural":
        model = cls(progress=progress, **(settings or {})).fit(*_columns(train), unlabelled_texts=unlabelled_texts,
                                                               dev=_columns(dev))
    else:
        model = cls(progress=progress, **(settings or {})).fit(*_columns(train), dev=_columns(dev))
    # the encoder's dev vectors were computed by fit: no second encoder pass over dev
    reuse = model.given_vectors([list(d.sentences) for d in dev], model.dev_vectors_) if method == "encoder" \
        else nullcontext()
    with reuse:
        scores = evaluate_methods(dev, {method: sentence_picker(model, 3)}, progress=False)[method]
    metrics = {"indosum_dev": scores, "trained_on": f"IndoSum train part ({len(train)} articles)"}
    if method == "encoder":
        metrics["encoder"] = {"base": model.base, "layers": model.encoder_.layers, "prefix": model.prefix_,
                              "finetune_layers": model.finetune_layers, "seconds": getattr(model, "seconds_", None)}
    if method == "neural":
        metrics["word_vectors_from"] = (f"IndoSum train part + news pool ({len(unlabelled_texts)} articles)"
                                        if unlabelled_texts else "IndoSum train part")
    return model, metrics
