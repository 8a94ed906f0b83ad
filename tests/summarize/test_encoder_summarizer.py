"""The encoder summariser (BERTSUM style) on a tiny BERT built from a config: no hub, CPU, quick."""
from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from conftest import ROOT, seed_text

pytest.importorskip("torch")
pytest.importorskip("transformers")

from pemilu_nlp.errors import MissingDependencyError, ModelFormatError
from pemilu_nlp.io.indosum import load_indosum
from pemilu_nlp.registry import load
from pemilu_nlp.summarize import get_summarizer, prepare_sentences
from pemilu_nlp.summarize.encoder import EncoderSummarizer
from pemilu_nlp.summarize.sentence_encoder import SentenceEncoder, pack_sentences
from pemilu_nlp.testing import build_bert

SAMPLE = load_indosum([ROOT / "tests" / "data" / "indosum_sample.jsonl"])
ARTICLES = [prepare_sentences(seed_text(f"00{i}")) for i in range(5)]
LONG = ARTICLES[0] + ARTICLES[1] + ARTICLES[2]  # far more than one 64-token window


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    texts = [" ".join(a.sentences) for a in SAMPLE] + [" ".join(a) for a in ARTICLES]
    return build_bert(tmp_path_factory.mktemp("enc-bert"), texts * 3, vocab_size=400)


def encoder(folder, **settings) -> SentenceEncoder:
    return SentenceEncoder.from_folder(folder, **{"max_length": 64, "max_sentence_tokens": 24, **settings})


@pytest.fixture(scope="module")
def fitted(tiny_bert):
    """Trained on the lead as gold (IndoSum sample + seed articles): a pattern a scorer must find."""
    documents = [a.sentences for a in SAMPLE] + ARTICLES
    gold = [[0, 1, 2]] * len(documents)
    model = EncoderSummarizer(str(tiny_bert), max_length=64, max_sentence_tokens=24, hidden=16, heads=2,
                              scorer_layers=1, epochs=40, batch_size=4, learning_rate=5e-3, dropout=0.0,
                              progress=False)
    return model.fit(documents, gold, dev=(documents[:4], gold[:4]))


# --- windows and markers -----------------------------------------------------------------------------
def test_sentences_are_packed_whole_and_in_order():
    assert pack_sentences([3, 4, 2, 5], budget=7) == [[0, 1], [2, 3]]
    assert pack_sentences([7, 1], budget=7) == [[0], [1]]
    with pytest.raises(ValueError, match="more than the window"):
        pack_sentences([8], budget=7)


def test_a_long_article_is_read_in_windows_with_every_sentence_in_exactly_one(tiny_bert):
    enc = encoder(tiny_bert)
    windows = enc.windows(LONG)
    assert len(windows) > 3
    placed = [i for w in windows for i, _, _ in w.spans]
    assert placed == list(range(len(LONG)))                      # each sentence once, in order
    assert all(len(w.ids) <= 64 for w in windows)
    assert all(w.ids[0] == enc.cls_id and w.ids[-1] == enc.sep_id for w in windows)


def test_marker_pooling_puts_the_cls_token_before_each_sentence(tiny_bert):
    enc = encoder(tiny_bert, pooling="marker")
    for window in enc.windows(LONG):
        assert all(end == start + 1 and window.ids[start] == enc.cls_id for _, start, end in window.spans)
        assert window.ids.count(enc.cls_id) == len(window.spans) + 1  # the window's own CLS and one per sentence
    mean = encoder(tiny_bert, pooling="mean")
    assert all(w.ids.count(mean.cls_id) == 1 for w in mean.windows(LONG))


def test_the_prefix_starts_every_window(tiny_bert):
    enc = encoder(tiny_bert, prefix="passage: ")
    assert enc.prefix_ids and all(list(w.ids[1:1 + len(enc.prefix_ids)]) == enc.prefix_ids for w in enc.windows(LONG))


def test_every_sentence_gets_one_vector_the_mean_of_its_tokens_in_its_window(tiny_bert):
    enc = encoder(tiny_bert)
    vectors = enc.encode([LONG, ARTICLES[3]])
    assert [v.shape[0] for v in vectors] == [len(LONG), len(ARTICLES[3])]
    window = enc.windows(LONG)[2]
    states = enc._states([window.ids], None)[0]
    for i, start, end in window.spans:
        np.testing.assert_allclose(vectors[0][i], states[start:end].mean(0).numpy(), atol=1e-5)


def test_hidden_states_of_several_depths_come_from_one_pass(tiny_bert):
    full = encoder(tiny_bert).encode([ARTICLES[1]], depths=[1, 2])[0]
    cut = encoder(tiny_bert, layers=1).encode([ARTICLES[1]])[0]
    np.testing.assert_allclose(full[0], cut, atol=1e-5)           # a 1-layer cut reads what layer 1 gives
    assert not np.allclose(full[0], full[1])


