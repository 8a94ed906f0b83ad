from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import ROOT, seed_text

from pemilu_nlp import registry
from pemilu_nlp.errors import ModelFormatError
from pemilu_nlp.io.indosum import load_indosum
from pemilu_nlp.summarize import (
    INDOSUM,
    FeatureSummarizer,
    LexRankSummarizer,
    TextRankSummarizer,
    check_count,
    get_summarizer,
    parse_count,
)
from pemilu_nlp.summarize.base import mmr_select
from pemilu_nlp.summarize.evaluate import evaluate_methods, indosum_documents, oracle_indices, rouge
from pemilu_nlp.summarize.graph import pagerank

ARTICLE = seed_text("003")
SENTENCES = [
    "KPU Banjarmasin dan Polresta menandatangani nota kesepahaman pengamanan pemilu.",
    "Penandatanganan dihadiri Forkompinda, Bawaslu dan partai politik.",
    "Ketua KPU berharap pemilu berjalan aman dan damai.",
    "Kapolresta meminta Kapolsek mendukung kegiatan pemilu.",
    "Cuaca cerah sepanjang hari.",
]


#: every registered method that needs no encoder weights
METHODS = [name for name in registry.SUMMARIZERS if name != "embedding"]


@pytest.fixture(params=METHODS)
def summarizer(request):
    return get_summarizer(request.param)


# --- one contract for every method ------------------------------------------------------------------
def test_returns_count_sentences_in_document_order_with_index_and_score(summarizer):
    summary = summarizer(ARTICLE, 3)
    assert len(summary) == 3
    assert [s.index for s in summary] == sorted(s.index for s in summary)
    sentences = summarizer(ARTICLE, 100)
    for s in summary:
        assert sentences[s.index].text == s.text and isinstance(s.score, float)


def test_count_as_a_share(summarizer):
    n = len(summarizer(SENTENCES, 100))
    assert len(summarizer(SENTENCES, "40%")) == round(0.4 * n)
    assert len(summarizer(SENTENCES, "1%")) == 1


def test_count_above_length_returns_all_and_one_sentence_returns_it(summarizer):
    assert [s.index for s in summarizer(SENTENCES, 50)] == list(range(len(SENTENCES)))
    assert [s.text for s in summarizer(["Polisi berjaga di TPS."], 3)] == ["Polisi berjaga di TPS."]


@pytest.mark.parametrize("count", [0, -1, "150%", "abc", "0%", 2.5, True])
def test_invalid_count_says_what_is_allowed(summarizer, count):
    with pytest.raises(ValueError, match="positive int or a share"):
        summarizer(SENTENCES, count)


def test_empty_text_is_a_value_error(summarizer):
    for empty in ("", "   \n ", [], "\u200b", "\ufeff\u00a0\u200b", ["\u200b"]):  # invisible = empty
        with pytest.raises(ValueError, match="empty|no sentence"):
            summarizer(empty, 3)


def test_summarize_many_n_in_n_out_in_order(summarizer):
    texts = [ARTICLE, seed_text("000"), SENTENCES]
    many = summarizer.summarize_many(texts, 2)
    assert len(many) == 3
    for text, summary in zip(texts, many):
        assert summary == summarizer(text, 2)
    with pytest.raises(ValueError, match="position 1"):
        summarizer.summarize_many([ARTICLE, "  "], 2)


def test_blank_entries_of_a_sentence_list_keep_their_index_but_are_never_chosen(summarizer):
    sentences = ["", "KPU menetapkan DPT.", " ", "Bawaslu mengawasi.", "\u200e\u200b"]
    chosen = summarizer(sentences, 3)
    assert [s.index for s in chosen] == [1, 3]


def _long_document(n: int) -> str:
    return " ".join(f"Petugas ke-{i} menjaga TPS {i} di Desa Warga{i % 97} bersama Bawaslu{i % 13}." for i in range(n))


