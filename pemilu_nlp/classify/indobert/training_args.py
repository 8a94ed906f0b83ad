"""How :class:`~pemilu_nlp.classify.indobert.model.IndoBertTopicClassifier` trains: one frozen
dataclass of training arguments (as setfit's and transformers' ``TrainingArguments``), saved with
the model as a record of how it was trained."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import numpy as np

from ...io.persistence import boolean, integer, number
from ...validation import optional

__all__ = ["TRAINING_PARAMS", "IndoBertTrainingArguments"]

#: the allowed range of each training argument (checked when one is made and when a folder is loaded)
TRAINING_PARAMS = {
    "epochs": integer(0, 10**4), "batch_size": integer(1, 10**5), "grad_accum": integer(1, 10**4),
    "learning_rate": number(0, 1, low_open=True), "weight_decay": number(0, 10), "warmup_ratio": number(0, 1),
    "max_grad_norm": number(0, 1e6, low_open=True), "class_weighting": boolean,
    "early_stopping_patience": integer(0, 10**4), "max_train_windows": integer(1, 10**4),
    "seed": integer(0, 2**63 - 1), "progress": boolean, "freeze_layers": integer(0, 128),
    "pos_weight_power": number(0, 1), "max_pos_weight": number(1, 1e4),
    "head_learning_rate": optional(number(0, 1, low_open=True)),
}


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
    head_learning_rate : float or None
        Learning rate of the parts that start untrained (the topic head, a new pooler); ``None``:
        ``learning_rate``.  A head learned from scratch on top of a pretrained encoder wants a
        rate 10-100x the encoder's.

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
    head_learning_rate: float | None = None

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
