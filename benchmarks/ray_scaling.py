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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pemilu_nlp.bench import machine_info
from pemilu_nlp.throughput_bench import bench_ray_scaling

if __name__ == "__main__":
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