def _count_scored(monkeypatch, summarizer) -> list[int]:
    """Record how many sentences each call of the method's scorer receives."""
    seen: list[int] = []
    original = summarizer._score

    def spy(sentences, title, vectors):
        seen.append(len(sentences))
        if vectors is not None:
            seen.append(vectors.matrix.shape[0])
        return original(sentences, title, vectors)

    monkeypatch.setattr(summarizer, "_score", spy)
    return seen


def test_a_very_long_document_is_read_up_to_the_cap_and_says_so(summarizer, monkeypatch, caplog):
    """200,000 sentences made TextRank ask for 298 GiB: now every method scores at most the first
    max_sentences, and the summary and the log say the document was cut."""
    seen = _count_scored(monkeypatch, summarizer)
    with caplog.at_level("WARNING", logger="pemilu_nlp.summarize"):
        summary = summarizer(_long_document(1200), 3)
    assert [s.index for s in summary] == sorted(s.index for s in summary) and len(summary) == 3
    assert max(seen) == summarizer.max_sentences == 500
    assert summary.n_sentences == 1200 and summary.considered == 500 and summary.truncated
    assert all(s.index < 500 for s in summary)
    assert "1200 sentences" in caplog.text and "first 500" in caplog.text
    assert "considered 500 of 1200" in repr(summary)


def test_the_character_cap_and_lifting_the_caps(monkeypatch, caplog):
    text = _long_document(300)  # about 25,000 characters
    capped = get_summarizer("textrank", max_chars=2_000)
    summary = capped(text, "100%")
    assert summary.truncated and summary.considered < 40 and len(summary) == summary.considered
    assert sum(len(s.text) for s in summary) <= 2_000
    whole = get_summarizer("textrank", max_sentences=None, max_chars=None)(text, 3)
    assert not whole.truncated and whole.considered == whole.n_sentences == 300
    one_huge = get_summarizer("lead", max_chars=10)("Kalimat pertama yang panjang sekali. Kedua.", 2)
    assert [s.index for s in one_huge] == [0] and one_huge.considered == 1  # the first sentence always counts


def test_a_summary_is_still_a_list_and_short_documents_are_not_cut():
    summary = get_summarizer("textrank")(SENTENCES, 2)
    assert isinstance(summary, list) and summary == list(summary)
    assert not summary.truncated and summary.n_sentences == summary.considered == len(SENTENCES)
    assert json.loads(json.dumps([s.index for s in summary])) == [s.index for s in summary]


@pytest.mark.parametrize("bad", [0, -1, 2.5, "500", True])
def test_caps_are_checked(bad):
    for name in ("max_sentences", "max_chars"):
        with pytest.raises(ValueError, match=name):
            TextRankSummarizer(**{name: bad})
        with pytest.raises(ValueError, match=name):
            get_summarizer("features", **{name: bad})
    assert get_summarizer("features", max_sentences=7).max_sentences == 7


def test_the_caps_change_no_indosum_article():
    """The defaults sit far above IndoSum's longest articles, so the ROUGE table is unaffected."""
    from pemilu_nlp.summarize.base import MAX_CHARS, MAX_SENTENCES, considered_sentences, prepare_sentences

    paths = sorted((ROOT.parent / "shared/data/indosum").glob("*.jsonl.gz"))
    if not paths:
        pytest.skip("IndoSum is not in ../shared/data/indosum")
    for article in load_indosum(paths):
        for sentences in (article.sentences, prepare_sentences(article.text)):
            assert considered_sentences(sentences, MAX_SENTENCES, MAX_CHARS) == len(sentences), article.id


def test_summarize_many_takes_one_string_as_one_text_and_refuses_non_texts():
    lead = get_summarizer("lead")
    assert lead.summarize_many("KPU menetapkan DPT. Bawaslu mengawasi.", 1) == [
        lead("KPU menetapkan DPT. Bawaslu mengawasi.", 1)]
    with pytest.raises(ValueError, match="no texts"):
        lead.summarize_many([], 2)
    for bad, message in ((None, "sequence of texts"), (5, "sequence of texts"), (b"abc", "bytes"),
                         ([b"abc"], "position 0 .* bytes")):
        with pytest.raises(TypeError, match=message):
            lead.summarize_many(bad, 2)


