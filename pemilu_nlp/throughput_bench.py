"""Benchmark suites for throughput beyond one process: all cores (``--jobs``), and the documents
they run on (pool articles, drawn with replacement up to any count, or short articles).

Each suite times a whole call end to end, start-up included (worker start and model load are
part of what a user waits for), records peak memory of the process *and its workers*, and
checks that the output is identical to one process's.  Ratios are only comparable within one
run on a quiet machine: on a shared one, other processes take the cores the workers need.
"""
from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .bench import Measurement, PeakRSS

__all__ = ["bench_parallel", "load_pool", "short_articles"]


def load_pool(path: str | Path | None, n: int, *, seed: int = 0) -> list[str]:
    """``n`` pool articles (title + text), shuffled, cycling through the pool when ``n`` exceeds it.

    ``path``: a JSONL(.gz) of ``{"title", "text"}`` records; ``None``: ``../shared/data/news_pool.jsonl.gz``
    beside the repository, else the labelled corpus.
    """
    if path is None:
        guess = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "news_pool.jsonl.gz"
        if not guess.is_file():
            from .bench import load_articles

            return load_articles(None, n, seed=seed)
        path = guess
    path = Path(path)
    opener = gzip.open if path.name.endswith(".gz") else open
    texts = []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                record = json.loads(line)
                text = (record.get("text") or "").strip()
                if text:
                    title = (record.get("title") or "").strip()
                    texts.append(f"{title}\n{text}" if title else text)
    if not texts:
        raise ValueError(f"{path}: no articles with text")
    order = np.random.default_rng(seed).permutation(len(texts))
    return [texts[order[i % len(texts)]] for i in range(n)]


