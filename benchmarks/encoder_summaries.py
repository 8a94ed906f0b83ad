"""The encoder summariser on multilingual-e5-small: cache sentence vectors, choose settings on dev, measure.

    # 1. one encoder pass per article, hidden states of several depths at once, kept on disk
    python benchmarks/encoder_summaries.py cache --base ENC --indosum ../shared/data/indosum --cache CACHE
    # 2. scorers trained on the cached train vectors, settings chosen on dev; the best one saved
    python benchmarks/encoder_summaries.py select --base ENC --indosum ../shared/data/indosum --cache CACHE \
        --out MODEL --results benchmarks/results/encoder_summaries_dev.json
    # 3. ROUGE on the IndoSum test part and the corpus summaries, bootstrap intervals, speed and memory
    python benchmarks/encoder_summaries.py evaluate --model MODEL --indosum ../shared/data/indosum \
        --corpus data/corpus.jsonl --cache CACHE --results benchmarks/results/encoder_summaries.json

ENC is the folder `pemilu-nlp export-encoder --out ENC` writes.  The encoder is frozen, so its
sentence vectors are the same in every epoch and every setting: they are computed once here
(``cache``) and the scorers train on them in seconds; `evaluate` checks that the cached vectors
give the scores the saved model computes itself.  The test part is read only by `evaluate`.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pemilu_nlp.io.indosum import indosum_part, load_indosum, read_indosum_split  # noqa: E402
from pemilu_nlp.summarize import TextRankSummarizer, get_summarizer  # noqa: E402
from pemilu_nlp.summarize.evaluate import (  # noqa: E402
    EvalDocument,
    _scorer,
    bootstrap_rouge,
    corpus_documents,
    document_scores,
    evaluate_methods,
    indosum_documents,
    oracle_indices,
    sentence_picker,
)

#: hidden states kept from one pass of the 12-layer encoder: a cut encoder reads what these layers give
DEPTHS = (4, 6, 8, 10, 12)
CHUNK = 100
#: every row is also given as its paired difference to these rows
BASELINES = ("LEAD-3", "textrank (tuned; the default)", "neural")


def part_documents(indosum: list[str], part: str, corpus: str | None = None) -> list[EvalDocument]:
    """The documents of an IndoSum part (the project's split) or of the corpus' reference summaries."""
    if part == "corpus":
        return corpus_documents(corpus or ROOT / "data" / "corpus.jsonl")
    articles = load_indosum(indosum)
    return indosum_documents(indosum_part(articles, read_indosum_split(ROOT / "data" / "indosum_split.json"), part))


def cache_part(encoder, documents: list[EvalDocument], cache: Path, part: str, limit: int | None) -> None:
    """Sentence vectors at :data:`DEPTHS` of the first ``limit`` documents, in files of
    :data:`CHUNK` documents (a file already there is kept: the run resumes)."""
    documents = documents[:limit]
    for start in range(0, len(documents), CHUNK):
        path = cache / f"{part}-{start:05d}.npz"
        if path.exists():
            continue
        chunk = documents[start:start + CHUNK]
        began = time.perf_counter()
        vectors = encoder.encode([list(d.sentences) for d in chunk], depths=[d for d in DEPTHS])
        seconds = time.perf_counter() - began
        np.savez(path.with_suffix(".tmp.npz"), vectors=np.concatenate(vectors, axis=1),
                 counts=np.array([v.shape[1] for v in vectors]), ids=np.array([d.id for d in chunk]),
                 seconds=np.array(seconds))
        path.with_suffix(".tmp.npz").rename(path)
        print(f"{part} {start + len(chunk)}/{len(documents)}: {seconds / len(chunk):.2f} s/article", flush=True)


def load_cached(cache: Path, part: str, documents: list[EvalDocument]) -> tuple[list[EvalDocument], list[np.ndarray]]:
    """The documents whose vectors are cached (in order) and their ``depths x sentences x dim`` arrays."""
    vectors: list[np.ndarray] = []
    ids: list[str] = []
    for path in sorted(cache.glob(f"{part}-*.npz")):
        if path.name.endswith(".tmp.npz"):
            continue
        data = np.load(path)
        ids += data["ids"].tolist()
        vectors += np.split(data["vectors"], np.cumsum(data["counts"])[:-1], axis=1)
    by_id = {d.id: d for d in documents}
    kept = [by_id[i] for i in ids]
    for doc, v in zip(kept, vectors):
        if v.shape[1] != len(doc.sentences):
            raise ValueError(f"{part}: cached vectors of {doc.id} do not match its sentences")
    return kept, vectors


def cmd_cache(args: argparse.Namespace) -> None:
    import torch

    from pemilu_nlp.summarize.encoder import encoder_prefix
    from pemilu_nlp.summarize.sentence_encoder import SentenceEncoder

    torch.set_num_threads(args.threads)
    encoder = SentenceEncoder.from_folder(args.base, prefix=encoder_prefix(args.base), max_length=args.max_length)
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "settings.json").write_text(json.dumps({"base": str(args.base), "depths": DEPTHS, "pooling": "mean",
                                                     "max_length": args.max_length,
                                                     "prefix": encoder_prefix(args.base)}) + "\n")
    # what selection and the test need first; more training articles while time allows
    plan = [("train", args.train_first), ("dev", args.dev_limit), ("test", None), ("corpus", None),
            ("dev", args.dev_more), ("train", args.train_limit)]
    for part, limit in plan:
        cache_part(encoder, part_documents(args.indosum, part, args.corpus), cache, part, limit)


# ------------------------------------------------------------------------------------ scorers on cached vectors
def with_cache(summarizer, documents: list[EvalDocument], vectors: list[np.ndarray], depth: int):
    """``summarizer`` (an EncoderSummarizer) reading the cached vectors of ``depth`` instead of
    running its encoder: the same scores, through the same selection code (caps, MMR, order)."""
    lookup = {tuple(d.sentences): v[DEPTHS.index(depth)] for d, v in zip(documents, vectors)}
    summarizer.sentence_vectors = lambda docs: [lookup[tuple(d)] for d in docs]
    return summarizer


def vector_textrank(documents: list[EvalDocument], vectors: list[np.ndarray], depth: int, **settings):
    """TextRank (and the lead prior, MMR) over the cosine of cached e5 sentence vectors, clipped at 0."""
    lookup = {}
    for d, v in zip(documents, vectors):
        unit = v[DEPTHS.index(depth)] / np.linalg.norm(v[DEPTHS.index(depth)], axis=1, keepdims=True)
        lookup[tuple(d.sentences)] = np.clip(unit @ unit.T, 0, None)
    summarizer = TextRankSummarizer(**settings)
    summarizer.sentence_graph = lambda sentences, title, tfidf: (lookup[tuple(sentences)].copy(), None)
    return summarizer


def fit_scorer(base: str, depth: int, train, dev, *, seed: int = 0, **settings):
    """An EncoderSummarizer of ``depth`` encoder layers trained on cached vectors (``train``/``dev``:
    (documents, vectors)); the best dev epoch is kept."""
    from pemilu_nlp.summarize.encoder import EncoderSummarizer

    k = DEPTHS.index(depth)
    model = EncoderSummarizer(base, layers=depth, progress=False, seed=seed, **settings)

    def columns(docs):
        return [list(d.sentences) for d in docs], [list(d.gold) for d in docs], [d.title for d in docs]

    return model.fit(*columns(train[0]), dev=columns(dev[0]), vectors=[v[k] for v in train[1]],
                     dev_vectors=[v[k] for v in dev[1]])


def dev_rouge(summarizer, documents: list[EvalDocument]) -> dict:
    return evaluate_methods(documents, {"m": sentence_picker(summarizer, 3)}, progress=False)["m"]


def cmd_select(args: argparse.Namespace) -> None:
    """Every depth x scorer size trained on the cached train vectors, scored on dev; the best saved."""
    import torch

    torch.set_num_threads(args.threads)
    cache = Path(args.cache)
    train = load_cached(cache, "train", part_documents(args.indosum, "train"))
    dev = load_cached(cache, "dev", part_documents(args.indosum, "dev"))
    rows, best = [], None
    grid = [tuple(json.loads(f"[{g}]")) for g in args.grid]  # "depth,scorer_layers,features"
    for depth, scorer_layers, features in grid:
        began = time.perf_counter()
        model = fit_scorer(args.base, depth, train, dev, scorer_layers=scorer_layers, features=features,
                           epochs=args.epochs, batch_size=32)
        seconds = time.perf_counter() - began
        scores = dev_rouge(with_cache(model, *dev, depth), dev[0])
        row = {"depth": depth, "scorer_layers": scorer_layers, "features": features, "mmr_lambda": None, **scores,
               "best_epoch": int(np.argmax([h["dev_top3_gold_precision"] for h in model.history_])) + 1,
               "train_seconds": round(seconds, 1)}
        rows.append(row)
        print(json.dumps(row), flush=True)
        total = scores["rouge1"] + scores["rouge2"] + scores["rougeL"]
        if best is None or total > best[0]:
            best = (total, row, model)
    _, row, model = best
    mmr = {lam: dev_rouge(model.set_params(mmr_lambda=lam), dev[0]) for lam in (0.85, 0.7)}
    lam = max(mmr, key=lambda k: sum(mmr[k][r] for r in ("rouge1", "rouge2", "rougeL")))
    chosen = lam if sum(mmr[lam][r] for r in ("rouge1", "rouge2", "rougeL")) > \
        row["rouge1"] + row["rouge2"] + row["rougeL"] else None
    model.set_params(mmr_lambda=chosen)
    centrality = {f"{pw}/{lam}": dev_rouge(vector_textrank(*dev, 12, position_weight=pw, mmr_lambda=lam), dev[0])
                  for pw in (0.5, 1.0, 2.0, 4.0) for lam in (None, 0.85)}
    del model.sentence_vectors  # the saved model runs its own encoder
    metrics = {"indosum_dev": row, "trained_on": f"IndoSum train part, first {len(train[0])} articles",
               "chosen_on": f"IndoSum dev part, first {len(dev[0])} articles"}
    model.save(args.out, metrics=metrics)
    result = {"train_articles": len(train[0]), "dev_articles": len(dev[0]), "grid": rows,
              "best": {**row, "mmr_lambda": chosen}, "mmr_on_best": mmr, "e5_textrank_dev": centrality,
              "history": model.history_, "lead3_dev": dev_rouge(get_summarizer("lead"), dev[0])}
    Path(args.results).write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    print(json.dumps(result["best"]), f"saved to {args.out}")


# ------------------------------------------------------------------------------------ test and corpus
def best_textrank(selection: dict) -> dict:
    """The e5 TextRank settings that did best on dev (``select`` wrote them as ``"pw/lambda"``)."""
    grid = selection["e5_textrank_dev"]
    key = max(grid, key=lambda k: grid[k]["rouge1"] + grid[k]["rouge2"] + grid[k]["rougeL"])
    pw, lam = key.split("/")
    return {"position_weight": float(pw), "mmr_lambda": None if lam == "None" else float(lam)}


def table(documents: list[EvalDocument], pickers: dict, n_boot: int) -> dict:
    """Per method: mean ROUGE with bootstrap intervals, and the paired differences to :data:`BASELINES`."""
    scorer = _scorer()
    rows = {label: document_scores(documents, pick, scorer=scorer) for label, pick in pickers.items()}
    out = {}
    for label, scores in rows.items():
        out[label] = {"rouge": bootstrap_rouge(scores["rouge"], n_boot=n_boot), "documents": len(documents)}
        for baseline in BASELINES:
            out[label][f"minus {baseline}"] = bootstrap_rouge(scores["rouge"], rows[baseline]["rouge"], n_boot=n_boot)
        if len(scores["precision"]):
            out[label]["sentence_precision"] = round(float(scores["precision"].mean()), 4)
    return out


def parse_models(specs: list[str]) -> dict[str, str]:
    """``LABEL=FOLDER`` (or a bare FOLDER, labelled ``encoder``) -> ``{label: folder}``."""
    return dict(spec.split("=", 1) if "=" in spec else ("encoder", spec) for spec in specs)


def encoder_picker(model, kept: list[EvalDocument], vectors: list[np.ndarray] | None) -> tuple:
    """A picker for a loaded encoder folder: from the cached vectors when they are this model's
    (a frozen encoder; checked against its own scores on 3 articles), else the model run whole."""
    vars(model).pop("sentence_vectors", None)  # another part's cached vectors
    live = [model.score(list(d.sentences)) for d in kept[:3]]
    if vectors is None or model.finetune_layers:
        return sentence_picker(model), "live"
    with_cache(model, kept, vectors, model.encoder_.layers)
    cached = [model.score(list(d.sentences)) for d in kept[:3]]
    return sentence_picker(model), float(max(np.abs(a - b).max() for a, b in zip(live, cached)))


def cmd_evaluate(args: argparse.Namespace) -> None:
    """Every ``--model`` folder beside LEAD-3, TextRank, features and neural (and, with
    ``--selection``, TextRank on cached e5 vectors) on the test part and the corpus summaries."""
    import torch

    from pemilu_nlp.summarize.encoder import EncoderSummarizer

    torch.set_num_threads(args.threads)
    models = {label: EncoderSummarizer.load(folder) for label, folder in parse_models(args.model).items()}
    selection = json.loads(Path(args.selection).read_text("utf-8")) if args.selection else None
    textrank = best_textrank(selection) if selection else None
    results: dict = {"models": parse_models(args.model), "e5_textrank_settings": textrank,
                     "selection": args.selection, "bootstrap": args.n_boot}
    for label, part in (("IndoSum test", "test"), ("corpus reference summaries", "corpus")):
        documents = part_documents(args.indosum, part, args.corpus)
        try:
            kept, vectors = load_cached(Path(args.cache), part, documents) if args.cache else (documents, None)
        except ValueError as err:  # the sentence splitter changed since the cache was made
            print(f"{part}: {err}; every model runs whole", flush=True)
            kept, vectors = documents, None
        if len(kept) != len(documents):
            kept, vectors = documents, None  # not all cached: every model runs whole
        pickers = {"LEAD-3": sentence_picker(get_summarizer("lead")),
                   "textrank (tuned; the default)": sentence_picker(get_summarizer("textrank")),
                   "features": sentence_picker(get_summarizer("features")),
                   "neural": sentence_picker(get_summarizer("neural"))}
        checks = {}
        for name, model in models.items():
            pickers[name], checks[name] = encoder_picker(model, kept, vectors)
        if textrank and vectors is not None:
            pickers["TextRank on e5 vectors (dev-tuned lead prior)"] = sentence_picker(
                vector_textrank(kept, vectors, 12, **textrank))
        pickers["ORACLE (greedy)"] = lambda d: oracle_indices(list(d.sentences), d.reference)
        if all(d.gold for d in kept):
            pickers["GOLD labels"] = lambda d: list(d.gold)
        results[label] = table(kept, pickers, args.n_boot)
        results[label]["cached_vs_live_max_abs_score_difference"] = checks
        print(label, json.dumps({k: v["rouge"] if isinstance(v, dict) and "rouge" in v else v
                                 for k, v in results[label].items()}), flush=True)
    Path(args.results).write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", "utf-8")


# ------------------------------------------------------------------------------------ speed and memory
def cmd_speed(args: argparse.Namespace) -> None:
    """Seconds per IndoSum test article and memory of one summariser, in a process of its own:
    the resident memory before the summariser is loaded (Python, the library, the articles) and
    the peak after it has summarised them."""
    import os
    import resource

    import psutil
    import torch

    torch.set_num_threads(args.threads)
    documents = part_documents(args.indosum, "test")[:args.n + 2]
    before = psutil.Process().memory_info().rss
    began = time.perf_counter()
    summarizer = get_summarizer("encoder", folder=args.model) if args.method == "encoder" else get_summarizer(args.method)
    load_seconds = time.perf_counter() - began
    for d in documents[:2]:  # warm-up
        summarizer(list(d.sentences), 3)
    began = time.perf_counter()
    for d in documents[2:]:
        summarizer(list(d.sentences), 3)
    seconds = time.perf_counter() - began
    print(json.dumps({"method": args.method, "articles": len(documents) - 2, "threads": args.threads,
                      "seconds_per_article": float(f"{seconds / (len(documents) - 2):.3g}"),
                      "load_seconds": float(f"{load_seconds:.3g}"), "load_average_after": os.getloadavg(),
                      "rss_before_mib": round(before / 2**20, 1),
                      "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))


def cmd_finetune_cost(args: argparse.Namespace) -> None:
    """What fine-tuning the top k encoder layers costs, measured with the training code itself
    (``EncoderSummarizer(finetune_layers=k)``, one epoch, no dev) on the first ``n`` IndoSum train
    articles: the once-per-window pass through the frozen lower layers (cached, fp16) against one
    epoch of forward + backward through the top k layers and the scorer."""
    import torch

    from pemilu_nlp.summarize.encoder import EncoderSummarizer

    torch.set_num_threads(args.threads)
    documents = part_documents(args.indosum, "train")[:args.n]
    for k in args.k:
        model = EncoderSummarizer(args.base, layers=args.layers, finetune_layers=k, epochs=1, progress=False)
        model.fit([list(d.sentences) for d in documents], [list(d.gold) for d in documents],
                  [d.title for d in documents])
        t = model.seconds_
        print(json.dumps({"articles": len(documents), "layers": args.layers, "finetune_layers": k,
                          "threads": args.threads, "windows": t["train_windows"],
                          "lower_layers_cache_seconds_per_window": round(t["train_cache"] / t["train_windows"], 4),
                          "epoch_seconds_per_window": round(t["epochs"][0] / t["train_windows"], 4),
                          "epoch_seconds_per_article": round(t["epochs"][0] / len(documents), 4)}), flush=True)


# ------------------------------------------------------------------------------------ report
def _ci(stat: dict) -> str:
    return f"{stat['mean']:.2f} [{stat['ci95'][0]:.2f}, {stat['ci95'][1]:.2f}]"


def cmd_report(args: argparse.Namespace) -> None:
    """The markdown tables of docs/encoder-summaries.md, printed from the result files."""
    results = json.loads(Path(args.results).read_text("utf-8"))
    for name in ("IndoSum test", "corpus reference summaries"):
        rows = {k: v for k, v in results[name].items() if isinstance(v, dict) and "rouge" in v}
        print(f"\n{name} ({next(iter(rows.values()))['documents']} articles): ROUGE-1 / ROUGE-2 / ROUGE-L F1, "
              "bootstrap 95 % intervals\n")
        print("| method | R-1 | R-2 | R-L | R-1 − LEAD-3 | R-1 − textrank (default) | R-1 − neural | sent P |")
        print("|---|---|---|---|---|---|---|---|")
        for label, row in rows.items():
            diffs = [_ci(row[f"minus {b}"]["rouge1"]) if label != b else "—" for b in BASELINES]
            print(f"| {label} | " + " | ".join(_ci(row["rouge"][k]) for k in ("rouge1", "rouge2", "rougeL"))
                  + " | " + " | ".join(diffs) + f" | {row.get('sentence_precision', '')} |")
    if not args.selection:
        return
    selection = json.loads(Path(args.selection).read_text("utf-8"))
    print(f"\nDev ({selection['dev_articles']} articles; scorers trained on {selection['train_articles']})\n")
    print("| depth | scorer layers | features | R-1 / R-2 / R-L | best epoch | training s |")
    print("|---|---|---|---|---|---|")
    for row in selection["grid"]:
        print(f"| {row['depth']} | {row['scorer_layers']} | {row['features']} | {row['rouge1']:.2f} / "
              f"{row['rouge2']:.2f} / {row['rougeL']:.2f} | {row['best_epoch']} | {row['train_seconds']} |")
    lead = selection["lead3_dev"]
    print(f"| LEAD-3 | | | {lead['rouge1']:.2f} / {lead['rouge2']:.2f} / {lead['rougeL']:.2f} | | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("cache")
    p.add_argument("--base", required=True)
    p.add_argument("--indosum", nargs="+", required=True)
    p.add_argument("--corpus", default=str(ROOT / "data" / "corpus.jsonl"))
    p.add_argument("--cache", required=True)
    p.add_argument("--max-length", type=int, default=512)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--train-first", type=int, default=400, help="train articles cached before dev/test/corpus")
    p.add_argument("--train-limit", type=int, default=0, help="then more of the train part, up to N (0: none)")
    p.add_argument("--dev-limit", type=int, default=200, help="dev articles cached before test/corpus")
    p.add_argument("--dev-more", type=int, default=0, help="then more of the dev part, up to N (0: none)")
    p.set_defaults(func=cmd_cache)
    p = sub.add_parser("select")
    p.add_argument("--base", required=True)
    p.add_argument("--indosum", nargs="+", required=True)
    p.add_argument("--cache", required=True)
    p.add_argument("--out", required=True, help="the chosen model's folder")
    p.add_argument("--results", required=True)
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--grid", nargs="+", default=["12,2,true", "8,2,true", "12,2,false"],
                   help="settings tried, each 'depth,scorer_layers,features'")
    p.add_argument("--threads", type=int, default=2)
    p.set_defaults(func=cmd_select)
    p = sub.add_parser("evaluate")
    p.add_argument("--model", required=True, nargs="+", help="LABEL=FOLDER (or FOLDER, labelled encoder), any "
                                                             "folder train-summarizer --method encoder wrote")
    p.add_argument("--indosum", nargs="+", required=True)
    p.add_argument("--corpus", default=str(ROOT / "data" / "corpus.jsonl"))
    p.add_argument("--cache", help="cached vectors: used for frozen models whose depth they hold; else run whole")
    p.add_argument("--selection", help="the JSON `select` wrote (adds TextRank on e5 vectors)")
    p.add_argument("--results", required=True)
    p.add_argument("--n-boot", type=int, default=1000)
    p.add_argument("--threads", type=int, default=2)
    p.set_defaults(func=cmd_evaluate)
    p = sub.add_parser("speed")
    p.add_argument("--method", required=True, choices=["lead", "textrank", "features", "neural", "encoder"])
    p.add_argument("--model", help="--method encoder: its folder")
    p.add_argument("--indosum", nargs="+", required=True)
    p.add_argument("--n", type=int, default=40)
    p.add_argument("--threads", type=int, default=2)
    p.set_defaults(func=cmd_speed)
    p = sub.add_parser("finetune-cost")
    p.add_argument("--base", required=True)
    p.add_argument("--indosum", nargs="+", required=True)
    p.add_argument("--n", type=int, default=8)
    p.add_argument("--layers", type=int, default=8)
    p.add_argument("--k", type=int, nargs="+", default=[1, 2])
    p.add_argument("--threads", type=int, default=2)
    p.set_defaults(func=cmd_finetune_cost)
    p = sub.add_parser("report")
    p.add_argument("--results", required=True)
    p.add_argument("--selection")
    p.set_defaults(func=cmd_report)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
