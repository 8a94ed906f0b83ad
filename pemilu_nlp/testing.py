"""Test and benchmark models without a model hub: BERTs of the IndoBERT class built from a config.

Tests use a tiny one (2 layers) and the benchmark a full-size one with random weights: both get
a WordPiece tokenizer learnt from the given texts, and both are written with ``save_pretrained``
so that they load through exactly the ``from_pretrained`` path IndoBERT uses.

The vocabulary is learnt here rather than by the ``tokenizers`` WordPiece trainer because that
trainer numbers the ``##`` pieces in hash order and breaks ties between equally frequent pairs by
those numbers, so its vocabulary (and with it what every embedding row means) changed from one
process to the next. The same algorithm (BPE merges with the ``##`` prefix, ties to the pair of
earlier tokens) with every order fixed gives byte-identical folders in every process.
"""
from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path

__all__ = ["INDOBERT_BASE", "build_bert", "shuffled_corpus", "wordpiece_vocabulary"]

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
    """Learn a WordPiece tokenizer from ``texts``, create a randomly initialised BERT of ``size``
    (default: tiny) and ``save_pretrained`` both into ``folder``: the same bytes in every process."""
    import torch
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    normalizer, pre_tokenizer = normalizers.BertNormalizer(lowercase=True), pre_tokenizers.BertPreTokenizer()
    words = Counter(word for text in texts
                    for word, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text)))
    tokenizer = Tokenizer(models.WordPiece(wordpiece_vocabulary(words, vocab_size, special), unk_token="[UNK]",
                                           continuing_subword_prefix="##"))
    tokenizer.normalizer, tokenizer.pre_tokenizer = normalizer, pre_tokenizer
    tokenizer.decoder = decoders.WordPiece()
    tokenizer.add_special_tokens(special)
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


def wordpiece_vocabulary(words: Counter[str], vocab_size: int, special: list[str]) -> dict[str, int]:
    """Token -> id learnt from word counts as the ``tokenizers`` WordPiece trainer learns it
    (special tokens, the characters, then the most frequent adjacent pair merged until
    ``vocab_size``), with a fixed order wherever that trainer used hash order: ``##`` pieces are
    numbered in character order and equally frequent pairs go to the pair of earlier ids."""
    vocab = {token: i for i, token in enumerate(special)}
    alphabet = sorted({ch for word in words for ch in word})
    inside = sorted({ch for word in words for ch in word[1:]})
    for token in alphabet + ["##" + ch for ch in inside]:
        vocab.setdefault(token, len(vocab))
    spelled = sorted(words)  # each word becomes a list of token ids: its characters to begin with
    symbols = [[vocab[w[0]]] + [vocab["##" + ch] for ch in w[1:]] for w in spelled]
    counts = [words[w] for w in spelled]
    pairs: Counter[tuple[int, int]] = Counter()
    where: dict[tuple[int, int], set[int]] = {}
    for i, word in enumerate(symbols):
        _count_pairs(word, counts[i], i, pairs, where)
    names = sorted(vocab, key=vocab.__getitem__)
    heap = [(-n, pair) for pair, n in pairs.items()]
    heapq.heapify(heap)
    while len(vocab) < vocab_size and heap:
        n, pair = heapq.heappop(heap)
        if pairs.get(pair, 0) != -n:
            continue  # a stale entry: the pair's current count was pushed when it changed
        token = names[pair[0]] + names[pair[1]].removeprefix("##")
        if token not in vocab:
            vocab[token] = len(names)
            names.append(token)
        changed = _merge(pair, vocab[token], symbols, counts, pairs, where)
        for other in sorted(changed):
            if pairs.get(other, 0) > 0:
                heapq.heappush(heap, (-pairs[other], other))
    return vocab


def _count_pairs(word: list[int], count: int, index: int, pairs: Counter, where: dict | None) -> None:
    """Add ``count`` (negative: remove) for each adjacent pair of ``word``; note where it occurs."""
    for pair in pairwise(word):
        pairs[pair] += count
        if where is not None:
            where.setdefault(pair, set()).add(index)


def _merge(pair: tuple[int, int], new: int, symbols: list[list[int]], counts: list[int], pairs: Counter,
           where: dict) -> set[tuple[int, int]]:
    """Replace ``pair`` by ``new`` (left to right) in every word that holds it; return the pairs
    whose counts changed."""
    changed: set[tuple[int, int]] = set()
    for i in sorted(where.pop(pair, ())):
        word = symbols[i]
        if pair not in pairwise(word):
            continue  # ``where`` may still name a word that an earlier merge changed
        _count_pairs(word, -counts[i], i, pairs, None)
        merged, j = [], 0
        while j < len(word):
            if j + 1 < len(word) and (word[j], word[j + 1]) == pair:
                merged.append(new)
                j += 2
            else:
                merged.append(word[j])
                j += 1
        symbols[i] = merged
        _count_pairs(merged, counts[i], i, pairs, where)
        changed.update(pairwise(word), pairwise(merged))
    pairs.pop(pair, None)
    return changed


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
