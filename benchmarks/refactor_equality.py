"""Behaviour unchanged by a refactor: the same outputs from an old commit and from this tree.

Each tree is run in its own subprocess (its own ``pemilu_nlp`` first on ``sys.path``), through the
top-level names only, and writes what it computed; the two are then compared:

- the shipped TF-IDF model's ``predict_proba`` on every article of ``data/corpus.jsonl``
  (title and text joined by a newline): bit-identical (``numpy.array_equal`` on float64);
- summaries (index, text and score of every chosen sentence) of each summariser in ``--methods``
  on the corpus articles (raw text with title) and on the IndoSum test part (its given sentences,
  split ``data/indosum_split.json``): identical;
- the whole per-article path (topics, probabilities and a TextRank summary of each article, title
  given): ``analyze`` in one process and with ``jobs=2``, the CLI's ``run --json`` in one process
  and with ``--jobs 2``: byte-identical output (for ``run --json``, the fields it had before
  the refactor: fields added since are not compared).

    python3 benchmarks/refactor_equality.py --old 422e815            # whole corpus + IndoSum test
    python3 benchmarks/refactor_equality.py --old 422e815 --limit 200  # a quick look

The old commit is unpacked with ``git archive`` into a temporary folder (no worktree is added).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
METHODS = ["lead", "textrank", "lexrank", "features", "neural"]

#: runs inside one tree (cwd = that tree); argv: out-folder, corpus, indosum dir, split, methods, limit
WORKER = r'''
import json, sys, time
from pathlib import Path
import numpy as np
import pemilu_nlp
out, corpus, indosum, split_path, methods, limit = sys.argv[1:7]
here = Path.cwd().resolve()
assert Path(pemilu_nlp.__file__).resolve().is_relative_to(here), pemilu_nlp.__file__
import importlib
try:  # the module moved in the refactor; the old commit has it at the top level
    indosum_module = importlib.import_module("pemilu_nlp.io.indosum")
except ImportError:
    indosum_module = importlib.import_module("pemilu_nlp." + "indosum")
indosum_part, read_indosum_split = indosum_module.indosum_part, indosum_module.read_indosum_split
limit = int(limit) or None
articles = pemilu_nlp.load_corpus(corpus)[:limit]
t = time.perf_counter()
proba = pemilu_nlp.load_default().predict_proba([f"{a.title}\n{a.text}" for a in articles])
np.save(Path(out) / "proba.npy", np.asarray(proba, dtype=np.float64))
print(f"  tfidf predict_proba on {len(articles)} articles: {time.perf_counter() - t:.1f} s", flush=True)
t = time.perf_counter()  # the one-article paths: analyze in one process, in 2 workers, and the CLI's run
for name, jobs in (("analyze", 1), ("analyze-jobs2", 2)):
    results = pemilu_nlp.analyze([a.text for a in articles], titles=[a.title or None for a in articles],
                                 summarizer="textrank", jobs=jobs, chunk_size=100)
    rows = [[r.topics, {k: repr(v) for k, v in r.probabilities.items()},
             [[s.index, s.text, repr(s.score)] for s in r.summary]] for r in results]
    (Path(out) / f"{name}.json").write_text(json.dumps(rows, ensure_ascii=False), "utf-8")
inputs = Path(out) / "inputs.jsonl"
inputs.write_text("".join(json.dumps({"id": a.id, "title": a.title, "text": a.text}, ensure_ascii=False) + "\n"
                          for a in articles), "utf-8")
import subprocess
for name, extra in (("cli-run", []), ("cli-run-jobs2", ["--jobs", "2"])):
    done = subprocess.run([sys.executable, "-m", "pemilu_nlp", "run", "--json", "--method", "textrank", *extra,
                           str(inputs)], capture_output=True, check=True)
    (Path(out) / f"{name}.jsonl").write_bytes(done.stdout)
print(f"  analyze, analyze jobs=2, CLI run, CLI run --jobs 2 (textrank) on {len(articles)} articles: "
      f"{time.perf_counter() - t:.1f} s", flush=True)
test = indosum_part(pemilu_nlp.load_indosum(indosum), read_indosum_split(split_path), "test")[:limit]
for method in methods.split(","):
    t = time.perf_counter()
    summarizer = pemilu_nlp.get_summarizer(method)
    rows = {"corpus": [], "indosum": []}
    for a in articles:
        rows["corpus"].append([[s.index, s.text, repr(s.score)] for s in summarizer.summarize(a.text, 3, title=a.title)])
    for a in test:
        rows["indosum"].append([[s.index, s.text, repr(s.score)] for s in summarizer.summarize(a.sentences, 3)])
    (Path(out) / f"summaries-{method}.json").write_text(json.dumps(rows, ensure_ascii=False), "utf-8")
    print(f"  {method}: {len(articles)} corpus + {len(test)} IndoSum test articles: "
          f"{time.perf_counter() - t:.1f} s", flush=True)
'''


def run_tree(tree: Path, out: Path, args: argparse.Namespace) -> None:
    """Run :data:`WORKER` in ``tree``, writing into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    print(f"{tree}:", flush=True)
    subprocess.run([sys.executable, "-c", WORKER, str(out), str(args.corpus), str(args.indosum),
                    str(args.split), ",".join(args.methods), str(args.limit)], cwd=tree, check=True)