def test_mmr_lambda_is_checked_for_every_method():
    for name in ("textrank", "features", "neural"):
        for bad in (-5, 0, 1.5, "x", True):
            with pytest.raises(ValueError, match="mmr_lambda"):
                get_summarizer(name, mmr_lambda=bad)
    assert get_summarizer("features", mmr_lambda=0.5).mmr_lambda == 0.5
    with pytest.raises(TypeError, match="takes only mmr_lambda"):
        get_summarizer("features", C=3.0)  # what a shipped scorer learned is not a setting


def test_parse_count():
    assert check_count("3") == 3 and check_count(3) == 3 and check_count("20%") == "20%"  # one meaning, no document
    assert parse_count(3, 10) == 3 and parse_count("50%", 10) == 5 and parse_count(" 20 % ", 3) == 1
    assert parse_count("3", 10) == 3 and parse_count("12", 4) == 4
    assert parse_count("50%", 5) == 3 and parse_count("50%", 7) == 4  # halves round up, always
    for bad in ("²", "٣", "0", "-2", "²%"):  # only ASCII digits
        with pytest.raises(ValueError, match="positive int"):
            parse_count(bad, 5)
        with pytest.raises(ValueError, match="positive int"):
            check_count(bad)


def test_analyze_checks_the_count_before_it_classifies():
    from pemilu_nlp import analyze

    class NeverCalled:
        def __getattr__(self, name):
            raise AssertionError(f"the classifier was used ({name}) before the count was checked")

    with pytest.raises(ValueError, match="positive int or a share"):
        analyze("KPU menetapkan DPT. Bawaslu mengawasi.", classifier=NeverCalled(), count="0")


# --- graphs by hand ---------------------------------------------------------------------------------
def test_pagerank_equals_the_closed_form_on_a_hand_built_graph():
    w = np.array([[0, 1.0, 0.5], [1.0, 0, 0], [0.5, 0, 0]])
    d, n = 0.85, 3
    transition = w / w.sum(axis=1, keepdims=True)
    # r = (1-d)/n + d T^T r  <=>  (I - d T^T) r = (1-d)/n
    exact = np.linalg.solve(np.eye(n) - d * transition.T, np.full(n, (1 - d) / n))
    np.testing.assert_allclose(pagerank(w, damping=d), exact, atol=1e-7)
    assert pagerank(w).argmax() == 0  # the hub


def test_textrank_and_lexrank_scores_match_hand_computation():
    sentences = ["pemilu damai aman", "pemilu damai", "sepak bola"]
    # tf-idf within the article: idf = ln((1+3)/(1+df)) + 1; "pemilu","damai" df=2, others df=1
    idf2, idf1 = np.log(4 / 3) + 1, np.log(4 / 2) + 1
    v0 = np.array([idf2, idf2, idf1, 0, 0])
    v1 = np.array([idf2, idf2, 0, 0, 0])
    cos01 = v0 @ v1 / np.linalg.norm(v0) / np.linalg.norm(v1)
    sim = np.array([[0, cos01, 0], [cos01, 0, 0], [0, 0, 0]])
    expected = pagerank(sim)
    got = TextRankSummarizer().score(sentences)
    np.testing.assert_allclose(got, expected / expected.max(), atol=1e-9)
    assert got[2] < got[0] == got[1] == 1.0  # the isolated sentence ranks last
    lex = LexRankSummarizer(threshold=0.5).score(sentences)
    binary = pagerank((sim >= 0.5).astype(float))
    np.testing.assert_allclose(lex, binary / binary.max(), atol=1e-9)


