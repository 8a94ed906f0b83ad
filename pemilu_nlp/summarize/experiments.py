"""The summariser experiments behind the README table: IndoSum, the corpus and detik summaries.

IndoSum figures use one fixed seeded split of the unique development-fold articles
(``data/indosum_split.json``); the trained scorer learns on its train part and the graph weights
are tuned on its dev part, and the table reports its test part.
"""
from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from ..corpus import find_data_file
from ..indosum import IndoSumArticle, load_indosum, split_indosum
from ..text import clean_text, split_sentences
from .evaluate import EvalDocument, evaluate_methods, indosum_title, oracle_indices, tune_graph_weights

__all__ = ["format_summary_results", "pool_texts", "run_summary_evaluation", "train_summarizer_on_indosum",
           "tune_on_indosum"]


def _indosum_files(paths: Sequence[str | Path]) -> list[Path]:
    files: list[Path] = []
    for path in map(Path, paths):
        files += sorted(path.glob("*.jsonl*")) if path.is_dir() else [path]
    return files


def default_indosum_split() -> Path:
    """``data/indosum_split.json`` in the working directory or the source checkout."""
    return find_data_file("indosum_split.json", what="IndoSum split",
                          hint="pass --indosum-split FILE (a new file is created with a new seeded split), "
                               "or 'none' to use every article given")


def indosum_part(paths: Sequence[str | Path], split_path: str | Path | None, part: str) -> list[IndoSumArticle]:
    """IndoSum articles of one part of a split file (``"none"``: all articles given; ``None``: the
    project's fixed split).  A split file that does not exist yet is created (seed 2018, 70/15/15)."""
    articles = load_indosum(_indosum_files(paths))
    if split_path == "none":
        return articles
    split_path = default_indosum_split() if split_path is None else Path(split_path)
    if split_path.is_file():
        split = json.loads(split_path.read_text("utf-8"))
    else:
        split = split_indosum(articles)
        split_path.write_text(json.dumps({"seed": 2018, "fractions": [0.7, 0.15, 0.15], **split}, indent=0) + "\n")
        print(f"wrote a new IndoSum split to {split_path}", file=sys.stderr)
    ids = set(split[part])
    return [a for a in articles if a.id in ids]


def indosum_documents(articles: Sequence[IndoSumArticle]) -> list[EvalDocument]:
    # token-joined text: exactly what the published rouge-score anchors use
    return [EvalDocument(a.id, tuple(" ".join(s) for s in a.sentence_tokens),
                         " ".join(" ".join(s) for s in a.summary_tokens), tuple(a.gold_indices),
                         indosum_title(a.id), a.text) for a in articles]


def corpus_documents(corpus: str | Path) -> list[EvalDocument]:
    from ..corpus import load_corpus

    docs = []
    for article in load_corpus(corpus):
        if article.summary:
            sentences = tuple(split_sentences(clean_text(article.text)))
            docs.append(EvalDocument(article.id, sentences, " ".join(article.summary), None,
                                     article.title or None, article.text))
    return docs


