"""The TF-IDF + logistic-regression topic classifier: the fast baseline that runs anywhere.

Features are word uni/bigrams and character n-grams within words (Indonesian affixes meN-/di-/
ber-/-kan/-an and reduplication make sub-word features pay off).  Character n-grams are the usual
bottleneck of such models in Python, so they are computed once per distinct *word* and a
document's row is the sum of its words' rows (a sparse matrix product): the cost grows with the
vocabulary of a batch, not with its length.  One logistic regression per topic gives a
probability; a per-topic threshold (by default from out-of-fold scores of the training articles,
see :class:`~pemilu_nlp.classify.base.TopicClassifier`) turns it into a decision.

Saved as safetensors arrays + JSON vocabularies; nothing is unpickled on load.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, count
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.utils.validation import check_is_fitted

from ...errors import ModelFormatError, UnknownLabelError
from ...inputs import as_texts, check_one_text
from ...io import persistence as allowed  # the allowed range of each saved setting
from ...io.persistence import (
    ModelFormat,
    check_array,
    check_string_list,
    check_thresholds,
    open_folder,
    save_folder,
)
from ...io.schema import MODEL_SCHEMA_FILE, model_schema_files, read_model_schema, write_model_schema
from ...text.cleaning import stopwords, text_for_model, word_tokens
from ..base import THRESHOLD_RULES, TopicClassifier
from ..cues import CueCounter, blend, choose_cue_weights, cue_scores

__all__ = ["FORMAT", "HeadScorer", "TfidfTopicClassifier", "WordCache"]

#: the allowed range of every saved setting, checked on load before anything is allocated
PARAMS = {
    "word_ngram_range": allowed.int_pair(1, 2), "char_ngram_range": allowed.optional(allowed.int_pair(1, 10)),
    "stem": allowed.boolean, "min_df": allowed.integer(1, 10**9), "max_word_features": allowed.integer(1, 10**7),
    "max_char_features": allowed.integer(1, 10**7), "C": allowed.number(0, 1e12, low_open=True),
    "class_weight": allowed.choice("balanced", None), "clean": allowed.boolean,
    "random_state": allowed.optional(allowed.integer(-2**63, 2**64)), "dual": allowed.boolean,
    "thresholds": allowed.choice(*THRESHOLD_RULES), "cue_prior": allowed.boolean,
}
FORMAT = ModelFormat("pemilu_nlp.tfidf", 1, PARAMS)
WEIGHTS = "weights.safetensors"
VOCABULARY = "vocabulary.json"
#: out-of-fold scores for ``thresholds="oof"``: inner folds, repeats and their seed (the shipped
#: model's thresholds were chosen with these)
OOF_SPLITS, OOF_REPEATS, OOF_SEED = 5, 2, 0
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
class _Batch:
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


class TfidfTopicClassifier(TopicClassifier):
    """Multi-label topic classifier over TF-IDF word and character n-grams.

    Parameters
    ----------
    word_ngram_range : (int, int)
        Word n-gram sizes.
    char_ngram_range : (int, int) or None
        Character n-gram sizes inside words; ``None`` for word features only.
    stem : bool
        Stem words with PySastrawi before word n-grams.
    min_df, max_word_features, max_char_features :
        Vocabulary pruning (by document frequency).
    C : float
        Inverse regularisation of each topic's logistic regression.
    class_weight : "balanced" or None
        Reweights rare topics' positives.
    dual : bool
        Solve each regression in its dual form (the same objective; the solver stops at a slightly
        different point): about ten times faster to fit when
        features outnumber articles (as here).
    clean : bool
        Run :func:`pemilu_nlp.text.cleaning.clean_text` on each input (turn off for pre-cleaned text).
    thresholds : "oof", "dev" or "fixed"
        How :meth:`fit` sets each topic's decision threshold: from out-of-fold scores of the
        training texts (the per-topic regressions refitted on inner folds, vocabulary kept), F1-best
        on ``X_dev``/``y_dev``, or 0.5.
    cue_prior : bool
        Blend each topic's probability with a score from the schema's cue phrases,
        ``(1 - w) p + w s`` (:mod:`pemilu_nlp.classify.cues`), with ``w`` per topic chosen from the same
        out-of-fold scores as the thresholds (so only with ``thresholds="oof"``); a topic whose cues
        do not help keeps ``w = 0``.  ``predict_proba`` then returns the blended score.

    ``fit(X, y, *, X_dev=None, y_dev=None, schema=None, unlabelled=None)``: ``unlabelled`` are more
    texts (e.g. unlabelled news) that the vocabularies and idf are learned from together with ``X``.

    Examples
    --------
    >>> from pemilu_nlp import load_default
    >>> model = load_default()
    >>> model.predict_topics("Polres menggelar apel gelar pasukan pengamanan TPS Pemilu 2024.")
    ['pemilu', 'operasi_pengamanan']
    >>> model.predict(["Polres menggelar apel gelar pasukan pengamanan TPS Pemilu 2024."]).shape
    (1, 11)
    """

    def __init__(self, *, word_ngram_range: tuple[int, int] = (1, 2),
                 char_ngram_range: tuple[int, int] | None = (3, 5), stem: bool = False, min_df: int = 2,
                 max_word_features: int = 40000, max_char_features: int = 60000, C: float = 32.0,
                 class_weight: str | None = "balanced", clean: bool = True, random_state: int = 0,
                 dual: bool = True, thresholds: str = "oof", cue_prior: bool = True):
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.stem = stem
        self.min_df = min_df
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.C = C
        self.class_weight = class_weight
        self.clean = clean
        self.random_state = random_state
        self.dual = dual
        self.thresholds = thresholds
        self.cue_prior = cue_prior

    # ------------------------------------------------------------------------------------ features
    # Python touches each token once (a dict lookup that gives it a batch-local word id); every
    # later step works on the distinct words of the batch or on numpy arrays of ids.
    def _encode(self, texts: Sequence[str]) -> _Batch:
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
        return _Batch(words, flat[keep], owner[keep], len(per_doc), flat, owner)

    def _feature_words(self, words: list[str]) -> list[str]:
        if not self.stem:
            return words
        return list(map(self.word_cache_.stem, words))

    def _check_ngram_range(self) -> tuple[bool, bool]:
        low, high = self.word_ngram_range
        if not 1 <= low <= high <= 2:
            raise ValueError(f"word_ngram_range must be (1, 1), (1, 2) or (2, 2), got {self.word_ngram_range}")
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

    def _count_words(self, batch: _Batch) -> sp.csr_matrix:
        use_uni, use_bi = self._check_ngram_range()
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

    @staticmethod
    def _doc_words(batch: _Batch) -> sp.csr_matrix:
        m = sp.csr_matrix((np.ones(len(batch.flat), np.float32), (batch.owner, batch.flat)),
                          shape=(batch.n_docs, len(batch.words)))
        m.sum_duplicates()
        return m

    def _features(self, batch: _Batch) -> sp.csr_matrix:
        word_tfidf, char_tfidf = self.tfidf_
        blocks = [_weighted(word_tfidf, self._count_words(batch))]
        if self.char_ngram_range:
            # the product's column order follows the batch's word order; _canonical sorts it,
            # so a document's probabilities are bit-identical in any batch or chunk (--jobs relies on it)
            counts = sp.csr_matrix(self._doc_words(batch) @ self._char_rows(batch.words))
            blocks.append(_weighted(char_tfidf, counts))
        return sp.hstack(blocks, format="csr")

    @staticmethod
    def _select(terms: Sequence[str], df: np.ndarray, n_docs: int, min_df: int,
                max_features: int) -> tuple[dict[str, int], np.ndarray]:
        """The ``max_features`` most frequent terms with ``df >= min_df`` (ties by term), sorted."""
        candidates = [(int(d), t) for t, d in zip(terms, df) if d >= min_df]
        candidates.sort(key=lambda x: (-x[0], x[1]))
        kept = sorted(candidates[:max_features], key=lambda x: x[1])
        vocab = {t: j for j, (_, t) in enumerate(kept)}
        idf = np.array([math.log((1 + n_docs) / (1 + d)) + 1 for d, _ in kept], dtype=np.float32)
        return vocab, idf

    def _fit_word_vocabulary(self, batch: _Batch) -> None:
        use_uni, use_bi = self._check_ngram_range()
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
        self.word_vocabulary_, self.word_idf_ = self._select(terms, all_df, batch.n_docs, self.min_df,
                                                             self.max_word_features)

    def _fit_char_vocabulary(self, batch: _Batch) -> None:
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
        self.char_vocabulary_, self.char_idf_ = self._select(list(grams), df, batch.n_docs,
                                                             max(self.min_df, 2), self.max_char_features)

    # ------------------------------------------------------------------------------------ fitting
    def fit_features(self, texts: Iterable[str]) -> TfidfTopicClassifier:
        """Learn the vocabularies and idf only (no labels needed): e.g. from unlabelled news."""
        texts, _ = as_texts(texts)
        self._check_ngram_range()
        self.word_cache_ = WordCache()
        batch = self._encode(texts)
        self._fit_word_vocabulary(batch)
        if self.char_ngram_range:
            self._fit_char_vocabulary(batch)
        else:
            self.char_vocabulary_, self.char_idf_ = {}, np.zeros(0, np.float32)
        self._set_tfidf()
        self.cue_counter_ = CueCounter(getattr(self, "schema_", None))
        return self

    def _set_tfidf(self) -> None:
        """The two TF-IDF transforms (words, character n-grams) of the learned idf: ``tfidf_``."""
        self.tfidf_ = (_tfidf_transformer(self.word_idf_),
                       _tfidf_transformer(self.char_idf_) if self.char_ngram_range else None)

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """The feature rows (documents x features) of texts, once vocabularies are learned."""
        check_is_fitted(self, "word_vocabulary_")
        return self._features(self._encode(as_texts(X)[0]))

    def _fit(self, texts: list[str], Y: np.ndarray, *, dev: Any = None,
             unlabelled: Iterable[str] | None = None) -> None:
        """Vocabularies and idf (from ``texts`` and ``unlabelled``), then one regression per topic."""
        extra = list(unlabelled) if unlabelled is not None else []
        self.fit_features(texts + extra if extra else texts)
        self.n_unlabelled_ = len(extra)
        features = self.transform(texts)
        self.coef_, self.intercept_, untrained = _fit_heads(self, features, Y)
        self.untrained_topics_ = [str(self.classes_[j]) for j in untrained]
        self.n_features_ = features.shape[1]
        self.cue_weights_ = np.zeros(len(self.classes_))  # chosen with the thresholds (_oof_proba)

    def _oof_proba(self, texts: list[str], Y: np.ndarray) -> np.ndarray:
        """Out-of-fold probabilities of the training texts: the per-topic regressions refitted on
        inner folds (:func:`~pemilu_nlp.classify.folds.oof_scores`); the label-free vocabulary and idf
        are kept."""
        from ..folds import oof_scores

        batch = self._encode(texts)  # once, for the features and the cue counts
        scorer = HeadScorer(self, self._features(batch))
        oof = oof_scores(scorer, np.arange(len(texts)), Y, n_splits=OOF_SPLITS, n_repeats=OOF_REPEATS, seed=OOF_SEED)
        if not self.cue_prior:
            return oof
        scores = cue_scores(self._cue_counts(batch))
        self.cue_weights_ = choose_cue_weights(Y, oof, scores)
        return blend(oof, scores, self.cue_weights_)

    # ------------------------------------------------------------------------------------ predicting
    def _proba(self, texts: list[str]) -> np.ndarray:
        batch = self._encode(texts)
        proba = expit(np.asarray(self._features(batch) @ self.coef_.T + self.intercept_, dtype=np.float64))
        if not self.cue_weights_.any():
            return proba
        return blend(proba, cue_scores(self._cue_counts(batch)), self.cue_weights_)

    def _cue_counts(self, batch: _Batch) -> np.ndarray:
        return self.cue_counter_.count_tokens(batch.words, batch.tokens, batch.token_owner, batch.n_docs)

    def cue_counts(self, X: Iterable[str]) -> np.ndarray:
        """Texts x topics: the schema's cue phrases counted in each text as the model reads it
        (cleaned, case-folded words); the input of the cue prior."""
        check_is_fitted(self, "cue_counter_")
        return self._cue_counts(self._encode(as_texts(X)[0]))

    def explain(self, text: str, topic: str, *, top_k: int = 10) -> list[tuple[str, float]]:
        """The features that pushed ``text`` towards ``topic``, with their contribution to the logit.

        Character n-grams are shown as ``char:'..'`` so an analyst sees what the model saw.
        """
        check_is_fitted(self, "coef_")
        if topic not in self.classes_:
            raise UnknownLabelError(f"unknown topic {topic!r}; known topics: {', '.join(self.classes_)}")
        if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
            raise ValueError(f"top_k must be an integer >= 1, got {top_k!r}")
        texts, _ = as_texts(check_one_text(text, "explain"))
        j = list(self.classes_).index(topic)
        row = self._features(self._encode(texts))[0].tocoo()
        contributions = row.data * self.coef_[j, row.col]
        names = self._feature_names()
        order = np.argsort(-contributions)[:top_k]
        return [(names[row.col[k]], round(float(contributions[k]), 4)) for k in order if contributions[k] > 0]

    def _feature_names(self) -> list[str]:
        names = [""] * self.n_features_
        for term, j in self.word_vocabulary_.items():
            names[j] = term
        offset = len(self.word_vocabulary_)
        for gram, j in self.char_vocabulary_.items():
            names[offset + j] = f"char:{gram!r}"
        return names

    # ------------------------------------------------------------------------------------ saving
    def save(self, folder: str | Path, *, metrics: dict | None = None, extra: dict | None = None) -> Path:
        """Write ``config.json``, ``weights.safetensors``, ``vocabulary.json`` and ``schema.json``."""
        check_is_fitted(self, "coef_")
        schema = getattr(self, "schema_", [str(t) for t in self.classes_])
        return save_folder(
            folder, FORMAT, params=self.get_params(), write_files=lambda stage: [write_model_schema(stage, schema)],
            arrays={"coef": self.coef_, "intercept": self.intercept_, "word_idf": self.word_idf_,
                    "char_idf": self.char_idf_, "thresholds": self.thresholds_.astype(np.float64),
                    "cue_weights": self.cue_weights_.astype(np.float64)},
            json_files={VOCABULARY: {"word": sorted(self.word_vocabulary_, key=self.word_vocabulary_.get),
                                     "char": sorted(self.char_vocabulary_, key=self.char_vocabulary_.get)}},
            config={"model": type(self).__name__, "topics": [str(t) for t in self.classes_],
                    "thresholds": [float(t) for t in self.thresholds_], "untrained_topics": self.untrained_topics_,
                    "metrics": metrics or {}, **(extra or {})})

    @classmethod
    def load(cls, folder: str | Path) -> TfidfTopicClassifier:
        """Load a folder written by :meth:`save`; a foreign, old, incomplete, changed or malformed folder
        raises :class:`~pemilu_nlp.errors.ModelFormatError` before anything large is allocated."""
        opened = open_folder(folder, FORMAT, json_files=[VOCABULARY], files=[WEIGHTS, *model_schema_files(folder)],
                             tuples=["word_ngram_range", "char_ngram_range"])
        folder, config = opened.folder, opened.config
        schema = read_model_schema(folder, config, data=opened.data.get(MODEL_SCHEMA_FILE))
        topics = [t.id for t in schema]
        words, grams = _vocabulary(folder, opened.json[VOCABULARY], opened.params)
        n_topics, n_features = len(topics), len(words) + len(grams)
        shapes = {"coef": (n_topics, n_features), "intercept": (n_topics,), "word_idf": (len(words),),
                  "char_idf": (len(grams),), "thresholds": (n_topics,)}
        if "cue_weights" in opened.header(WEIGHTS):  # saved since the cue prior (older: none)
            shapes["cue_weights"] = (n_topics,)
        arrays = opened.arrays(shapes)
        check_thresholds(folder, config.get("thresholds"), n_topics, name="config.json thresholds")
        untrained = check_string_list(folder, "config.json untrained_topics", config.get("untrained_topics", []))
        if not set(untrained) <= set(topics):
            raise ModelFormatError(f"{folder}: config.json untrained_topics names topics the model does not have")
        # a folder saved before the cue prior existed has none (its weights are zeros too)
        model = opened.build(cls, **({} if "cue_prior" in opened.params else {"cue_prior": False}))
        model.thresholds_ = check_thresholds(folder, arrays["thresholds"], n_topics,
                                             name="weights.safetensors thresholds")
        model.classes_, model.schema_ = np.array(topics), schema
        model.word_vocabulary_ = {t: j for j, t in enumerate(words)}
        model.char_vocabulary_ = {t: j for j, t in enumerate(grams)}
        model.word_idf_, model.char_idf_ = arrays["word_idf"], arrays["char_idf"]
        model.coef_, model.intercept_ = arrays["coef"], arrays["intercept"]
        model.untrained_topics_ = list(untrained)
        model.n_features_ = n_features
        model.config_ = config
        model.word_cache_ = WordCache()
        model._set_tfidf()
        model.cue_counter_ = CueCounter(schema)
        model.cue_weights_ = check_array(folder, "weights.safetensors cue_weights",
                                         arrays.get("cue_weights", np.zeros(n_topics)), low=0.0, high=1.0)
        return model


def _vocabulary(folder: Path, vocab: Any, params: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The word and character n-gram lists of ``vocabulary.json``, checked."""
    if not isinstance(vocab, dict):
        raise ModelFormatError(f"{folder}: vocabulary.json must be an object with lists 'word' and 'char'")
    words = check_string_list(folder, "vocabulary.json 'word'", vocab.get("word"))
    grams = check_string_list(folder, "vocabulary.json 'char'", vocab.get("char"))
    if not params.get("char_ngram_range", (3, 5)) and grams:
        raise ModelFormatError(f"{folder}: character n-grams in the vocabulary but char_ngram_range is null")
    return words, grams


