"""The shared PPMI-SVD word vectors: one module, read by the summariser and the topic features."""
from __future__ import annotations

import numpy as np
import pytest

from pemilu_nlp.text.wordvectors import document_vectors, train_word_vectors

TEXTS = [f"{who} menangkap pelaku di {where} kemarin" for who in ("polisi", "kepolisian")
         for where in ("pasar", "terminal", "stasiun", "jalan")] * 5
TEXTS += [f"petani menanam {crop} di sawah {place}" for crop in ("padi", "jagung")
          for place in ("utara", "selatan", "timur", "barat")] * 5


def test_word_vectors_put_words_of_like_contexts_together():
    words, vectors = train_word_vectors(TEXTS, dim=4, min_count=2)
    index = {w: i for i, w in enumerate(words)}
    sim = vectors @ vectors.T
    assert sim[index["polisi"], index["kepolisian"]] > sim[index["polisi"], index["padi"]]
    assert sim[index["padi"], index["jagung"]] > sim[index["padi"], index["kepolisian"]]
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    with pytest.raises(ValueError, match="too little text"):
        train_word_vectors(["satu dua tiga"], dim=4)


def test_document_vectors_are_unit_means_of_known_words_and_keep_order():
    words, vectors = train_word_vectors(TEXTS, dim=4, min_count=2)
    docs = document_vectors(["polisi di pasar", "zzz qqq", "petani menanam padi"], words, vectors)
    assert docs.shape == (3, 4)
    assert not docs[1].any()                                    # no known word: a zero row
    np.testing.assert_allclose(np.linalg.norm(docs[[0, 2]], axis=1), 1.0, atol=1e-5)
    index = {w: i for i, w in enumerate(words)}
    mean = vectors[[index["polisi"], index["di"], index["pasar"]]].sum(axis=0)
    np.testing.assert_allclose(docs[0], mean / np.linalg.norm(mean), atol=1e-5)
    assert docs[0] @ docs[2] < docs[0] @ document_vectors(["kepolisian di terminal"], words, vectors)[0]


def test_one_implementation_is_shared_by_the_summariser_and_the_classifier_features():
    import pemilu_nlp.summarize.neural as neural
    import pemilu_nlp.text.wordvectors as shared

    assert neural.train_word_vectors is shared.train_word_vectors
    assert neural.word_tokens is shared.word_tokens
    assert not hasattr(neural, "_TOKEN")                        # no private copy left behind
