"""How the transformer classifier feeds and pools an encoder (encoder.json), and the frozen,
cached lower layers with out-of-fold thresholds, on a tiny BERT (no network, quick)."""
from __future__ import annotations

import copy
import json
import shutil

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from pemilu_nlp.backends.encoder_recipe import LowerLayerCache  # noqa: E402
from pemilu_nlp.classify.indobert import IndoBertTopicClassifier, IndoBertTrainingArguments  # noqa: E402
from pemilu_nlp.testing import build_bert, shuffled_corpus  # noqa: E402

LAPAS = "razia kamar narapidana di lapas rutan warga binaan kalapas pemasyarakatan"
HOAKS = "hoaks disinformasi cek fakta video palsu beredar media sosial ujaran kebencian"
OTHER = "sepak bola timnas menang gol stadion pelatih pemain liga"


@pytest.fixture(scope="module")
def mean_pooled_bert(tmp_path_factory):
    """A 2-layer BERT whose encoder.json says: mean pooling, a 'passage: ' prefix (as the e5 export)."""
    folder = build_bert(tmp_path_factory.mktemp("mean-bert"), [LAPAS, HOAKS, OTHER, "passage: berita"] * 20,
                        vocab_size=300)
    (folder / "encoder.json").write_text(json.dumps({"pooling": "mean", "input_prefix": "passage: "}), "utf-8")
    return folder


def signal_corpus(n: int = 12) -> tuple[list[str], list[list[str]]]:
    return shuffled_corpus([(LAPAS, ["keamanan_lapas"]), (HOAKS, ["hoaks_ujaran_kebencian"]), (OTHER, [])], n)


def test_encoder_json_gives_the_prefix_and_a_mean_pooler_that_ignores_padding(mean_pooled_bert):
    clf = IndoBertTopicClassifier.untrained(str(mean_pooled_bert), max_length=32, device="cpu", precision="fp32")
    windows, _ = clf.windows([LAPAS, "hoaks"])
    assert clf.tokenizer_.decode(windows[1]).startswith("[CLS] passage : hoaks")
    ids, mask = clf._pad(windows)
    with torch.no_grad():
        batched = clf.model_(input_ids=ids, attention_mask=mask).logits
        alone = clf.model_(input_ids=torch.tensor([windows[1]])).logits
    assert torch.allclose(batched[1], alone[0], atol=1e-5)
    variant = copy.deepcopy(clf.model_)  # as the int8 / bf16 variants are made
    with torch.no_grad():
        assert torch.allclose(variant(input_ids=ids, attention_mask=mask).logits[1], alone[0], atol=1e-5)


def test_a_folder_without_encoder_json_keeps_the_cls_pooler(mean_pooled_bert, tmp_path):
    plain = shutil.copytree(mean_pooled_bert, tmp_path / "plain")
    (plain / "encoder.json").unlink()
    clf = IndoBertTopicClassifier.untrained(str(plain), max_length=32, device="cpu")
    assert type(clf.model_.bert.pooler).__name__ == "BertPooler"
    assert not clf.tokenizer_.decode(clf.windows(["hoaks"])[0][0]).startswith("[CLS] passage")


def test_cached_lower_layers_give_the_logits_of_the_whole_model(mean_pooled_bert):
    clf = IndoBertTopicClassifier.untrained(str(mean_pooled_bert), max_length=32, device="cpu", precision="fp32")
    windows, _ = clf.windows([LAPAS, HOAKS + " " + OTHER, "gol"])
    ids, mask = clf._pad(windows)
    with torch.no_grad():
        whole = clf.model_(input_ids=ids, attention_mask=mask).logits
        cached = LowerLayerCache(clf.model_, 1, windows, clf._pad, "cpu").logits(list(range(len(windows))))
    assert torch.allclose(whole, cached, atol=1e-2)  # the cache holds fp16


def test_frozen_cached_training_learns_with_out_of_fold_thresholds_and_round_trips(mean_pooled_bert, tmp_path):
    texts, labels = signal_corpus()
    # 16 epochs, not 8: with the tokenizers trainer's hash-ordered vocabularies 8 epochs were too few for some
    # builds; build_bert's vocabulary is the same in every process now and gets every label set at 8: a margin
    args = IndoBertTrainingArguments(epochs=16, batch_size=6, learning_rate=3e-3, warmup_ratio=0.0, freeze_layers=1,
                                     pos_weight_power=0.5, max_pos_weight=10, progress=False)
    clf = IndoBertTopicClassifier(str(mean_pooled_bert), max_length=32, stride=8, thresholds="oof", args=args,
                                  device="cpu", precision="fp32")
    clf.fit(texts, labels)
    assert clf.threshold_source_ == "oof" and not hasattr(clf, "_trainer")
    assert np.mean([set(p) == set(y) for p, y in zip(clf.predict_topics(texts), labels)]) > 0.9
    assert all(h["seconds"] >= 0 for h in clf.history_)
    clf.save(tmp_path / "m")
    assert json.loads((tmp_path / "m" / "hf" / "encoder.json").read_text("utf-8"))["pooling"] == "mean"
    again = IndoBertTopicClassifier.load(tmp_path / "m", device="cpu", precision="fp32")
    np.testing.assert_allclose(again.predict_proba(texts), clf.predict_proba(texts), atol=1e-6)