def test_a_window_longer_than_the_positions_is_a_clear_error(tiny_bert):
    with pytest.raises(ValueError, match="more than the encoder's 128 positions"):
        encoder(tiny_bert, max_length=256)


# --- the summariser ------------------------------------------------------------------------------------
def test_it_learns_the_lead_and_follows_the_contract(fitted):
    assert fitted.history_[-1]["train_loss"] < fitted.history_[0]["train_loss"]
    summary = fitted(LONG, 3)
    assert [s.index for s in summary] == [0, 1, 2]
    assert len(fitted.score(LONG)) == len(LONG)                   # every sentence scored, once


def test_n_documents_in_n_summaries_out_in_order(fitted):
    texts = [seed_text("004"), LONG, ARTICLES[2], "Satu kalimat saja."]
    many = fitted.summarize_many(texts, 2)
    assert len(many) == 4
    assert [[s.index for s in m] for m in many] == [[s.index for s in fitted(t, 2)] for t in texts]


def test_save_then_load_scores_identically(fitted, tmp_path):
    fitted.save(tmp_path / "enc-summ", metrics={"note": "test"})
    again = load(tmp_path / "enc-summ")
    assert isinstance(again, EncoderSummarizer) and again.encoder_.layers == 2
    np.testing.assert_array_equal(again.score(LONG), fitted.score(LONG))
    chosen = get_summarizer("encoder", folder=tmp_path / "enc-summ", mmr_lambda=0.8)
    assert chosen.mmr_lambda == 0.8 and len(chosen(ARTICLES[0], 3)) == 3


def test_a_cut_encoder_is_saved_cut(tiny_bert, tmp_path):
    model = EncoderSummarizer(str(tiny_bert), layers=1, features=False, max_length=64, epochs=1, hidden=8, heads=2,
                              progress=False)
    model.fit(ARTICLES, [[0]] * len(ARTICLES)).save(tmp_path / "cut")
    assert json.loads((tmp_path / "cut" / "hf" / "config.json").read_text())["num_hidden_layers"] == 1
    np.testing.assert_array_equal(load(tmp_path / "cut").score(LONG), model.score(LONG))


# --- errors ----------------------------------------------------------------------------------------------
def test_a_bad_folder_is_a_model_format_error(fitted, tmp_path):
    with pytest.raises(ModelFormatError, match="no such model folder"):
        EncoderSummarizer.load(tmp_path / "missing")
    folder = fitted.save(tmp_path / "m")
    (folder / "weights.safetensors").write_bytes(b"not weights")
    with pytest.raises(ModelFormatError, match="checksum mismatch"):
        EncoderSummarizer.load(folder)
    folder = fitted.save(tmp_path / "m2")
    (folder / "hf" / "extra.bin").write_bytes(b"x")
    with pytest.raises(ModelFormatError, match="not in manifest.json"):
        EncoderSummarizer.load(folder)


def test_a_folder_whose_settings_do_not_fit_its_encoder_is_refused(fitted, tmp_path):
    from pemilu_nlp.io.persistence import seal

    folder = fitted.save(tmp_path / "m")
    config = json.loads((folder / "config.json").read_text())
    config["params"]["layers"] = 5
    (folder / "config.json").write_text(json.dumps(config))
    files = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]
    seal(folder, [f for f in files if f != "manifest.json"])        # re-sealed: only the range check is left
    with pytest.raises(ModelFormatError, match="layers=5"):
        EncoderSummarizer.load(folder)


def test_missing_torch_or_transformers_is_a_named_error(tiny_bert, monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(MissingDependencyError, match=r"pemilu-nlp\[e5\]"):
        EncoderSummarizer(str(tiny_bert)).load_encoder()


def test_untrained_or_without_a_folder_says_what_to_do(tiny_bert):
    with pytest.raises(ValueError, match="train-summarizer --method encoder"):
        get_summarizer("encoder")
    with pytest.raises(ValueError, match="needs base=FOLDER"):
        EncoderSummarizer().fit([["a."]], [[0]])
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="not fitted"):
        EncoderSummarizer(str(tiny_bert))(LONG, 3)