def test_position_and_title_weights_change_scores_as_defined():
    plain = TextRankSummarizer().score(SENTENCES)
    shifted = TextRankSummarizer(position_weight=2.0).score(SENTENCES)
    np.testing.assert_allclose(shifted - plain, 2.0 / (1 + np.arange(len(SENTENCES))))
    titled = TextRankSummarizer(title_weight=1.0).score(SENTENCES, title="Cuaca cerah")
    assert titled.argmax() == 4


def test_mmr_never_picks_two_identical_sentences():
    sentences = ["Polisi menjaga TPS.", "Polisi menjaga TPS.", "KPU menghitung suara.", "Bawaslu mengawasi."]
    for lam in (0.3, 0.7, 1.0):
        chosen = get_summarizer("textrank", preset=None, mmr_lambda=lam)(sentences, 3)
        texts = [s.text for s in chosen]
        assert len(texts) == len(set(texts))
    sim = np.ones((3, 3))
    assert len(mmr_select(np.array([3.0, 2.0, 1.0]), sim, 3, 1.0)) == 1


# --- ROUGE, LEAD-3 and ORACLE ----------------------------------------------------------------------
def test_rouge_equals_rouge_score_on_a_known_pair():
    from rouge_score import rouge_scorer

    ref, pred = "polisi menjaga tps pemilu di banjarmasin", "polisi menjaga kantor kpu di banjarmasin"
    expected = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"]).score(ref, pred)
    got = rouge(ref, pred)
    for key in ("rouge1", "rouge2", "rougeL"):
        assert got[key] == pytest.approx(100 * expected[key].fmeasure)
    assert rouge(ref, pred)["rouge1"] == pytest.approx(100 * 4 / 6)  # 4 of 6 unigrams shared both ways


@pytest.fixture(scope="module")
def indosum_docs():
    return indosum_documents(load_indosum(ROOT / "tests" / "data" / "indosum_sample.jsonl"))


def test_lead3_and_oracle_behave_as_defined_on_indosum(indosum_docs):
    lead = get_summarizer("lead")
    results = evaluate_methods(indosum_docs, {
        "lead": lambda d: [s.index for s in lead(list(d.sentences), 3)],
        "oracle": lambda d: oracle_indices(list(d.sentences), d.reference),
        "gold": lambda d: list(d.gold)}, progress=False)
    assert results["oracle"]["rouge1"] >= results["lead"]["rouge1"]
    assert results["gold"]["sentence_precision"] == 1.0 and results["gold"]["sentence_recall"] == 1.0
    for doc in indosum_docs:
        chosen = oracle_indices(list(doc.sentences), doc.reference)
        score = rouge(doc.reference, " ".join(doc.sentences[i] for i in chosen))
        for extra in set(range(len(doc.sentences))) - set(chosen):  # greedy: no single addition helps
            more = rouge(doc.reference, " ".join(doc.sentences[i] for i in sorted([*chosen, extra])))
            assert more["rouge1"] + more["rouge2"] <= score["rouge1"] + score["rouge2"] + 1e-9


# --- names and presets ------------------------------------------------------------------------------
def test_the_preset_and_the_bare_class_are_named_apart():
    tuned = get_summarizer("textrank")  # the library's setting: the weights tuned on IndoSum dev
    assert tuned.get_params() == TextRankSummarizer(**INDOSUM["textrank"]).get_params()
    assert tuned.position_weight == 4.0 and tuned.mmr_lambda == 0.85
    bare = get_summarizer("textrank", preset=None)
    assert bare.get_params() == TextRankSummarizer().get_params() != tuned.get_params()
    assert get_summarizer("textrank", title_weight=0.0).title_weight == 0.0  # a setting overrides the preset
    with pytest.raises(ValueError, match="unknown preset 'dev'"):
        get_summarizer("textrank", preset="dev")
    with pytest.warns(DeprecationWarning, match="preset"):
        assert get_summarizer("textrank", tuned=False).get_params() == bare.get_params()


