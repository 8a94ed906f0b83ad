"""The schema's cue phrases as prior knowledge: a label-free score per topic, and a per-topic blend
weight chosen from out-of-fold scores.

Each topic of a schema lists a few cue phrases an annotator looks for (``cues`` in
``topics.json``).  A cue alone does not decide a topic (the guide says so), but for a topic with a
handful of examples it says more than a regression fitted on them can.  The score of a topic in an
article is ``c / (c + 1)`` for ``c`` occurrences of its cues (whole words in a row, case-folded): 0 without a
cue, 0.5 with one, towards 1 with many.  A model blends it with its own probability as
``(1 - w) p + w s``, with ``w`` chosen per topic where it can be checked: on out-of-fold scores of
the labelled articles, by F1 at each blend's own out-of-fold threshold
(:func:`~pemilu_nlp.classify.thresholds.oof_threshold`); a topic keeps ``w = 0`` unless a blend does better.

>>> from pemilu_nlp.classify.cues import CueCounter, cue_scores
>>> counts = CueCounter().counts(["Razia kamar di Lapas Kelas IIA: petugas lapas menyita ponsel."])
>>> counts[0, :3].tolist()                     # pemilu, keamanan_lapas, kerja_sama_mou (shipped schema)
[0.0, 3.0, 0.0]
>>> cue_scores(counts)[0, 1].item()
0.75
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..io.schema import SchemaLike, as_schema
from ..text.cleaning import word_tokens
from .thresholds import oof_threshold

__all__ = ["CUE_WEIGHTS", "CueCounter", "blend", "choose_cue_weights", "cue_scores"]

#: the blend weights tried per topic
CUE_WEIGHTS = (0.0, 0.25, 0.5, 0.75)


class CueCounter:
    """Counts each topic's cue phrases among an article's words (the words of
    :func:`pemilu_nlp.text.cleaning.word_tokens`; :meth:`counts` reads the text as given, the TF-IDF
    model's ``cue_counts`` the words it read, after cleaning): a phrase counts where
    its words stand in a row; longest phrase first; a phrase that is a cue of several topics counts
    for each."""

    def __init__(self, schema: SchemaLike = None):
        topics = as_schema(schema)
        self.n_topics = len(topics)
        phrases: dict[tuple[str, ...], list[int]] = {}
        for j, topic in enumerate(topics):
            for cue in topic.cues:
                words = tuple(word_tokens(cue))
                if words:
                    phrases.setdefault(words, []).append(j)
        #: first word -> (phrase words, topics), longest phrase first
        self.by_first: dict[str, list[tuple[tuple[str, ...], list[int]]]] = {}
        for words, topic_ids in sorted(phrases.items(), key=lambda item: -len(item[0])):
            self.by_first.setdefault(words[0], []).append((words, topic_ids))

    def counts(self, texts: Sequence[str]) -> np.ndarray:
        """Texts x topics: occurrences of each topic's cues."""
        per_doc = [word_tokens(text) for text in texts]
        vocabulary: dict[str, int] = {}
        tokens = np.array([vocabulary.setdefault(w, len(vocabulary)) for doc in per_doc for w in doc], dtype=np.int64)
        owner = np.repeat(np.arange(len(per_doc)), [len(doc) for doc in per_doc])
        return self.count_tokens(list(vocabulary), tokens, owner, len(per_doc))

    def count_tokens(self, words: Sequence[str], tokens: np.ndarray, owner: np.ndarray, n_docs: int) -> np.ndarray:
        """The same counts from a tokenised batch: ``words`` (distinct), ``tokens`` (word ids in reading
        order) and ``owner`` (each token's document), e.g. what the TF-IDF model already made."""
        out = np.zeros((n_docs, self.n_topics), dtype=np.float64)
        word_ids = {w: i for i, w in enumerate(words)}
        firsts = {word_ids[w]: w for w in self.by_first if w in word_ids}
        if not firsts:
            return out
        resume = 0
        for pos in np.flatnonzero(np.isin(tokens, list(firsts))):
            if pos < resume:
                continue  # inside the phrase just counted
            for phrase, topic_ids in self.by_first[firsts[int(tokens[pos])]]:
                end = pos + len(phrase)
                if end <= len(tokens) and owner[end - 1] == owner[pos] and all(
                        word_ids.get(w, -1) == t for w, t in zip(phrase[1:], tokens[pos + 1:end])):
                    out[owner[pos], topic_ids] += 1.0
                    resume = end
                    break
        return out


def cue_scores(counts: np.ndarray) -> np.ndarray:
    """``c / (c + 1)``: 0 without a cue, rising towards 1 with every further one."""
    return counts / (counts + 1.0)


def blend(proba: np.ndarray, scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``(1 - w) p + w s`` per topic column."""
    weights = np.asarray(weights, dtype=np.float64)
    return (1.0 - weights) * proba + weights * scores


def _oof_f1(y: np.ndarray, scores: np.ndarray, shrink: float) -> float:
    predicted = scores >= oof_threshold(y, scores, shrink=shrink)
    return 2 * int((predicted & (y == 1)).sum()) / max(int(predicted.sum()) + int(y.sum()), 1)


def choose_cue_weights(Y: np.ndarray, oof: np.ndarray, scores: np.ndarray, *,
                       weights: Sequence[float] = CUE_WEIGHTS, shrink: float = 5.0) -> np.ndarray:
    """Per topic, the blend weight whose out-of-fold F1 (at its own out-of-fold threshold) is best;
    ties keep the smaller weight, so a topic without useful cues keeps its model alone."""
    Y = np.asarray(Y)
    chosen = np.zeros(Y.shape[1])
    for j in range(Y.shape[1]):
        best = -1.0
        for w in weights:
            f1 = _oof_f1(Y[:, j], (1 - w) * oof[:, j] + w * scores[:, j], shrink)
            if f1 > best + 1e-9:
                best, chosen[j] = f1, w
    return chosen
