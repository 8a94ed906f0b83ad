"""How much can bf16 (and torch.compile) gain on this CPU at all?  One fixed batch, no harness.

    python benchmarks/cpu_precision_check.py   # needs `pemilu-nlp bench` run once (builds the model)

Times IndoBERT-base (random weights, built by the benchmark in .bench-cache/) on a batch of 8×256
token ids in fp32, bf16 and bf16 + ``torch.compile``: the ceiling that precision alone gives,
without tokenisation, windows or padding.
"""
from __future__ import annotations

import copy
import json
import sys
import time
from pathlib import Path

import torch
from transformers import AutoModelForSequenceClassification

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / ".bench-cache" / "indobert-base-random"


def seconds_per_batch(model, ids, mask, repeats: int = 3) -> float:
    with torch.inference_mode():
        model(input_ids=ids, attention_mask=mask)  # warm-up (and compilation)
        start = time.perf_counter()
        for _ in range(repeats):
            model(input_ids=ids, attention_mask=mask)
    return (time.perf_counter() - start) / repeats


def main() -> None:
    if not (MODEL / "model.safetensors").is_file():
        sys.exit(f"{MODEL} missing: run `pemilu-nlp bench --parts indobert` once first")
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(MODEL, num_labels=11).eval()
    ids = torch.randint(5, 20000, (8, 256))
    mask = torch.ones_like(ids)
    fp32 = seconds_per_batch(model, ids, mask)
    bf16_model = copy.deepcopy(model).to(torch.bfloat16)
    bf16 = seconds_per_batch(bf16_model, ids, mask)
    compiled = seconds_per_batch(torch.compile(bf16_model), ids, mask)
    result = {"batch": [8, 256], "torch_threads": torch.get_num_threads(), "seconds_fp32": round(fp32, 3),
              "seconds_bf16": round(bf16, 3), "seconds_bf16_compiled": round(compiled, 3),
              "bf16_speedup": round(fp32 / bf16, 2), "bf16_compiled_speedup": round(fp32 / compiled, 2)}
    sys.path.insert(0, str(ROOT))
    from pemilu_nlp.bench import machine_info

    result["machine"] = machine_info()  # the CPU's instruction sets decide what bf16 can gain
    print(json.dumps(result, indent=1))
    (ROOT / "benchmarks" / "results" / "cpu_precision_check.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