def test_trained_is_the_old_name_of_features_and_warns():
    with pytest.warns(DeprecationWarning, match="'trained' is now called 'features'"):
        old = get_summarizer("trained")
    assert isinstance(old, FeatureSummarizer) and old.name == "features"
    with pytest.warns(DeprecationWarning, match="FeatureSummarizer"):
        from pemilu_nlp.summarize import TrainedSummarizer
    assert TrainedSummarizer is FeatureSummarizer
    with pytest.warns(DeprecationWarning):
        assert registry.summarizer_class("trained") is FeatureSummarizer
    with pytest.raises(ValueError, match="choose one of lead, textrank, lexrank, features, neural, embedding"):
        get_summarizer("trainer")


#: what the shipped scorers gave for an IndoSum sample article before they were renamed and moved
#: to the shared save format (scores rounded to 6 decimals)
SHIPPED_SCORES = {
    "features": [0.821308, 0.746501, 0.203727, 0.383328, 0.19876, 0.109296, 0.082013, 0.062118, 0.044746, 0.02472],
    "neural": [0.796506, 0.853124, 0.197444, 0.566359, 0.289787, 0.184391, 0.178892, 0.112218, 0.105451, 0.013305],
}


@pytest.mark.parametrize("name", sorted(SHIPPED_SCORES))
def test_the_shipped_scorers_load_through_the_registry_and_score_as_before(name):
    if name == "neural":
        pytest.importorskip("torch")
    article = load_indosum(ROOT / "tests" / "data" / "indosum_sample.jsonl")[1]
    model = registry.load(registry.shipped_folder(name))
    assert type(model) is registry.summarizer_class(name)
    np.testing.assert_allclose(model.score(article.sentences), SHIPPED_SCORES[name], atol=5e-7)
    assert [s.index for s in model(article.sentences, 3)] == [0, 1, 3]
    assert model(article.text, 3) == get_summarizer(name)(article.text, 3)
    assert registry.shipped_folder(name).name == f"summarizer-{name}"


# --- the feature scorer -----------------------------------------------------------------------------
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


# --- the neural scorer ------------------------------------------------------------------------------
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


# --- optional: sentence-embedding centrality (tiny BERT of the IndoBERT class) -----------------------
@pytest.fixture(scope="module")
def embedding_summarizer(tmp_path_factory):
    pytest.importorskip("torch")
    from pemilu_nlp.testing import build_bert

    folder = build_bert(tmp_path_factory.mktemp("enc"), [ARTICLE, *SENTENCES] * 5, vocab_size=300)
    return get_summarizer("embedding", model_name_or_path=str(folder), device="cpu")


def test_embedding_centrality_follows_the_contract(embedding_summarizer):
    summary = embedding_summarizer(ARTICLE, 3)
    assert len(summary) == 3 and [s.index for s in summary] == sorted(s.index for s in summary)
    assert [s.index for s in embedding_summarizer(SENTENCES, 50)] == list(range(len(SENTENCES)))
    vectors = embedding_summarizer.embed(SENTENCES)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    with pytest.raises(ValueError):
        embedding_summarizer("  ", 3)


def test_embedding_centrality_reads_a_long_document_up_to_the_cap(embedding_summarizer, monkeypatch):
    embedded: list[int] = []
    original = embedding_summarizer.embed
    monkeypatch.setattr(embedding_summarizer, "embed", lambda sentences: embedded.append(len(sentences)) or original(sentences))
    monkeypatch.setattr(embedding_summarizer, "max_sentences", 40)
    summary = embedding_summarizer(_long_document(300), 3)
    assert embedded == [40] and summary.truncated and summary.considered == 40 and len(summary) == 3


def test_embedding_centrality_offline_gives_one_clear_error(monkeypatch):
    pytest.importorskip("torch")
    from pemilu_nlp.errors import WeightsUnavailableError

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(WeightsUnavailableError, match="pass its path"):
        get_summarizer("embedding", model_name_or_path="indolem/indobert-base-uncased")
