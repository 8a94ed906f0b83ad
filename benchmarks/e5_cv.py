"""Issue 24 under cross-validation: frozen multilingual-e5-small vectors + logistic regression, and
TF-IDF + e5 ensembles, on the same folds as the TF-IDF figures (``pemilu-nlp evaluate --cv 5
--repeats 2``: 5 folds x 2 repeats, seed 0, the model-chosen articles trained on and never scored).

    python3 benchmarks/e5_cv.py embed --encoder ENC_DIR --cache CACHE      # one frozen pass, ~10 min on 1 core
    python3 benchmarks/e5_cv.py cv --cache CACHE --out benchmarks/results/e5_cv.json
    python3 benchmarks/e5_cv.py cv --cache CACHE --encoder ENC_DIR --finetune '{"freeze_layers": 11, ...}' \
        --out benchmarks/results/e5_cv_finetune.json          # + the top-layer fine-tune, 5 folds x 1
    python3 benchmarks/e5_cv.py report benchmarks/results/e5_cv.json   # the tables of docs/encoder.md

``embed`` reads every corpus article whole with the exported encoder (``pemilu-nlp export-encoder``):
windows of at most 512 tokens, each ``<s> passage: ... </s>`` (e5's own input form), and keeps
per article the mean of the token states (e5's mean pooling) of the last layer and of layers 8
and 10, over the whole article and over its first window only.  ``cv`` fits one
logistic regression per topic on those vectors with thresholds chosen inside each training fold
(``recipe_oof``), runs the shipped TF-IDF recipe on the same folds, and averages the two models'
probabilities before the shipped cue-prior rule (``recipe_oof_cue_prior``) for the ensemble.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.lib.heads import FeatureScorer  # noqa: E402
from pemilu_nlp.classify.cues import cue_scores  # noqa: E402
from pemilu_nlp.io.corpus import label_matrix, load_corpus, model_chosen  # noqa: E402
from pemilu_nlp.io.schema import topic_ids  # noqa: E402
from pemilu_nlp.learn.crossval import (  # noqa: E402
    bootstrap_summary,
    format_cv_table,
    recipe_oof,
    recipe_oof_cue_prior,
    run_cv,
)

LAYERS = (8, 10, 12)


def _windows(ids: list[int], prefix: list[int], cls: int, sep: int, max_length: int) -> list[list[int]]:
    room = max_length - 2 - len(prefix)
    return [[cls, *prefix, *ids[i:i + room], sep] for i in range(0, max(len(ids), 1), room)]


def embed(encoder: str, cache: Path, data: str, batch_size: int = 8, max_length: int = 512) -> None:
    """Mean-pooled states of layers ``LAYERS`` per article, whole article and first window."""
    import torch
    from tqdm.auto import tqdm
    from transformers import AutoModel, AutoTokenizer

    texts = [a.model_text for a in load_corpus(data)]
    tokenizer = AutoTokenizer.from_pretrained(encoder)
    model = AutoModel.from_pretrained(encoder).eval()
    prefix = tokenizer("passage: ", add_special_tokens=False)["input_ids"]
    rows, owner = [], []
    for d, text in enumerate(texts):
        for w in _windows(tokenizer(text, add_special_tokens=False)["input_ids"], prefix,
                          tokenizer.cls_token_id, tokenizer.sep_token_id, max_length):
            rows.append(w)
            owner.append(d)
    owner = np.array(owner)
    sums = np.zeros((len(LAYERS), len(rows), model.config.hidden_size), np.float64)
    counts = np.array([len(r) for r in rows], np.float64)
    order = np.argsort([len(r) for r in rows])
    started = time.perf_counter()
    with torch.inference_mode():
        for b in tqdm(range(0, len(rows), batch_size), desc="windows"):
            batch = order[b:b + batch_size]
            width = max(len(rows[i]) for i in batch)
            ids = torch.tensor([rows[i] + [tokenizer.pad_token_id] * (width - len(rows[i])) for i in batch])
            mask = (torch.arange(width)[None, :] < torch.tensor([len(rows[i]) for i in batch])[:, None]).long()
            states = model(input_ids=ids, attention_mask=mask, output_hidden_states=True).hidden_states
            for k, layer in enumerate(LAYERS):
                sums[k, batch] = (states[layer] * mask[..., None]).sum(1).double().numpy()
    seconds = time.perf_counter() - started
    first = np.array([np.flatnonzero(owner == d)[0] for d in range(len(texts))])
    out = {}
    for k, layer in enumerate(LAYERS):
        whole = np.zeros((len(texts), sums.shape[2]))
        np.add.at(whole, owner, sums[k])
        out[f"layer{layer}_whole"] = whole / np.bincount(owner, weights=counts)[:, None]
        out[f"layer{layer}_first"] = sums[k, first] / counts[first, None]
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(cache / "e5_article_vectors.npz", **{k: v.astype(np.float32) for k, v in out.items()})
    (cache / "e5_article_vectors.json").write_text(json.dumps({
        "encoder": encoder, "articles": len(texts), "windows": len(rows), "tokens": int(counts.sum()),
        "seconds": round(seconds, 1), "torch_threads": torch.get_num_threads(), "max_length": max_length}, indent=1))
    print(f"{len(texts)} articles, {len(rows)} windows, {int(counts.sum())} tokens: {seconds:.0f} s")


def normalised(X: np.ndarray) -> np.ndarray:
    return X / np.linalg.norm(X, axis=1, keepdims=True)


class MeanScorer:
    """The average of several scorers' probabilities (a :class:`pemilu_nlp.learn.crossval.Scorer`)."""

    def __init__(self, *scorers):
        self.scorers = scorers

    def fit_score(self, fit_idx: np.ndarray, Y_fit: np.ndarray, eval_idx: np.ndarray) -> np.ndarray:
        return np.mean([s.fit_score(fit_idx, Y_fit, eval_idx) for s in self.scorers], axis=0)


