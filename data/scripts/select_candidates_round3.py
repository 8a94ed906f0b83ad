"""Third round of candidates: the second pool file (``news_pool_2.jsonl.gz``), added after round two.

The same focused patterns as round two (:data:`select_candidates_round2.QUERIES`) over the articles
of the second pool; every match is a candidate.  As before, retrieval only decides which articles
are *read*; labels come from two independent readings and an adjudication.

    python data/scripts/select_candidates_round3.py ../shared/data data/annotation/candidates_round3.jsonl
"""
from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

from select_candidates import SEED, load_pool
from select_candidates_round2 import QUERIES


def main(data_dir: str, out: str) -> None:
    rng = random.Random(SEED + 3)
    rows = load_pool(Path(data_dir), "news_pool_2.jsonl.gz")
    chosen: dict[str, dict] = {}
    for topic, (pattern, min_hits, _cap) in QUERIES.items():
        rx = re.compile(pattern, re.IGNORECASE)
        for r in rows:
            if r["id"] not in chosen and len(rx.findall(r["title"] + " " + r["text"][:4000])) >= min_hits:
                chosen[r["id"]] = {**r, "found_by": f"keyword3:{topic}"}
    records = list(chosen.values())
    rng.shuffle(records)
    with open(out, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(records)} round-3 candidates -> {out}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
