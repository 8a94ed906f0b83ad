"""Second round of candidates: after the first pass, the rare topics were short.

Takes every remaining pool / IndoSum article that the focused patterns below find (at least
``min_hits`` matches), so that the corpus holds all the pool has of the rare topics.  As in
round one, retrieval only finds candidates; labels come from reading.

    python data/scripts/select_candidates_round2.py ../shared/data data/annotation/candidates.jsonl \
        data/annotation/candidates_round2.jsonl
"""
from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

from select_candidates import SEED, load_indosum, load_pool

# topic -> (pattern, minimum matches, cap)
QUERIES = {
    "keamanan_lapas": (r"\b(lapas|rutan|warga binaan|narapidana|napi|lembaga pemasyarakatan)\b", 1, 400),
    "kerja_sama_mou": (r"\b(mou|nota kesepahaman|memorandum of understanding|perjanjian kerja ?sama)\b", 1, 400),
    "audiensi": (r"\b(audiensi|kunjungan kehormatan|courtesy call|kunjungan kerja|bersilaturahmi)\b", 1, 400),
    "netralitas": (r"\b(netralitas|netral|politik praktis)\b", 1, 400),
    "dialog_masyarakat": (r"\b(ngopi bareng|jumat curhat|deklarasi damai|dialog|sosialisasi|tatap muka"
                          r"|sarasehan|cooling system)\b", 2, 400),
    "logistik_pemilu": (r"\b(surat suara|kotak suara|logistik pemilu|logistik pilkada)\b", 1, 400),
    "pelanggaran_pemilu": (r"\b(politik uang|money politic|gakkumdu|bawaslu|panwas|dkpp|serangan fajar)\b", 2, 400),
    "operasi_pengamanan": (r"\b(apel gelar pasukan|gelar pasukan|operasi (mantap|ketupat|lilin|zebra|patuh)"
                           r"|personel gabungan|dikerahkan|diterjunkan|sispamkota)\b", 2, 400),
    "pemilu": (r"\b(pemilu|pilkada|pilpres|pileg|kpu|kpud|caleg|paslon|pilgub)\b", 2, 400),
    "kerawanan_konflik": (r"\b(rawan|bentrok|bentrokan|kerusuhan|konflik|ricuh|tawuran|teror)\b", 3, 60),
}


def main(data_dir: str, round1: str, out: str) -> None:
    rng = random.Random(SEED + 2)
    taken = {json.loads(line)["id"] for line in open(round1, encoding="utf-8")}
    rows = load_pool(Path(data_dir)) + load_indosum(Path(data_dir))
    chosen: dict[str, dict] = {}
    for topic, (pattern, min_hits, cap) in QUERIES.items():
        rx = re.compile(pattern, re.IGNORECASE)
        hits = [r for r in rows if r["id"] not in taken and r["id"] not in chosen
                and len(rx.findall(r["title"] + " " + r["text"][:4000])) >= min_hits]
        rng.shuffle(hits)
        for r in hits[:cap]:
            chosen[r["id"]] = {**r, "found_by": f"keyword2:{topic}"}
    records = list(chosen.values())
    rng.shuffle(records)
    with open(out, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(records)} round-2 candidates -> {out}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
