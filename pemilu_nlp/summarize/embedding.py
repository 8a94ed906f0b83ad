"""Sentence-embedding centrality: TextRank over encoder embeddings instead of TF-IDF.

Uses an IndoBERT / multilingual encoder through ``transformers`` (the same loading path as the
classifier: hub id or local ``save_pretrained`` folder, safetensors only, one clear error
offline).  Mean-pooled token states are the sentence vectors; cosine similarity, clipped at zero,
is the graph.  Much slower than TF-IDF and only as good as the encoder, so it is opt-in.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .base import MAX_CHARS, MAX_SENTENCES
from .graph import _GraphSummarizer, pagerank
from .vectors import SentenceVectors

__all__ = ["EmbeddingCentralitySummarizer"]


class EmbeddingCentralitySummarizer(_GraphSummarizer):
    """PageRank over the cosine similarity of encoder sentence embeddings."""

    name = "embedding"
    uses_vectors = False  # its graph is the encoder's; TF-IDF vectors only for MMR

    def __init__(self, model_name_or_path: str = "indobenchmark/indobert-base-p1", *, device: str = "auto",
                 batch_size: int = 32, max_length: int = 128, damping: float = 0.85,
                 position_weight: float = 0.0, title_weight: float = 0.0, mmr_lambda: float | None = None,
                 max_sentences: int | None = MAX_SENTENCES, max_chars: int | None = MAX_CHARS):
        super().__init__(position_weight=position_weight, title_weight=title_weight, mmr_lambda=mmr_lambda,
                         max_sentences=max_sentences, max_chars=max_chars)
        from transformers import AutoModel

        from ..backends.hf import load_pretrained, resolve_device

        self.model_name_or_path = model_name_or_path
        self.batch_size = batch_size
        self.max_length = max_length
        self.damping = damping
        self._validate_params()
        self.device = resolve_device(device)
        self.tokenizer_, model = load_pretrained(model_name_or_path, AutoModel)
        self.model_ = model.to(self.device).eval()

    def embed(self, sentences: Sequence[str]) -> np.ndarray:
        """Unit-length mean-pooled embeddings, one row per sentence."""
        import torch

        out = []
        with torch.inference_mode():
            for start in range(0, len(sentences), self.batch_size):
                batch = self.tokenizer_(list(sentences[start:start + self.batch_size]), padding=True,
                                        truncation=True, max_length=self.max_length, return_tensors="pt")
                batch = {k: v.to(self.device) for k, v in batch.items() if k in ("input_ids", "attention_mask")}
                states = self.model_(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(states.dtype)
                out.append(((states * mask).sum(1) / mask.sum(1).clamp(min=1)).float().cpu().numpy())
        vectors = np.vstack(out)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)

    def centrality(self, similarity: np.ndarray) -> np.ndarray:
        return pagerank(np.clip(similarity, 0, None), damping=self.damping)

    def sentence_graph(self, sentences: Sequence[str], title: str | None,
                       vectors: SentenceVectors | None) -> tuple[np.ndarray, np.ndarray | None]:
        embeddings = self.embed(sentences)
        to_title = embeddings @ self.embed([title])[0] if self.title_weight and title else None
        return embeddings @ embeddings.T, to_title

    def __repr__(self) -> str:
        return f"EmbeddingCentralitySummarizer({self.model_name_or_path!r}, mmr_lambda={self.mmr_lambda})"