class FineTunedScorer:
    """The e5 top-layer fine-tune (``freeze_layers``) as a CV scorer: one trainer, so one pass of
    the frozen lower layers, for every article; each fit restarts the top layers and the head from
    the base weights (:meth:`~pemilu_nlp.classify.indobert.trainer._Trainer.fit_score`).  Fits are
    kept by their article sets, so the ensemble reuses them."""

    def __init__(self, base: str, texts: list[str], Y: np.ndarray, *, max_length: int, params: dict):
        from pemilu_nlp.classify.indobert import IndoBertTopicClassifier, IndoBertTrainingArguments
        from pemilu_nlp.classify.indobert.trainer import _Trainer

        args = IndoBertTrainingArguments(**{"max_train_windows": 1, "progress": False, **params})
        clf = IndoBertTopicClassifier.untrained(base, max_length=max_length, max_windows=1, args=args,
                                                device="cpu", precision="fp32")
        clf.pooling_ = "mean"  # as fit sets it
        started = time.perf_counter()
        self.trainer = _Trainer(clf, args, texts, Y)
        self.cache_seconds = time.perf_counter() - started
        self.fits: dict[bytes, np.ndarray] = {}
        self.fit_seconds: list[float] = []

    def fit_score(self, fit_idx: np.ndarray, Y_fit: np.ndarray, eval_idx: np.ndarray) -> np.ndarray:
        import torch

        key = np.asarray(fit_idx).tobytes() + b"|" + np.asarray(eval_idx).tobytes()
        if key not in self.fits:
            started = time.perf_counter()
            torch.manual_seed(0)
            self.trainer.rng = np.random.default_rng(0)
            with self.trainer.weights_kept():
                self.fits[key] = self.trainer.fit_score(np.asarray(fit_idx), np.asarray(eval_idx))
            self.fit_seconds.append(time.perf_counter() - started)
        return self.fits[key]


