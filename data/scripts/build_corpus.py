"""Rebuild the corpus files from the annotation records (the one place corrections are made).

Reads  data/annotation/candidates*.jsonl   articles as found (text as published)
       data/annotation/pass1/*.jsonl        first annotation pass (every article)
       data/annotation/pass2/*.jsonl        independent second pass (a sample)
       data/annotation/adjudication.jsonl   final labels where the two passes disagree
       (rounds 4 and 5, chosen by a model's scores, all go to train; see select_candidates_by_model.py)
       data/annotation/schema_reread.jsonl  re-read of every positive of dialog_masyarakat, netralitas and
                                            audiensi against the written rules (issue 12): applied last
       data/annotation/schema_reread_blind.jsonl  the re-reader's blind labels (agreement figures only)
       data/annotation/summaries/*.jsonl    reference extractive summaries (sentence numbers)
       seeds/seeds.jsonl                    the five seed articles
Writes data/corpus.jsonl, data/split.json, data/agreement.json, data/stats.json

    python data/scripts/build_corpus.py
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pemilu_nlp.io.corpus import Article, label_matrix, make_split, split_corpus, write_corpus, write_split  # noqa: E402
from pemilu_nlp.io.schema import topic_ids  # noqa: E402

ANN = ROOT / "data" / "annotation"
SPLIT_SEED = 13


def duplicate_keys(title: str, text: str) -> list[str]:
    """What makes two records one article: the first 60 words of the text, or a long title."""
    words = re.sub(r"\W+", " ", text.lower()).split()
    keys = [" ".join(words[:60])]
    if len(title) > 25:
        keys.append(re.sub(r"\W+", " ", title.lower()).strip())
    return keys


def model_round_yields(articles) -> dict[str, dict[str, list[int]]]:
    """Per round chosen by a model's scores and per topic it was chosen for: ``[positives of that
    topic, articles read]`` (``found_by`` ``model<round>:<topic>:<rank>``)."""
    yields: dict[str, dict[str, list[int]]] = {}
    for a in articles:
        if a.selected_by_model:
            round_name, topic, _ = a.extra["found_by"].split(":")
            cell = yields.setdefault(round_name, {}).setdefault(topic, [0, 0])
            cell[0] += topic in a.labels
            cell[1] += 1
    return {r: dict(sorted(t.items())) for r, t in sorted(yields.items())}


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def read_pass(folder: Path) -> dict[str, list[str]]:
    labels: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.jsonl")):
        for record in read_jsonl(path):
            if record["id"] in labels:
                raise SystemExit(f"{path}: {record['id']} labelled twice in one pass")
            labels[record["id"]] = record["labels"]
    return labels


REREAD_DECISIONS = ("changed", "kept", "kept, ambiguous")


def apply_reread(labels: dict[str, list[str]], records: list[dict]) -> dict[str, list[str]]:
    """Labels after the schema re-read: each record replaces one article's labels.

    A record names an article that exists, the labels it had before the re-read (``old_labels``,
    so that an earlier correction cannot be silently overwritten) and only schema topics; "kept"
    records leave the labels as they were, "changed" ones must change them.
    """
    from pemilu_nlp.errors import UnknownLabelError
    from pemilu_nlp.io.schema import validate_labels

    out = {k: list(v) for k, v in labels.items()}
    seen = set()
    for n, record in enumerate(records, 1):
        where = f"schema_reread.jsonl:{n}"
        article_id = record["id"]
        if article_id in seen:
            raise ValueError(f"{where}: {article_id} re-read twice")
        seen.add(article_id)
        if article_id not in out:
            raise ValueError(f"{where}: no article {article_id!r}")
        try:
            old = list(validate_labels(record["old_labels"], where=where))
            new = list(validate_labels(record["labels"], where=where))
        except UnknownLabelError as err:
            raise ValueError(str(err)) from None
        if set(old) != set(out[article_id]):
            raise ValueError(f"{where}: {article_id} has {out[article_id]} before the re-read, record says {old}")
        if record["decision"] not in REREAD_DECISIONS:
            raise ValueError(f"{where}: decision must be one of {REREAD_DECISIONS}")
        if (record["decision"] == "changed") != (set(new) != set(old)):
            raise ValueError(f"{where}: decision {record['decision']!r} but labels {old} -> {new}")
        if not record.get("reason") or not record.get("rule"):
            raise ValueError(f"{where}: a decision needs its rule and reason")
        out[article_id] = new
    return out


def labels_before_reread() -> dict[str, list[str]]:
    """Every article's labels from the two passes, their adjudication and the seeds (duplicates included)."""
    first, second = read_pass(ANN / "pass1"), read_pass(ANN / "pass2")
    adjudicated = {r["id"]: r for r in read_jsonl(ANN / "adjudication.jsonl")} \
        if (ANN / "adjudication.jsonl").exists() else {}
    final: dict[str, list[str]] = {}
    open_disagreements = []
    for article_id, labels in first.items():
        if article_id in second and set(second[article_id]) != set(labels):
            if article_id not in adjudicated:
                open_disagreements.append(article_id)
                continue
            final[article_id] = adjudicated[article_id]["labels"]
        else:
            final[article_id] = labels
    if open_disagreements:
        raise SystemExit(f"{len(open_disagreements)} disagreements need adjudication: {open_disagreements}")
    for record in read_jsonl(ROOT / "seeds" / "seeds.jsonl"):
        final[record["id"]] = record["labels"]
    return final


