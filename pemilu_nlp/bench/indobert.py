"""IndoBERT suite: throughput by precision, batch size and window length, each faster variant
checked against fp32 on the same windows, beside ``transformers.pipeline`` one document at a time.

Without ``--model`` the model is IndoBERT-base's architecture with random weights (no pretrained
weights are reachable here): throughput does not depend on weight values, but agreement does, so
random-weight rows get figures and no verdict.  :func:`finetuned_tiny` builds a small *trained*
model on which agreement means something.
"""
from __future__ import annotations

import json
import time
from argparse import Namespace
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from .core import Measurement, compare_predictions, measure
from .data import load_articles

__all__ = ["bench_indobert", "bench_naive_pipeline", "finetuned_tiny", "window_tokens"]

NAIVE = "naive transformers.pipeline, one document at a time"


def _model_text(model: Any, text: str) -> str:
    """The text the classifier reads: cleaned as its ``clean`` setting says."""
    from ..text.cleaning import text_for_model

    return text_for_model(text, clean=model.clean)


def window_tokens(model: Any, texts: Sequence[str]) -> tuple[int, int]:
    """Windows and tokens (special tokens included) that ``model`` reads for ``texts`` at its
    ``max_length``, ``stride`` and ``max_windows``: the numerator of tokens/second (the
    classifier's own :meth:`~pemilu_nlp.classify.indobert.model.IndoBertTopicClassifier.windows`)."""
    windows, _ = model.windows(texts, max_windows=model.max_windows)
    return len(windows), sum(map(len, windows))


def _indobert_model(folder: str | None, corpus: str | Path | None, device: str, workdir: Path) -> tuple[Any, str]:
    from ..classify.indobert.model import IndoBertTopicClassifier

    if folder:
        return IndoBertTopicClassifier.load(folder, device=device), f"trained model {folder}"
    from ..testing import INDOBERT_BASE, build_bert

    base = workdir / "indobert-base-random"
    if not (base / "model.safetensors").exists():
        build_bert(base, load_articles(corpus, 400), vocab_size=30000, size=INDOBERT_BASE, embedding_rows=50000)
    model = IndoBertTopicClassifier.untrained(str(base), device=device, progress=False)
    return model, "IndoBERT-base architecture with RANDOM weights (no pretrained weights here); " \
                  "throughput does not depend on weight values, quality figures are agreement only"


@contextmanager
def _compiled(model: Any, enabled: bool) -> Iterator[None]:
    """With ``enabled``, the model's network is ``torch.compile``d for the block (every precision is
    converted from the compiled module), and the plain one put back after."""
    if not enabled:
        yield
        return
    import torch

    network = model.model_
    model.model_ = torch.compile(network)
    try:
        yield
    finally:
        model.model_ = network


def _bench_windows(model: Any, articles: Sequence[str], *, precisions: Sequence[str], batch_sizes: Sequence[int],
                   cuda: bool, assessable: bool) -> list[Measurement]:
    """Every precision x batch size at the model's current window settings; fp32 (first) is the
    reference; without length grouping only once (first precision, batches > 1, whole articles)."""
    n_windows, n_tokens = window_tokens(model, articles)
    reference, rows = None, []
    for precision in precisions:
        model.set_params(precision=precision)
        for batch_size in batch_sizes:
            for grouped in (True, False):
                if not grouped and (batch_size == 1 or precision != precisions[0] or model.max_windows):
                    continue  # grouping only matters with padding; measured once per length
                name = (f"{precision} bs={batch_size} len={model.max_length}" + ("" if grouped else " unsorted")
                        + (" first window" if model.max_windows else ""))
                m, proba = measure(
                    "indobert", name,
                    lambda b, bs=batch_size, g=grouped: list(model.proba_of_windows(
                        *model.window_logits(b, batch_size=bs, sort_by_length=g), len(b))),
                    articles, batch_size=batch_size, tokens=n_tokens, cuda=cuda,
                    settings={"precision": precision, "batch_size": batch_size, "max_length": model.max_length,
                              "stride": model.stride, "max_windows": model.max_windows, "length_grouping": grouped,
                              "windows": n_windows, "device": model.device_})
                proba = np.asarray(proba)
                if reference is None and precision == "fp32":
                    reference = proba
                if reference is not None:
                    m.quality = compare_predictions(reference, proba, model.thresholds_, assessable=assessable)
                    m.quality["reference"] = "fp32, same max_length and windows"
                rows.append(m)
    return rows


