"""The TF-IDF + logistic-regression topic classifier."""
from .classifier import TfidfTopicClassifier

__all__ = ["TfidfTopicClassifier"]