def finetune_folds(args: argparse.Namespace, texts: list[str], Y: np.ndarray, train_only: np.ndarray,
                   tfidf_scorer: object, cue_rule: object) -> None:
    """The top-layer fine-tune, alone and averaged with TF-IDF, and TF-IDF itself on the first
    repeat's folds, one fold at a time, each saved in the cache as it ends (a fine-tuned fit costs
    minutes: the folds done are what the CPU allowed); ``finetune-report`` summarises them.
    Thresholds of the fine-tune come from inner 3-fold out-of-fold scores, as its own
    ``thresholds="oof"``; the TF-IDF rule is the shipped one."""
    from pemilu_nlp.classify.folds import scored_folds
    from pemilu_nlp.classify.tfidf.classifier import OOF_REPEATS
    from pemilu_nlp.learn.crossval import Fold

    params = json.loads(args.finetune)
    scorer = FineTunedScorer(args.encoder, texts, Y, max_length=params.pop("max_length", 128), params=params)
    print(f"lower layers cached: {scorer.cache_seconds:.0f} s", flush=True)
    folds = list(enumerate(scored_folds(Y, 5, seed=0, train_only=train_only)))
    order = [int(k) for k in args.folds.split(",")] if args.folds else range(5)
    for k, (train_idx, test_idx) in (folds[k] for k in order):
        path = Path(args.cache) / f"finetune_fold{k}.npz"
        if path.exists():
            continue
        started = time.perf_counter()
        fold = dict(Y=Y, train_idx=train_idx, test_idx=test_idx, seed=k)  # run_cv's seed for repeat 0
        tfidf = cue_rule(Fold(tfidf_scorer, inner_repeats=OOF_REPEATS, **fold))
        tuned = recipe_oof()(Fold(scorer, inner_splits=3, **fold))
        mean = cue_rule(Fold(MeanScorer(tfidf_scorer, scorer), inner_splits=3, **fold))
        np.savez(path, test_idx=test_idx, finetuned=tuned, mean=mean, tfidf=tfidf,
                 seconds=time.perf_counter() - started, fit_seconds=np.array(scorer.fit_seconds))
        print(f"fold {k + 1}/5: {time.perf_counter() - started:.0f} s", flush=True)


def finetune_report(args: argparse.Namespace) -> None:
    """Summaries of the folds ``cv --finetune`` finished, on their test articles, to ``--out``."""
    articles = load_corpus(args.data)
    topics = list(topic_ids())
    Y = label_matrix(articles, topics)
    folds = [np.load(p) for p in sorted(Path(args.cache).glob("finetune_fold*.npz"))]
    if not folds:
        raise SystemExit(f"no finished folds in {args.cache}")
    idx = np.concatenate([f["test_idx"] for f in folds])
    names = {"tfidf": "TF-IDF (shipped recipe), same folds", "finetuned": "e5 fine-tuned (--finetune)",
             "mean": "TF-IDF + e5 fine-tuned (mean proba, cue prior)"}
    summaries = {label: bootstrap_summary(Y[idx], np.concatenate([f[key] for f in folds])[None], topics,
                                          n_boot=1000, seed=0) for key, label in names.items()}
    print(format_cv_table(summaries, title=f"{len(folds)} of 5 folds (repeat 1), {len(idx)} scored articles"))
    Path(args.out).write_text(json.dumps({
        "command": "python3 benchmarks/e5_cv.py cv --cache CACHE --encoder ENC_DIR --finetune PARAMS; "
                   "python3 benchmarks/e5_cv.py finetune-report --cache CACHE --finetune PARAMS --out OUT",
        "finetune": args.finetune, "folds_done": len(folds), "of_folds": 5, "repeat": 1, "inner_splits": 3,
        "scored_articles": len(idx), "fold_seconds": [round(float(f["seconds"])) for f in folds],
        "recipes": summaries}, indent=1) + "\n", "utf-8")