def detik_documents(pool: str | Path) -> list[EvalDocument]:
    """October 2025 detik articles of the news pool with their hand-written abstractive summary."""
    docs = []
    with gzip.open(pool, "rt", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            summary = (record.get("source_fields") or {}).get("Summary")
            if record.get("dataset") == "gabriellaclairine_data_berita" and summary and record["text"].strip():
                sentences = tuple(split_sentences(clean_text(record["text"])))
                if sentences:
                    docs.append(EvalDocument(record["id"], sentences, summary, None, record.get("title"),
                                             record["text"]))
    return docs


def _methods(count: int = 3, *, raw_text: bool = False) -> dict:
    """LEAD-3, each graph method untuned and tuned, the trained scorer (with and without MMR), the neural one,
    the raw-text path (the library's own cleaning and splitting) when asked, and the ORACLE."""
    from . import get_summarizer

    def picker(summarizer):
        return lambda d: [x.index for x in summarizer(list(d.sentences), count, title=d.title)]

    def raw(summarizer):
        return lambda d: [x.text for x in summarizer(d.raw_text, count, title=d.title)]

    methods = {"LEAD-3": picker(get_summarizer("lead"))}
    for name in ("textrank", "lexrank"):
        methods[f"{name} (untuned)"] = picker(get_summarizer(name, tuned=False))
        methods[f"{name} (tuned: lead prior, title, MMR)"] = picker(get_summarizer(name))
    methods["trained"] = picker(get_summarizer("trained"))
    methods["trained + MMR 0.85"] = picker(get_summarizer("trained", mmr_lambda=0.85))
    methods["neural"] = picker(get_summarizer("neural"))
    if raw_text:
        methods["LEAD-3, raw-text path"] = raw(get_summarizer("lead"))
        methods["textrank tuned, raw-text path"] = raw(get_summarizer("textrank"))
        methods["trained, raw-text path"] = raw(get_summarizer("trained"))
        methods["neural, raw-text path"] = raw(get_summarizer("neural"))
    methods["ORACLE (greedy)"] = lambda d: oracle_indices(list(d.sentences), d.reference)
    return methods


def run_summary_evaluation(*, indosum: Sequence[str | Path] = (), indosum_split: str | Path | None = None,
                           part: str = "test", corpus: str | Path | None = None, pool: str | Path | None = None,
                           limit: int | None = None) -> dict:
    """ROUGE of every method on each data set given; returns {data set: {method: scores}}."""
    results: dict = {}
    if indosum:
        docs = indosum_documents(indosum_part(indosum, indosum_split, part))[:limit]
        methods = _methods(raw_text=True)
        methods["GOLD labels"] = lambda d: list(d.gold)
        results[f"IndoSum {part}" if indosum_split != "none" else "IndoSum (all given)"] = \
            evaluate_methods(docs, methods)
    if corpus:
        results["corpus reference summaries"] = evaluate_methods(corpus_documents(corpus)[:limit], _methods())
    if pool:
        results["detik Oct 2025 (abstractive)"] = evaluate_methods(detik_documents(pool)[:limit], _methods())
    return results


def format_summary_results(results: dict) -> str:
    lines = []
    for name, table in results.items():
        n = next(iter(table.values()))["documents"] if table else 0
        lines.append(f"== {name} ({n} documents), ROUGE F1")
        lines.append(f"{'method':<40}{'R-1':>7}{'R-2':>7}{'R-L':>7}{'sent P':>8}{'sent R':>8}")
        for method, s in table.items():
            p = f"{s['sentence_precision']:.3f}" if "sentence_precision" in s else "-"
            r = f"{s['sentence_recall']:.3f}" if "sentence_recall" in s else "-"
            lines.append(f"{method:<40}{s['rouge1']:>7.2f}{s['rouge2']:>7.2f}{s['rougeL']:>7.2f}{p:>8}{r:>8}")
        lines.append("")
    return "\n".join(lines)


def tune_on_indosum(indosum: Sequence[str | Path], indosum_split: str | Path) -> dict:
    docs = indosum_documents(indosum_part(indosum, indosum_split, "dev"))
    return {method: tune_graph_weights(docs, method, position_weights=(0.5, 1.0, 2.0, 4.0),
                                       title_weights=(0.0, 0.25, 0.5), mmr_lambdas=(None, 0.85))
            for method in ("textrank", "lexrank")}


def pool_texts(pool: str | Path) -> list[str]:
    """Every article text of the news pool (unlabelled news for word vectors)."""
    with gzip.open(pool, "rt", encoding="utf-8") as fh:
        return [t for t in (json.loads(line).get("text", "") for line in fh) if t.strip()]


def train_summarizer_on_indosum(indosum: Sequence[str | Path], indosum_split: str | Path, out: str | Path, *,
                                method: str = "trained", pool: str | Path | None = None, progress: bool = True):
    """Train the ``trained`` (feature) or ``neural`` sentence scorer on the IndoSum train part,
    select/report on the dev part, and save it to ``out``."""
    from .neural import NeuralSummarizer
    from .trained import TrainedSummarizer

    train = indosum_documents(indosum_part(indosum, indosum_split, "train"))
    dev = indosum_documents(indosum_part(indosum, indosum_split, "dev"))
    sentences, gold, titles = ([list(d.sentences) for d in train], [list(d.gold) for d in train],
                               [d.title for d in train])
    extra = {}
    if method == "trained":
        model = TrainedSummarizer().fit(sentences, gold, titles)
    elif method == "neural":
        unlabelled = pool_texts(pool) if pool else []
        model = NeuralSummarizer(progress=progress).fit(
            sentences, gold, titles, unlabelled_texts=unlabelled,
            dev=([list(d.sentences) for d in dev], [list(d.gold) for d in dev], [d.title for d in dev]))
        extra["word_vectors_from"] = (f"IndoSum train part + news pool ({len(unlabelled)} articles)" if pool
                                      else "IndoSum train part")
    else:
        raise ValueError(f"method must be 'trained' or 'neural', got {method!r}")
    scores = evaluate_methods(dev, {method: lambda d: [x.index for x in model(list(d.sentences), 3, title=d.title)]},
                              progress=False)[method]
    model.save(out, metrics={"indosum_dev": scores, "trained_on": f"IndoSum train part ({len(train)} articles)",
                             **extra})
    return model
