"""What this CPU can do fast: the instruction-set flags that decide which precision pays.

``precision="auto"`` (IndoBERT) follows these flags, and every benchmark JSON records them,
because a speed-up measured on one CPU does not carry to another:

- bf16 is only fast with native bf16 units (AVX512-BF16 or AMX-BF16); elsewhere torch emulates it
  and it is *slower* than fp32, so ``auto`` picks bf16 only where oneDNN reports native support.
- int8 (torch dynamic quantisation, or ONNX Runtime int8) is fastest with VNNI (AVX512-VNNI,
  AVX-VNNI) or AMX-INT8, and still faster than fp32 with AVX2 alone; but it changes a trained
  model's probabilities more than bf16 does, so ``auto`` never picks it: choose ``int8`` or
  ``onnx-int8`` after checking agreement on your own model (``pemilu-nlp bench --model DIR``).
- Without AVX2 (old or emulated CPUs) everything runs, just slower; ``auto`` gives fp32.
"""
from __future__ import annotations

import platform
from functools import lru_cache
from pathlib import Path

__all__ = ["auto_cpu_precision", "cpu_features"]

#: /proc/cpuinfo flag -> the name recorded in benchmark JSON
_FLAGS = {
    "avx2": "avx2", "fma": "fma", "avx512f": "avx512f", "avx512bw": "avx512bw", "avx512_vnni": "avx512_vnni",
    "avx_vnni": "avx_vnni", "avx512_bf16": "avx512_bf16", "amx_tile": "amx_tile", "amx_int8": "amx_int8",
    "amx_bf16": "amx_bf16", "avx512_fp16": "avx512_fp16",
}


@lru_cache(maxsize=1)
def cpu_features() -> dict:
    """Instruction-set flags of this CPU (``True``/``False``; ``None`` where the OS does not say),
    with summary keys ``vnni``, ``amx``, ``native_bf16`` and torch's own view where torch is there."""
    flags: set[str] | None = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features")):
                flags = set(line.split(":", 1)[1].split())
                break
    except OSError:
        pass
    out: dict = {"machine": platform.machine()}
    for flag, name in _FLAGS.items():
        out[name] = None if flags is None else flag in flags
    if flags is not None:
        out["vnni"] = bool(out["avx512_vnni"] or out["avx_vnni"])
        out["amx"] = bool(out["amx_tile"])
        out["native_bf16"] = bool(out["avx512_bf16"] or out["amx_bf16"])
    try:
        import torch

        out["torch_cpu_capability"] = torch.backends.cpu.get_cpu_capability()
        try:
            out["torch_mkldnn_bf16"] = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
        except (AttributeError, RuntimeError):
            out["torch_mkldnn_bf16"] = False
    except ImportError:
        pass
    return out


def auto_cpu_precision() -> tuple[str, str]:
    """``(precision, why)`` that ``precision="auto"`` gives on this CPU: ``bf16`` with native bf16
    (as oneDNN reports it), else ``fp32``; never int8 (see the module docstring)."""
    features = cpu_features()
    native = features.get("torch_mkldnn_bf16")
    if native is None:
        native = bool(features.get("native_bf16"))
    if native:
        return "bf16", ("native bf16 (AVX512-BF16/AMX): about 2x fp32; check agreement on your model "
                        "(pemilu-nlp bench --model DIR)")
    int8_hint = "VNNI/AMX-INT8 present" if features.get("vnni") or features.get("amx_int8") else "no VNNI"
    return "fp32", (f"no native bf16 (emulated bf16 is slower than fp32); int8 is opt-in ({int8_hint}): "
                    "check agreement on your model first")
