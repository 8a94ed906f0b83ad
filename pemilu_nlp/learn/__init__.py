"""Training, evaluation, cross-validation recipes and active learning: code that fits and
scores models from :mod:`pemilu_nlp.classify` on data from :mod:`pemilu_nlp.io`."""
