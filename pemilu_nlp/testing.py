"""Test and benchmark models without a model hub: BERTs of the IndoBERT class built from a config.

Tests use a tiny one (2 layers) and the benchmark a full-size one with random weights: both get
a WordPiece tokenizer trained by ``tokenizers`` on the given texts, and both are written with
``save_pretrained`` so that they load through exactly the ``from_pretrained`` path IndoBERT uses.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

__all__ = ["INDOBERT_BASE", "build_bert", "shuffled_corpus"]

#: The architecture of indobenchmark/indobert-base-p1 (BERT-base, 50k WordPiece vocabulary).
INDOBERT_BASE = {"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
                 "intermediate_size": 3072, "max_position_embeddings": 512}
# A larger initialisation than BERT's 0.02 keeps token differences visible through two random
# layers, so that a few steps of fine-tuning can show that the training loop learns.
TINY = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64,
        "max_position_embeddings": 128, "initializer_range": 0.2, "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0}


def build_bert(folder: str | Path, texts: Iterable[str], *, vocab_size: int = 2000, size: dict | None = None,
               seed: int = 0, embedding_rows: int | None = None) -> Path:
    """Train a WordPiece tokenizer on ``texts``, create a randomly initialised BERT of ``size``
    (default: tiny) and ``save_pretrained`` both into ``folder``."""
    import torch
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece()
    tokenizer.train_from_iterator(list(texts), trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=special))
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]", special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    fast.save_pretrained(folder)
    # embedding_rows: give the embedding matrix the real model's size (IndoBERT: 50,000 rows)
    config = BertConfig(vocab_size=max(embedding_rows or 0, tokenizer.get_vocab_size()), **(size or TINY))
    with torch.random.fork_rng(devices=[]):  # seeded without touching the caller's random state
        torch.manual_seed(seed)
        BertModel(config).save_pretrained(folder)  # no task head, like a pretrained checkpoint
    return folder


def shuffled_corpus(examples: Iterable[tuple[str, list[str]]], n: int = 12, *,
                    seed: int = 0) -> tuple[list[str], list[list[str]]]:
    """``n`` rounds of each ``(text, topics)`` example with its words shuffled (seeded): a tiny
    corpus whose topics a model can learn from the words alone, whatever their order."""
    import numpy as np

    rng = np.random.default_rng(seed)
    examples = list(examples)
    texts, labels = [], []
    for _ in range(n):
        for base, topics in examples:
            words = base.split()
            rng.shuffle(words)
            texts.append(" ".join(words))
            labels.append(list(topics))
    return texts, labels