# --- commands ------------------------------------------------------------------------------------------
def test_train_summarizer_then_summarize_from_the_command_line(tiny_bert, tmp_path, capsys):
    from pemilu_nlp.cli import main

    sample, out = ROOT / "tests" / "data" / "indosum_sample.jsonl", tmp_path / "encoder-summ"
    assert main(["train-summarizer", "--method", "encoder", "--indosum", str(sample), "--indosum-split", "none",
                 "--out", str(out)]) == 2
    assert "needs --base" in capsys.readouterr().err
    assert main(["train-summarizer", "--method", "encoder", "--base", str(tiny_bert), "--indosum", str(sample),
                 "--indosum-split", "none", "--max-length", "64", "--epochs", "2", "--out", str(out)]) == 0
    config = json.loads((out / "config.json").read_text())
    assert config["metrics"]["encoder"]["layers"] == 2 and len(config["history"]) == 2
    seed = sorted((ROOT / "seeds").glob("00*.txt"))[:2]
    assert main(["summarize", "--method", "encoder", *map(str, seed)]) == 2
    assert "needs --encoder" in capsys.readouterr().err
    assert main(["summarize", "--json", "--method", "encoder", "--encoder", str(out), "--count", "2",
                 *map(str, seed)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [len(line["summary"]) for line in lines] == [2, 2] and lines[0]["method"] == "encoder"


def test_the_prefix_an_export_records_is_used_and_saved(tiny_bert, tmp_path):
    import shutil

    folder = shutil.copytree(tiny_bert, tmp_path / "export")
    (folder / "encoder.json").write_text(json.dumps({"pooling": "mean", "input_prefix": "passage: "}))
    model = EncoderSummarizer(str(folder), max_length=64, epochs=1, hidden=8, heads=2, progress=False)
    model.fit(ARTICLES, [[0]] * len(ARTICLES)).save(tmp_path / "m")
    assert model.prefix_ == "passage: " and model.encoder_.prefix_ids
    assert load(tmp_path / "m").prefix == "passage: "


# --- fine-tuning the top encoder layer ------------------------------------------------------------------
@pytest.fixture(scope="module")
def fine_tuned(tiny_bert):
    documents = [a.sentences for a in SAMPLE] + ARTICLES + [LONG]
    gold = [[0, 1, 2]] * len(documents)
    model = EncoderSummarizer(str(tiny_bert), max_length=64, max_sentence_tokens=24, hidden=16, heads=2,
                              scorer_layers=1, epochs=3, batch_size=4, learning_rate=5e-3, dropout=0.0,
                              finetune_layers=1, finetune_learning_rate=1e-3, progress=False)
    return model.fit(documents, gold, dev=(documents[-3:], gold[-3:]))


def test_fine_tuning_trains_the_top_layer_only(fine_tuned, tiny_bert):
    base = SentenceEncoder.from_folder(tiny_bert, max_length=64).model.state_dict()
    tuned = fine_tuned.encoder_.model.state_dict()
    changed = {k.split(".")[2] for k in base if k.startswith("encoder.layer.") and not torch_equal(base[k], tuned[k])}
    assert changed == {"1"}                                                   # layer 0 frozen, layer 1 trained
    assert all(torch_equal(base[k], tuned[k]) for k in base if k.startswith("embeddings."))
    assert len(fine_tuned.history_) == 3 and "dev_top3_gold_precision" in fine_tuned.history_[0]


def test_fine_tuned_dev_vectors_from_the_cache_match_the_encoder_run_whole(fine_tuned):
    live = fine_tuned.encoder_.encode([LONG])[0]                               # every layer run, fp32
    np.testing.assert_allclose(fine_tuned.dev_vectors_[-1], live, atol=2e-2)   # lower layers from the fp16 cache


def test_a_fine_tuned_folder_reloads_with_identical_scores_every_sentence_once(fine_tuned, tmp_path):
    assert len(fine_tuned.encoder_.windows(LONG)) > 1
    scores = fine_tuned.score(LONG)
    assert scores.shape == (len(LONG),)
    again = load(fine_tuned.save(tmp_path / "tuned"))
    assert again.finetune_layers == 1
    np.testing.assert_array_equal(again.score(LONG), scores)


def test_bad_fine_tuning_settings_are_clear_errors(tiny_bert, capsys):
    with pytest.raises(ValueError, match="finetune_layers must be an integer from 0"):
        EncoderSummarizer(str(tiny_bert), finetune_layers=-1)
    with pytest.raises(ValueError, match="finetune_learning_rate must be a finite number"):
        EncoderSummarizer(str(tiny_bert), finetune_learning_rate=0.0)
    model = EncoderSummarizer(str(tiny_bert), max_length=64, finetune_layers=2, progress=False)
    with pytest.raises(ValueError, match="finetune_layers=2 must be less than the encoder's 2 layers"):
        model.fit(ARTICLES, [[0]] * len(ARTICLES))
    with pytest.raises(ValueError, match="not given vectors"):
        model.set_params(finetune_layers=1).fit(ARTICLES[:1], [[0]], vectors=[np.zeros((len(ARTICLES[0]), 32))])
    from pemilu_nlp.cli import main

    sample = ROOT / "tests" / "data" / "indosum_sample.jsonl"
    assert main(["train-summarizer", "--method", "encoder", "--base", str(tiny_bert), "--indosum", str(sample),
                 "--indosum-split", "none", "--max-length", "64", "--finetune-layers", "-2", "--out", "x"]) == 2
    assert "finetune_layers must be an integer from 0" in capsys.readouterr().err


def torch_equal(a, b) -> bool:
    import torch

    return bool(torch.equal(a, b))
