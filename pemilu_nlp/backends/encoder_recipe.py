"""How an encoder wants to be fed and pooled, and the frozen-lower-layers cache that makes CPU
fine-tuning affordable.

An encoder trained with mean pooling (e5, sentence-transformers models) has no trained pooler:
``AutoModelForSequenceClassification`` would put its randomly initialised ``[CLS]`` pooler in
front of the topic head, and the head then learns from noise.  The pooling and the input prefix
come from ``encoder.json`` beside the weights (written by :func:`~.e5_export.export_e5`, copied
into every model folder trained from it); a folder without one is pooled as BERT was trained
(``cls``).

The cache trades memory for time: the embeddings and the lowest ``freeze_layers`` layers are
frozen, run once per training window, and kept (fp16) on the CPU; each epoch then runs only the
top layers and the head.  With 10 of 12 layers frozen an epoch costs about a sixth of a full one.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["ENCODER_JSON", "LowerLayerCache", "encoder_settings", "freeze_lower_layers", "use_mean_pooling"]

ENCODER_JSON = "encoder.json"
DEFAULT = {"pooling": "cls", "input_prefix": ""}
#: hub encoders trained with mean pooling and a prefix (their model cards say so); a local folder
#: says it in its own encoder.json
KNOWN = {f"intfloat/multilingual-e5-{size}": {"pooling": "mean", "input_prefix": "passage: "}
         for size in ("small", "base", "large")}


def encoder_settings(source: str | Path) -> dict[str, str]:
    """``pooling`` (``cls`` or ``mean``) and ``input_prefix`` of an encoder: its ``encoder.json``
    where a local folder has one, the known settings of a hub id (e5), else BERT's ``[CLS]``
    pooler and no prefix."""
    path = Path(source) / ENCODER_JSON
    if not path.is_file():
        return dict(KNOWN.get(str(source), DEFAULT))
    from ..errors import ModelFormatError

    try:
        found = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as err:
        raise ModelFormatError(f"{path}: not valid JSON ({err})") from None
    settings = {"pooling": found.get("pooling"), "input_prefix": found.get("input_prefix", "")}
    if settings["pooling"] not in ("cls", "mean") or not isinstance(settings["input_prefix"], str) \
            or len(settings["input_prefix"]) > 64:
        raise ModelFormatError(f"{path}: pooling must be 'cls' or 'mean' and input_prefix a short string, "
                               f"got {settings}")
    return settings


def _mean_pooler_class():
    import torch

    class MeanPooler(torch.nn.Module):
        """Mean of the last hidden states over the attention mask (set per call by a hook)."""

        def __init__(self) -> None:
            super().__init__()
            self.mask: Any = None

        def forward(self, hidden: torch.Tensor) -> torch.Tensor:
            mask = self.mask
            if mask is None or mask.shape != hidden.shape[:2]:
                return hidden.mean(dim=1)
            weights = mask.to(hidden.dtype).unsqueeze(-1)
            return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)

    return MeanPooler


def use_mean_pooling(model: Any) -> None:
    """Replace the ``[CLS]`` pooler of a BERT-like sequence classifier by a masked mean of the last
    hidden states (parameter-free, so nothing of it is saved)."""
    base = model.base_model
    if not hasattr(base, "pooler"):
        raise ValueError(f"{type(model).__name__} has no pooler to replace; mean pooling needs a BERT-like model")
    base.pooler = _mean_pooler_class()()
    base.register_forward_pre_hook(_keep_mask, with_kwargs=True)


def _keep_mask(module: Any, args: tuple, kwargs: dict) -> None:
    """Hand the call's attention mask to the model's own pooler (``module``, not a closure, so a
    deep copy, as the int8 / bf16 variants are made, pools with its own mask)."""
    module.pooler.mask = kwargs.get("attention_mask", args[1] if len(args) > 1 else None)


def _layers(model: Any) -> Any:
    layers = getattr(getattr(model.base_model, "encoder", None), "layer", None)
    if layers is None:
        raise ValueError(f"{type(model).__name__}: freeze_layers needs a BERT-like encoder (encoder.layer)")
    return layers


def freeze_lower_layers(model: Any, n: int) -> None:
    """Stop the gradient at the embeddings and the lowest ``n`` layers (``n = 0``: nothing frozen)."""
    if n <= 0:
        return
    layers = _layers(model)
    if n > len(layers):
        raise ValueError(f"freeze_layers={n}, but the encoder has {len(layers)} layers")
    for module in [model.base_model.embeddings, *layers[:n]]:
        for parameter in module.parameters():
            parameter.requires_grad_(False)


class LowerLayerCache:
    """The frozen part's output for every training window, computed once (fp16, CPU)."""

    def __init__(self, model: Any, n: int, windows: list[list[int]], pad: Any, device: str,
                 batch_size: int = 16, progress: bool = False) -> None:
        import torch
        from tqdm.auto import tqdm

        self.model, self.n, self.device = model, n, device
        self.hidden: list[Any] = [None] * len(windows)
        order = sorted(range(len(windows)), key=lambda i: -len(windows[i]))
        model.eval()
        with torch.inference_mode():
            for start in tqdm(range(0, len(order), batch_size), desc=f"lower {n} layers", disable=not progress):
                positions = order[start:start + batch_size]
                ids, mask = pad([windows[i] for i in positions])
                hidden = self._lower(ids.to(device), mask.to(device))
                for row, i in enumerate(positions):
                    self.hidden[i] = hidden[row, :int(mask[row].sum())].to("cpu", torch.float16).clone()

    @staticmethod
    def _additive(mask: Any, dtype: Any) -> Any:
        import torch

        return (1.0 - mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min

    def _lower(self, ids: Any, mask: Any) -> Any:
        hidden = self.model.base_model.embeddings(input_ids=ids)
        extended = self._additive(mask, hidden.dtype)
        for layer in _layers(self.model)[:self.n]:
            hidden = _output(layer(hidden, attention_mask=extended))
        return hidden

    def logits(self, rows: list[int]) -> Any:
        """The topic logits of cached windows ``rows``: the top layers, the pooler and the head."""
        hidden, mask = self.upper(rows)
        pooler = self.model.base_model.pooler
        if hasattr(pooler, "mask"):
            pooler.mask = mask
        return self.model.classifier(self.model.dropout(pooler(hidden)))

    def upper(self, rows: list[int]) -> tuple[Any, Any]:
        """The last hidden states of cached windows ``rows`` (the layers above the cache run now,
        with gradients where they are trainable) and their attention mask, padded on the right."""
        import torch

        lengths = [len(self.hidden[i]) for i in rows]
        width = max(lengths)
        hidden = torch.zeros(len(rows), width, self.hidden[rows[0]].shape[-1], dtype=torch.float32)
        mask = torch.zeros(len(rows), width, dtype=torch.long)
        for k, i in enumerate(rows):
            hidden[k, :lengths[k]] = self.hidden[i].float()
            mask[k, :lengths[k]] = 1
        hidden, mask = hidden.to(self.device), mask.to(self.device)
        extended = self._additive(mask, hidden.dtype)
        for layer in _layers(self.model)[self.n:]:
            hidden = _output(layer(hidden, attention_mask=extended))
        return hidden, mask


def _output(result: Any) -> Any:
    return result[0] if isinstance(result, tuple) else result
