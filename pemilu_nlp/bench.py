"""Benchmark harness: throughput, latency and memory of every part, beside the naive way.

Each part is timed after warm-up runs, batch by batch, so that the report has documents/second
and p50/p95 latency per document and per batch; peak memory is the process RSS sampled during
the timed region (and the CUDA allocator's peak on a GPU).  Every faster variant is checked
against a reference on the same documents (prediction agreement, largest probability
difference), because a speed-up that changes answers is not one.  Only ratios measured in the
same run are comparable; absolute figures depend on the machine, which the JSON records.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Measurement", "compare_predictions", "measure", "percentile", "run_benchmark"]


# ------------------------------------------------------------------------------------ bookkeeping
def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default), ``q`` in 0..100; NaN for no values."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else float("nan")


class PeakRSS:
    """Samples RSS in a thread while a block runs; ``peak`` in bytes.  ``children=True`` adds the
    process's children (worker processes, a local Ray instance)."""

    def __init__(self, interval: float = 0.005, *, children: bool = False):
        import psutil

        self._process = psutil.Process()
        self._interval = interval
        self._children = children
        self.peak = 0
        self._stop = threading.Event()

    def _processes(self) -> list:
        return [self._process, *self._process.children(recursive=True)] if self._children else [self._process]

    def sample(self) -> int:
        """RSS now (of the tree, with ``children``)."""
        import psutil

        total = 0
        for process in self._processes():
            try:
                total += process.memory_info().rss
            except psutil.Error:  # a worker that ended between listing and reading
                pass
        return total

    def unique(self) -> int:
        """Memory private to each process (USS), summed: pages shared between processes, such as
        Ray's object store mapped into every worker, count once, not once per process (slower
        to read than RSS, so only for occasional samples)."""
        import psutil

        total = 0
        for process in self._processes():
            try:
                total += process.memory_full_info().uss
            except psutil.Error:
                pass
        return total

    def __enter__(self) -> PeakRSS:
        self.peak = self.sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.sample())
            time.sleep(self._interval)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.sample())


@dataclass
class Measurement:
    """What one variant of one part did on one set of documents."""

    part: str
    variant: str
    documents: int
    seconds: float
    docs_per_second: float
    latency_doc_p50_ms: float
    latency_doc_p95_ms: float
    latency_batch_p50_ms: float
    latency_batch_p95_ms: float
    peak_rss_mb: float
    tokens_per_second: float | None = None
    peak_gpu_mb: float | None = None
    settings: dict = field(default_factory=dict)
    quality: dict = field(default_factory=dict)
    ratio_to_naive: float | None = None