def cross_validate(args: argparse.Namespace) -> None:
    from pemilu_nlp.classify.tfidf.classifier import OOF_REPEATS, HeadScorer, TfidfTopicClassifier
    from pemilu_nlp.io.unlabelled import load_unlabelled_texts

    started = time.time()
    articles = load_corpus(args.data)
    texts, topics = [a.model_text for a in articles], list(topic_ids())
    Y, train_only = label_matrix(articles, topics), model_chosen(articles)
    vectors = np.load(Path(args.cache) / "e5_article_vectors.npz")
    cv = {"n_splits": 5, "n_repeats": args.repeats, "seed": 0, "train_only": train_only, "progress": True}
    tfidf = TfidfTopicClassifier(dual=True).fit_features(
        texts + load_unlabelled_texts([args.unlabelled]))
    tfidf_scorer = HeadScorer(tfidf, tfidf.transform(texts))
    cue_rule = recipe_oof_cue_prior(cue_scores(tfidf.cue_counts(texts)))
    e5 = {name: FeatureScorer(normalised(vectors[key]), "lr", C=args.C) for name, key in [
        ("e5 first 512 tokens", "layer12_first"), ("e5 whole article", "layer12_whole")]}
    if args.finetune:
        finetune_folds(args, texts, Y, train_only, tfidf_scorer, cue_rule)
        return
    predictions = {"TF-IDF (shipped recipe)": run_cv(tfidf_scorer, Y, {"x": cue_rule}, inner_repeats=OOF_REPEATS, **cv)["x"]}
    if not args.skip_frozen:
        for name, scorer in e5.items():
            predictions[f"{name} + LR"] = run_cv(scorer, Y, {"x": recipe_oof()}, **cv)["x"]
        best = max(e5, key=lambda n: bootstrap_summary(Y[~train_only], predictions[f"{n} + LR"], topics,
                                                       n_boot=1)["macro_f1"]["mean"])
        predictions[f"TF-IDF + {best} (mean proba, cue prior)"] = run_cv(
            MeanScorer(tfidf_scorer, e5[best]), Y, {"x": cue_rule}, inner_repeats=OOF_REPEATS, **cv)["x"]
    summaries = {name: bootstrap_summary(Y[~train_only], p, topics, n_boot=1000, seed=0) for name, p in predictions.items()}
    print(format_cv_table(summaries, title=f"{args.data}: 5-fold CV x {args.repeats}"))
    meta = json.loads((Path(args.cache) / "e5_article_vectors.json").read_text())
    Path(args.out).write_text(json.dumps({
        "command": f"python3 benchmarks/e5_cv.py cv --cache CACHE --repeats {args.repeats} --C {args.C}"
                   + (" --skip-frozen" if args.skip_frozen else "")
                   + (f" --encoder ENC_DIR --finetune '{args.finetune}'" if args.finetune else ""),
        "embed_command": "python3 benchmarks/e5_cv.py embed --encoder ENC_DIR --cache CACHE", "embedding": meta,
        "n_splits": 5, "n_repeats": args.repeats, "seed": 0, "C": args.C, "seconds": round(time.time() - started),
        "scored_articles": int((~train_only).sum()), "recipes": summaries},
        indent=1) + "\n", "utf-8")


def report(paths: list[str]) -> None:
    """Markdown tables (macro-F1 with its interval, then per-topic P / R / F1) of every recipe in
    the result files ``paths``, as docs/encoder.md shows them."""
    recipes = {}
    for path in paths:
        recipes.update(json.loads(Path(path).read_text("utf-8"))["recipes"])
    names = list(recipes)
    print("| recipe | repeats | macro-F1 [95 % interval] |\n|---|---|---|")
    for name in names:
        m = recipes[name]["macro_f1"]
        print(f"| {name} | {recipes[name]['repeats']} | {m['mean']:.3f} [{m['ci95'][0]:.2f}–{m['ci95'][1]:.2f}] |")
    topics = list(recipes[names[0]]["per_topic"])
    print("\n| topic (scored positives) | " + " | ".join(names) + " |\n|---|" + "---|" * len(names))
    for topic in topics:
        cells = []
        for name in names:
            t = recipes[name]["per_topic"][topic]
            cells.append(f"{t['precision']['mean']:.2f} / {t['recall']['mean']:.2f} / {t['f1']['mean']:.2f}")
        print(f"| {topic} ({recipes[names[0]]['per_topic'][topic]['support']}) | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["embed", "cv", "report", "finetune-report"])
    parser.add_argument("results", nargs="*", help="report: result files (default: --out)")
    parser.add_argument("--encoder", help="exported encoder folder (embed)")
    parser.add_argument("--cache", help="where embed writes the vectors and cv reads them")
    parser.add_argument("--data", default=str(ROOT / "data" / "corpus.jsonl"))
    parser.add_argument("--unlabelled", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--C", type=float, default=4.0)
    parser.add_argument("--folds", help="cv --finetune: which of the 5 folds, in this order (e.g. 4,3: a second "
                                        "process beside one that runs them from 0)")
    parser.add_argument("--skip-frozen", action="store_true", help="cv: only TF-IDF (and --finetune), not the "
                                                                   "frozen-vector rows")
    parser.add_argument("--finetune", help="cv: also the top-layer fine-tune, its training arguments as JSON "
                                           "(max_length among them), e.g. '{\"freeze_layers\": 11, ...}'; needs --encoder")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "e5_cv.json"))
    args = parser.parse_args()
    if args.step == "report":
        report(args.results or [args.out])
    elif args.step == "finetune-report":
        finetune_report(args)
    elif not args.cache:
        parser.error(f"{args.step} needs --cache")
    elif args.step == "embed":
        embed(args.encoder, Path(args.cache), args.data)
    else:
        cross_validate(args)


if __name__ == "__main__":
    main()
