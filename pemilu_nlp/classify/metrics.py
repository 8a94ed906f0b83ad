"""Multi-label evaluation: micro/macro F1, per-topic P/R/F1, and a confusion summary."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support

__all__ = ["format_report", "macro_f1", "multilabel_report"]


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Macro F1 over the topics that have gold positives (a topic absent from the data set is not
    scored, so a small dev set does not cap the score)."""
    y_true, y_pred = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    present = y_true.sum(axis=0) > 0
    if not present.any():
        return 0.0
    return float(f1_score(y_true[:, present], y_pred[:, present], average="macro", zero_division=0))


def multilabel_report(y_true: np.ndarray, y_pred: np.ndarray, topics: Sequence[str]) -> dict:
    """Scores of binary predictions against gold labels, as a JSON-ready dict.

    The confusion summary counts, for each wrongly predicted topic, which gold topics the article
    had instead ("none" for an article with no topic): that is where an analyst looks first.
    """
    y_true = np.asarray(y_true).astype(int)
    y_pred = np.asarray(y_pred).astype(int)
    p, r, f, support = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0)
    per_topic = {
        t: {"precision": round(float(p[j]), 4), "recall": round(float(r[j]), 4), "f1": round(float(f[j]), 4),
            "support": int(support[j]), "predicted": int(y_pred[:, j].sum())}
        for j, t in enumerate(topics)
    }
    present = [j for j in range(len(topics)) if support[j] > 0]
    confusions: Counter[tuple[str, str]] = Counter()
    for i in range(len(y_true)):
        gold = [topics[j] for j in np.flatnonzero(y_true[i])] or ["none"]
        for j in np.flatnonzero(y_pred[i] & (1 - y_true[i])):
            for g in gold:
                confusions[(g, topics[j])] += 1
    return {
        "documents": len(y_true),
        "micro_f1": round(float(f1_score(y_true, y_pred, average="micro", zero_division=0)), 4),
        "macro_f1": round(float(np.mean(f[present])) if present else 0.0, 4),
        "macro_f1_topics": [topics[j] for j in present],
        "samples_exact_match": round(float(np.mean((y_true == y_pred).all(axis=1))), 4),
        "per_topic": per_topic,
        "confusions": [{"gold": g, "predicted": t, "count": n} for (g, t), n in confusions.most_common(10)],
    }


def format_report(report: dict, title: str = "") -> str:
    """A plain-text table of :func:`multilabel_report`'s output."""
    lines = [title] if title else []
    lines.append(f"documents {report['documents']}  micro-F1 {report['micro_f1']:.3f}  "
                 f"macro-F1 {report['macro_f1']:.3f} (over {len(report['macro_f1_topics'])} topics with test "
                 f"positives)  exact match {report['samples_exact_match']:.3f}")
    lines.append(f"{'topic':<24} {'prec':>6} {'rec':>6} {'f1':>6} {'support':>8} {'pred':>6}")
    for topic, s in report["per_topic"].items():
        lines.append(f"{topic:<24} {s['precision']:>6.3f} {s['recall']:>6.3f} {s['f1']:>6.3f} "
                     f"{s['support']:>8d} {s['predicted']:>6d}")
    if report["confusions"]:
        lines.append("most frequent false positives (gold -> predicted: count): " + "; ".join(
            f"{c['gold']} -> {c['predicted']}: {c['count']}" for c in report["confusions"][:6]))
    return "\n".join(lines)
