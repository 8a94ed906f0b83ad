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

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.utils.validation import check_is_fitted

from ...errors import ModelFormatError, UnknownLabelError
from ...inputs import as_texts, check_one_text
from ...io.persistence import (
    ModelFormat,
    check_array,
    check_string_list,
    check_thresholds,
    open_folder,
    save_folder,
)
from ...io.schema import MODEL_SCHEMA_FILE, model_schema_files, read_model_schema, write_model_schema
from ...validation import Validated, boolean, choice, integer, number, optional
from ..base import THRESHOLD_RULES, TopicClassifier
from ..cues import CueCounter, blend, choose_cue_weights, cue_scores
from .features import FEATURE_CONSTRAINTS, FEATURE_PARAMS, Batch, WordCache, WordCharTfidf

__all__ = ["FORMAT", "HeadScorer", "TfidfTopicClassifier", "WordCache", "WordCharTfidf"]

#: every setting's limits: checked at __init__, set_params, fit and (as the saved settings) at load
PARAMS = {
    **FEATURE_CONSTRAINTS, "C": number(0, 1e12, low_open=True), "class_weight": choice("balanced", None),
    "random_state": optional(integer(-2**63, 2**64)), "dual": boolean, "thresholds": choice(*THRESHOLD_RULES),
    "cue_prior": boolean,
}
FORMAT = ModelFormat("pemilu_nlp.tfidf", 1, PARAMS)
WEIGHTS = "weights.safetensors"
VOCABULARY = "vocabulary.json"
#: out-of-fold scores for ``thresholds="oof"``: inner folds, repeats and their seed (the shipped
#: model's thresholds were chosen with these)
OOF_SPLITS, OOF_REPEATS, OOF_SEED = 5, 2, 0


class TfidfTopicClassifier(Validated, TopicClassifier):
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

    _parameter_constraints = PARAMS

    def __init__(self, *, word_ngram_range: tuple[int, int] = (1, 2),
                 char_ngram_range: tuple[int, int] | None = (3, 5), stem: bool = False, min_df: int = 2,
                 max_word_features: int = 40000, max_char_features: int = 60000, C: float = 32.0,
                 class_weight: str | None = "balanced", clean: bool = True, random_state: int = 0,
                 dual: bool = True, thresholds: str = "oof", cue_prior: bool = True):
        # the featurizer's settings (WordCharTfidf), then the heads' and the thresholds'
        self.word_ngram_range, self.char_ngram_range = word_ngram_range, char_ngram_range
        self.stem, self.min_df, self.clean = stem, min_df, clean
        self.max_word_features, self.max_char_features = max_word_features, max_char_features
        self.C, self.class_weight, self.dual, self.random_state = C, class_weight, dual, random_state
        self.thresholds, self.cue_prior = thresholds, cue_prior
        self._validate_params()

    # ------------------------------------------------------------------------------------ fitting
    def fit_features(self, texts: Iterable[str]) -> TfidfTopicClassifier:
        """Learn the vocabularies and idf only (no labels needed): e.g. from unlabelled news."""
        self._validate_params()
        texts, _ = as_texts(texts)
        self.features_ = WordCharTfidf(**{k: getattr(self, k) for k in FEATURE_PARAMS})
        self.features_.fit_batch(self.features_.encode(texts))
        self.cue_counter_ = CueCounter(getattr(self, "schema_", None))
        return self

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """The feature rows (documents x features) of texts, once vocabularies are learned."""
        return self._features().transform(X)

    def _features(self) -> WordCharTfidf:
        """The fitted featurizer with this model's current settings (``set_params(clean=False)`` on a
        fitted model reads pre-cleaned text, as it always has)."""
        check_is_fitted(self, "features_")
        for name in FEATURE_PARAMS:
            setattr(self.features_, name, getattr(self, name))
        return self.features_

    # the featurizer's fitted state, under the names the classifier has always had
    word_vocabulary_ = property(lambda self: self.features_.word_vocabulary_)
    char_vocabulary_ = property(lambda self: self.features_.char_vocabulary_)
    word_idf_ = property(lambda self: self.features_.word_idf_)
    char_idf_ = property(lambda self: self.features_.char_idf_)
    word_cache_ = property(lambda self: self.features_.word_cache_)

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

        features = self._features()
        batch = features.encode(texts)  # once, for the features and the cue counts
        scorer = HeadScorer(self, features.transform_batch(batch))
        oof = oof_scores(scorer, np.arange(len(texts)), Y, n_splits=OOF_SPLITS, n_repeats=OOF_REPEATS, seed=OOF_SEED)
        if not self.cue_prior:
            return oof
        scores = cue_scores(self._cue_counts(batch))
        self.cue_weights_ = choose_cue_weights(Y, oof, scores)
        return blend(oof, scores, self.cue_weights_)

    # ------------------------------------------------------------------------------------ predicting
    def _proba(self, texts: list[str]) -> np.ndarray:
        features = self._features()
        batch = features.encode(texts)
        proba = expit(np.asarray(features.transform_batch(batch) @ self.coef_.T + self.intercept_, dtype=np.float64))
        if not self.cue_weights_.any():
            return proba
        return blend(proba, cue_scores(self._cue_counts(batch)), self.cue_weights_)

    def _cue_counts(self, batch: Batch) -> np.ndarray:
        return self.cue_counter_.count_tokens(batch.words, batch.tokens, batch.token_owner, batch.n_docs)

    def cue_counts(self, X: Iterable[str]) -> np.ndarray:
        """Texts x topics: the schema's cue phrases counted in each text as the model reads it
        (cleaned, case-folded words); the input of the cue prior."""
        check_is_fitted(self, "cue_counter_")
        return self._cue_counts(self._features().encode(as_texts(X)[0]))

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
        row = self.transform(texts)[0].tocoo()
        contributions = row.data * self.coef_[j, row.col]
        names = self.features_.get_feature_names_out()
        order = np.argsort(-contributions)[:top_k]
        return [(names[row.col[k]], round(float(contributions[k]), 4)) for k in order if contributions[k] > 0]

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
        model.features_ = WordCharTfidf.from_vocabulary(words, grams, arrays["word_idf"], arrays["char_idf"],
                                                        **{k: getattr(model, k) for k in FEATURE_PARAMS})
        model.coef_, model.intercept_ = arrays["coef"], arrays["intercept"]
        model.untrained_topics_ = list(untrained)
        model.n_features_ = n_features
        model.config_ = config
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
