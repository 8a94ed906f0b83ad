"""The TF-IDF + logistic-regression topic classifier and its featurizer."""
from .classifier import TfidfTopicClassifier
from .features import WordCharTfidf

__all__ = ["TfidfTopicClassifier", "WordCharTfidf"]
