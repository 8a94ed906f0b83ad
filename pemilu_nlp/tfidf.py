"""The TF-IDF + logistic-regression topic classifier: the fast baseline that runs anywhere.

Features are word uni/bigrams and character n-grams within words (Indonesian affixes meN-/di-/
ber-/-kan/-an and reduplication make sub-word features pay off).  Character n-grams are the usual
bottleneck of such models in Python, so they are computed once per distinct *word* and a
document's row is the sum of its words' rows (a sparse matrix product): the cost grows with the
vocabulary of a batch, not with its length.  One logistic regression per topic gives a
probability; a per-topic threshold tuned on dev turns it into a decision.

Saved as safetensors arrays + JSON vocabularies; nothing is unpickled on load.
"""
from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, count
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from .classifier import TopicClassifierMixin
from .errors import ModelFormatError, UnknownLabelError
from .inputs import as_texts, binarize_labels, check_one_text
from .persistence import (
    boolean,
    check_array,
    check_params,
    check_shapes,
    check_string_list,
    check_thresholds,
    choice,
    int_pair,
    integer,
    number,
    optional,
    read_config,
    safetensors_header,
    write_config,
)
from .schema import SchemaLike, as_schema, model_schema_files, read_model_schema, write_model_schema
from .text import _WORD, clean_text, normalize_whitespace, stopwords
from .thresholds import tune_thresholds

__all__ = ["HeadScorer", "TfidfTopicClassifier"]

FORMAT = "pemilu_nlp.tfidf"
FORMAT_VERSION = 1
#: the allowed range of every saved setting, checked on load before anything is allocated
PARAMS = {
    "word_ngram_range": int_pair(1, 2), "char_ngram_range": optional(int_pair(1, 10)), "stem": boolean,
    "min_df": integer(1, 10**9), "max_word_features": integer(1, 10**7), "max_char_features": integer(1, 10**7),
    "C": number(0, 1e12, low_open=True), "class_weight": choice("balanced", None), "clean": boolean,
    "random_state": optional(integer(-2**63, 2**64)), "dual": boolean,
}


def _sublinear_tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """1 + log(tf), times idf, rows scaled to unit length (as sklearn's sublinear TfidfTransformer)."""
    x = counts.tocsr().astype(np.float32)
    # canonical column order: the row norm and the dot products then sum in the same order whatever
    # else is in the batch, so a text gets bit-identical probabilities alone or batched (#14.12);
    # through CSC, a linear-time counting sort (3x faster than sort_indices' per-row sorts)
    if not x.has_sorted_indices:
        x = x.tocsc().tocsr()
    np.log(x.data, out=x.data)
    x.data += 1.0
    x = x @ sp.diags(idf.astype(np.float32))
    x = sp.csr_matrix(x)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms).astype(np.float32) @ x)


def _char_ngrams(word: str, low: int, high: int) -> list[str]:
    padded = f" {word} "
    return [padded[i:i + n] for n in range(low, high + 1) for i in range(len(padded) - n + 1)]


@dataclass(frozen=True)
class _Batch:
    """A batch of texts as ids: its distinct words, and per non-stopword token its word and document."""

    words: list[str]
    flat: np.ndarray
    owner: np.ndarray
    n_docs: int


class _Stemmer:
    """PySastrawi's Indonesian stemmer with a per-word cache (it is slow per call)."""

    def __init__(self) -> None:
        try:
            from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
        except ImportError as err:  # pragma: no cover - optional
            from .errors import MissingDependencyError

            raise MissingDependencyError("stem=True needs PySastrawi: pip install PySastrawi") from err
        self._stem = StemmerFactory().create_stemmer().stem
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        stem = self._cache.get(word)
        if stem is None:
            stem = self._cache[word] = self._stem(word) or word
        return stem