def measure(part: str, variant: str, run_batch: Callable[[Sequence[Any]], Any], items: Sequence[Any], *,
            batch_size: int, warmup: int = 1, tokens: int | None = None, cuda: bool = False,
            settings: dict | None = None) -> tuple[Measurement, list]:
    """Time ``run_batch`` over ``items`` in batches; returns the measurement and the outputs in order.

    ``warmup`` batches run first and are not timed.  Per-document latency is batch latency divided
    by the batch's size (documents of one batch finish together).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    sync = _cuda_sync if cuda else (lambda: None)
    batches = [items[i:i + batch_size] for i in range(0, len(items), batch_size)]
    for batch in batches[:warmup]:
        run_batch(batch)
    sync()
    if cuda:
        import torch

        torch.cuda.reset_peak_memory_stats()
    outputs: list = []
    batch_ms, doc_ms = [], []
    with PeakRSS() as rss:
        start = time.perf_counter()
        for batch in batches:
            t0 = time.perf_counter()
            out = run_batch(batch)
            sync()
            elapsed = (time.perf_counter() - t0) * 1000
            batch_ms.append(elapsed)
            doc_ms += [elapsed / len(batch)] * len(batch)
            outputs.extend(out)
        total = time.perf_counter() - start
    peak_gpu = None
    if cuda:
        import torch

        peak_gpu = torch.cuda.max_memory_allocated() / 2**20
    m = Measurement(
        part=part, variant=variant, documents=len(items), seconds=round(total, 4),
        docs_per_second=round(len(items) / total, 2) if total > 0 else float("inf"),
        latency_doc_p50_ms=round(percentile(doc_ms, 50), 3), latency_doc_p95_ms=round(percentile(doc_ms, 95), 3),
        latency_batch_p50_ms=round(percentile(batch_ms, 50), 3),
        latency_batch_p95_ms=round(percentile(batch_ms, 95), 3), peak_rss_mb=round(rss.peak / 2**20, 1),
        tokens_per_second=round(tokens / total, 1) if tokens and total > 0 else None,
        peak_gpu_mb=None if peak_gpu is None else round(peak_gpu, 1), settings=settings or {})
    return m, outputs


def _cuda_sync() -> None:
    import torch

    torch.cuda.synchronize()


def compare_predictions(reference: np.ndarray, candidate: np.ndarray, thresholds: np.ndarray | float = 0.5, *,
                        tolerance: float = 0.99, assessable: bool = True) -> dict:
    """Agreement of a variant's decisions with the reference's (share of documents whose label set
    is identical), the largest absolute probability difference, the variant's probability noise
    relative to how much the documents differ (mean over the topics whose reference varies of
    std(candidate - reference) / std(reference)), and whether agreement is within tolerance.

    ``assessable=False`` (random weights) keeps the figures but gives no verdict: a random encoder's
    outputs barely differ between documents, so any precision noise flips decisions at the threshold
    and agreement says nothing about a trained model.
    """
    reference, candidate = np.asarray(reference, dtype=float), np.asarray(candidate, dtype=float)
    if reference.shape != candidate.shape:
        raise ValueError(f"shapes differ: {reference.shape} vs {candidate.shape}")
    same = ((reference >= thresholds) == (candidate >= thresholds)).all(axis=1)
    agreement = float(same.mean()) if len(same) else 1.0
    top = float((reference.argmax(axis=1) == candidate.argmax(axis=1)).mean()) if len(same) else 1.0
    noise_to_spread = None
    if len(reference) > 1:
        spread = reference.std(axis=0)
        noise = (candidate - reference).std(axis=0)
        varied = spread > 0  # a topic on which the reference never varies has no spread to compare with
        if varied.any():
            noise_to_spread = round(float(np.mean(noise[varied] / spread[varied])), 4)
    return {"agreement": round(agreement, 4), "top_topic_agreement": round(top, 4),
            "max_probability_difference": round(float(np.abs(reference - candidate).max()) if reference.size else 0.0, 5),
            "noise_to_spread": noise_to_spread,
            "within_tolerance": (agreement >= tolerance) if assessable else None}


# ------------------------------------------------------------------------------------ documents
def load_articles(corpus: str | Path | None, n: int, *, words: int | None = None, seed: int = 0,
                  schema: Any = None) -> list[str]:
    """``n`` real articles (drawn with replacement from the corpus when it has fewer); with ``words``,
    each is cut or repeated to about that many words (a synthetic length drawn from real text).
    ``schema``: the topics the corpus is checked against (a model folder: the model's own)."""
    from .cli import default_corpus_path
    from .corpus import load_corpus

    path = Path(corpus) if corpus else default_corpus_path()
    texts = [a.model_text for a in load_corpus(path, schema=schema)]
    rng = np.random.default_rng(seed)
    chosen = [texts[i] for i in rng.choice(len(texts), size=n, replace=n > len(texts))]
    if words:
        resized = []
        for text in chosen:
            tokens = text.split()
            while len(tokens) < words:
                tokens += tokens
            resized.append(" ".join(tokens[:words]))
        chosen = resized
    return chosen


def machine_info() -> dict:
    info: dict[str, Any] = {"platform": platform.platform(), "python": platform.python_version(),
                            "cpu_count": os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        info["cpu"] = platform.processor()
    versions = {}
    for name in ("numpy", "scipy", "sklearn", "torch", "transformers"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = None
    from importlib.metadata import PackageNotFoundError, version

    for name in ("onnxruntime", "ray"):  # optional extras: their version without importing them
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    info["versions"] = versions
    from .cpu import auto_cpu_precision, cpu_features

    # instruction sets decide which precision pays (pemilu_nlp.cpu): recorded in every report
    info["cpu_flags"] = cpu_features()
    info["auto_cpu_precision"] = dict(zip(("precision", "why"), auto_cpu_precision()))
    try:
        import torch

        info["torch_threads"] = torch.get_num_threads()
        if torch.cuda.is_available():
            props = torch.cuda.get_device_properties(0)
            info["gpu"] = {"name": props.name, "memory_gb": round(props.total_memory / 2**30, 1)}
    except ImportError:
        pass
    try:
        info["commit"] = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                                        cwd=Path(__file__).parent, timeout=5).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        info["commit"] = None
    from . import __version__

    info["pemilu_nlp"] = __version__
    return info


# ------------------------------------------------------------------------------------ parts
def bench_text(articles: Sequence[str], batch_size: int) -> list[Measurement]:
    from .text import clean_text, split_sentences

    m, _ = measure("text", "clean_text + split_sentences",
                   lambda batch: [split_sentences(clean_text(t)) for t in batch], articles, batch_size=batch_size)
    return [m, *bench_text_at_scale(articles)]


def scale_texts(articles: Sequence[str], size: int = 1_000_000) -> dict[str, str]:
    """Texts of ``size`` characters: real articles end to end, and patterns that once made splitting
    quadratic (40 KB of "Jl. " took 21 s): abbreviation and initial runs, quotations, news patterns."""
    def fill(unit: str) -> str:
        return (unit * (size // len(unit) + 1))[:size]

    return {
        "real articles": fill("\n".join(articles) or "KPU menetapkan DPT. "),
        "abbreviations": fill("Jl. "),
        "initials": fill("A. "),
        "quotations": fill('"Kami siap." kata dia. '),
        "news patterns": fill('Kombes Pol. A. "Siap. Aman." Km. 5, 14 Feb. 2024 pukul 10.00 WIB. 1. Netralitas. • Butir '),
    }


def bench_text_at_scale(articles: Sequence[str], size: int = 1_000_000) -> list[Measurement]:
    """One 1 MB document per kind through clean_text + split_sentences: docs/s is MB/s here."""
    from .text import clean_text, split_sentences

    texts = scale_texts(articles, size)
    m, _ = measure("text", f"text at scale: {len(texts)} x {size / 1e6:g} MB ({', '.join(texts)})",
                   lambda batch: [split_sentences(clean_text(t)) for t in batch], list(texts.values()),
                   batch_size=1, warmup=0, settings={"characters_per_document": size, "kinds": list(texts)})
    m.quality = {"slowest_kind_seconds": round(m.latency_doc_p95_ms / 1000, 3) if len(texts) < 20 else None}
    return [m]


def _naive_tfidf(train_texts: Sequence[str], train_labels: Sequence[Sequence[str]]):
    """What a user would write with plain scikit-learn: word + char_wb TF-IDF, one-vs-rest LR."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.preprocessing import MultiLabelBinarizer

    from .schema import topic_ids

    binarizer = MultiLabelBinarizer(classes=list(topic_ids()))
    y = binarizer.fit_transform(train_labels)
    keep = y.sum(axis=0) > 0
    pipeline = make_pipeline(
        make_union(TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
                   TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True)),
        OneVsRestClassifier(LogisticRegression(C=8.0, class_weight="balanced", solver="liblinear")))
    pipeline.fit(train_texts, y[:, keep])
    return pipeline, keep


def bench_tfidf(articles: Sequence[str], batch_size: int, corpus: str | Path | None) -> list[Measurement]:
    from .cli import default_corpus_path
    from .corpus import load_corpus, load_split, split_corpus
    from .registry import load_default
    from .text import clean_text
    from .training import default_split_path, evaluate_model

    model = load_default()
    model.set_params(clean=False)  # cleaned text in, topics out
    cleaned = [clean_text(t) or t for t in articles]
    # First pass: every new word's character n-grams are computed once (cold cache); second pass:
    # the steady state of a long stream, where almost every word has been seen.
    ours, proba = measure("tfidf", "pemilu_nlp TfidfTopicClassifier, first pass (cold word cache)",
                          lambda b: list(model.predict_proba(b)), cleaned, batch_size=batch_size,
                          warmup=0, settings={"batch_size": batch_size, "word_cache": "cold"})
    warm, _ = measure("tfidf", "pemilu_nlp TfidfTopicClassifier, steady state (warm word cache)",
                      lambda b: list(model.predict_proba(b)), cleaned, batch_size=batch_size,
                      settings={"batch_size": batch_size, "word_cache": "warm"})
    path = Path(corpus) if corpus else default_corpus_path()
    parts = split_corpus(load_corpus(path), load_split(default_split_path(path)))
    train = parts["train"]
    naive_model, keep = _naive_tfidf([clean_text(a.model_text) for a in train], [a.labels for a in train])
    naive, _ = measure("tfidf", "naive scikit-learn pipeline (TfidfVectorizer word+char_wb, OvR LR)",
                       lambda b: list(naive_model.predict_proba(b)), cleaned, batch_size=batch_size,
                       settings={"batch_size": batch_size})
    ours.ratio_to_naive = round(ours.docs_per_second / naive.docs_per_second, 2)
    warm.ratio_to_naive = round(warm.docs_per_second / naive.docs_per_second, 2)
    model.set_params(clean=True)
    test = parts["test"]
    ours.quality = {"test_macro_f1": evaluate_model(model, test)["macro_f1"],
                    "test_micro_f1": evaluate_model(model, test)["micro_f1"]}
    from sklearn.metrics import f1_score

    from .corpus import label_matrix

    gold = label_matrix(test)[:, keep]
    pred = naive_model.predict([clean_text(a.model_text) for a in test])
    naive.quality = {"test_micro_f1_untuned_thresholds": round(float(f1_score(gold, pred, average="micro")), 4)}
    del proba
    return [ours, warm, naive]


def bench_summarizers(articles: Sequence[str], batch_size: int) -> list[Measurement]:
    from .summarize import get_summarizer
    from .summarize.graph import pagerank
    from .text import clean_text, split_sentences

    results, chosen = [], {}
    for name in ("lead", "textrank", "lexrank", "features", "neural"):
        summarizer = get_summarizer(name)
        m, out = measure("summarizer", name, lambda b, s=summarizer: [[x.index for x in s(t, 3)] for t in b],
                         articles, batch_size=batch_size)
        chosen[name] = out
        results.append(m)

    def naive_textrank(text: str) -> list[int]:
        from sklearn.feature_extraction.text import TfidfVectorizer

        sentences = split_sentences(clean_text(text))
        if len(sentences) <= 3:
            return list(range(len(sentences)))
        x = TfidfVectorizer().fit_transform(sentences)
        sim = (x @ x.T).toarray()
        np.fill_diagonal(sim, 0)
        return sorted(np.argsort(-pagerank(sim))[:3].tolist())

    naive, naive_out = measure("summarizer", "naive textrank (TfidfVectorizer per article)",
                               lambda b: [naive_textrank(t) for t in b], articles, batch_size=batch_size)
    textrank = next(m for m in results if m.variant == "textrank")
    textrank.ratio_to_naive = round(textrank.docs_per_second / naive.docs_per_second, 2)
    plain = get_summarizer("textrank", preset=None)
    plain_out = [[x.index for x in plain(t, 3)] for t in articles]
    same = np.mean([set(a) == set(b) for a, b in zip(plain_out, naive_out)])
    naive.quality = {"same_sentences_as_untuned_textrank": round(float(same), 4)}
    return [*results, naive]


def _indobert_model(folder: str | None, corpus: str | Path | None, device: str, workdir: Path):
    from .indobert import IndoBertTopicClassifier

    if folder:
        return IndoBertTopicClassifier.load(folder, device=device), f"trained model {folder}"
    from .testing import INDOBERT_BASE, build_bert

    base = workdir / "indobert-base-random"
    if not (base / "model.safetensors").exists():
        build_bert(base, load_articles(corpus, 400), vocab_size=30000, size=INDOBERT_BASE, embedding_rows=50000)
    model = IndoBertTopicClassifier.untrained(str(base), device=device, progress=False)
    return model, "IndoBERT-base architecture with RANDOM weights (no pretrained weights here); " \
                  "throughput does not depend on weight values, quality figures are agreement only"


def bench_indobert(articles: Sequence[str], *, device: str, batch_sizes: Sequence[int], max_lengths: Sequence[int],
                   precisions: Sequence[str], model_dir: str | None, corpus: str | Path | None,
                   compile_model: bool = False, naive: bool = True, workdir: Path) -> tuple[list[Measurement], str]:
    import torch

    model, note = _indobert_model(model_dir, corpus, device, workdir)
    cuda = model.device_.startswith("cuda")
    results: list[Measurement] = []
    n_docs = len(articles)
    longest = max(max_lengths)
    stride = model.stride  # the model's own overlap, capped at a quarter of each window length
    for max_length in max_lengths:
        model.set_params(max_length=max_length, stride=min(stride, max_length // 4))
        # the whole article; at the longest length also the first window only = the naive pipeline's input
        for max_windows in (None, 1) if max_length == longest else (None,):
            model.set_params(max_windows=max_windows)
            windows, _ = model.windows(articles, max_windows=max_windows)
            n_tokens = sum(len(w) for w in windows)
            reference = None
            for precision in precisions:
                model.set_params(precision=precision)
                model.variants_.clear()
                if compile_model and cuda:
                    compiled, _ = model.inference_model()
                    model.variants_.put(precision, torch.compile(compiled))
                for batch_size in batch_sizes:
                    for grouped in (True, False):
                        if not grouped and (batch_size == 1 or precision != precisions[0] or max_windows):
                            continue  # grouping only matters with padding; measured once per length
                        name = (f"{precision} bs={batch_size} len={max_length}" + ("" if grouped else " unsorted")
                                + (" first window" if max_windows else ""))
                        m, proba = measure(
                            "indobert", name,
                            lambda b, bs=batch_size, g=grouped: list(model.proba_of_windows(
                                *model.window_logits(b, batch_size=bs, sort_by_length=g), len(b))),
                            articles, batch_size=batch_size, tokens=n_tokens, cuda=cuda,
                            settings={"precision": precision, "batch_size": batch_size, "max_length": max_length,
                                      "stride": model.stride, "max_windows": max_windows, "length_grouping": grouped,
                                      "windows": len(windows), "device": model.device_})
                        proba = np.asarray(proba)
                        if reference is None and precision == "fp32":
                            reference = proba
                        if reference is not None:
                            m.quality = compare_predictions(reference, proba, model.thresholds_,
                                                            assessable=model_dir is not None)
                            m.quality["reference"] = "fp32, same max_length and windows"
                        results.append(m)
    model.set_params(max_windows=None, stride=stride)
    model.variants_.clear()  # free the last variant before the naive run
    if naive:
        from transformers import pipeline

        clf = pipeline("text-classification", model=model.model_.float(), tokenizer=model.tokenizer_,
                       device=0 if cuda else -1, top_k=None)
        texts = [model._prepare([t])[0] for t in articles]
        limit = min(512, model.model_.config.max_position_embeddings)
        naive_tokens = sum(min(len(ids), limit) for ids in model.tokenizer_(texts, truncation=False)["input_ids"])
        m, _ = measure("indobert", "naive transformers.pipeline, one document at a time",
                       lambda b: [clf(t, truncation=True, max_length=limit) for t in b], texts, batch_size=1,
                       tokens=naive_tokens, cuda=cuda,
                       settings={"truncation": f"first {limit} tokens only (the rest of a long article is not read)",
                                 "precision": "fp32", "device": model.device_})
        results.append(m)
        for r in results[:-1]:
            r.ratio_to_naive = round(r.docs_per_second / m.docs_per_second, 2)
            r.settings["tokens_per_second_ratio_to_naive"] = round((r.tokens_per_second or 0) / (m.tokens_per_second or 1), 2)
    del n_docs
    return results, note


# ------------------------------------------------------------------------------------ streaming (the CLI)
def write_short_docs(path: Path, n_docs: int, corpus: str | Path | None, *, seed: int = 0) -> Path:
    """``n_docs`` short JSONL documents (one or two real corpus sentences each), written as a stream."""
    from .cli import default_corpus_path
    from .corpus import load_corpus
    from .text import split_sentences

    sentences = [s for a in load_corpus(Path(corpus) if corpus else default_corpus_path())[:300]
                 for s in split_sentences(a.text) if len(s) > 30][:5000]
    rng = np.random.default_rng(seed)
    with open(path, "w", encoding="utf-8") as fh:
        for start in range(0, n_docs, 10_000):
            picks = rng.integers(0, len(sentences), size=(min(10_000, n_docs - start), 2))
            fh.write("".join(json.dumps({"id": f"d{start + i}", "text": sentences[a] + " " + sentences[b]},
                                        ensure_ascii=False) + "\n" for i, (a, b) in enumerate(picks)))
    return path


def measure_stream(path: Path, n_docs: int, command: str = "classify") -> Measurement:
    """Run ``python -m pemilu_nlp COMMAND --json FILE`` as a separate process, read its output as it
    comes: seconds to the first output line, total seconds, and the process's peak RSS."""
    import psutil

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parent.parent),
                                                         os.environ.get("PYTHONPATH", "")])}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pemilu_nlp", command, "--json", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        child = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                peak[0] = max(peak[0], child.memory_info().rss)
            except psutil.Error:
                break
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    first = None
    lines = 0
    for _ in proc.stdout:
        if first is None:
            first = time.perf_counter() - start
        lines += 1
    proc.wait()
    done.set()
    sampler.join()
    total = time.perf_counter() - start
    if proc.returncode != 0 or lines != n_docs:
        raise RuntimeError(f"pemilu_nlp {command} exited {proc.returncode} after {lines} of {n_docs} documents")
    nan = float("nan")
    return Measurement(
        part="stream", variant=f"{command} --json, {n_docs:,} short JSONL docs", documents=n_docs,
        seconds=round(total, 2), docs_per_second=round(n_docs / total, 1), latency_doc_p50_ms=nan,
        latency_doc_p95_ms=nan, latency_batch_p50_ms=nan, latency_batch_p95_ms=nan,
        peak_rss_mb=round(peak[0] / 2**20, 1),
        settings={"first_output_seconds": round(first or nan, 2), "process": "separate, includes model load"},
        quality={"documents_out": lines, "first_output_s": round(first or nan, 2)})


