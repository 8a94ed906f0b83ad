"""How well ``split_sentences`` finds IndoSum's own sentence boundaries.

Each IndoSum paragraph is detokenised sentence by sentence (``pemilu_nlp.io.indosum.detokenize``)
and joined with spaces; the splitter then cuts the paragraph again.  A boundary is a position in
the paragraph's characters with whitespace removed (so spacing choices of the detokeniser do not
count); the paragraph's end is not a boundary (it is always one).  Precision = found boundaries
that IndoSum has, recall = IndoSum's boundaries that were found.

IndoSum's sentences come from a tokeniser, not from people, so its boundaries have their own
errors (it cuts after some abbreviations, e.g. ``Jl.``); the figure measures agreement with it.

    python benchmarks/splitter_indosum.py --indosum ../shared/data/indosum --out benchmarks/results/splitter_indosum.json
    python benchmarks/splitter_indosum.py --src /path/to/other/checkout ...   # measure another version
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def boundaries(sentences: list[str]) -> set[int]:
    """Offsets (in characters without whitespace) where each sentence but the last ends."""
    out, pos = set(), 0
    for sentence in sentences[:-1]:
        pos += len("".join(sentence.split()))
        out.add(pos)
    return out


def inside_quotation(text: str, offset: int) -> bool:
    """Whether the character at ``offset`` (counted without whitespace) is inside an open quotation:
    an odd number of straight quotes before it, or more opening than closing curly ones."""
    before = "".join(text.split())[:offset]
    return before.count('"') % 2 == 1 or before.count("“") > before.count("”")


def score(found: int, true: int, correct: int) -> dict:
    p = correct / found if found else 1.0
    r = correct / true if true else 1.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "found": found, "true": true, "correct": correct}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indosum", default=str(ROOT.parent / "shared/data/indosum"), help="IndoSum folder")
    parser.add_argument("--split", default=str(ROOT / "data/indosum_split.json"), help="train/dev/test ids")
    parser.add_argument("--src", default=str(ROOT), help="checkout whose pemilu_nlp is measured (default: this one)")
    parser.add_argument("--out", help="JSON file for the figures")
    parser.add_argument("--errors", type=int, default=0, help="print this many wrongly split paragraphs")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(args.src).resolve()))
    import pemilu_nlp
    from pemilu_nlp.io.indosum import detokenize, load_indosum
    from pemilu_nlp.text.cleaning import split_sentences

    articles = load_indosum(sorted(Path(args.indosum).glob("*.jsonl*")))
    split = json.loads(Path(args.split).read_text("utf-8"))
    part_of = {i: part for part in ("train", "dev", "test") for i in split[part]}
    counts: dict[str, list[int]] = {}
    missed_in_quotes: dict[str, list[int]] = {}
    exact: dict[str, list[int]] = {}
    shown = 0
    start = time.perf_counter()
    for article in articles:
        part = part_of.get(article.id, "unsplit")
        for paragraph in article.paragraphs:
            gold = [detokenize(s) for s in paragraph]
            gold = [s for s in gold if s.strip()]
            if not gold:
                continue
            text = " ".join(gold)
            found = split_sentences(text)
            g, f = boundaries(gold), boundaries(found)
            for key in (part, "dev+test" if part in ("dev", "test") else None, "all"):
                if key:
                    c = counts.setdefault(key, [0, 0, 0])
                    c[0] += len(f)
                    c[1] += len(g)
                    c[2] += len(f & g)
                    q = missed_in_quotes.setdefault(key, [0, 0])
                    for b in g - f:
                        q[0] += inside_quotation(text, b)
                        q[1] += 1
                    e = exact.setdefault(key, [0, 0])
                    e[0] += f == g
                    e[1] += 1
            if f != g and shown < args.errors:
                shown += 1
                print(f"--- {article.id}\n  gold:  {gold}\n  found: {found}")
    seconds = time.perf_counter() - start
    report = {
        "what": "sentence-boundary precision/recall of split_sentences against IndoSum's sentences "
                "(detokenised paragraphs; paragraph ends excluded)",
        "pemilu_nlp": str(Path(pemilu_nlp.__file__).parent),
        "articles": len(articles),
        "seconds": round(seconds, 2),
        "parts": {k: {**score(*v), "paragraphs": exact[k][1], "paragraphs_exact": round(exact[k][0] / exact[k][1], 4),
                      "missed_inside_quotations": missed_in_quotes[k][0], "missed": missed_in_quotes[k][1],
                      "recall_outside_quotations": round(
                          (v[2] - 0) / (v[1] - missed_in_quotes[k][0]), 4) if v[1] > missed_in_quotes[k][0] else None}
                  for k, v in sorted(counts.items())},
        "note": "the splitter keeps a quotation of several sentences whole by design; recall_outside_quotations "
                "leaves out the IndoSum boundaries missed inside a quotation",
    }
    print(json.dumps(report["parts"], indent=1))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(report, indent=1) + "\n", "utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