def short_article(texts: Sequence[str], i: int, words: int = 40) -> str:
    """Short article number ``i``: a window of ``words`` words of text ``i % len(texts)``, starting
    one word later on each pass through the texts, so that articles differ while their vocabulary
    stays the pool's (no made-up tokens that would grow a model's per-word cache for ever)."""
    tokens = texts[i % len(texts)].split()
    span = max(1, len(tokens) - words + 1)
    start = (i // len(texts)) % span
    return " ".join(tokens[start:start + words])


def short_articles(texts: Sequence[str], n: int, *, words: int = 40) -> list[str]:
    """``n`` short articles (:func:`short_article`), as from a headline or lead-paragraph feed."""
    return [short_article(texts, i, words) for i in range(n)]


def timed(part: str, variant: str, call: Callable[[], Any], n_docs: int, settings: dict) -> tuple[Measurement, Any]:
    """One end-to-end call, timed, with the peak RSS of the process tree."""
    with PeakRSS(0.05, children=True) as rss:
        start = time.perf_counter()
        out = call()
        seconds = time.perf_counter() - start
    per_doc = seconds / n_docs * 1000
    m = Measurement(part=part, variant=variant, documents=n_docs, seconds=round(seconds, 3),
                    docs_per_second=round(n_docs / seconds, 1), latency_doc_p50_ms=round(per_doc, 4),
                    latency_doc_p95_ms=round(per_doc, 4), latency_batch_p50_ms=round(seconds * 1000, 1),
                    latency_batch_p95_ms=round(seconds * 1000, 1), peak_rss_mb=round(rss.peak / 2**20, 1),
                    settings=settings)
    return m, out


def _same_summaries(a: list, b: list) -> bool:
    return [[(s.index, s.text) for s in doc] for doc in a] == [[(s.index, s.text) for s in doc] for doc in b]


def bench_parallel(texts: Sequence[str], *, jobs_list: Sequence[int], chunk_size: int,
                   summary_texts: Sequence[str] = (), method: str = "textrank") -> list[Measurement]:
    """Classify ``texts`` (and summarise ``summary_texts``) with each number of jobs; every row has
    its speed-up over jobs=1 and whether its output is identical to jobs=1's."""
    from .parallel import classify_matrix, resolve_jobs
    from .parallel import summarize as parallel_summarize

    jobs_list = list(dict.fromkeys([1, *(resolve_jobs(j) for j in jobs_list)]))
    results: list[Measurement] = []
    reference = None
    for jobs in jobs_list:
        m, (_, proba) = timed("parallel", f"classify, TF-IDF, jobs={jobs}",
                              lambda j=jobs: classify_matrix(texts, jobs=j, chunk_size=chunk_size), len(texts),
                              {"task": "classify", "jobs": jobs, "chunk_size": chunk_size,
                               "start_method": "forkserver/spawn" if jobs > 1 else "in process",
                               "includes": "worker start-up and model load"})
        if reference is None:
            reference, base = proba, m.docs_per_second
        m.quality = {"identical_to_jobs_1": bool(np.array_equal(proba, reference)),
                     "speedup_vs_jobs_1": round(m.docs_per_second / base, 3)}
        results.append(m)
    if summary_texts:
        reference = None
        for jobs in jobs_list:
            m, out = timed("parallel", f"summarize, {method}, jobs={jobs}",
                           lambda j=jobs: parallel_summarize(summary_texts, 3, method=method, jobs=j,
                                                             chunk_size=max(1, chunk_size // 5)),
                           len(summary_texts), {"task": "summarize", "method": method, "jobs": jobs,
                                                "chunk_size": max(1, chunk_size // 5)})
            if reference is None:
                reference, base = out, m.docs_per_second
            m.quality = {"identical_to_jobs_1": _same_summaries(out, reference) and
                         [s.score for d in out for s in d] == [s.score for d in reference for s in d],
                         "same_sentences_as_jobs_1": _same_summaries(out, reference),
                         "speedup_vs_jobs_1": round(m.docs_per_second / base, 3)}
            results.append(m)
    return results


# ------------------------------------------------------------------------------------ Ray scaling
def _digest(matrix: np.ndarray, digest) -> None:
    digest.update(np.ascontiguousarray(matrix, dtype=np.float64).tobytes())


def _make_short(batch, texts: list[str], words: int):
    """Ray map_batches: row ids -> short articles, exactly as :func:`short_articles` makes them."""
    import pyarrow as pa

    ids = batch.column("data").to_pylist()
    return pa.table({"id": ids, "text": [short_article(texts, i, words) for i in ids]})


def plain_loop(n: int, texts: list[str], words: int, batch_size: int) -> tuple[float, str, float, list]:
    """The one-process loop over ``n`` short articles made on the fly, in batches: seconds,
    output digest, peak RSS (MB) and (documents done, RSS MB) samples."""
    import hashlib

    import psutil

    from .registry import load_default

    process = psutil.Process()
    digest = hashlib.sha256()
    samples, peak = [], 0.0
    start = time.perf_counter()
    model = load_default()
    step = max(batch_size, n // 10)
    for lo in range(0, n, batch_size):
        batch = [short_article(texts, i, words) for i in range(lo, min(n, lo + batch_size))]
        _digest(model.predict_proba(batch), digest)
        rss = process.memory_info().rss / 2**20
        peak = max(peak, rss)
        if (lo // batch_size) % max(1, step // batch_size) == 0:
            samples.append((min(n, lo + batch_size), round(rss, 1)))
    return time.perf_counter() - start, digest.hexdigest(), round(peak, 1), samples


def ray_loop(n: int, texts: list[str], words: int, batch_size: int,
             concurrency: int | None) -> tuple[float, str, float, list]:
    """The same articles through :func:`pemilu_nlp.ray_engine.annotate` (topics only), streamed back
    in order: seconds (actor start-up included), digest, peak RSS of the whole process tree
    (driver, raylet, workers) and (documents done, tree RSS MB, tree USS MB) samples."""
    import hashlib

    import ray

    from .ray_engine import annotate
    from .schema import topic_ids

    columns = [f"p_{t}" for t in topic_ids()]
    digest = hashlib.sha256()
    tree = PeakRSS(children=True)
    samples, peak, done = [], 0.0, 0
    blocks = max(2, min(2000, n // batch_size))
    start = time.perf_counter()
    # ids as one int64 array (8 bytes a document) -> texts made inside Ray by tasks that reserve no
    # CPU, so that every CPU can hold an annotating actor (ray.data.range's read tasks would need one);
    # at most two such tasks at once: zero-CPU tasks are otherwise unbounded, and Ray starts a worker
    # process for each (memory that grew with the input)
    ds = ray.data.from_numpy(np.array_split(np.arange(n, dtype=np.int64), blocks)) \
        .map_batches(_make_short, fn_kwargs={"texts": texts, "words": words}, batch_format="pyarrow",
                     batch_size=batch_size, num_cpus=0, compute=ray.data.TaskPoolStrategy(size=2))
    out = annotate(ds, method=None, batch_size=batch_size,
                   concurrency=concurrency or int(ray.cluster_resources().get("CPU", 1)))
    step = max(batch_size, n // 10)
    next_sample = 0
    for batch in out.iter_batches(batch_size=batch_size, batch_format="pyarrow"):
        _digest(np.column_stack([batch.column(c).to_numpy() for c in columns]), digest)
        done += batch.num_rows
        if done >= next_sample:
            rss = tree.sample() / 2**20
            peak = max(peak, rss)
            samples.append((done, round(rss, 1), round(tree.unique() / 2**20, 1)))
            next_sample += step
    seconds = time.perf_counter() - start
    if done != n:
        raise RuntimeError(f"Ray returned {done} rows for {n} documents")
    return seconds, digest.hexdigest(), round(peak, 1), samples


def bench_ray_scaling(sizes: Sequence[int], *, words: int = 40, batch_size: int = 2000,
                      concurrency: int | None = None, num_cpus: int | None = None, pool: str | Path | None = None) -> dict:
    """Plain loop against Ray Data on ``sizes`` short articles: time, identical output (digest of
    every probability, in order), memory as documents stream through, Ray's fixed start-up and
    the crossover size from which Ray is faster (if any)."""
    import ray

    texts = load_pool(pool, 8426)  # the whole pool, once each (fewer when it is smaller: repeats)
    t0 = time.perf_counter()
    ctx_args = {"include_dashboard": False, "log_to_driver": False}
    if num_cpus:
        ctx_args["num_cpus"] = num_cpus
    ray.init(**ctx_args)
    init_seconds = time.perf_counter() - t0
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    rows = []
    from .registry import load_default

    load_default()  # imports paid once, outside the timings (each plain run still loads its model)
    try:
        for n in sizes:
            plain_s, plain_digest, plain_peak, plain_samples = plain_loop(n, texts, words, batch_size)
            ray_s, ray_digest, ray_peak, ray_samples = ray_loop(n, texts, words, batch_size, concurrency)
            rows.append({"documents": n, "plain_seconds": round(plain_s, 3),
                         "plain_docs_per_second": round(n / plain_s, 1), "ray_seconds": round(ray_s, 3),
                         "ray_docs_per_second": round(n / ray_s, 1), "ray_speedup": round(plain_s / ray_s, 3),
                         "identical": plain_digest == ray_digest, "plain_peak_rss_mb": plain_peak,
                         "ray_peak_tree_rss_mb": ray_peak, "plain_rss_samples": plain_samples,
                         "ray_tree_rss_samples": ray_samples})
        cpus = ray.cluster_resources().get("CPU")
    finally:
        ray.shutdown()
    # t = overhead + n / rate, fitted on the Ray runs: the fixed cost a small job pays
    fit = None
    if len(rows) >= 2:
        slope, intercept = np.polyfit([r["documents"] for r in rows], [r["ray_seconds"] for r in rows], 1)
        fit = {"fixed_seconds": round(float(intercept), 2),
               "steady_docs_per_second": round(float(1 / slope), 1) if slope > 0 else None}
    faster = [r["documents"] for r in rows if r["ray_speedup"] > 1]
    return {"ray_init_seconds": round(init_seconds, 2), "ray_cpus": cpus, "words_per_article": words,
            "batch_size": batch_size, "concurrency": concurrency or "one actor per CPU", "ray_fit": fit,
            "crossover_documents": min(faster) if faster else None, "rows": rows}


# ------------------------------------------------------------------------------------ fine-tuned tiny BERT
def finetuned_tiny(workdir: str | Path, corpus: str | Path | None = None, *, epochs: int = 6) -> tuple[Path, dict]:
    """A 2-layer BERT (``tiny.TINY``, 128 positions) fine-tuned on the corpus train split, thresholds
    tuned on dev, saved under ``workdir`` (reused when there).  Not a useful classifier: it exists so
    that precision/backend agreement is measured on a *trained* model, whose probabilities spread
    between articles, rather than on random weights, where any noise flips decisions."""
    from .cli import default_corpus_path
    from .corpus import load_corpus, load_split, split_corpus
    from .indobert import IndoBertTopicClassifier, IndoBertTrainingArguments
    from .testing import build_bert
    from .training import default_split_path, evaluate_model

    folder = Path(workdir) / "tiny-finetuned"
    info_path = folder / "bench-info.json"
    if (folder / "config.json").is_file() and info_path.is_file():
        return folder, json.loads(info_path.read_text("utf-8"))
    path = Path(corpus) if corpus else default_corpus_path()
    parts = split_corpus(load_corpus(path), load_split(default_split_path(path)))
    train, dev, test = parts["train"], parts["dev"], parts["test"]
    base = build_bert(Path(workdir) / "tiny-base", [a.model_text for a in train], vocab_size=4000)
    args = IndoBertTrainingArguments(epochs=epochs, batch_size=16, learning_rate=2e-3, warmup_ratio=0.1,
                                     max_train_windows=1, early_stopping_patience=3, progress=False)
    model = IndoBertTopicClassifier(str(base), max_length=128, stride=32, args=args, device="cpu", precision="fp32")
    start = time.perf_counter()
    model.fit([a.model_text for a in train], [a.labels for a in train],
              X_dev=[a.model_text for a in dev], y_dev=[a.labels for a in dev])
    model.tune_thresholds([a.model_text for a in dev], [a.labels for a in dev])
    report = evaluate_model(model, test)
    proba = model.predict_proba([a.model_text for a in test])
    info = {"what": "2-layer BERT (hidden 32) fine-tuned on the corpus train split, thresholds tuned on dev",
            "epochs_run": len(model.history_), "fit_seconds": round(time.perf_counter() - start, 1),
            "test_micro_f1": round(report["micro_f1"], 4), "test_macro_f1": round(report["macro_f1"], 4),
            "probability_spread_std": round(float(proba.std(axis=0).mean()), 4)}
    model.save(folder, metrics=info)
    info_path.write_text(json.dumps(info, indent=1) + "\n", "utf-8")
    return folder, info


# ------------------------------------------------------------------------------------ cascade
def tfidf_confident(proba: np.ndarray, thresholds: np.ndarray, margin: float) -> np.ndarray:
    """Documents whose every TF-IDF probability is at least ``margin`` from its topic's threshold:
    their label set would not change under a small shift, so the cheap model answers them."""
    return np.abs(np.asarray(proba) - np.asarray(thresholds)).min(axis=1) >= margin


def bench_cascade(texts: Sequence[str], bert_model: Any, *, margins: Sequence[float] = (
        0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45), target_agreement: float = 0.95) -> tuple[list[Measurement], dict]:
    """TF-IDF answers where confident, the rest goes to IndoBERT; against IndoBERT alone.

    Every margin's agreement (identical label set) with IndoBERT-only output and share sent on
    is computed from the two full runs; the smallest share that reaches ``target_agreement`` is
    then run for real, timed, and its agreement checked again."""
    from .registry import load_default

    tfidf = load_default()
    texts = list(texts)
    n = len(texts)
    t_model, p_tfidf = timed("cascade", "TF-IDF only", lambda: tfidf.predict_proba(texts), n, {})
    t_bert, p_bert = timed("cascade", f"IndoBERT only ({bert_model.precision})",
                           lambda: bert_model.predict_proba(texts), n, {"precision": bert_model.precision})
    d_tfidf, d_bert = tfidf.decide(p_tfidf), bert_model.decide(p_bert)
    t_model.quality = {"agreement_with_indobert_only": round(float((d_tfidf == d_bert).all(axis=1).mean()), 4)}
    t_bert.quality = {"agreement_with_indobert_only": 1.0}
    sweep = []
    for margin in margins:
        confident = tfidf_confident(p_tfidf, tfidf.thresholds_, margin)
        decided = np.where(confident[:, None], d_tfidf, d_bert)
        sweep.append({"margin": margin, "share_sent_to_indobert": round(float(1 - confident.mean()), 4),
                      "agreement_with_indobert_only": round(float((decided == d_bert).all(axis=1).mean()), 4)})
    reaching = [s for s in sweep if s["agreement_with_indobert_only"] >= target_agreement]
    chosen = min(reaching, key=lambda s: s["share_sent_to_indobert"]) if reaching else sweep[-1]
    margin = chosen["margin"]

    def cascade() -> np.ndarray:
        proba = tfidf.predict_proba(texts)
        decided = np.asarray(tfidf.decide(proba))
        rest = np.flatnonzero(~tfidf_confident(proba, tfidf.thresholds_, margin))
        if len(rest):
            decided[rest] = bert_model.decide(bert_model.predict_proba([texts[i] for i in rest]))
        return decided

    m, decided = timed("cascade", f"cascade, margin {margin}", cascade, n,
                       {"margin": margin, "target_agreement": target_agreement})
    m.quality = {"agreement_with_indobert_only": round(float((decided == d_bert).all(axis=1).mean()), 4),
                 "share_sent_to_indobert": chosen["share_sent_to_indobert"],
                 "speedup_vs_indobert_only": round(t_bert.seconds / m.seconds, 3),
                 "reached_target": bool(reaching)}
    for row in (t_model, t_bert, m):
        row.ratio_to_naive = None
    return [t_bert, t_model, m], {"target_agreement": target_agreement, "sweep": sweep}
