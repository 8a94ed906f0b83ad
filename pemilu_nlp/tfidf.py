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
from .inputs import as_texts, binarize_labels
from .persistence import check_topics, read_config, write_config
from .schema import topic_ids
from .text import _WORD, clean_text, normalize_whitespace, stopwords
from .thresholds import tune_thresholds

__all__ = ["TfidfTopicClassifier"]

FORMAT = "pemilu_nlp.tfidf"
FORMAT_VERSION = 1


def _sublinear_tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """1 + log(tf), times idf, rows scaled to unit length (as sklearn's sublinear TfidfTransformer)."""
    x = counts.tocsr().astype(np.float32)
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
                 class_weight: str | None = "balanced", clean: bool = True, random_state: int = 0):
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
            counts = sp.csr_matrix(self._doc_words(batch) @ self._char_rows(batch.words))
            # the product's column order follows the batch's word order; sorted, every row is summed
            # in the same order whatever else is in the batch, so a document's probabilities are
            # bit-identical in any batch or chunk (what --jobs N relies on)
            counts.sort_indices()
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
    def fit(self, X: Iterable[str], y: Any) -> TfidfTopicClassifier:
        """Learn vocabularies, idf and one logistic regression per topic.

        ``y`` is a list of topic-id lists (one per text) or a binary matrix in schema order.
        """
        from sklearn.linear_model import LogisticRegression
        from tqdm.auto import tqdm

        texts, _ = as_texts(X)
        self._check_ngram_range()
        self.classes_ = np.array(topic_ids())
        y = binarize_labels(y, list(self.classes_), n=len(texts))
        for key in ("_char_cache", "_stemmer", "_word_index_cache"):
            self.__dict__.pop(key, None)
        batch = self._encode(texts)
        self._fit_word_vocabulary(batch)
        if self.char_ngram_range:
            self._fit_char_vocabulary(batch)
        else:
            self.char_vocabulary_, self.char_idf_ = {}, np.zeros(0, np.float32)
        features = self._features(batch)
        n_features = features.shape[1]
        coef = np.zeros((len(self.classes_), n_features), dtype=np.float32)
        intercept = np.full(len(self.classes_), -10.0, dtype=np.float32)
        self.untrained_topics_ = []
        # disable=None: a bar on a terminal, silence in logs and tests
        for j, topic in enumerate(tqdm(self.classes_, desc="fitting topics", disable=None, leave=False)):
            if y[:, j].min() == y[:, j].max():  # no positive (or no negative): nothing to learn
                self.untrained_topics_.append(str(topic))
                intercept[j] = -10.0 if y[:, j].max() == 0 else 10.0
                continue
            lr = LogisticRegression(C=self.C, class_weight=self.class_weight, solver="liblinear",
                                    max_iter=2000, random_state=self.random_state)
            lr.fit(features, y[:, j])
            coef[j] = lr.coef_[0]
            intercept[j] = lr.intercept_[0]
        self.coef_, self.intercept_ = coef, intercept
        self.thresholds_ = np.full(len(self.classes_), 0.5)
        self.n_features_ = n_features
        return self

    def tune_thresholds(self, X: Iterable[str], y: Any) -> TfidfTopicClassifier:
        """Set each topic's threshold to the F1-best value on held-out (dev) data."""
        check_is_fitted(self, "coef_")
        proba = self.predict_proba_matrix(X)
        self.thresholds_ = tune_thresholds(binarize_labels(y, list(self.classes_), n=len(proba)), proba)
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
        texts, _ = as_texts(text)
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
        params = {k: list(v) if isinstance(v, tuple) else v for k, v in self.get_params().items()}
        write_config(folder, {
            "format": FORMAT, "format_version": FORMAT_VERSION, "model": type(self).__name__,
            "params": params, "topics": [str(t) for t in self.classes_],
            "thresholds": [float(t) for t in self.thresholds_], "untrained_topics": self.untrained_topics_,
            "metrics": metrics or {}, **(extra or {}),
        }, files=["weights.safetensors", "vocabulary.json"])
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> TfidfTopicClassifier:
        """Load a folder written by :meth:`save`; a foreign, old, incomplete or changed folder raises
        :class:`~pemilu_nlp.errors.ModelFormatError`."""
        from safetensors import SafetensorError
        from safetensors.numpy import load_file

        folder = Path(folder)
        config = read_config(folder, expected_format=FORMAT, supported_versions=[FORMAT_VERSION])
        topics = check_topics(config, folder)
        params = dict(config["params"])
        for key in ("word_ngram_range", "char_ngram_range"):
            if params.get(key) is not None:
                params[key] = tuple(params[key])
        try:
            model = cls(**params)
        except TypeError as err:
            raise ModelFormatError(f"{folder}: config.json has settings this version does not know ({err})") from None
        try:
            arrays = load_file(str(folder / "weights.safetensors"))
            vocab = json.loads((folder / "vocabulary.json").read_text("utf-8"))
        except (SafetensorError, OSError, ValueError) as err:
            raise ModelFormatError(f"{folder}: cannot read the weights ({err})") from None
        model.classes_ = np.array(topics)
        model.word_vocabulary_ = {t: j for j, t in enumerate(vocab["word"])}
        model.char_vocabulary_ = {t: j for j, t in enumerate(vocab["char"])}
        model.word_idf_, model.char_idf_ = arrays["word_idf"], arrays["char_idf"]
        model.coef_, model.intercept_ = arrays["coef"], arrays["intercept"]
        model.thresholds_ = arrays["thresholds"]
        model.untrained_topics_ = list(config.get("untrained_topics", []))
        model.n_features_ = model.coef_.shape[1]
        if model.n_features_ != len(model.word_vocabulary_) + len(model.char_vocabulary_) \
                or model.coef_.shape[0] != len(topics):
            raise ModelFormatError(f"{folder}: weights and vocabulary do not match")
        model.config_ = config
        return model
