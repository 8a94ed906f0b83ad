"""Plain loop against Ray Data (local instance) on growing numbers of short articles.

Measures, per size: seconds and documents/second of both, whether the outputs are identical (a
SHA-256 of every probability in order), peak memory (Ray: the whole process tree) and memory
samples as the documents stream through; then Ray's start-up cost (``ray.init`` and a fitted
fixed cost) and the crossover size from which Ray is faster.  Articles are made on the fly
(--words-word windows of pool texts, sliding one word per pass through the pool), so no size is ever held in memory at once.

    python benchmarks/ray_scaling.py --sizes 1000,10000,100000,1000000 --out benchmarks/results/ray_scaling.json
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pemilu_nlp.bench import PeakRSS, load_pool, machine_info, short_article


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

    from pemilu_nlp.registry import load_default

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
    """The same articles through :func:`pemilu_nlp.scale.ray_engine.annotate` (topics only), streamed back
    in order: seconds (actor start-up included), digest, peak RSS of the whole process tree
    (driver, raylet, workers) and (documents done, tree RSS MB, tree USS MB) samples."""
    import hashlib

    import ray

    from pemilu_nlp.io.schema import topic_ids
    from pemilu_nlp.scale.ray_engine import annotate

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
    from pemilu_nlp.registry import load_default

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--words", type=int, default=40, help="words per short article")
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, help="Ray actors (default: one per CPU)")
    parser.add_argument("--num-cpus", type=int, help="CPUs of the local Ray instance (default: all)")
    parser.add_argument("--pool", help="JSONL(.gz) of articles (default: ../shared/data/news_pool.jsonl.gz)")
    parser.add_argument("--out", default="benchmarks/results/ray_scaling.json")
    args = parser.parse_args()
    result = bench_ray_scaling([int(s) for s in args.sizes.split(",")], words=args.words, batch_size=args.batch_size,
                               concurrency=args.concurrency, num_cpus=args.num_cpus, pool=args.pool)
    report = {"machine": machine_info(), "settings": vars(args), **result}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n", "utf-8")
    print(f"{'docs':>9} {'plain s':>9} {'ray s':>9} {'ray x':>7} {'same':>5} {'plain MB':>9} {'ray tree MB':>12}")
    for r in result["rows"]:
        print(f"{r['documents']:>9} {r['plain_seconds']:>9.2f} {r['ray_seconds']:>9.2f} {r['ray_speedup']:>7.2f} "
              f"{r['identical']!s:>5} {r['plain_peak_rss_mb']:>9.0f} {r['ray_peak_tree_rss_mb']:>12.0f}")
    print(f"ray.init {result['ray_init_seconds']} s; fit {result['ray_fit']}; crossover {result['crossover_documents']}")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