def final_labels() -> dict[str, list[str]]:
    """The corpus labels: passes, adjudication, seeds, then the schema re-read."""
    return apply_reread(labels_before_reread(), read_jsonl(ANN / "schema_reread.jsonl"))


def build_split(articles) -> dict[str, list[str]]:
    """The fixed split: seeded iterative stratification, then the five seeds forced into train."""
    split = make_split(articles, seed=SPLIT_SEED)
    # The five seeds define the schema's election-security sense: they are training examples, so
    # the shipped model's seed predictions are a sanity check, not a held-out score (README).
    seeds = {a.id for a in articles if a.dataset == "seeds"}
    split = {name: sorted(set(ids) - seeds) for name, ids in split.items()}
    split["train"] = sorted(set(split["train"]) | seeds)
    return split


def kappa_table(reference: dict[str, list[str]], other: dict[str, list[str]], ids: list[str]) -> dict:
    """Per-topic positives and Cohen's kappa of ``other`` against ``reference`` over ``ids``."""
    from sklearn.metrics import cohen_kappa_score

    table = {}
    for topic in topic_ids():
        a = [int(topic in reference[i]) for i in ids]
        b = [int(topic in other[i]) for i in ids]
        kappa = float(cohen_kappa_score(a, b)) if len(set(a) | set(b)) > 1 else None
        table[topic] = {"positives_reference": sum(a), "positives_other": sum(b),
                        "observed_agreement": round(float(np.mean(np.equal(a, b))), 4),
                        "cohen_kappa": None if kappa is None else round(kappa, 4)}
    return table


def reread_agreement(before: dict[str, list[str]], after: dict[str, list[str]]) -> dict:
    """The blind re-read and the adjudicated labels, each against the labels before the re-read."""
    blind = {r["id"]: r["labels"] for r in read_jsonl(ANN / "schema_reread_blind.jsonl")}
    records = read_jsonl(ANN / "schema_reread.jsonl")
    ids = sorted(r["id"] for r in records)
    if sorted(blind) != ids:
        raise SystemExit("schema_reread_blind.jsonl and schema_reread.jsonl must name the same articles")
    return {
        "articles": len(ids),
        "selection": "every article labelled dialog_masyarakat, netralitas or audiensi before the re-read",
        "decisions": dict(Counter(r["decision"] for r in records)),
        "exact_label_set_agreement_blind_vs_before": round(float(np.mean(
            [set(blind[i]) == set(before[i]) for i in ids])), 4),
        "blind_vs_before": kappa_table(before, blind, ids),
        "adjudicated_vs_before": kappa_table(before, after, ids),
    }


def agreement(first: dict[str, list[str]], second: dict[str, list[str]]) -> dict:
    """Per-topic Cohen's kappa and overall Krippendorff's alpha over (article, topic) decisions."""
    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    ids = sorted(second)
    per_topic = {}
    a_all, b_all = [], []
    for topic in topic_ids():
        a = [int(topic in first[i]) for i in ids]
        b = [int(topic in second[i]) for i in ids]
        a_all += a
        b_all += b
        agree = float(np.mean(np.equal(a, b)))
        kappa = float(cohen_kappa_score(a, b)) if len(set(a) | set(b)) > 1 else None
        per_topic[topic] = {"positives_pass1": sum(a), "positives_pass2": sum(b),
                            "observed_agreement": round(agree, 4),
                            "cohen_kappa": None if kappa is None else round(kappa, 4)}
    alpha = krippendorff.alpha(reliability_data=np.array([a_all, b_all]), level_of_measurement="nominal")
    exact = float(np.mean([set(first[i]) == set(second[i]) for i in ids]))
    return {"articles_double_annotated": len(ids), "exact_label_set_agreement": round(exact, 4),
            "krippendorff_alpha_nominal": round(float(alpha), 4), "per_topic": per_topic}


