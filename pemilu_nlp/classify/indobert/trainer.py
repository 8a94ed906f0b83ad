"""The IndoBERT training loop: article windows, loss, optimiser, schedule, mixed precision on a
GPU, early stopping on dev, the cached frozen lower layers and out-of-fold retraining."""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from scipy.special import expit

from ...backends.encoder_recipe import LowerLayerCache, freeze_lower_layers
from ...backends.hf import import_torch as _torch
from .inference import WindowInference, pool_logits
from .training_args import IndoBertTrainingArguments


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

    def __init__(self, clf: WindowInference, args: IndoBertTrainingArguments, texts: list[str],
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
        self.optimizer = torch.optim.AdamW(self._parameter_groups(), lr=args.learning_rate,
                                           weight_decay=args.weight_decay)
        total = max(1, math.ceil(len(self.docs) / (args.batch_size * args.grad_accum)) * args.epochs)
        self.scheduler = schedule(self.optimizer, int(args.warmup_ratio * total), total)

    def _parameter_groups(self) -> list[dict]:
        """The encoder's trainable layers (its pretrained pooler too) at ``learning_rate``; the
        rest (the topic head) at ``head_learning_rate`` when one is set."""
        if self.args.head_learning_rate is None:
            return [{"params": self.trainable}]
        encoder = {id(p) for p in self.model.base_model.parameters()}
        return [{"params": [p for p in self.trainable if id(p) in encoder]},
                {"params": [p for p in self.trainable if id(p) not in encoder], "lr": self.args.head_learning_rate}]

    def _loss_function(self, Y: np.ndarray | None = None):
        """BCE with positive weights (multi-label) or weighted cross-entropy; weights lift rare topics
        (counted on ``Y``, the articles trained on; default all)."""
        torch = _torch()
        Y = self.Y if Y is None else Y
        positives, n, k = Y.sum(axis=0), len(Y), Y.shape[1]
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
        from ..folds import multilabel_folds

        proba = np.zeros_like(self.Y, dtype=np.float64)
        with self.weights_kept():
            for rest, held in multilabel_folds(self.Y, n_splits, seed=self.args.seed):
                proba[held] = self.fit_score(rest, held)
        return proba

    @contextmanager
    def weights_kept(self) -> Iterator[None]:
        """Put the trained weights (and the whole training set) back after retraining on parts."""
        torch = _torch()
        trained = [p.detach().clone() for p in self.trainable]
        try:
            yield
        finally:
            with torch.no_grad():
                for p, value in zip(self.trainable, trained):
                    p.copy_(value)
            self.docs = np.arange(len(self.Y))
            self.loss_fn = self._loss_function()

    def fit_score(self, rest: np.ndarray, held: np.ndarray) -> np.ndarray:
        """Restart the trainable part from the base weights, train it on the articles ``rest`` and
        return the probabilities of the articles ``held`` (indices into the training texts): one
        cross-validation fit, reading the cached lower layers (see :meth:`weights_kept`)."""
        torch = _torch()
        from transformers import get_linear_schedule_with_warmup

        with torch.no_grad():
            for p, start in zip(self.trainable, self.initial):
                p.copy_(start)
        self.docs = np.asarray(rest)
        self.loss_fn = self._loss_function(self.Y[self.docs])  # the held articles' labels stay unseen
        self._new_optimiser(get_linear_schedule_with_warmup)
        for epoch in range(self.args.epochs):
            self._epoch(epoch)
        self.model.eval()
        proba = np.zeros((len(held), self.Y.shape[1]))
        with torch.inference_mode():
            for start in range(0, len(held), 32):
                chunk = np.asarray(held[start:start + 32])
                proba[start:start + len(chunk)] = expit(self._doc_logits(chunk).float().cpu().numpy())
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
