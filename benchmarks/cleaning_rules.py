"""How much each cleaning rule removes, on the labelled corpus and the news pools.

For every rule of :func:`pemilu_nlp.text.cleaning.clean_text` (line rules, tail markers and the lines after
them, inline rules, repeated lines, the dateline): how many articles it touches, how many removals
it makes and how many sentences (by :func:`~pemilu_nlp.text.cleaning.split_sentences`) the removed text
holds; plus a seeded random sample of each rule's removals, to be read by a person.

    python benchmarks/cleaning_rules.py --out benchmarks/results/cleaning_rules.json

With ``--before FILE`` (the ``text.py`` of an older checkout, e.g. ``git show 422e815:pemilu_nlp/text.py
> /tmp/text_422e815.py``) it also counts, per source, the lines that only one of the two cleaners
keeps, with a sample of each.
"""
from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's package, not an installed one

from pemilu_nlp.text.cleaning import clean_text, cleaning_removals, split_sentences  # noqa: E402

SOURCES = {
    "corpus": ROOT / "data" / "corpus.jsonl",
    "news_pool": ROOT.parent / "shared" / "data" / "news_pool.jsonl.gz",
    "news_pool_2": ROOT.parent / "shared" / "data" / "news_pool_2.jsonl.gz",
}


def read_texts(path: Path) -> list[str]:
    """The article texts of a JSONL(.gz) file, the title on the line before (as models read them)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    return [f"{r['title']}\n{r['text']}" if r.get("title") else r["text"] for r in records]


def audit(texts: list[str], *, sample: int, seed: int) -> dict:
    """Per-rule counts over ``texts`` and a random sample of each rule's removals."""
    articles: Counter[str] = Counter()
    removals: Counter[str] = Counter()
    sentences: Counter[str] = Counter()
    seen: dict[str, list[str]] = defaultdict(list)
    for text in texts:
        touched = set()
        for rule, removed in cleaning_removals(text):
            touched.add(rule)
            removals[rule] += 1
            sentences[rule] += len(split_sentences(removed)) or 1
            seen[rule].append(removed)
        articles.update(touched)
    rng = random.Random(seed)
    return {"articles": len(texts), "rules": {
        rule: {"articles": articles[rule], "removals": removals[rule], "sentences": sentences[rule],
               "sample": rng.sample(seen[rule], min(sample, len(seen[rule])))}
        for rule in sorted(removals, key=lambda r: -removals[r])}}


def load_text_module(path: str):
    """An older ``pemilu_nlp/text.py`` as a module of its own (it imports only ``..errors``)."""
    name = "pemilu_nlp._text_before"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def compare(texts: list[str], before, *, sample: int, seed: int) -> dict:
    """Lines kept by only one of the two cleaners (``before.clean_text`` and today's)."""
    only_new: list[str] = []
    only_old: list[str] = []
    changed = 0
    for text in texts:
        old, new = before.clean_text(text), clean_text(text)
        if old == new:
            continue
        changed += 1
        old_lines, new_lines = set(old.split("\n")), set(new.split("\n"))
        only_new += sorted(new_lines - old_lines)
        only_old += sorted(old_lines - new_lines)
    rng = random.Random(seed)
    return {"articles_changed": changed,
            "lines_only_kept_now": len(only_new), "sample_only_kept_now": rng.sample(only_new, min(sample, len(only_new))),
            "lines_only_kept_before": len(only_old),
            "sample_only_kept_before": rng.sample(only_old, min(sample, len(only_old)))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=20, help="removals shown per rule and source (default 20)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--before", help="text.py of an older checkout: also count what only one cleaner keeps")
    parser.add_argument("--out", help="write the counts and samples as JSON here")
    args = parser.parse_args(argv)
    before = load_text_module(args.before) if args.before else None
    result = {"command": "python benchmarks/cleaning_rules.py " + " ".join(argv if argv is not None else sys.argv[1:]),
              "sources": {}}
    for name, path in SOURCES.items():
        texts = read_texts(path)
        report = audit(texts, sample=args.sample, seed=args.seed)
        if before is not None:
            report["compared_with_before"] = compare(texts, before, sample=args.sample, seed=args.seed)
        result["sources"][name] = report
        print(f"{name} ({report['articles']} articles)")
        for rule, row in report["rules"].items():
            print(f"  {rule:32s} {row['articles']:6d} articles {row['removals']:7d} removals "
                  f"{row['sentences']:7d} sentences")
        if "compared_with_before" in report:
            diff = report["compared_with_before"]
            print(f"  against --before: {diff['articles_changed']} articles cleaned differently, "
                  f"{diff['lines_only_kept_now']} lines kept only now, {diff['lines_only_kept_before']} only before")
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
