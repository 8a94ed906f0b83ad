"""Topic classifiers: the shared contract (:mod:`.base`), thresholds, cue priors, folds and
metrics, and the two families (:mod:`.tfidf`, :mod:`.indobert`)."""
