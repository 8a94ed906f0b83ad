"""The feature scorer (summarize/features.py): save/load, sealed files, the shipped one."""
from __future__ import annotations

import json

import numpy as np
import pytest
from summarize_samples import SENTENCES, indosum_sample_documents

from pemilu_nlp.errors import ModelFormatError
from pemilu_nlp.summarize import (
    FeatureSummarizer,
    get_summarizer,
)


@pytest.fixture(scope="module")
def indosum_docs():
    return indosum_sample_documents()


@pytest.fixture(scope="module")
def features(indosum_docs):
    return FeatureSummarizer().fit([list(d.sentences) for d in indosum_docs], [list(d.gold) for d in indosum_docs])


def test_features_save_load_gives_identical_scores(features, tmp_path, indosum_docs):
    features.save(tmp_path / "s")
    loaded = FeatureSummarizer.load(tmp_path / "s")
    assert loaded.get_params() == features.get_params()
    for doc in indosum_docs:
        np.testing.assert_array_equal(loaded.score(list(doc.sentences)), features.score(list(doc.sentences)))


def test_features_tampered_or_foreign_file_is_a_clear_error(features, tmp_path):
    folder = features.save(tmp_path / "s")
    (folder / "weights.safetensors").write_bytes(b"\x00" * 64)
    with pytest.raises(ModelFormatError, match="checksum mismatch"):
        FeatureSummarizer.load(folder)
    other = features.save(tmp_path / "t")
    config = json.loads((other / "config.json").read_text())
    config["format"] = "pemilu_nlp.tfidf"
    (other / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelFormatError, match="checksum mismatch"):
        FeatureSummarizer.load(other)
    from pemilu_nlp.io.persistence import read_manifest, seal

    seal(other, read_manifest(other))
    with pytest.raises(ModelFormatError, match="expected 'pemilu_nlp.sentence_scorer'"):
        FeatureSummarizer.load(other)


def test_the_shipped_feature_scorer_prefers_the_lead():
    scores = get_summarizer("features").score(list(SENTENCES))
    assert scores.argmax() == 0
