"""A neural sentence scorer that reads the sentences' words (SummaRuNNer / NeuralSum style).

The feature model of :mod:`.features` sees where a sentence stands and how central it is, not what
it says, and stops about 1.5 ROUGE above LEAD-3 on IndoSum.  This one adds the words: each
sentence is a convolution over word vectors (max and mean pooled), joined with the same features,
and a bidirectional GRU reads the article's sentences in order before a small layer scores each.

No pretrained embeddings can be downloaded, so the word vectors are learned here from unlabelled
news with the classic PPMI + truncated SVD recipe (Levy & Goldberg, 2014): seconds on a CPU, and
they carry what the 2,400 labelled training articles alone cannot (``kepolisian`` ≈ ``polisi``).
They stay frozen while the scorer trains.  Weights are saved as safetensors, the vocabulary as
JSON; nothing is unpickled.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..backends.forksafe import make_torch_fork_safe
from ..io.persistence import (
    WEIGHTS,
    ModelFormat,
    check_array,
    check_string_list,
    open_folder,
    save_folder,
)
from ..text.wordvectors import (  # one implementation, shared with the classifier
    train_word_vectors,
    word_tokens,
)
from ..validation import boolean, integer, number
from .base import MAX_CHARS, MAX_SENTENCES, NOT_FITTED, SUMMARIZER_CONSTRAINTS, Summarizer
from .features import FEATURES, check_features, sentence_features, standardization, training_rows
from .training import keep_best_epoch, masked_bce_step
from .vectors import SentenceVectors

__all__ = ["NeuralSummarizer", "train_word_vectors", "word_tokens"]

_PAD, _UNKNOWN = 0, 1
VOCABULARY = "vocabulary.json"
#: every setting's limits: checked at __init__, set_params, fit and (before the network is built) load
PARAMS = {
    **SUMMARIZER_CONSTRAINTS,
    "dim": integer(1, 1024), "max_words": integer(1, 10**6), "hidden": integer(1, 2048),
    "dropout": number(0, 1), "epochs": integer(0, 10**4), "batch_size": integer(1, 10**5),
    "learning_rate": number(0, 10, low_open=True), "max_tokens": integer(1, 10**4), "seed": integer(-2**63, 2**64),
    "progress": boolean,
}
FORMAT = ModelFormat("pemilu_nlp.neural_sentence_scorer", 1, PARAMS)


def _tensor_shapes(n_words: int, dim: int, hidden: int, n_features: int) -> dict[str, tuple[int, ...]]:
    """Every tensor of a saved scorer and its shape (what :func:`_network` builds, plus the scaling)."""
    shapes = {"embedding.weight": (n_words, dim), "conv.weight": (hidden, dim, 3), "conv.bias": (hidden,),
              "head.0.weight": (hidden, 4 * hidden + n_features), "head.0.bias": (hidden,),
              "head.2.weight": (1, hidden), "head.2.bias": (1,),
              "feature_mean": (n_features,), "feature_scale": (n_features,)}
    for suffix in ("", "_reverse"):
        shapes |= {f"gru.weight_ih_l0{suffix}": (3 * hidden, 2 * hidden + n_features),
                   f"gru.weight_hh_l0{suffix}": (3 * hidden, hidden),
                   f"gru.bias_ih_l0{suffix}": (3 * hidden,), f"gru.bias_hh_l0{suffix}": (3 * hidden,)}
    return shapes


def _network(n_words: int, dim: int, hidden: int, n_features: int, dropout: float):
    import torch
    from torch import nn

    class SentenceScorer(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(n_words, dim, padding_idx=_PAD)
            self.embedding.weight.requires_grad = False
            self.dropout = nn.Dropout(dropout)
            self.conv = nn.Conv1d(dim, hidden, kernel_size=3, padding=1)
            self.gru = nn.GRU(2 * hidden + n_features, hidden, batch_first=True, bidirectional=True)
            self.head = nn.Sequential(nn.Linear(4 * hidden + n_features, hidden), nn.ReLU(), nn.Linear(hidden, 1))

        def forward(self, words, features, sentence_mask):
            """words: docs x sentences x tokens ids; features: docs x sentences x F; mask: docs x sentences."""
            docs, sentences, tokens = words.shape
            flat = words.view(docs * sentences, tokens)
            states = torch.relu(self.conv(self.dropout(self.embedding(flat)).transpose(1, 2))).transpose(1, 2)
            present = (flat != _PAD).unsqueeze(-1)
            top = states.masked_fill(~present, -1e4).max(dim=1).values
            mean = (states * present).sum(dim=1) / present.sum(dim=1).clamp(min=1)
            sentence = torch.cat([top, mean], dim=-1).view(docs, sentences, -1)
            # packed: padding sentences of shorter articles never enter the GRU, so an article
            # scores the same alone or batched with longer ones
            lengths = sentence_mask.sum(dim=1).long().cpu()
            packed = nn.utils.rnn.pack_padded_sequence(torch.cat([sentence, features], dim=-1), lengths,
                                                       batch_first=True, enforce_sorted=False)
            context, _ = nn.utils.rnn.pad_packed_sequence(self.gru(packed)[0], batch_first=True,
                                                          total_length=sentences)
            mask = sentence_mask.unsqueeze(-1)
            document = (context * mask).sum(dim=1, keepdim=True) / mask.sum(dim=1, keepdim=True).clamp(min=1)
            return self.head(torch.cat([context, context * document, features], dim=-1)).squeeze(-1)

    return SentenceScorer()


class NeuralSummarizer(Summarizer):
    """Scores sentences with a small network over word vectors, document context and :data:`FEATURES`.

    >>> from pemilu_nlp.summarize import get_summarizer
    >>> neural = get_summarizer("neural")                     # the shipped model (IndoSum train part)
    >>> [s.index for s in neural("KPU menetapkan DPT. Bawaslu mengawasi. Polisi berjaga.", 1)]  # doctest: +SKIP
    """

    name = "neural"
    _parameter_constraints = PARAMS

    def __init__(self, *, dim: int = 100, max_words: int = 20000, hidden: int = 96, dropout: float = 0.3,
                 epochs: int = 4, batch_size: int = 16, learning_rate: float = 1e-3, max_tokens: int = 60, seed: int = 0,
                 mmr_lambda: float | None = None, progress: bool = True, max_sentences: int | None = MAX_SENTENCES,
                 max_chars: int | None = MAX_CHARS):
        super().__init__(mmr_lambda=mmr_lambda, max_sentences=max_sentences, max_chars=max_chars)
        self.dim = dim
        self.max_words = max_words  # vocabulary size: 20,000 keeps the shipped model under 5 MB
        self.hidden = hidden
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.max_tokens = max_tokens
        self.seed = seed
        self.progress = progress
        self._validate_params()

    # ------------------------------------------------------------------------------------ inputs
    def _encode(self, sentences: Sequence[str], title: str | None, vectors: SentenceVectors | None = None,
                features: np.ndarray | None = None):
        """Token ids of every sentence and its standardised features (computed unless given)."""
        if features is None:
            features = sentence_features(sentences, title, vectors)
        ids = [[self.vocabulary_.get(w, _UNKNOWN) for w in word_tokens(s)][:self.max_tokens] or [_UNKNOWN]
               for s in sentences]
        return ids, (features - self.mean_) / self.scale_

    def _encode_all(self, documents: Sequence[Sequence[str]], titles: Sequence[str | None] | None) -> list[tuple]:
        return [self._encode(d, titles[i] if titles else None) for i, d in enumerate(documents)]

    @staticmethod
    def _batch(items: Sequence[tuple[list[list[int]], np.ndarray]]):
        import torch

        n_sentences = max(len(ids) for ids, _ in items)
        n_tokens = max(len(s) for ids, _ in items for s in ids)
        words = torch.zeros((len(items), n_sentences, n_tokens), dtype=torch.long)
        features = torch.zeros((len(items), n_sentences, items[0][1].shape[1]))
        mask = torch.zeros((len(items), n_sentences))
        for i, (ids, feats) in enumerate(items):
            for j, sentence in enumerate(ids):
                words[i, j, :len(sentence)] = torch.tensor(sentence)
            features[i, :len(ids)] = torch.from_numpy(feats.astype(np.float32))
            mask[i, :len(ids)] = 1
        return words, features, mask

    # ------------------------------------------------------------------------------------ training
    def fit(self, documents: Sequence[Sequence[str]], gold: Sequence[Sequence[int]],
            titles: Sequence[str | None] | None = None, *, unlabelled_texts: Iterable[str] = (),
            dev: tuple[Sequence[Sequence[str]], Sequence[Sequence[int]], Sequence[str | None] | None] | None = None,
            ) -> NeuralSummarizer:
        """Learn from documents (lists of sentences) and their gold sentence indices.

        Word vectors come from the documents plus ``unlabelled_texts`` (more news helps).  With
        ``dev`` (documents, gold, titles), the epoch whose top-3 sentences best match the dev gold
        labels is kept; otherwise the last.
        """
        import torch

        self._validate_params()
        features, labels = training_rows(documents, gold, titles, progress=self.progress)
        with torch.random.fork_rng(devices=[]):  # seed our own stream, leave the caller's alone
            torch.manual_seed(self.seed)
            self._learn_inputs(documents, features, unlabelled_texts)
            train = [self._encode(d, None, features=f) for d, f in zip(documents, features)]
            dev_encoded = None if dev is None else self._encode_all(dev[0], dev[2] if len(dev) > 2 else None)
            self._train(train, labels, dev_encoded, None if dev is None else dev[1])
        return self

    def _learn_inputs(self, documents: Sequence[Sequence[str]], features: list[np.ndarray],
                      unlabelled_texts: Iterable[str]) -> None:
        """The frozen word vectors and their vocabulary (documents + unlabelled news), the feature scaling."""
        words, vectors = train_word_vectors([" ".join(d) for d in documents] + list(unlabelled_texts),
                                            dim=self.dim, max_words=self.max_words, seed=self.seed)
        self.vocabulary_ = {w: i + 2 for i, w in enumerate(words)}
        # stored as float16: keep exactly what save() writes, so a loaded model scores identically
        self.embedding_ = np.vstack([np.zeros((2, self.dim)), vectors * 3.0]).astype(np.float16).astype(np.float32)
        self.mean_, self.scale_ = standardization(np.vstack(features))

    def _train(self, train: list[tuple], labels: list[np.ndarray], dev_encoded: list[tuple] | None,
               dev_gold: Sequence[Sequence[int]] | None) -> None:
        """``epochs`` passes; with dev articles, keep the epoch with the best dev top-3 precision."""
        import torch

        rng = np.random.default_rng(self.seed)
        self.network_ = self._new_network()
        optimiser = torch.optim.Adam([p for p in self.network_.parameters() if p.requires_grad],
                                     lr=self.learning_rate)
        self.history_ = keep_best_epoch(
            self.network_, self.epochs, lambda e: self._epoch(train, labels, optimiser, rng.permutation(len(train)), e),
            None if dev_encoded is None else lambda: self._top3_gold_precision(dev_encoded, dev_gold))

    def _epoch(self, train: list[tuple], labels: list[np.ndarray], optimiser, order: np.ndarray, epoch: int) -> float:
        """One pass over the training articles in ``order``; the mean loss per article."""
        import torch
        from tqdm.auto import tqdm

        self.network_.train()
        total = 0.0
        for start in tqdm(range(0, len(order), self.batch_size), desc=f"epoch {epoch + 1}/{self.epochs}",
                          disable=not self.progress):
            chosen = order[start:start + self.batch_size]
            words, features, mask = self._batch([train[i] for i in chosen])
            target = torch.zeros_like(mask)
            for row, i in enumerate(chosen):
                target[row, :len(labels[i])] = torch.from_numpy(labels[i])
            loss = masked_bce_step(self.network_, optimiser, self.network_(words, features, mask), target, mask)
            total += loss * len(chosen)
        return total / len(train)

    def _new_network(self):
        import torch

        make_torch_fork_safe()
        network = _network(len(self.embedding_), self.dim, self.hidden, len(FEATURES), self.dropout)
        with torch.no_grad():
            network.embedding.weight.copy_(torch.from_numpy(self.embedding_))
        return network

    def top3_gold_precision(self, documents: Sequence[Sequence[str]], gold: Sequence[Sequence[int]],
                            titles: Sequence[str | None] | None = None) -> float:
        """Mean share of the 3 best-scored sentences that are gold (the dev criterion)."""
        return self._top3_gold_precision(self._encode_all(documents, titles), gold)

    def _top3_gold_precision(self, encoded: Sequence[tuple], gold: Sequence[Sequence[int]]) -> float:
        hits = []
        for item, wanted in zip(encoded, gold):
            top = np.argsort(-self._score_encoded(item), kind="stable")[:3]
            hits.append(len(set(top.tolist()) & set(wanted)) / len(top))
        return float(np.mean(hits)) if hits else 0.0

    # ------------------------------------------------------------------------------------ scoring
    def _score(self, sentences: Sequence[str], title: str | None, vectors: SentenceVectors | None) -> np.ndarray:
        check_is_fitted(self, "network_", msg=NOT_FITTED)
        return self._score_encoded(self._encode(sentences, title, vectors))

    def _score_encoded(self, item: tuple) -> np.ndarray:
        import torch

        self.network_.eval()
        with torch.inference_mode():
            logits = self.network_(*self._batch([item]))[0]
        return torch.sigmoid(logits).numpy().astype(np.float64)

    # ------------------------------------------------------------------------------------ files
    def _params(self) -> dict[str, Any]:
        return {"dim": self.dim, "max_words": self.max_words, "hidden": self.hidden, "dropout": self.dropout,
                "epochs": self.epochs, "batch_size": self.batch_size, "learning_rate": self.learning_rate,
                "max_tokens": self.max_tokens, "seed": self.seed, "mmr_lambda": self.mmr_lambda}

    def save(self, folder: str | Path, *, metrics: dict | None = None) -> Path:
        """``weights.safetensors`` (network, embedding as float16, feature scaling), ``vocabulary.json``
        and ``config.json``, sealed by a manifest of checksums."""
        check_is_fitted(self, "network_", msg=NOT_FITTED)
        arrays = {k: v.detach().cpu().numpy() for k, v in self.network_.state_dict().items() if k != "embedding.weight"}
        arrays |= {"embedding.weight": self.embedding_.astype(np.float16),
                   "feature_mean": self.mean_.astype(np.float64), "feature_scale": self.scale_.astype(np.float64)}
        return save_folder(folder, FORMAT, params=self._params(), arrays=arrays,
                           json_files={VOCABULARY: sorted(self.vocabulary_, key=self.vocabulary_.get)},
                           config={"features": list(FEATURES), "history": getattr(self, "history_", []),
                                   "metrics": metrics or {}})

    @classmethod
    def load(cls, folder: str | Path) -> NeuralSummarizer:
        """Load a folder written by :meth:`save`; every setting and tensor shape is checked before
        the network is built, so a malformed folder is a :class:`ModelFormatError`, never a huge
        allocation."""
        import torch

        make_torch_fork_safe()
        opened = open_folder(folder, FORMAT, json_files=[VOCABULARY], files=[WEIGHTS])
        check_features(opened.folder, opened.config)
        words = check_string_list(opened.folder, VOCABULARY, opened.json[VOCABULARY])
        model = opened.build(cls, progress=False)
        arrays = opened.arrays(_tensor_shapes(len(words) + 2, model.dim, model.hidden, len(FEATURES)))
        check_array(opened.folder, "weights.safetensors feature_scale", arrays["feature_scale"], positive=True)
        model.vocabulary_ = {w: i + 2 for i, w in enumerate(words)}
        model.mean_, model.scale_ = arrays.pop("feature_mean"), arrays.pop("feature_scale")
        model.embedding_ = arrays["embedding.weight"].astype(np.float32)
        model.network_ = model._new_network()
        model.network_.load_state_dict({k: torch.from_numpy(v.astype(np.float32)) for k, v in arrays.items()})
        model.history_ = opened.config.get("history", [])
        model.network_.eval()
        return model

    def __repr__(self) -> str:
        return f"NeuralSummarizer(dim={self.dim}, hidden={self.hidden}, mmr_lambda={self.mmr_lambda})"