def test_the_lower_layers_stay_as_the_base_has_them(mean_pooled_bert):
    from transformers import AutoModel

    texts, labels = signal_corpus(4)
    args = IndoBertTrainingArguments(epochs=2, batch_size=6, learning_rate=3e-3, freeze_layers=1, progress=False)
    clf = IndoBertTopicClassifier(str(mean_pooled_bert), max_length=32, thresholds="fixed", args=args, device="cpu")
    clf.fit(texts, labels)
    base = AutoModel.from_pretrained(mean_pooled_bert)
    for name, value in base.encoder.layer[0].state_dict().items():
        assert torch.equal(value, clf.model_.bert.encoder.layer[0].state_dict()[name]), name
    assert not torch.equal(base.encoder.layer[1].attention.self.query.weight,
                           clf.model_.bert.encoder.layer[1].attention.self.query.weight)


def test_a_head_learning_rate_trains_the_head_at_its_own_rate(mean_pooled_bert):
    texts, labels = signal_corpus(4)
    # the encoder's rate so small that its layer cannot move; the head's large enough that it must
    args = IndoBertTrainingArguments(epochs=2, batch_size=6, learning_rate=1e-12, head_learning_rate=1e-2,
                                     warmup_ratio=0.0, weight_decay=0.0, freeze_layers=1, progress=False)
    clf = IndoBertTopicClassifier(str(mean_pooled_bert), max_length=32, thresholds="fixed", args=args, device="cpu")
    untrained = IndoBertTopicClassifier.untrained(str(mean_pooled_bert), max_length=32, device="cpu")
    head_before = untrained.model_.classifier.weight.detach().clone()  # the same seed draws the same head
    layer_before = untrained.model_.bert.encoder.layer[1].attention.self.query.weight.detach().clone()
    clf.fit(texts, labels)
    assert torch.allclose(clf.model_.bert.encoder.layer[1].attention.self.query.weight, layer_before, atol=1e-8)
    assert (clf.model_.classifier.weight - head_before).abs().max() > 1e-3
    with pytest.raises(ValueError, match="head_learning_rate"):
        IndoBertTrainingArguments(head_learning_rate=0.0)


def test_a_cross_validation_fit_never_reads_the_held_out_labels(mean_pooled_bert):
    from pemilu_nlp.classify.indobert.trainer import _Trainer
    from pemilu_nlp.inputs import binarize_labels

    texts, labels = signal_corpus(6)
    args = IndoBertTrainingArguments(epochs=2, batch_size=6, learning_rate=3e-3, freeze_layers=1, progress=False)
    clf = IndoBertTopicClassifier.untrained(str(mean_pooled_bert), max_length=32, args=args, device="cpu")
    Y = binarize_labels(labels, list(clf.classes_), n=len(texts))
    rest, held = np.arange(12), np.arange(12, 18)

    def held_out_scores(Y):
        trainer = _Trainer(clf, args, texts, Y)
        torch.manual_seed(0)
        before = trainer.model.classifier.weight.detach().clone()
        with trainer.weights_kept():
            scores = trainer.fit_score(rest, held)
        assert torch.equal(trainer.model.classifier.weight, before)  # put back
        return scores

    first = held_out_scores(Y)
    other = Y.copy()
    other[held] = 1 - other[held]  # other labels on the held-out articles: the same fit
    np.testing.assert_array_equal(held_out_scores(other), first)
    assert first.shape == (6, len(clf.classes_))


def test_out_of_fold_thresholds_without_frozen_layers_are_refused_before_training():
    with pytest.raises(ValueError, match="freeze_layers"):
        IndoBertTopicClassifier("no/such-model", thresholds="oof").fit([LAPAS], [["keamanan_lapas"]])


def test_hub_e5_ids_are_known_to_mean_pool_and_bert_ids_keep_the_cls_pooler(tmp_path):
    from pemilu_nlp.backends.encoder_recipe import encoder_settings
    from pemilu_nlp.errors import ModelFormatError

    assert encoder_settings("intfloat/multilingual-e5-small") == {"pooling": "mean", "input_prefix": "passage: "}
    assert encoder_settings("indobenchmark/indobert-base-p1") == {"pooling": "cls", "input_prefix": ""}
    (tmp_path / "encoder.json").write_text('{"pooling": "max"}', "utf-8")
    with pytest.raises(ModelFormatError, match="pooling"):
        encoder_settings(tmp_path)
