"""Word vectors learned from unlabelled news: PPMI + truncated SVD, shared by every model.

No pretrained Indonesian embeddings can be downloaded here, so vectors are learned with the
classic recipe of Levy & Goldberg (2014): positive PMI of word co-occurrence, reduced by truncated
SVD.  Seconds on a CPU for ten thousand articles, and they carry what a few labelled articles
cannot (``kepolisian`` ~ ``polisi``, ``warga binaan`` ~ ``narapidana``).  The neural summariser
reads sentences through them; the topic classifier can add a document's mean vector beside its
TF-IDF features.  One implementation, imported by both.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["document_vectors", "train_word_vectors", "word_tokens"]

_TOKEN = re.compile(r"\w+|[^\w\s]")


def word_tokens(text: str) -> list[str]:
    """Lower-cased words and punctuation marks (IndoSum's tokenisation, closely enough)."""
    return _TOKEN.findall(text.lower())


def train_word_vectors(texts: Iterable[str], *, dim: int = 100, window: int = 4, min_count: int = 3,
                       max_words: int = 30000, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Word vectors from raw texts: positive PMI of co-occurrence within ``window`` words
    (context counts smoothed with exponent 0.75), reduced by truncated SVD; rows of unit length.
    Returns the words (most frequent first) and a ``len(words) x dim`` matrix."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import svds

    documents = [word_tokens(t) for t in texts]
    counts = Counter(w for doc in documents for w in doc)
    words = [w for w, c in counts.most_common(max_words) if c >= min_count]
    if len(words) <= dim:
        raise ValueError(f"only {len(words)} words occur {min_count}+ times: too little text for {dim}-d vectors")
    index = {w: i for i, w in enumerate(words)}
    rows, cols = [], []
    for doc in documents:
        ids = np.array([index.get(w, -1) for w in doc], dtype=np.int64)
        for k in range(1, window + 1):
            a, b = ids[:-k], ids[k:]
            ok = (a >= 0) & (b >= 0)
            rows += [a[ok], b[ok]]
            cols += [b[ok], a[ok]]
    n = len(words)
    r, c = (np.concatenate(rows), np.concatenate(cols)) if rows else (np.zeros(0, np.int64),) * 2
    cooc = sp.coo_matrix((np.ones(len(r)), (r, c)), shape=(n, n)).tocsr().tocoo()  # sums duplicates
    total = cooc.data.sum()
    word_p = np.asarray(cooc.sum(axis=1)).ravel() / total
    context = np.asarray(cooc.sum(axis=0)).ravel() ** 0.75
    context_p = context / context.sum()
    pmi = np.log(cooc.data / total / (word_p[cooc.row] * context_p[cooc.col]))
    keep = pmi > 0
    ppmi = sp.csr_matrix((pmi[keep], (cooc.row[keep], cooc.col[keep])), shape=(n, n))
    u, s, _ = svds(ppmi, k=dim, random_state=seed)
    vectors = u[:, ::-1] * np.sqrt(s[::-1])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-8
    return words, vectors.astype(np.float32)


def document_vectors(texts: Sequence[str], words: Sequence[str], vectors: np.ndarray, *,
                     weights: np.ndarray | None = None) -> np.ndarray:
    """Each text as the (optionally weighted) mean of its known words' vectors, scaled to unit length.

    ``weights`` gives one weight per word (e.g. idf); a text without a known word is a zero row.
    """
    import scipy.sparse as sp

    index = {w: i for i, w in enumerate(words)}
    rows, cols = [], []
    for r, text in enumerate(texts):
        ids = [index[t] for t in word_tokens(text) if t in index]
        rows += [r] * len(ids)
        cols += ids
    counts = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(texts), len(words)))
    counts.sum_duplicates()
    if weights is not None:
        counts = counts @ sp.diags(np.asarray(weights, dtype=np.float32))
    out = np.asarray(counts @ vectors, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return out / norms
