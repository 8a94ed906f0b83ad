"""Select candidate articles for annotation from the news pool and IndoSum.

Keyword retrieval is used only to *find* candidates so that rare topics are represented;
labels come from reading (see data/README.md).  A random sample of the rest of the pool is
added so the corpus keeps the real share of articles with no topic.

    python data/scripts/select_candidates.py ../shared/data data/annotation/candidates.jsonl
"""
from __future__ import annotations

import gzip
import json
import random
import re
import sys
from pathlib import Path
from urllib.parse import urlparse

# One set of spacing rules for IndoSum tokens: the library's.  Round 1's candidates.jsonl was written
# with a copy of them that had drifted (it kept blank tokens and let a quotation run past its closing
# mark): 78 of its 262 IndoSum texts differ from what this script writes now (git show 6d377fd).
from pemilu_nlp.io.indosum import detokenize

SEED = 20241114
# topic -> (pattern, how many to take from the pool, how many from IndoSum)
QUERIES = {
    "keamanan_lapas": (r"\b(lapas|rutan|narapidana|warga binaan|pemasyarakatan|napi)\b", 90, 40),
    "kerja_sama_mou": (r"\b(mou|nota kesepahaman|perjanjian kerja ?sama|penandatanganan kerja ?sama)\b", 90, 30),
    "audiensi": (r"\b(audiensi|kunjungan kerja|silaturahmi|silaturahim|kunjungan kehormatan|courtesy call)\b", 80, 30),
    "dialog_masyarakat": (r"\b(ngopi bareng|jumat curhat|deklarasi damai|dialog|sosialisasi|diskusi)\b", 50, 25),
    "netralitas": (r"\b(netralitas|netral)\b", 70, 30),
    "operasi_pengamanan": (r"\b(apel gelar pasukan|operasi mantap|personel gabungan|pengamanan|patroli)\b", 80, 40),
    "logistik_pemilu": (r"\b(surat suara|kotak suara|logistik pemilu|logistik pilkada)\b", 60, 40),
    "hoaks_ujaran_kebencian": (r"\b(hoaks|hoax|ujaran kebencian|disinformasi|patroli siber)\b", 70, 20),
    "pelanggaran_pemilu": (r"\b(politik uang|money politic|gakkumdu|bawaslu|panwas|pelanggaran pemilu)\b", 60, 40),
    "kerawanan_konflik": (r"\b(rawan|bentrok|kerusuhan|konflik|ricuh|tawuran)\b", 50, 30),
    "pemilu": (r"\b(pemilu|pilkada|pilpres|pileg|kpu|kpud|caleg|paslon)\b", 150, 60),
}
N_RANDOM = 260
MAX_INDOSUM = 330


def indosum_text(record: dict) -> str:
    return "\n\n".join(" ".join(detokenize(s) for s in para) for para in record["paragraphs"])


def load_pool(data_dir: Path, name: str = "news_pool.jsonl.gz") -> list[dict]:
    rows = []
    with gzip.open(data_dir / name, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            rows.append({
                "id": r["id"], "title": r["title"] or "", "text": r["text"],
                "source": urlparse(r["url"]).netloc.removeprefix("www.") if r.get("url") else r["dataset"],
                "date": r.get("date") or "", "url": r.get("url") or "",
                "dataset": r["dataset"], "origin_repo": r["origin_repo"],
            })
    return rows


def load_indosum(data_dir: Path) -> list[dict]:
    seen, rows = set(), []
    for fold in sorted((data_dir / "indosum").glob("dev.0*.jsonl.gz")):
        with gzip.open(fold, "rt", encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                if r["id"] in seen:
                    continue
                seen.add(r["id"])
                rows.append({
                    "id": "indosum-" + r["id"], "title": "", "text": indosum_text(r),
                    "source": r.get("source") or "", "date": "", "url": r.get("source_url") or "",
                    "dataset": "indosum_dev", "origin_repo": "kata-ai/indosum",
                })
    return rows


def main(data_dir: str, out: str) -> None:
    rng = random.Random(SEED)
    pool, indosum = load_pool(Path(data_dir)), load_indosum(Path(data_dir))
    chosen: dict[str, dict] = {}
    n_indosum = 0
    for topic, (pattern, n_pool, n_indo) in QUERIES.items():
        rx = re.compile(pattern, re.IGNORECASE)
        for rows, n in ((pool, n_pool), (indosum, n_indo)):
            hits = [r for r in rows if rx.search(r["title"] + " " + r["text"][:3000]) and r["id"] not in chosen]
            rng.shuffle(hits)
            for r in hits[:n]:
                if r["dataset"] == "indosum_dev":
                    if n_indosum >= MAX_INDOSUM:
                        continue
                    n_indosum += 1
                chosen[r["id"]] = {**r, "found_by": f"keyword:{topic}"}
    rest = [r for r in pool if r["id"] not in chosen]
    for r in rng.sample(rest, N_RANDOM):
        chosen[r["id"]] = {**r, "found_by": "random"}
    records = list(chosen.values())
    rng.shuffle(records)
    with open(out, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(records)} candidates ({n_indosum} from IndoSum) -> {out}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
