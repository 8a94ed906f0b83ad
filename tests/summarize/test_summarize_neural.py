"""The neural scorer (summarize/neural.py)."""
from __future__ import annotations

import numpy as np
import pytest
from summarize_samples import SENTENCES

from pemilu_nlp.errors import ModelFormatError
from pemilu_nlp.summarize import (
    FeatureSummarizer,
    get_summarizer,
)


def torch_ones(n: int):
    import torch

    return torch.ones(n, dtype=torch.float64)


def _marked_documents(n: int, seed: int):
    """Articles whose one gold sentence carries a word ("tersangka") that is never first: position
    alone cannot find it, the words can."""
    rng = np.random.default_rng(seed)
    filler = ["warga menghadiri acara di balai desa pada pagi hari", "cuaca cerah dan jalan ramai kendaraan",
              "panitia menyiapkan tenda serta kursi untuk tamu", "pedagang menjual makanan di sekitar lapangan",
              "anak sekolah berbaris rapi mengikuti upacara bendera", "petugas kebersihan menyapu halaman kantor"]
    docs, gold = [], []
    for _ in range(n):
        sentences = [filler[i] + "." for i in rng.permutation(len(filler))]
        where = int(rng.integers(1, len(sentences)))
        sentences[where] = "polisi menetapkan tersangka kasus politik uang pemilu."
        docs.append(sentences)
        gold.append([where])
    return docs, gold


@pytest.fixture(scope="module")
def neural():
    pytest.importorskip("torch")
    from pemilu_nlp.summarize.neural import NeuralSummarizer

    docs, gold = _marked_documents(60, seed=0)
    return NeuralSummarizer(dim=8, hidden=16, epochs=8, batch_size=8, learning_rate=1e-2, progress=False).fit(
        docs, gold, dev=_marked_documents(10, seed=1))


def test_neural_learns_what_position_cannot_show(neural):
    docs, gold = _marked_documents(20, seed=2)
    hits = [int(np.argmax(neural.score(d))) == g[0] for d, g in zip(docs, gold)]
    assert np.mean(hits) >= 0.9
    assert [h["epoch"] for h in neural.history_] == list(range(1, 9))
    assert neural.top3_gold_precision(docs, gold) == pytest.approx(1 / 3, abs=0.04)  # 1 gold among top 3


def test_neural_scores_do_not_depend_on_what_an_article_is_batched_with(neural):
    short, long = _marked_documents(2, seed=5)[0]
    long = long + long  # twice as many sentences: the short article gets padding in the batch
    alone = neural.network_(*neural._batch([neural._encode(short, None)]))[0]
    batched = neural.network_(*neural._batch([neural._encode(short, None), neural._encode(long, None)]))[0]
    np.testing.assert_allclose(batched[:len(short)].detach().numpy(), alone.detach().numpy(), atol=1e-5)


def test_neural_fit_leaves_the_callers_random_stream_alone():
    torch = pytest.importorskip("torch")
    from pemilu_nlp.summarize.neural import NeuralSummarizer

    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    NeuralSummarizer(dim=8, hidden=8, epochs=1, progress=False).fit(*_marked_documents(12, seed=6))
    assert torch.equal(torch.rand(3), expected)


def test_neural_save_load_gives_identical_scores_and_refuses_bad_files(neural, tmp_path):
    from pemilu_nlp.summarize.neural import NeuralSummarizer

    folder = neural.save(tmp_path / "n")
    loaded = NeuralSummarizer.load(folder)
    for doc in _marked_documents(5, seed=3)[0] + [list(SENTENCES)]:
        np.testing.assert_array_equal(loaded.score(doc), neural.score(doc))
    (folder / "vocabulary.json").write_text('["a"]')
    with pytest.raises(ModelFormatError, match="checksum mismatch"):
        NeuralSummarizer.load(folder)
    from safetensors.torch import load_file, save_file

    from pemilu_nlp.io.persistence import read_manifest, seal

    for key, bad in (("feature_mean", torch_ones(10)), ("feature_scale", torch_ones(16) * 0)):
        broken = neural.save(tmp_path / f"bad-{key}")
        state = load_file(str(broken / "weights.safetensors"))
        state[key] = bad
        save_file(state, str(broken / "weights.safetensors"))
        seal(broken, read_manifest(broken))
        with pytest.raises(ModelFormatError, match=key):
            NeuralSummarizer.load(broken)
    features_folder = FeatureSummarizer().fit(*_marked_documents(5, seed=4)).save(tmp_path / "t")
    with pytest.raises(ModelFormatError, match="expected 'pemilu_nlp.neural_sentence_scorer'"):
        NeuralSummarizer.load(features_folder)


def test_neural_unfitted_and_mismatched_inputs_are_clear_errors(tmp_path):
    pytest.importorskip("torch")
    from sklearn.exceptions import NotFittedError

    from pemilu_nlp.summarize.neural import NeuralSummarizer

    for unfitted in (NeuralSummarizer(), FeatureSummarizer(), get_summarizer("features", preset=None)):
        with pytest.raises(NotFittedError, match="is not fitted: call fit"):
            unfitted.score(list(SENTENCES))
        with pytest.raises(NotFittedError, match="not fitted"):
            unfitted.save(tmp_path / "never")
    with pytest.raises(ValueError, match="must match"):
        NeuralSummarizer().fit([list(SENTENCES)], [[0], [1]])


def test_the_shipped_neural_scorer_loads_and_prefers_the_lead():
    pytest.importorskip("torch")
    scores = get_summarizer("neural").score(list(SENTENCES))
    assert scores.argmax() == 0 and scores.shape == (len(SENTENCES),)