def main() -> None:
    candidates = {}
    for path in sorted(ANN.glob("candidates*.jsonl")):
        for record in read_jsonl(path):
            candidates[record["id"]] = record
    first, second = read_pass(ANN / "pass1"), read_pass(ANN / "pass2")
    unlabelled = [i for i in candidates if i not in first]
    if unlabelled:
        print(f"warning: {len(unlabelled)} candidates have no first-pass label yet; left out")
    before = labels_before_reread()
    final = final_labels()

    # The sentences exactly as the summary annotator saw them (splitter output at annotation time),
    # so that later splitter changes cannot shift the chosen sentences.
    sentences_of = json.loads((ANN / "batches" / "summaries.sentences.json").read_text("utf-8"))
    summaries = {}
    for path in sorted((ANN / "summaries").glob("*.jsonl")):
        for record in read_jsonl(path):
            summaries[record["id"]] = record["sentences"]

    articles = []
    for article_id, labels in final.items():
        if article_id not in candidates:
            continue  # a seed: added below
        record = candidates[article_id]
        summary = None
        if article_id in summaries:
            summary = tuple(sentences_of[article_id][k] for k in summaries[article_id])
        articles.append(Article(
            id=article_id, title=record["title"], text=record["text"], labels=tuple(labels), summary=summary,
            source=record["source"], date=record["date"], url=record["url"], dataset=record["dataset"],
            origin_repo=record["origin_repo"], extra={"found_by": record["found_by"]},
        ))
    for record in read_jsonl(ROOT / "seeds" / "seeds.jsonl"):
        articles.append(Article(
            id=record["id"], title=record["title"], text=record["text"], labels=tuple(final[record["id"]]),
            source=record["source"], date=record["date"], url=record["url"], dataset="seeds",
            origin_repo="", extra={"found_by": "seed"},
        ))
    from pemilu_nlp.io.schema import validate_labels

    articles = [Article(**{**a.__dict__, "labels": validate_labels(a.labels, where=a.id)}) for a in articles]
    articles.sort(key=lambda a: a.id)
    # The pool mixes scrapes of one site; the same article can come twice (e.g. both turnbackhoax
    # files).  Keep the first id of each duplicate group, so no article sits in train and test.
    kept, seen_keys, dropped = [], {}, []
    # an article a model chose never displaces a representative twin (which may be in dev or test)
    for article in sorted(articles, key=lambda a: (a.selected_by_model, a.id)):
        keys = duplicate_keys(article.title, article.text)
        hit = next((seen_keys[k] for k in keys if k in seen_keys), None)
        if hit:
            dropped.append((article.id, hit))
            continue
        for k in keys:
            seen_keys[k] = article.id
        kept.append(article)
    articles = sorted(kept, key=lambda a: a.id)
    (ANN / "duplicates_dropped.json").write_text(json.dumps(
        [{"dropped": a, "duplicate_of": b} for a, b in dropped], indent=1) + "\n", "utf-8")
    print(f"dropped {len(dropped)} duplicates: {dropped}")
    write_corpus(articles, ROOT / "data" / "corpus.jsonl")

    split = build_split(articles)
    write_split(split, ROOT / "data" / "split.json", seed=SPLIT_SEED, method="iterative stratification "
                "(iterstrat MultilabelStratifiedShuffleSplit), 'no topic' as an extra column")
    parts = split_corpus(articles, split)

    stats = {"articles": len(articles), "no_topic": int((label_matrix(articles).sum(1) == 0).sum()),
             "with_summary": sum(a.summary is not None for a in articles),
             "selected_by_model": model_round_yields(articles),
             "by_dataset": dict(Counter(a.dataset for a in articles).most_common()),
             "per_topic": {}}
    for j, topic in enumerate(topic_ids()):
        stats["per_topic"][topic] = {name: int(label_matrix(parts[name])[:, j].sum()) for name in parts}
        stats["per_topic"][topic]["all"] = sum(stats["per_topic"][topic].values())
    stats["split_sizes"] = {name: len(parts[name]) for name in parts}
    (ROOT / "data" / "stats.json").write_text(json.dumps(stats, indent=1) + "\n", "utf-8")
    agree = agreement(first, second)
    agree["schema_reread"] = reread_agreement(before, final)
    for path in sorted(ANN.glob("candidates_round*.jsonl")):  # rounds read twice in full (3 and later)
        name = path.stem.removeprefix("candidates_")
        if name == "round2":
            continue
        ids = {r["id"] for r in read_jsonl(path)} & first.keys()  # a round still being read: what is read
        agree[name] = agreement({i: first[i] for i in ids}, {i: second[i] for i in ids if i in second})
    (ROOT / "data" / "agreement.json").write_text(json.dumps(agree, indent=1) + "\n", "utf-8")
    print(json.dumps({"stats": stats, "alpha": agree["krippendorff_alpha_nominal"]}, indent=1))


if __name__ == "__main__":
    main()