def unpack(commit: str, into: Path) -> Path:
    """The tree of ``commit`` (``git archive``) under ``into``."""
    archive = into / "old.tar"
    with archive.open("wb") as fh:
        subprocess.run(["git", "archive", commit], cwd=ROOT, stdout=fh, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "tree", filter="data")
    return into / "tree"


#: what ``run --json`` wrote before the refactor; fields added since (report fields) are not compared
RUN_FIELDS = ("id", "method", "count", "topics", "probabilities", "summary")


def _same_output(old: Path, new: Path) -> bool:
    """JSON: equal bytes; ``run --json`` lines: equal :data:`RUN_FIELDS`, parsed (a JSON float reads
    back to the same float64, so probabilities and scores still compare bit for bit)."""
    if old.suffix == ".json":
        return old.read_bytes() == new.read_bytes()
    a, b = old.read_text("utf-8").splitlines(), new.read_text("utf-8").splitlines()
    pick = lambda line: [json.loads(line).get(k) for k in RUN_FIELDS]  # noqa: E731
    return len(a) == len(b) and all(pick(x) == pick(y) for x, y in zip(a, b))


def compare(old: Path, new: Path, methods: list[str]) -> bool:
    """Print one line per output and return whether all are equal."""
    ok = True
    p_old, p_new = np.load(old / "proba.npy"), np.load(new / "proba.npy")
    same = p_old.shape == p_new.shape and np.array_equal(p_old, p_new)
    diff = float(np.max(np.abs(p_old - p_new))) if p_old.shape == p_new.shape else float("nan")
    print(f"tfidf predict_proba {p_new.shape}: {'bit-identical' if same else f'DIFFERENT (max |diff| {diff:g})'}")
    ok &= same
    for name in ("analyze.json", "analyze-jobs2.json", "cli-run.jsonl", "cli-run-jobs2.jsonl"):
        if not (old / name).exists() or not (new / name).exists():
            print(f"{name}: not written by both trees")
            ok = False
            continue
        same = _same_output(old / name, new / name)
        print(f"{name:>21} (topics, probabilities, textrank summaries): {'identical' if same else 'DIFFERENT'}")
        ok &= same
    for method in methods:
        a = json.loads((old / f"summaries-{method}.json").read_text("utf-8"))
        b = json.loads((new / f"summaries-{method}.json").read_text("utf-8"))
        for part in ("corpus", "indosum"):
            differ = sum(x != y for x, y in zip(a[part], b[part])) + abs(len(a[part]) - len(b[part]))
            print(f"{method:>9} on {part:<7} ({len(b[part])} documents): "
                  f"{'identical' if not differ else f'{differ} DIFFERENT'}")
            ok &= not differ
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old", default="422e815", help="the commit before the refactor")
    parser.add_argument("--corpus", type=Path, default=ROOT / "data" / "corpus.jsonl")
    parser.add_argument("--indosum", type=Path, default=Path("/work/shared/data/indosum"))
    parser.add_argument("--split", type=Path, default=ROOT / "data" / "indosum_split.json")
    parser.add_argument("--methods", type=lambda s: s.split(","), default=METHODS)
    parser.add_argument("--limit", type=int, default=0, help="first N articles of each set (0: all)")
    parser.add_argument("--keep", type=Path, help="write the outputs here instead of a temporary folder")
    args = parser.parse_args(argv)
    args.corpus, args.split, args.indosum = args.corpus.resolve(), args.split.resolve(), args.indosum.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        start = time.perf_counter()
        run_tree(unpack(args.old, Path(tmp)), work / "old", args)
        run_tree(ROOT, work / "new", args)
        ok = compare(work / "old", work / "new", args.methods)
        print(f"{'EQUAL' if ok else 'NOT EQUAL'}: {args.old} against {ROOT} ({time.perf_counter() - start:.0f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
