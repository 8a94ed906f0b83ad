"""Cascade suite: TF-IDF answers the documents it is confident about, IndoBERT the rest, against
IndoBERT alone; the margin is the smallest share sent on that keeps the target agreement."""
from __future__ import annotations

from argparse import Namespace
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import logit

from .core import Measurement, timed

__all__ = ["bench_cascade", "tfidf_confident"]


def tfidf_confident(proba: np.ndarray, thresholds: np.ndarray, margin: float) -> np.ndarray:
    """Documents whose every TF-IDF probability is at least ``margin`` from its topic's threshold in
    log-odds: their label set would not change under a small shift, so the cheap model answers
    them.  Log-odds, not probability: a topic whose threshold is 0.02 has every probability within
    0.03 of it, yet 0.001 is far from 0.02 (three units of log-odds) and 0.5 is near 0.45."""
    eps = 1e-6
    p = np.clip(np.asarray(proba, dtype=float), eps, 1 - eps)
    t = np.clip(np.asarray(thresholds, dtype=float), eps, 1 - eps)
    return np.abs(logit(p) - logit(t)).min(axis=1) >= margin


def bench_cascade(texts: Sequence[str], bert_model: Any, *, margins: Sequence[float] = (
        0.0, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0),
        target_agreement: float = 0.95) -> tuple[list[Measurement], dict]:
    """TF-IDF answers where confident, the rest goes to IndoBERT; against IndoBERT alone.

    Every margin's agreement (identical label set) with IndoBERT-only output and share sent on
    is computed from the two full runs; the smallest share that reaches ``target_agreement`` is
    then run for real, timed, and its agreement checked again."""
    from ..registry import load_default

    tfidf = load_default()
    texts = list(texts)
    n = len(texts)
    t_model, p_tfidf = timed("cascade", "TF-IDF only", lambda: tfidf.predict_proba(texts), n, {})
    t_bert, p_bert = timed("cascade", f"IndoBERT only ({bert_model.precision})",
                           lambda: bert_model.predict_proba(texts), n, {"precision": bert_model.precision})
    d_tfidf, d_bert = tfidf.decide(p_tfidf), bert_model.decide(p_bert)
    t_model.quality = {"agreement_with_indobert_only": round(float((d_tfidf == d_bert).all(axis=1).mean()), 4)}
    t_bert.quality = {"agreement_with_indobert_only": 1.0}
    sweep = []
    for margin in margins:
        confident = tfidf_confident(p_tfidf, tfidf.thresholds_, margin)
        decided = np.where(confident[:, None], d_tfidf, d_bert)
        sweep.append({"margin": margin, "share_sent_to_indobert": round(float(1 - confident.mean()), 4),
                      "agreement_with_indobert_only": round(float((decided == d_bert).all(axis=1).mean()), 4)})
    reaching = [s for s in sweep if s["agreement_with_indobert_only"] >= target_agreement]
    chosen = min(reaching, key=lambda s: s["share_sent_to_indobert"]) if reaching else sweep[-1]
    margin = chosen["margin"]

    def cascade() -> np.ndarray:
        proba = tfidf.predict_proba(texts)
        decided = np.asarray(tfidf.decide(proba))
        rest = np.flatnonzero(~tfidf_confident(proba, tfidf.thresholds_, margin))
        if len(rest):
            decided[rest] = bert_model.decide(bert_model.predict_proba([texts[i] for i in rest]))
        return decided

    m, decided = timed("cascade", f"cascade, margin {margin}", cascade, n,
                       {"margin": margin, "target_agreement": target_agreement})
    m.quality = {"agreement_with_indobert_only": round(float((decided == d_bert).all(axis=1).mean()), 4),
                 "share_sent_to_indobert": chosen["share_sent_to_indobert"],
                 "speedup_vs_indobert_only": round(t_bert.seconds / m.seconds, 3),
                 "reached_target": bool(reaching)}
    for row in (t_model, t_bert, m):
        row.ratio_to_naive = None
    return [t_bert, t_model, m], {"target_agreement": target_agreement, "sweep": sweep}


def run(args: Namespace, articles: list[str], notes: list[str], extra: dict) -> list[Measurement]:
    """The suite as ``pemilu-nlp bench --parts cascade`` runs it: the corpus test split, IndoBERT from
    --model (default: the fine-tuned tiny BERT, built once in --workdir); the sweep goes to ``extra``."""
    from ..classify.indobert.model import IndoBertTopicClassifier
    from ..io.corpus import load_corpus, load_split, split_corpus
    from ..learn.training import default_split_path
    from .data import corpus_path
    from .indobert import finetuned_tiny

    folder = args.model
    if not folder:
        folder, info = finetuned_tiny(Path(args.workdir), args.corpus)
        notes.append(f"cascade IndoBERT: {folder}: {info}")
    bert = IndoBertTopicClassifier.load(folder, device="cpu")
    path = corpus_path(args.corpus)
    test = split_corpus(load_corpus(path), load_split(default_split_path(path)))["test"]
    rows, extra["cascade"] = bench_cascade([a.model_text for a in test], bert, target_agreement=args.cascade_target)
    notes.append(f"cascade: the corpus test split ({len(test)} articles); agreement = identical label set "
                 "to IndoBERT-only output")
    return rows