class TfidfTopicClassifier(TopicClassifierMixin, ClassifierMixin, BaseEstimator):
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
        Run :func:`pemilu_nlp.text.clean_text` on each input (turn off for pre-cleaned text).

    Examples
    --------
    >>> from pemilu_nlp import load_default
    >>> model = load_default()                                  # doctest: +SKIP
    >>> model.predict("Polres menggelar apel gelar pasukan pengamanan TPS Pemilu 2024.")  # doctest: +SKIP
    ['pemilu', 'operasi_pengamanan']
    """

    def __init__(self, *, word_ngram_range: tuple[int, int] = (1, 2),
                 char_ngram_range: tuple[int, int] | None = (3, 5), stem: bool = False, min_df: int = 2,
                 max_word_features: int = 40000, max_char_features: int = 60000, C: float = 32.0,
                 class_weight: str | None = "balanced", clean: bool = True, random_state: int = 0,
                 dual: bool = True):
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

    # ------------------------------------------------------------------------------------ features
    # Python touches each token once (a dict lookup that gives it a batch-local word id); every
    # later step works on the distinct words of the batch or on numpy arrays of ids.
    def _encode(self, texts: Sequence[str]) -> _Batch:
        stop = stopwords()
        local: defaultdict[str, int] = defaultdict(count().__next__)  # new word -> next id, at C speed
        lookup = local.__getitem__
        per_doc = []
        for text in texts:
            text = clean_text(text) if self.clean else normalize_whitespace(text)
            per_doc.append(list(map(lookup, _WORD.findall(text.lower()))))
        words = list(local)
        lengths = np.fromiter(map(len, per_doc), np.int64, len(per_doc))
        flat = np.fromiter(chain.from_iterable(per_doc), np.int64, int(lengths.sum()))
        owner = np.repeat(np.arange(len(per_doc)), lengths)
        keep = ~np.fromiter((w in stop for w in words), bool, len(words))[flat] if len(flat) else np.zeros(0, bool)
        return _Batch(words, flat[keep], owner[keep], len(per_doc))

    def _feature_words(self, words: list[str]) -> list[str]:
        if not self.stem:
            return words
        stemmer = self.__dict__.setdefault("_stemmer", _Stemmer())
        return [stemmer(w) for w in words]

    def _check_ngram_range(self) -> tuple[bool, bool]:
        low, high = self.word_ngram_range
        if not 1 <= low <= high <= 2:
            raise ValueError(f"word_ngram_range must be (1, 1), (1, 2) or (2, 2), got {self.word_ngram_range}")
        return low == 1, high == 2

    def _word_index(self) -> tuple[dict[str, int], dict[str, int], np.ndarray, np.ndarray]:
        """Unigram columns, bigram word ids, and the sorted bigram keys with their columns."""
        cached = self.__dict__.get("_word_index_cache")
        if cached is not None:
            return cached
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
        cached = (unigrams, bigram_words, key_arr[order], col_arr[order])
        self.__dict__["_word_index_cache"] = cached
        return cached

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
            cache = self.__dict__.setdefault("_char_cache", {})
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
                if len(cache) < 500_000:
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
        blocks = [_sublinear_tfidf(self._count_words(batch), self.word_idf_)]
        if self.char_ngram_range:
            # the product's column order follows the batch's word order; _sublinear_tfidf sorts it,
            # so a document's probabilities are bit-identical in any batch or chunk (--jobs relies on it)
            counts = sp.csr_matrix(self._doc_words(batch) @ self._char_rows(batch.words))
            blocks.append(_sublinear_tfidf(counts, self.char_idf_))
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
        self.__dict__.pop("_word_index_cache", None)

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
        self.__dict__.pop("_char_cache", None)

    # ------------------------------------------------------------------------------------ fitting
    def fit_features(self, texts: Iterable[str]) -> TfidfTopicClassifier:
        """Learn the vocabularies and idf only (no labels needed): e.g. from unlabelled news."""
        texts, _ = as_texts(texts)
        self._check_ngram_range()
        for key in ("_char_cache", "_stemmer", "_word_index_cache"):
            self.__dict__.pop(key, None)
        batch = self._encode(texts)
        self._fit_word_vocabulary(batch)
        if self.char_ngram_range:
            self._fit_char_vocabulary(batch)
        else:
            self.char_vocabulary_, self.char_idf_ = {}, np.zeros(0, np.float32)
        return self

    def transform(self, X: str | Iterable[str]) -> sp.csr_matrix:
        """The feature rows (documents x features) of texts, once vocabularies are learned."""
        check_is_fitted(self, "word_vocabulary_")
        texts, _ = as_texts(X)
        return self._features(self._encode(texts))

    def fit(self, X: Iterable[str], y: Any, *, schema: SchemaLike = None,
            unlabelled: Iterable[str] | None = None) -> TfidfTopicClassifier:
        """Learn vocabularies, idf and one logistic regression per topic.

        ``y`` is a list of topic-id lists (one per text) or a binary matrix in schema order;
        ``schema``: the topics to learn (default: the shipped schema; a schema file, a model folder
        or a list of topics); saved with the model.
        ``unlabelled``: more texts (e.g. unlabelled news) that the vocabularies and idf are learned
        from together with ``X``; their words then count even when no labelled article has them.
        """
        texts, _ = as_texts(X)
        self._check_ngram_range()
        self.schema_ = as_schema(schema)
        self.classes_ = np.array([t.id for t in self.schema_])
        y = binarize_labels(y, list(self.classes_), n=len(texts))
        extra = list(unlabelled) if unlabelled is not None else []
        self.fit_features(texts + extra if extra else texts)
        self.n_unlabelled_ = len(extra)
        features = self.transform(texts)
        self.coef_, self.intercept_, self.untrained_topics_ = self._fit_heads(features, y)
        self.thresholds_ = np.full(len(self.classes_), 0.5)
        self.n_features_ = features.shape[1]
        return self

    def _fit_heads(self, features: sp.csr_matrix, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
        from sklearn.linear_model import LogisticRegression
        from tqdm.auto import tqdm

        coef = np.zeros((len(self.classes_), features.shape[1]), dtype=np.float32)
        intercept = np.full(len(self.classes_), -10.0, dtype=np.float32)
        untrained = []
        # disable=None: a bar on a terminal, silence in logs and tests
        for j, topic in enumerate(tqdm(self.classes_, desc="fitting topics", disable=None, leave=False)):
            if y[:, j].min() == y[:, j].max():  # no positive (or no negative): nothing to learn
                untrained.append(str(topic))
                intercept[j] = -10.0 if y[:, j].max() == 0 else 10.0
                continue
            lr = LogisticRegression(C=self.C, class_weight=self.class_weight, solver="liblinear",
                                    dual=self.dual, max_iter=2000, random_state=self.random_state)
            lr.fit(features, y[:, j])
            coef[j] = lr.coef_[0]
            intercept[j] = lr.intercept_[0]
        return coef, intercept, untrained

    def tune_thresholds(self, X: Iterable[str], y: Any) -> TfidfTopicClassifier:
        """Set each topic's threshold to the F1-best value on held-out (dev) data."""
        check_is_fitted(self, "coef_")
        proba = self.predict_proba_matrix(X)
        self.thresholds_ = tune_thresholds(binarize_labels(y, list(self.classes_), n=len(proba)), proba)
        return self

    def tune_thresholds_oof(self, X: Iterable[str], y: Any, *, n_splits: int = 5, n_repeats: int = 2,
                            shrink: float = 5.0, seed: int = 0) -> TfidfTopicClassifier:
        """Set every topic's threshold from out-of-fold scores of the labelled articles ``X``
        (normally the ones the model was fitted on): the per-topic regressions are refitted on
        inner folds, the label-free vocabulary and idf are kept; the rule is
        :func:`~pemilu_nlp.thresholds.oof_threshold` (shrunk towards the prevalence cut for a topic
        with few positives)."""
        from .crossval import oof_scores
        from .thresholds import oof_thresholds

        check_is_fitted(self, "coef_")
        texts, _ = as_texts(X)
        y = binarize_labels(y, list(self.classes_), n=len(texts))
        features = self.transform(texts)

        oof = oof_scores(HeadScorer(self, features), np.arange(len(texts)), y, n_splits=n_splits, n_repeats=n_repeats, seed=seed)
        self.thresholds_ = oof_thresholds(y, oof, shrink=shrink)
        return self

    # ------------------------------------------------------------------------------------ predicting
    def _check_fitted(self) -> None:
        check_is_fitted(self, "coef_")

    def predict_proba_matrix(self, X: str | Iterable[str]) -> np.ndarray:
        """Probabilities as an array (documents x topics, columns in ``classes_`` order)."""
        self._check_fitted()
        texts, _ = as_texts(X)
        scores = self._features(self._encode(texts)) @ self.coef_.T + self.intercept_
        return 1.0 / (1.0 + np.exp(-np.asarray(scores, dtype=np.float64)))

    def explain(self, text: str, topic: str, *, top_k: int = 10) -> list[tuple[str, float]]:
        """The features that pushed ``text`` towards ``topic``, with their contribution to the logit.

        Character n-grams are shown as ``char:'..'`` so an analyst sees what the model saw.
        """
        self._check_fitted()
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
        """Write ``config.json``, ``weights.safetensors`` and ``vocabulary.json`` into ``folder``."""
        from safetensors.numpy import save_file

        self._check_fitted()
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        save_file({"coef": np.ascontiguousarray(self.coef_), "intercept": self.intercept_,
                   "word_idf": self.word_idf_, "char_idf": self.char_idf_,
                   "thresholds": self.thresholds_.astype(np.float64)}, str(folder / "weights.safetensors"))
        vocab = {"word": sorted(self.word_vocabulary_, key=self.word_vocabulary_.get),
                 "char": sorted(self.char_vocabulary_, key=self.char_vocabulary_.get)}
        (folder / "vocabulary.json").write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
        schema_file = write_model_schema(folder, getattr(self, "schema_", [str(t) for t in self.classes_]))
        params = {k: list(v) if isinstance(v, tuple) else v for k, v in self.get_params().items()}
        write_config(folder, {
            "format": FORMAT, "format_version": FORMAT_VERSION, "model": type(self).__name__,
            "params": params, "topics": [str(t) for t in self.classes_],
            "thresholds": [float(t) for t in self.thresholds_], "untrained_topics": self.untrained_topics_,
            "metrics": metrics or {}, **(extra or {}),
        }, files=["weights.safetensors", "vocabulary.json", schema_file])
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> TfidfTopicClassifier:
        """Load a folder written by :meth:`save`; a foreign, old, incomplete, changed or malformed folder
        raises :class:`~pemilu_nlp.errors.ModelFormatError` before anything large is allocated."""
        from safetensors import SafetensorError
        from safetensors.numpy import load_file

        folder = Path(folder)
        config = read_config(folder, expected_format=FORMAT, supported_versions=[FORMAT_VERSION],
                             files=["weights.safetensors", "vocabulary.json", *model_schema_files(folder)])
        schema = read_model_schema(folder, config)
        topics = [t.id for t in schema]
        params = dict(check_params(folder, config.get("params"), PARAMS))
        for key in ("word_ngram_range", "char_ngram_range"):
            if params.get(key) is not None:
                params[key] = tuple(params[key])
        try:
            model = cls(**params)
        except TypeError as err:
            raise ModelFormatError(f"{folder}: config.json has settings this version does not know ({err})") from None
        try:
            vocab = json.loads((folder / "vocabulary.json").read_text("utf-8"))
        except (OSError, ValueError, RecursionError) as err:
            raise ModelFormatError(f"{folder}: cannot read vocabulary.json ({err})") from None
        if not isinstance(vocab, dict):
            raise ModelFormatError(f"{folder}: vocabulary.json must be an object with lists 'word' and 'char'")
        words = check_string_list(folder, "vocabulary.json 'word'", vocab.get("word"))
        grams = check_string_list(folder, "vocabulary.json 'char'", vocab.get("char"))
        if not params.get("char_ngram_range", (3, 5)) and grams:
            raise ModelFormatError(f"{folder}: character n-grams in the vocabulary but char_ngram_range is null")
        n_topics, n_features = len(topics), len(words) + len(grams)
        check_shapes(folder, "weights.safetensors", safetensors_header(folder, "weights.safetensors"), {
            "coef": (n_topics, n_features), "intercept": (n_topics,), "word_idf": (len(words),),
            "char_idf": (len(grams),), "thresholds": (n_topics,)})
        try:
            arrays = load_file(str(folder / "weights.safetensors"))
        except (SafetensorError, OSError, ValueError) as err:
            raise ModelFormatError(f"{folder}: cannot read the weights ({err})") from None
        for name in ("coef", "intercept", "word_idf", "char_idf"):
            check_array(folder, f"weights.safetensors {name}", arrays[name])
        model.thresholds_ = check_thresholds(folder, arrays["thresholds"], n_topics, name="weights.safetensors thresholds")
        check_thresholds(folder, config.get("thresholds"), n_topics, name="config.json thresholds")
        untrained = check_string_list(folder, "config.json untrained_topics", config.get("untrained_topics", []))
        if not set(untrained) <= set(topics):
            raise ModelFormatError(f"{folder}: config.json untrained_topics names topics the model does not have")
        model.classes_ = np.array(topics)
        model.schema_ = schema
        model.word_vocabulary_ = {t: j for j, t in enumerate(words)}
        model.char_vocabulary_ = {t: j for j, t in enumerate(grams)}
        model.word_idf_, model.char_idf_ = arrays["word_idf"], arrays["char_idf"]
        model.coef_, model.intercept_ = arrays["coef"], arrays["intercept"]
        model.untrained_topics_ = list(untrained)
        model.n_features_ = n_features
        model.config_ = config
        return model


class HeadScorer:
    """The per-topic regressions of ``model`` refitted on rows of fixed ``features`` (documents x
    features from :meth:`TfidfTopicClassifier.transform`): a cross-validation scorer
    (:class:`~pemilu_nlp.crossval.Scorer`) for a model whose vocabulary was learned without labels."""

    def __init__(self, model: TfidfTopicClassifier, features: sp.csr_matrix):
        self.model, self.features = model, sp.csr_matrix(features)

    def fit_score(self, fit_idx: np.ndarray, Y_fit: np.ndarray, eval_idx: np.ndarray) -> np.ndarray:
        if not hasattr(self.model, "classes_"):
            self.model.schema_ = as_schema(None)
            self.model.classes_ = np.array([t.id for t in self.model.schema_])
        coef, intercept, _ = self.model._fit_heads(self.features[fit_idx], np.asarray(Y_fit))
        scores = self.features[eval_idx] @ coef.T + intercept
        return 1.0 / (1.0 + np.exp(-np.asarray(scores, dtype=np.float64)))