def bench_stream(n_docs: int, corpus: str | Path | None, workdir: Path) -> list[Measurement]:
    """The CLI on ``n_docs // 10`` and ``n_docs`` short documents: memory should not grow with the
    number of documents, and the first output should come within seconds."""
    results = []
    for n in sorted({max(1, n_docs // 10), n_docs}):
        path = write_short_docs(workdir / f"stream-{n}.jsonl", n, corpus)
        try:
            results.append(measure_stream(path, n))
        finally:
            path.unlink(missing_ok=True)
    return results


# ------------------------------------------------------------------------------------ command
def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--parts", default="text,tfidf,summarizer,indobert",
                   help="comma-separated: text, tfidf, summarizer, indobert; not in the default set: stream (the CLI "
                        "on many short documents: 1,000,000 documents take minutes), parallel (--jobs over pool "
                        "articles), cascade (TF-IDF where confident, IndoBERT for the rest)")
    p.add_argument("--device", default="auto", help="cpu, cuda or auto (IndoBERT part)")
    p.add_argument("--corpus", help="corpus JSONL of real articles (default: data/corpus.jsonl)")
    p.add_argument("--docs", type=int, default=1000, help="articles for text, TF-IDF and summariser parts")
    p.add_argument("--words", type=int, help="cut/repeat every article to this many words (synthetic length)")
    p.add_argument("--batch-size", type=int, default=256, help="batch size for the non-neural parts")
    p.add_argument("--indobert-docs", type=int, default=24, help="articles for the IndoBERT part")
    p.add_argument("--batch-sizes", default=None, help="IndoBERT batch sizes, e.g. 1,8,32")
    p.add_argument("--max-lengths", default=None, help="IndoBERT window lengths, e.g. 128,512")
    p.add_argument("--precisions", default=None, help="e.g. fp32,bf16,int8 (CPU) or fp32,fp16,bf16 (GPU)")
    p.add_argument("--model", help="a saved IndoBERT classifier folder (default: random-weight IndoBERT-base)")
    p.add_argument("--tiny-finetuned", action="store_true",
                   help="use a 2-layer BERT fine-tuned here on the corpus (built once in --workdir) as --model: "
                        "agreement on a trained model (window lengths up to 128)")
    p.add_argument("--cascade-target", type=float, default=0.95,
                   help="cascade: agreement with IndoBERT-only label sets to reach")
    p.add_argument("--compile", action="store_true", help="also torch.compile the GPU model")
    p.add_argument("--no-naive", action="store_true", help="skip the naive transformers.pipeline baseline")
    p.add_argument("--out", help="JSON file for every figure (default: ./bench-<device>.json)")
    p.add_argument("--plot", help="PNG: IndoBERT throughput against batch size per precision")
    p.add_argument("--stream-docs", type=int, default=1_000_000,
                   help="documents for the stream part (also run at a tenth of this, to show memory is flat)")
    p.add_argument("--workdir", default=".bench-cache", help="where the random-weight model is built (not committed)")
    g = p.add_argument_group("parallel part (--jobs)")
    g.add_argument("--pool", help="JSONL(.gz) of articles for the parallel part (default: ../shared/data/news_pool.jsonl.gz, "
                   "else the corpus); drawn with replacement up to --parallel-docs")
    g.add_argument("--parallel-docs", type=int, default=100_000, help="articles classified per number of jobs")
    g.add_argument("--parallel-summary-docs", type=int, default=5_000, help="articles summarised per number of jobs (0: skip)")
    g.add_argument("--jobs-list", default="1,2,-1", help="numbers of worker processes to compare (-1: every core)")
    g.add_argument("--chunk-size", type=int, default=500, help="documents per worker task")


def run_benchmark(args: argparse.Namespace) -> dict:
    from tqdm.auto import tqdm

    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(parts) - {"text", "tfidf", "summarizer", "indobert", "stream", "parallel", "cascade"}
    if unknown:
        raise ValueError(f"unknown parts {sorted(unknown)}; choose from text, tfidf, summarizer, indobert, stream, "
                         "parallel, cascade")
    articles = (load_articles(args.corpus, args.docs, words=args.words, schema=args.model)
                 if set(parts) - {"stream", "parallel", "cascade"} else [])
    notes: list[str] = []
    if getattr(args, "tiny_finetuned", False) and not args.model:
        from .throughput_bench import finetuned_tiny

        folder, info = finetuned_tiny(Path(args.workdir), args.corpus)
        args.model = str(folder)
        args.max_lengths = args.max_lengths or "128,64"
        notes.append(f"IndoBERT rows use {folder}: {info}")
    results: list[Measurement] = []
    extra: dict = {}
    bar = tqdm(parts, desc="benchmark")
    for part in bar:
        bar.set_postfix(part=part)
        if part == "text":
            results += bench_text(articles, args.batch_size)
        elif part == "tfidf":
            results += bench_tfidf(articles, args.batch_size, args.corpus)
        elif part == "summarizer":
            results += bench_summarizers(articles, args.batch_size)
        elif part == "stream":
            workdir = Path(args.workdir)
            workdir.mkdir(parents=True, exist_ok=True)
            results += bench_stream(args.stream_docs, args.corpus, workdir)
        elif part == "parallel":
            from .throughput_bench import bench_parallel, load_pool

            pool = load_pool(args.pool, args.parallel_docs)
            jobs_list = [int(j) for j in str(args.jobs_list).split(",") if j.strip()]
            results += bench_parallel(pool, jobs_list=jobs_list, chunk_size=args.chunk_size,
                                      summary_texts=pool[:args.parallel_summary_docs])
            notes.append(f"parallel: {args.parallel_docs} pool articles ({args.pool or 'news_pool.jsonl.gz'}, drawn "
                         "with replacement), whole calls timed including worker start-up; RSS = process + workers")
        elif part == "indobert":
            from .indobert import resolve_device

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
            bert, note = bench_indobert(texts, device=device, batch_sizes=sizes, max_lengths=lengths,
                                        precisions=precisions, model_dir=args.model, corpus=args.corpus,
                                        compile_model=args.compile, naive=not args.no_naive, workdir=workdir)
            results += bert
            notes.append(note)
        elif part == "cascade":
            from .cli import default_corpus_path
            from .corpus import load_corpus, load_split, split_corpus
            from .indobert import IndoBertTopicClassifier
            from .throughput_bench import bench_cascade, finetuned_tiny
            from .training import default_split_path

            folder = args.model
            if not folder:
                folder, info = finetuned_tiny(Path(args.workdir), args.corpus)
                notes.append(f"cascade IndoBERT: {folder}: {info}")
            bert = IndoBertTopicClassifier.load(folder, device="cpu")
            path = Path(args.corpus) if args.corpus else default_corpus_path()
            test = split_corpus(load_corpus(path), load_split(default_split_path(path)))["test"]
            rows, extra["cascade"] = bench_cascade([a.model_text for a in test], bert,
                                                   target_agreement=args.cascade_target)
            results += rows
            notes.append(f"cascade: the corpus test split ({len(test)} articles); agreement = identical label set "
                         "to IndoBERT-only output")
    return {"machine": machine_info(), "settings": {k: v for k, v in vars(args).items() if k != "func"},
            "notes": notes, "results": [asdict(r) for r in results], **extra}


def _onnx_if_installed() -> str:
    """ONNX Runtime int8 joins the default CPU precisions when the [onnx] extra is installed."""
    from importlib.util import find_spec

    return ",onnx-int8" if find_spec("onnxruntime") else ""


def format_table(report: dict) -> str:
    lines = [f"machine: {report['machine'].get('cpu')} ({report['machine'].get('cpu_count')} cores)"
             + (f", GPU {report['machine']['gpu']['name']}" if report["machine"].get("gpu") else "")]
    lines += [f"note: {n}" for n in report["notes"]]
    lines.append(f"{'part':<11}{'variant':<58}{'docs/s':>9}{'tok/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
                 f"{'RSS MB':>8}{'x naive':>8}  quality")
    for r in report["results"]:
        quality = ", ".join(f"{k}={v}" for k, v in r["quality"].items() if k != "reference")
        if r["quality"].get("within_tolerance") is False:
            quality += "  <-- CHANGES PREDICTIONS"
        elif "within_tolerance" in r["quality"] and r["quality"]["within_tolerance"] is None:
            quality += "  (no verdict: random weights)"
        tokens = f"{r['tokens_per_second']:>9.0f}" if r["tokens_per_second"] is not None else f"{'':>9}"
        ratio = f"{r['ratio_to_naive']:>8.2f}" if r["ratio_to_naive"] is not None else f"{'':>8}"
        lines.append(f"{r['part']:<11}{r['variant'][:57]:<58}{r['docs_per_second']:>9.1f}"
                     f"{tokens}{r['latency_doc_p50_ms']:>9.2f}{r['latency_doc_p95_ms']:>9.2f}"
                     f"{r['peak_rss_mb']:>8.0f}{ratio}  {quality}")
    return "\n".join(lines)


def plot(report: dict, path: str | Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in report["results"] if r["part"] == "indobert" and "batch_size" in r["settings"]
            and r["settings"].get("length_grouping", True) and not r["settings"].get("max_windows")]
    fig, ax = plt.subplots(figsize=(7, 4))
    for (precision, length) in sorted({(r["settings"]["precision"], r["settings"]["max_length"]) for r in rows}):
        pts = sorted((r["settings"]["batch_size"], r["docs_per_second"]) for r in rows
                     if r["settings"]["precision"] == precision and r["settings"]["max_length"] == length)
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=f"{precision}, len {length}")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("batch size (windows)")
    ax.set_ylabel("documents / second")
    ax.set_title(f"IndoBERT throughput ({report['machine'].get('gpu', {}).get('name') or report['machine'].get('cpu')})")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(args: argparse.Namespace) -> int:
    report = run_benchmark(args)
    print(format_table(report))
    device = "cuda" if report["machine"].get("gpu") and "indobert" in args.parts else "cpu"
    out = Path(args.out or f"bench-{device}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", "utf-8")
    print(f"wrote {out}", file=sys.stderr)
    if args.plot:
        plot(report, args.plot)
        print(f"wrote {args.plot}", file=sys.stderr)
    return 0