def _fit_heads(model: TfidfTopicClassifier, features: sp.csr_matrix,
               Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """One logistic regression per column of ``Y`` with ``model``'s settings (scikit-learn's
    ``OneVsRestClassifier``): ``(coef, intercept, the columns with nothing to learn)``; such a column
    (no positive, or no negative) gets a zero row and a saturated intercept."""
    import warnings

    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    head = LogisticRegression(C=model.C, class_weight=model.class_weight, solver="liblinear", dual=model.dual,
                              max_iter=2000, random_state=model.random_state)
    with warnings.catch_warnings():  # a constant column is reported as untrained_topics_ instead
        warnings.filterwarnings("ignore", "Label .*present in all training examples", UserWarning)
        fitted = OneVsRestClassifier(head).fit(features, Y).estimators_
    coef = np.zeros((Y.shape[1], features.shape[1]), dtype=np.float32)
    intercept = np.where(Y.max(axis=0) > 0, 10.0, -10.0).astype(np.float32)
    untrained = []
    for j, estimator in enumerate(fitted):
        if not hasattr(estimator, "coef_"):  # scikit-learn's constant predictor
            untrained.append(j)
            continue
        coef[j], intercept[j] = estimator.coef_[0], estimator.intercept_[0]
    return coef, intercept, untrained


class HeadScorer:
    """The per-topic regressions of ``model`` refitted on rows of fixed ``features`` (documents x
    features from :meth:`TfidfTopicClassifier.transform`): a cross-validation scorer
    (:class:`~pemilu_nlp.classify.folds.Scorer`) for a model whose vocabulary was learned without labels."""

    def __init__(self, model: TfidfTopicClassifier, features: sp.csr_matrix):
        self.model, self.features = model, sp.csr_matrix(features)

    def fit_score(self, fit_idx: np.ndarray, Y_fit: np.ndarray, eval_idx: np.ndarray) -> np.ndarray:
        coef, intercept, _ = _fit_heads(self.model, self.features[fit_idx], np.asarray(Y_fit))
        scores = self.features[eval_idx] @ coef.T + intercept
        return expit(np.asarray(scores, dtype=np.float64))
