"""Text: cleaning, sentences and tokens (:mod:`.cleaning`), word vectors (:mod:`.wordvectors`).

The lowest layer: it imports nothing else of the package but :mod:`pemilu_nlp.errors`."""
