"""The TF-IDF featurizer of the topic classifier: word n-grams and character n-grams within words.

:class:`WordCharTfidf` is a scikit-learn transformer (``fit`` / ``transform`` /
``get_feature_names_out``) that :class:`~pemilu_nlp.classify.tfidf.TfidfTopicClassifier` composes,
the way ``TfidfVectorizer`` composes ``TfidfTransformer``.  Character n-grams are the usual
bottleneck of such features in Python, so they are computed once per distinct *word* (the
:class:`WordCache`) and a document's row is the sum of its words' rows (a sparse matrix product):
the cost grows with the vocabulary of a batch, not with its length.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, count
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ...inputs import as_texts
from ...text.cleaning import stopwords, text_for_model, word_tokens
from ...validation import Validated, boolean, int_pair, integer, optional

__all__ = ["FEATURE_CONSTRAINTS", "FEATURE_PARAMS", "MAX_CACHED_WORDS", "Batch", "WordCache", "WordCharTfidf"]

#: the featurizer's settings and their limits (the classifier's settings of the same names)
FEATURE_CONSTRAINTS = {
    "word_ngram_range": int_pair(1, 2), "char_ngram_range": optional(int_pair(1, 10)), "stem": boolean,
    "min_df": integer(1, 10**9), "max_word_features": integer(1, 10**7), "max_char_features": integer(1, 10**7),
    "clean": boolean,
}
FEATURE_PARAMS = tuple(FEATURE_CONSTRAINTS)
#: at most this many words keep their character n-gram rows in a model's word cache
MAX_CACHED_WORDS = 500_000

def _tfidf_transformer(idf: np.ndarray) -> Any:
    """scikit-learn's sublinear TF-IDF (1 + log tf, times idf, rows to unit length) with the idf that
    was learned with the vocabulary (``smooth_idf``'s formula over the chosen terms), not refitted;
    ``None`` for an empty vocabulary (a tiny corpus can leave no character n-gram with df >= 2)."""
    from sklearn.feature_extraction.text import TfidfTransformer

    if len(idf) == 0:
        return None
    transformer = TfidfTransformer(sublinear_tf=True).fit(sp.csr_matrix((1, len(idf)), dtype=np.float32))
    transformer.idf_ = np.asarray(idf, dtype=np.float32)
    return transformer


def _weighted(transformer: Any, counts: sp.csr_matrix) -> sp.csr_matrix:
    """TF-IDF rows of ``counts`` in canonical column order (an empty vocabulary: no columns)."""
    counts = _canonical(counts)
    return counts if transformer is None else transformer.transform(counts)


def _canonical(counts: sp.csr_matrix) -> sp.csr_matrix:
    """Counts as float32 CSR in canonical column order: the row norm and the dot products then sum in
    the same order whatever else is in the batch, so a text gets bit-identical probabilities alone or
    batched (#14.12); through CSC, a linear-time counting sort (3x faster than per-row sorts)."""
    x = counts.tocsr().astype(np.float32)
    return x if x.has_sorted_indices else x.tocsc().tocsr()


def _char_ngrams(word: str, low: int, high: int) -> list[str]:
    padded = f" {word} "
    return [padded[i:i + n] for n in range(low, high + 1) for i in range(len(padded) - n + 1)]


@dataclass(frozen=True)
class Batch:
    """A batch of texts as ids: its distinct words, per non-stopword token its word and document
    (``flat``, ``owner``), and every token in reading order (``tokens``, ``token_owner``)."""

    words: list[str]
    flat: np.ndarray
    owner: np.ndarray
    n_docs: int
    tokens: np.ndarray
    token_owner: np.ndarray


def _sastrawi_stemmer():
    try:
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
    except ImportError as err:  # pragma: no cover - optional
        from ...errors import MissingDependencyError

        raise MissingDependencyError("stem=True needs PySastrawi: pip install PySastrawi") from err
    return StemmerFactory().create_stemmer().stem


class WordCache:
    """What a fitted model remembers per word between calls, so each word is worked on once: its
    character n-gram row, its stem (PySastrawi is slow per call) and the index of the word
    vocabulary.  Created at fit and at load (``model.word_cache_``); the values depend only on the
    fitted vocabulary, so predictions are the same with a cold or a warm cache.  ``clear()`` frees
    the memory (a benchmark clears it to time a cold start)."""

    def __init__(self) -> None:
        self.char_rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.stems: dict[str, str] = {}
        self.word_index: tuple[dict[str, int], dict[str, int], np.ndarray, np.ndarray] | None = None
        self._stem: Any = None

    def stem(self, word: str) -> str:
        stem = self.stems.get(word)
        if stem is None:
            if self._stem is None:
                self._stem = _sastrawi_stemmer()
            stem = self.stems[word] = self._stem(word) or word
        return stem

    def clear(self) -> None:
        self.char_rows.clear()
        self.stems.clear()
        self.word_index = None

    def __len__(self) -> int:
        return len(self.char_rows)


def _select(terms: Sequence[str], df: np.ndarray, n_docs: int, min_df: int,
            max_features: int) -> tuple[dict[str, int], np.ndarray]:
    """The ``max_features`` most frequent terms with ``df >= min_df`` (ties by term), sorted."""
    candidates = [(int(d), t) for t, d in zip(terms, df) if d >= min_df]
    candidates.sort(key=lambda x: (-x[0], x[1]))
    kept = sorted(candidates[:max_features], key=lambda x: x[1])
    vocab = {t: j for j, (_, t) in enumerate(kept)}
    idf = np.array([math.log((1 + n_docs) / (1 + d)) + 1 for d, _ in kept], dtype=np.float32)
    return vocab, idf


def _doc_words(batch: Batch) -> sp.csr_matrix:
    m = sp.csr_matrix((np.ones(len(batch.flat), np.float32), (batch.owner, batch.flat)),
                      shape=(batch.n_docs, len(batch.words)))
    m.sum_duplicates()
    return m


class WordCharTfidf(Validated, TransformerMixin, BaseEstimator):
    """Sublinear TF-IDF rows (documents x features) of word 1-2-grams and character n-grams within
    words, each block scaled to unit length; the columns are the word vocabulary, then the
    character n-grams (:meth:`get_feature_names_out`).

    Parameters are those of :class:`~pemilu_nlp.classify.tfidf.TfidfTopicClassifier` with the same
    names (:data:`FEATURE_PARAMS`).  Fitted: ``word_vocabulary_``, ``char_vocabulary_`` (term ->
    column), ``word_idf_``, ``char_idf_`` and the per-word ``word_cache_``.
    """

    _parameter_constraints = FEATURE_CONSTRAINTS

    def __init__(self, *, word_ngram_range: tuple[int, int] = (1, 2),
                 char_ngram_range: tuple[int, int] | None = (3, 5), stem: bool = False, min_df: int = 2,
                 max_word_features: int = 40000, max_char_features: int = 60000, clean: bool = True):
        self.word_ngram_range, self.char_ngram_range = word_ngram_range, char_ngram_range
        self.stem, self.min_df, self.clean = stem, min_df, clean
        self.max_word_features, self.max_char_features = max_word_features, max_char_features
        self._validate_params()

    # ------------------------------------------------------------------------------------ public
    def fit(self, X: Iterable[str], y: Any = None) -> WordCharTfidf:
        """Learn the vocabularies and idf from texts (no labels needed)."""
        return self.fit_batch(self.encode(as_texts(X)[0]))

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """The feature rows of texts, once vocabularies are learned."""
        check_is_fitted(self, "word_vocabulary_")
        return self.transform_batch(self.encode(as_texts(X)[0]))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Column names: word n-grams as they are, character n-grams as ``char:'..'``."""
        check_is_fitted(self, "word_vocabulary_")
        names = [""] * (len(self.word_vocabulary_) + len(self.char_vocabulary_))
        for term, j in self.word_vocabulary_.items():
            names[j] = term
        offset = len(self.word_vocabulary_)
        for gram, j in self.char_vocabulary_.items():
            names[offset + j] = f"char:{gram!r}"
        return np.asarray(names, dtype=object)

    @classmethod
    def from_vocabulary(cls, words: Sequence[str], grams: Sequence[str], word_idf: np.ndarray,
                        char_idf: np.ndarray, **params: Any) -> WordCharTfidf:
        """A fitted featurizer from saved vocabularies (in column order) and idf."""
        features = cls(**params)
        features.word_vocabulary_ = {t: j for j, t in enumerate(words)}
        features.char_vocabulary_ = {t: j for j, t in enumerate(grams)}
        features.word_idf_, features.char_idf_ = word_idf, char_idf
        features._set_tfidf()
        return features

    def fit_batch(self, batch: Batch) -> WordCharTfidf:
        """:meth:`fit` on an encoded batch (:meth:`encode`)."""
        self._validate_params()
        self.word_cache_ = WordCache()
        self._fit_word_vocabulary(batch)
        if self.char_ngram_range:
            self._fit_char_vocabulary(batch)
        else:
            self.char_vocabulary_, self.char_idf_ = {}, np.zeros(0, np.float32)
        self._set_tfidf()
        return self

    def _set_tfidf(self) -> None:
        """The two TF-IDF transforms (words, character n-grams) of the learned idf: ``tfidf_``."""
        if not hasattr(self, "word_cache_"):
            self.word_cache_ = WordCache()
        self.tfidf_ = (_tfidf_transformer(self.word_idf_),
                       _tfidf_transformer(self.char_idf_) if self.char_ngram_range else None)

    # ------------------------------------------------------------------------------------ encoding
    def encode(self, texts: Sequence[str]) -> Batch:
        stop = stopwords()
        local: defaultdict[str, int] = defaultdict(count().__next__)  # new word -> next id, at C speed
        lookup = local.__getitem__
        per_doc = []
        for text in texts:
            text = text_for_model(text, clean=self.clean)
            per_doc.append(list(map(lookup, word_tokens(text))))
        words = list(local)
        lengths = np.fromiter(map(len, per_doc), np.int64, len(per_doc))
        flat = np.fromiter(chain.from_iterable(per_doc), np.int64, int(lengths.sum()))
        owner = np.repeat(np.arange(len(per_doc)), lengths)
        keep = ~np.fromiter((w in stop for w in words), bool, len(words))[flat] if len(flat) else np.zeros(0, bool)
        return Batch(words, flat[keep], owner[keep], len(per_doc), flat, owner)

    def _feature_words(self, words: list[str]) -> list[str]:
        if not self.stem:
            return words
        return list(map(self.word_cache_.stem, words))

    def _ngram_sizes(self) -> tuple[bool, bool]:
        """Whether word unigrams and bigrams are features (``word_ngram_range`` is checked)."""
        low, high = self.word_ngram_range
        return low == 1, high == 2

    def _word_index(self) -> tuple[dict[str, int], dict[str, int], np.ndarray, np.ndarray]:
        """Unigram columns, bigram word ids, and the sorted bigram keys with their columns."""
        if self.word_cache_.word_index is not None:
            return self.word_cache_.word_index
        unigrams: dict[str, int] = {}
        bigram_words: dict[str, int] = {}
        keys = []
        for term, col in self.word_vocabulary_.items():
            first, _, second = term.partition(" ")
            if not second:
                unigrams[term] = col
                continue
            a = bigram_words.setdefault(first, len(bigram_words))
            b = bigram_words.setdefault(second, len(bigram_words))
            keys.append((a, b, col))
        nb = max(len(bigram_words), 1)
        key_arr = np.array([a * nb + b for a, b, _ in keys], dtype=np.int64)
        col_arr = np.array([c for _, _, c in keys], dtype=np.int64)
        order = np.argsort(key_arr)
        self.word_cache_.word_index = (unigrams, bigram_words, key_arr[order], col_arr[order])
        return self.word_cache_.word_index

    def _count_words(self, batch: Batch) -> sp.csr_matrix:
        use_uni, use_bi = self._ngram_sizes()
        unigrams, bigram_words, keys, key_cols = self._word_index()
        fwords = self._feature_words(batch.words)
        rows, cols = [], []
        if use_uni:
            uni = np.fromiter((unigrams.get(f, -1) for f in fwords), np.int64, len(fwords))[batch.flat]
            hit = uni >= 0
            rows.append(batch.owner[hit])
            cols.append(uni[hit])
        if use_bi and len(batch.flat) > 1 and len(keys):
            nb = max(len(bigram_words), 1)
            bw = np.fromiter((bigram_words.get(f, -1) for f in fwords), np.int64, len(fwords))[batch.flat]
            ok = (batch.owner[:-1] == batch.owner[1:]) & (bw[:-1] >= 0) & (bw[1:] >= 0)
            key = bw[:-1][ok] * nb + bw[1:][ok]
            pos = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
            hit = keys[pos] == key
            rows.append(batch.owner[:-1][ok][hit])
            cols.append(key_cols[pos[hit]])
        row = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        col = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        m = sp.csr_matrix((np.ones(len(row), np.float32), (row, col)),
                          shape=(batch.n_docs, len(self.word_vocabulary_)))
        m.sum_duplicates()
        return m

    def _char_rows(self, words: list[str], vocab: dict[str, int] | None = None) -> sp.csr_matrix:
        """Character n-gram counts of each word (words x n-gram vocabulary), cached per word."""
        if vocab is None:
            vocab = self.char_vocabulary_
            cache = self.word_cache_.char_rows
        else:
            cache = {}
        low, high = self.char_ngram_range
        indptr = np.zeros(len(words) + 1, dtype=np.int64)
        indices, data = [], []
        for i, word in enumerate(words):
            row = cache.get(word)
            if row is None:
                counts = Counter(j for j in map(vocab.get, _char_ngrams(word, low, high)) if j is not None)
                row = (np.fromiter(counts.keys(), np.int64, len(counts)),
                       np.fromiter(counts.values(), np.float32, len(counts)))
                if len(cache) < MAX_CACHED_WORDS:
                    cache[word] = row
            indices.append(row[0])
            data.append(row[1])
            indptr[i + 1] = indptr[i] + len(row[0])
        return sp.csr_matrix(
            (np.concatenate(data) if data else np.zeros(0, np.float32),
             np.concatenate(indices) if indices else np.zeros(0, np.int64), indptr),
            shape=(len(words), len(vocab)))

    def transform_batch(self, batch: Batch) -> sp.csr_matrix:
        """:meth:`transform` of an encoded batch (:meth:`encode`)."""
        word_tfidf, char_tfidf = self.tfidf_
        blocks = [_weighted(word_tfidf, self._count_words(batch))]
        if self.char_ngram_range:
            # the product's column order follows the batch's word order; _canonical sorts it,
            # so a document's probabilities are bit-identical in any batch or chunk (--jobs relies on it)
            counts = sp.csr_matrix(_doc_words(batch) @ self._char_rows(batch.words))
            blocks.append(_weighted(char_tfidf, counts))
        return sp.hstack(blocks, format="csr")

    def _fit_word_vocabulary(self, batch: Batch) -> None:
        use_uni, use_bi = self._ngram_sizes()
        fwords = self._feature_words(batch.words)
        index: dict[str, int] = {}
        fid = np.fromiter((index.setdefault(f, len(index)) for f in fwords), np.int64, len(fwords))
        names = list(index)
        n_f = max(len(names), 1)
        uni = fid[batch.flat]
        terms: list[str] = []
        dfs: list[np.ndarray] = []
        if use_uni:
            pairs = np.unique(batch.owner * n_f + uni)
            df = np.bincount(pairs % n_f, minlength=len(names))
            terms += names
            dfs.append(df)
        if use_bi and len(uni) > 1:
            same = batch.owner[:-1] == batch.owner[1:]
            key = uni[:-1][same] * n_f + uni[1:][same]
            per_doc = np.unique(batch.owner[:-1][same] * (n_f * n_f) + key) % (n_f * n_f)
            keys, df = np.unique(per_doc, return_counts=True)
            frequent = df >= self.min_df
            terms += [f"{names[k // n_f]} {names[k % n_f]}" for k in keys[frequent]]
            dfs.append(df[frequent])
        all_df = np.concatenate(dfs) if dfs else np.zeros(0, np.int64)
        self.word_vocabulary_, self.word_idf_ = _select(terms, all_df, batch.n_docs, self.min_df,
                                                             self.max_word_features)

    def _fit_char_vocabulary(self, batch: Batch) -> None:
        low, high = self.char_ngram_range
        present = np.unique(batch.flat)  # non-stopword words that occur
        words = [batch.words[i] for i in present]
        grams: dict[str, int] = {}
        for word in words:
            for g in _char_ngrams(word, low, high):
                grams.setdefault(g, len(grams))
        word_grams = (self._char_rows(words, grams) > 0).astype(np.float32)
        remap = np.full(len(batch.words), -1, dtype=np.int64)
        remap[present] = np.arange(len(present))
        doc_words = sp.csr_matrix((np.ones(len(batch.flat), np.float32), (batch.owner, remap[batch.flat])),
                                  shape=(batch.n_docs, len(words)))
        doc_words.data[:] = 1.0
        df = np.asarray(((doc_words @ word_grams) > 0).sum(axis=0)).ravel()
        self.char_vocabulary_, self.char_idf_ = _select(list(grams), df, batch.n_docs,
                                                             max(self.min_df, 2), self.max_char_features)
