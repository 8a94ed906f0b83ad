"""ONNX Runtime backend for the IndoBERT classifier on CPU: ``precision="onnx-int8"`` / ``"onnx-fp32"``.

The model is exported once (``torch.onnx.export``, eager attention so that ONNX Runtime's BERT
optimiser can fuse it), graph-optimised (fused attention, layer norm, GELU) and, for int8,
dynamically quantised (weights int8 per channel, activations quantised on the fly: no
calibration data needed).  The files are cached under a checksum of the weights and settings,
so a changed or retrained model gets a new export and a stale one is never used:

    $PEMILU_NLP_CACHE (default ~/.cache/pemilu_nlp)/onnx/<sha256 of weights+config>/{model,fused,int8}.onnx

(not beside the model folder: installed or shared model folders are often read-only).  A
manifest beside the files records the checksum, versions and the fused-operator counts.

Trade-off: the first use pays the export (seconds for a tiny model, about a minute for
IndoBERT-base); afterwards a session loads in a second.  int8 changes probabilities slightly
(measured by ``pemilu-nlp bench`` on a trained model), fp32 only by float rounding.

Needs the optional extra: ``pip install "pemilu-nlp[onnx]"``.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ..errors import MissingDependencyError

__all__ = ["OnnxClassifierModel", "cache_root", "model_checksum", "onnx_model"]

ONNX_EXTRA = 'precision="onnx-int8"/"onnx-fp32" needs the optional extra: pip install "pemilu-nlp[onnx]"'
EXPORT_VERSION = 1  # bump when the export recipe changes: old cache entries are then ignored


def _ort():
    try:
        import onnx  # noqa: F401
        import onnxruntime
    except ImportError as err:
        raise MissingDependencyError(f"{ONNX_EXTRA} ({err})") from err
    return onnxruntime


def cache_root() -> Path:
    return Path(os.environ.get("PEMILU_NLP_CACHE") or Path.home() / ".cache" / "pemilu_nlp") / "onnx"


def model_checksum(model: Any) -> str:
    """SHA-256 of every weight (name, dtype, shape, bytes) and the model config: any change in the
    model, a retrain or a different head, gives another checksum and so another export."""
    import torch

    digest = hashlib.sha256(f"pemilu_nlp.onnx v{EXPORT_VERSION}\n".encode())
    digest.update(model.config.to_json_string(use_diff=False).encode())
    for name, tensor in model.state_dict().items():
        t = tensor.detach().to("cpu").contiguous()
        digest.update(f"{name}|{t.dtype}|{tuple(t.shape)}\n".encode())
        digest.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return digest.hexdigest()


def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename: a crash leaves no half file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=path.suffix + ".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _export(model: Any, folder: Path) -> dict:
    """model.onnx (plain export), fused.onnx (BERT graph optimisations), int8.onnx (dynamic int8)."""
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model

    folder.mkdir(parents=True, exist_ok=True)
    model = copy.deepcopy(model).float().eval().to("cpu")
    try:  # the optimiser fuses the eager attention pattern; SDPA exports to a graph it cannot fuse
        model.set_attn_implementation("eager")
    except (AttributeError, ValueError):
        model.config._attn_implementation = "eager"
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones_like(ids)
    axes = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
            "logits": {0: "batch"}}

    def export(tmp: str) -> None:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, (ids, mask), tmp, input_names=["input_ids", "attention_mask"],
                              output_names=["logits"], dynamic_axes=axes, opset_version=17, dynamo=False)

    _atomic_write(folder / "model.onnx", export)
    config = model.config
    optimized = optimize_model(str(folder / "model.onnx"), model_type="bert", num_heads=config.num_attention_heads,
                               hidden_size=config.hidden_size)
    fused = {k: v for k, v in optimized.get_fused_operator_statistics().items() if v}
    _atomic_write(folder / "fused.onnx", lambda tmp: optimized.save_model_to_file(tmp))
    # fused operators come from the com.microsoft domain, where shape inference cannot type every
    # tensor: tell the quantiser they are float
    _atomic_write(folder / "int8.onnx", lambda tmp: quantize_dynamic(
        str(folder / "fused.onnx"), tmp, weight_type=QuantType.QInt8, per_channel=True,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT}))
    return fused


class OnnxClassifierModel:
    """An ONNX Runtime session that is called like the Hugging Face model it was exported from:
    ``model(input_ids=..., attention_mask=...).logits`` (a torch tensor), so the classifier's
    windowing, batching and pooling stay exactly the same."""

    def __init__(self, path: str | Path, *, threads: int | None = None):
        ort = _ort()
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.path = Path(path)
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def __call__(self, *, input_ids, attention_mask, **_: Any):
        import torch

        logits = self.session.run(["logits"], {"input_ids": input_ids.cpu().numpy(),
                                               "attention_mask": attention_mask.cpu().numpy()})[0]
        return SimpleNamespace(logits=torch.from_numpy(logits))

    def eval(self) -> OnnxClassifierModel:
        return self

    def __repr__(self) -> str:
        return f"OnnxClassifierModel({str(self.path)!r})"


def onnx_model(model: Any, *, quantize: bool = True, cache_dir: str | Path | None = None,
               threads: int | None = None) -> OnnxClassifierModel:
    """The ONNX Runtime version of a Hugging Face sequence classifier, exported on first use and
    cached under the checksum of its weights (``quantize``: the int8 graph, else the fused fp32)."""
    _ort()
    import torch

    checksum = model_checksum(model)
    folder = Path(cache_dir) if cache_dir else cache_root()
    folder = folder / checksum[:32]
    manifest = folder / "manifest.json"
    name = "int8.onnx" if quantize else "fused.onnx"
    try:
        ok = json.loads(manifest.read_text("utf-8")).get("checksum") == checksum and (folder / name).is_file()
    except (OSError, ValueError):
        ok = False
    if not ok:
        import onnxruntime

        fused = _export(model, folder)
        info = {"checksum": checksum, "export_version": EXPORT_VERSION, "torch": torch.__version__,
                "onnxruntime": onnxruntime.__version__, "fused_operators": fused,
                "files": {"model.onnx": "plain export", "fused.onnx": "graph-optimised fp32",
                          "int8.onnx": "fused + dynamic int8 (per-channel weights)"}}
        _atomic_write(manifest, lambda tmp: Path(tmp).write_text(json.dumps(info, indent=1) + "\n", "utf-8"))
    return OnnxClassifierModel(folder / name, threads=threads or torch.get_num_threads())
