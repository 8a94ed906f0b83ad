"""Rounds four and five of candidates: unread articles chosen by the shipped classifier's scores (issue 12).

Rounds one to three found candidates with keyword patterns, and both pool files have now been
searched by them; most of the ~12,000 articles of the pools and IndoSum were never read.  A rare
topic is often written without its keywords (a meeting is "bertemu", "menerima", "sowan" as often
as "audiensi"), so here the classifier ranks the unread articles instead: for each rare topic its
``QUOTAS[round]`` highest-scoring ones are read (what ``pemilu-nlp suggest`` does for a user's own
topics).  Round five repeats round four with the model retrained on round four's labels, with
quotas moved to the topics round four found more of.

This is still retrieval, not labelling: every article is read twice, blind, and adjudicated.  But
articles a model chose are easier for that model than a random article, so they are marked
(``found_by = "model<round>:<topic>:<rank>"``) and kept out of anything that *scores* a model: the build
puts them in the training part of the split, and cross-validation trains on them but never scores
them (``Article.selected_by_model``).

Run with the model that chose them, the shipped ``models/tfidf-default`` at the commit in
``MODEL_COMMIT`` (e.g. ``git worktree add /tmp/r4 2893eb9``):

    python data/scripts/select_candidates_by_model.py 4 ../shared/data /tmp/r4/models/tfidf-default \\
        data/annotation/candidates_round4.jsonl data/annotation/batches
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from build_corpus import duplicate_keys, read_jsonl  # noqa: E402
from select_candidates import SEED, load_indosum, load_pool  # noqa: E402

#: per round, how many of the highest-scoring unread articles are read for each topic
QUOTAS = {
    4: {"audiensi": 40, "kerja_sama_mou": 40, "dialog_masyarakat": 35, "netralitas": 35,
        "keamanan_lapas": 15, "logistik_pemilu": 15, "pelanggaran_pemilu": 15},
    # round 4 found audiensi 9, kerja_sama_mou 9, dialog 5, netralitas 1, pelanggaran 1, lapas and logistik 0
    5: {"audiensi": 50, "kerja_sama_mou": 35, "dialog_masyarakat": 40, "netralitas": 20, "pelanggaran_pemilu": 15},
}
#: the commit whose shipped models/tfidf-default chose each round
MODEL_COMMIT = {4: "2893eb9", 5: "efe424d"}
#: the first annotation batch number of each round
FIRST_BATCH = {4: 10, 5: 14}
#: articles per annotation batch
BATCH_SIZE = 49
#: annotators read at most this many characters of a text (as in rounds one to three)
SHOWN_CHARS = 4000


def _round_of(path: Path) -> int:
    name = path.stem.removeprefix("candidates").removeprefix("_round")
    return int(name) if name.isdigit() else 1


def unread_articles(data_dir: Path, this_round: int) -> list[dict]:
    """Pool and IndoSum articles that no earlier round read (nor a duplicate of one)."""
    read_ids, read_keys = set(), set()
    for path in sorted((ROOT / "data" / "annotation").glob("candidates*.jsonl")):
        if _round_of(path) >= this_round:
            continue  # this round's own output, or a later one
        for r in read_jsonl(path):
            read_ids.add(r["id"])
            read_keys.update(duplicate_keys(r["title"], r["text"]))
    rows = load_pool(data_dir) + load_pool(data_dir, "news_pool_2.jsonl.gz") + load_indosum(data_dir)
    out, seen = [], set(read_keys)
    for r in rows:
        keys = duplicate_keys(r["title"], r["text"])
        if r["id"] in read_ids or any(k in seen for k in keys) or not r["text"].strip():
            continue
        seen.update(keys)
        out.append(r)
    return out


def choose(rows: list[dict], model_folder: str, this_round: int) -> list[dict]:
    """Each topic's quota of highest-scoring articles (an article chosen once, for its first topic)."""
    from pemilu_nlp.registry import load

    model = load(model_folder)
    texts = [f"{r['title']}\n{r['text']}" if r["title"] else r["text"] for r in rows]
    proba = model.predict_proba(texts)
    classes = list(model.classes_)
    chosen: dict[str, dict] = {}
    for topic, quota in QUOTAS[this_round].items():
        order = np.argsort(-proba[:, classes.index(topic)], kind="stable")
        for rank, i in enumerate(order[:quota], 1):
            chosen.setdefault(rows[i]["id"], {**rows[i], "found_by": f"model{this_round}:{topic}:{rank}"})
    return list(chosen.values())


def write_batches(records: list[dict], folder: Path, first: int) -> list[str]:
    """Annotation batches as in earlier rounds: ``batch_NN.txt`` (texts cut at ``SHOWN_CHARS``) and ``.ids``."""
    names = []
    for b, start in enumerate(range(0, len(records), BATCH_SIZE), first):
        part = records[start:start + BATCH_SIZE]
        name = f"batch_{b:02d}"
        blocks = [f"=== ARTICLE id={r['id']} ===\nTITLE: {r['title']}\nSOURCE: {r['source']}  DATE: {r['date']}\n\n"
                  f"{r['text'][:SHOWN_CHARS]}\n" for r in part]
        (folder / f"{name}.txt").write_text("\n".join(blocks), "utf-8")
        (folder / f"{name}.ids").write_text("".join(r["id"] + "\n" for r in part), "utf-8")
        names.append(name)
    return names


def main(this_round: str, data_dir: str, model_folder: str, out: str, batches: str) -> None:
    n = int(this_round)
    records = choose(unread_articles(Path(data_dir), n), model_folder, n)
    random.Random(SEED + n).shuffle(records)
    with open(out, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    names = write_batches(records, Path(batches), first=FIRST_BATCH[n])
    print(f"{len(records)} round-{n} candidates -> {out}; batches {', '.join(names)}")


if __name__ == "__main__":
    main(*sys.argv[1:6])