def bench_naive_pipeline(model: Any, articles: Sequence[str], *, cuda: bool, limit: int = 512) -> Measurement:
    """``transformers.pipeline`` on the same network and tokenizer, one document at a time, reading
    only the first ``limit`` tokens (512: what a user gets without windows; the window length: the
    like-for-like baseline of the first-window rows, same tokens read)."""
    from transformers import pipeline

    clf = pipeline("text-classification", model=model.model_.float(), tokenizer=model.tokenizer_,
                   device=0 if cuda else -1, top_k=None)
    texts = [_model_text(model, t) for t in articles]
    name = NAIVE if limit >= 512 else f"{NAIVE}, first {limit} tokens"
    limit = min(limit, model.model_.config.max_position_embeddings)
    naive_tokens = sum(min(len(ids), limit) for ids in model.tokenizer_(texts, truncation=False)["input_ids"])
    m, _ = measure("indobert", name, lambda b: [clf(t, truncation=True, max_length=limit) for t in b], texts,
                   batch_size=1, tokens=naive_tokens, cuda=cuda,
                   settings={"truncation": f"first {limit} tokens only (the rest of a long article is not read)",
                             "precision": "fp32", "device": model.device_})
    return m


def bench_indobert(articles: Sequence[str], *, device: str, batch_sizes: Sequence[int], max_lengths: Sequence[int],
                   precisions: Sequence[str], model_dir: str | None, corpus: str | Path | None,
                   compile_model: bool = False, naive: bool = True, workdir: Path) -> tuple[list[Measurement], str]:
    """Rows for every window length (at the longest also the first window only, the naive
    pipeline's input) x precision x batch size, then the naive pipeline; returns rows and a note."""
    model, note = _indobert_model(model_dir, corpus, device, workdir)
    cuda = model.device_.startswith("cuda")
    results: list[Measurement] = []
    stride = model.stride  # the model's own overlap, capped at a quarter of each window length
    with _compiled(model, compile_model and cuda):
        for max_length in max_lengths:
            model.set_params(max_length=max_length, stride=min(stride, max_length // 4))
            for max_windows in (None, 1) if max_length == max(max_lengths) else (None,):
                model.set_params(max_windows=max_windows)
                results += _bench_windows(model, articles, precisions=precisions, batch_sizes=batch_sizes,
                                          cuda=cuda, assessable=model_dir is not None)
    model.set_params(max_windows=None, stride=stride)
    if naive:
        model.variants_.clear()  # free the last converted copy: the naive row's memory is its own
        results += _naive_rows(model, articles, results, cuda=cuda, window=max(max_lengths))
    return results, note


def _naive_rows(model: Any, articles: Sequence[str], rows: list[Measurement], *, cuda: bool,
                window: int) -> list[Measurement]:
    """The naive pipeline at 512 tokens and, when the longest window is shorter, at that window (the
    first-window rows read the same tokens as it: their like-for-like baseline); each row's ratio
    is to its own baseline, named in its settings."""
    whole = bench_naive_pipeline(model, articles, cuda=cuda)
    same = bench_naive_pipeline(model, articles, cuda=cuda, limit=window) if window < 512 else whole
    for r in rows:
        baseline = same if r.settings.get("max_windows") == 1 else whole
        r.ratio_to_naive = round(r.docs_per_second / baseline.docs_per_second, 2)
        r.settings["naive_baseline"] = baseline.variant
        r.settings["tokens_per_second_ratio_to_naive"] = round((r.tokens_per_second or 0) / (baseline.tokens_per_second or 1), 2)
    return [whole] if same is whole else [whole, same]


def finetuned_tiny(workdir: str | Path, corpus: str | Path | None = None, *, epochs: int = 6) -> tuple[Path, dict]:
    """A 2-layer BERT (``testing.TINY``, 128 positions) fine-tuned on the corpus train split, thresholds
    tuned on dev, saved under ``workdir`` (reused when there).  Not a useful classifier: it exists so
    that precision/backend agreement is measured on a *trained* model, whose probabilities spread
    between articles, rather than on random weights, where any noise flips decisions."""
    from ..classify.indobert.model import IndoBertTopicClassifier, IndoBertTrainingArguments
    from ..io.corpus import load_corpus, load_split, split_corpus
    from ..learn.training import default_split_path, evaluate_model
    from ..testing import build_bert
    from .data import corpus_path

    folder = Path(workdir) / "tiny-finetuned"
    info_path = folder / "bench-info.json"
    if (folder / "config.json").is_file() and info_path.is_file():
        return folder, json.loads(info_path.read_text("utf-8"))
    path = corpus_path(corpus)
    parts = split_corpus(load_corpus(path), load_split(default_split_path(path)))
    train, dev, test = parts["train"], parts["dev"], parts["test"]
    base = build_bert(Path(workdir) / "tiny-base", [a.model_text for a in train], vocab_size=4000)
    args = IndoBertTrainingArguments(epochs=epochs, batch_size=16, learning_rate=2e-3, warmup_ratio=0.1,
                                     max_train_windows=1, early_stopping_patience=3, progress=False)
    model = IndoBertTopicClassifier(str(base), max_length=128, stride=32, args=args, device="cpu", precision="fp32")
    start = time.perf_counter()
    model.fit([a.model_text for a in train], [a.labels for a in train],
              X_dev=[a.model_text for a in dev], y_dev=[a.labels for a in dev])  # thresholds="dev": tuned on dev
    report = evaluate_model(model, test)
    proba = model.predict_proba([a.model_text for a in test])
    info = {"what": "2-layer BERT (hidden 32) fine-tuned on the corpus train split, thresholds tuned on dev",
            "epochs_run": len(model.history_), "fit_seconds": round(time.perf_counter() - start, 1),
            "test_micro_f1": round(report["micro_f1"], 4), "test_macro_f1": round(report["macro_f1"], 4),
            "probability_spread_std": round(float(proba.std(axis=0).mean()), 4)}
    model.save(folder, metrics=info)
    info_path.write_text(json.dumps(info, indent=1) + "\n", "utf-8")
    return folder, info


def use_finetuned_tiny(args: Namespace, notes: list[str]) -> None:
    """``--tiny-finetuned``: the fine-tuned tiny BERT becomes ``--model`` (window lengths up to 128)."""
    folder, info = finetuned_tiny(Path(args.workdir), args.corpus)
    args.model = str(folder)
    args.max_lengths = args.max_lengths or "128,64"
    notes.append(f"IndoBERT rows use {folder}: {info}")


def _onnx_if_installed() -> str:
    """ONNX Runtime int8 joins the default CPU precisions when the [onnx] extra is installed."""
    from importlib.util import find_spec

    return ",onnx-int8" if find_spec("onnxruntime") else ""


def run(args: Namespace, articles: list[str], notes: list[str], extra: dict) -> list[Measurement]:
    """The suite as ``pemilu-nlp bench --parts indobert`` runs it; defaults depend on the device."""
    from ..backends.hf import resolve_device

    device = resolve_device(args.device)
    gpu = device.startswith("cuda")
    sizes = [int(x) for x in (args.batch_sizes or ("1,8,32,128" if gpu else "1,8")).split(",")]
    lengths = [int(x) for x in (args.max_lengths or "128,512").split(",")]
    precisions = (args.precisions or ("fp32,fp16,bf16" if gpu else "fp32,bf16,int8" + _onnx_if_installed())).split(",")
    # fp32 runs first: it is the reference every faster variant is checked against
    precisions = sorted(dict.fromkeys(p.strip() for p in precisions), key=lambda p: p != "fp32")
    texts = load_articles(args.corpus, args.indobert_docs, words=args.words, seed=1, schema=args.model)
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    rows, note = bench_indobert(texts, device=device, batch_sizes=sizes, max_lengths=lengths, precisions=precisions,
                                model_dir=args.model, corpus=args.corpus, compile_model=args.compile,
                                naive=not args.no_naive, workdir=workdir)
    notes.append(note)
    return rows
