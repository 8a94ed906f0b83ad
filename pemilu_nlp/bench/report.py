"""What a benchmark report holds besides its rows, and how it is shown: the machine the figures
were measured on (CPU, instruction sets, GPU, library versions, commit), the table printed after a
run, and the IndoBERT throughput plot.  Only ratios measured in the same run are comparable;
absolute figures depend on the machine, which every report records.
"""
from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any

__all__ = ["format_table", "machine_info", "plot"]


def machine_info() -> dict:
    """What the figures depend on: CPU (model, cores, instruction sets), GPU, library versions, commit."""
    info: dict[str, Any] = {"platform": platform.platform(), "python": platform.python_version(),
                            "cpu_count": os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        info["cpu"] = platform.processor()
    versions = {}
    for name in ("numpy", "scipy", "sklearn", "torch", "transformers"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = None
    from importlib.metadata import PackageNotFoundError, version

    for name in ("onnxruntime", "ray"):  # optional extras: their version without importing them
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    info["versions"] = versions
    from ..backends.cpu import auto_cpu_precision, cpu_features

    # instruction sets decide which precision pays (pemilu_nlp.backends.cpu): recorded in every report
    info["cpu_flags"] = cpu_features()
    info["auto_cpu_precision"] = dict(zip(("precision", "why"), auto_cpu_precision()))
    try:
        import torch

        info["torch_threads"] = torch.get_num_threads()
        if torch.cuda.is_available():
            props = torch.cuda.get_device_properties(0)
            info["gpu"] = {"name": props.name, "memory_gb": round(props.total_memory / 2**30, 1)}
    except ImportError:
        pass
    try:
        info["commit"] = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                                        cwd=Path(__file__).parent, timeout=5).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        info["commit"] = None
    from .. import __version__

    info["pemilu_nlp"] = __version__
    return info


def format_table(report: dict) -> str:
    """The report as a fixed-width table: one row per measurement, quality verdicts spelled out."""
    lines = [f"machine: {report['machine'].get('cpu')} ({report['machine'].get('cpu_count')} cores)"
             + (f", GPU {report['machine']['gpu']['name']}" if report["machine"].get("gpu") else "")]
    lines += [f"note: {n}" for n in report["notes"]]
    lines.append(f"{'part':<11}{'variant':<58}{'docs/s':>9}{'tok/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
                 f"{'RSS MB':>8}{'x naive':>8}  quality")
    for r in report["results"]:
        quality = ", ".join(f"{k}={v}" for k, v in r["quality"].items() if k != "reference")
        if r["quality"].get("within_tolerance") is False:
            quality += "  <-- CHANGES PREDICTIONS"
        elif "within_tolerance" in r["quality"] and r["quality"]["within_tolerance"] is None:
            quality += "  (no verdict: random weights)"
        tokens = f"{r['tokens_per_second']:>9.0f}" if r["tokens_per_second"] is not None else f"{'':>9}"
        ratio = f"{r['ratio_to_naive']:>8.2f}" if r["ratio_to_naive"] is not None else f"{'':>8}"
        lines.append(f"{r['part']:<11}{r['variant'][:57]:<58}{r['docs_per_second']:>9.1f}"
                     f"{tokens}{r['latency_doc_p50_ms']:>9.2f}{r['latency_doc_p95_ms']:>9.2f}"
                     f"{r['peak_rss_mb']:>8.0f}{ratio}  {quality}")
    return "\n".join(lines)


def plot(report: dict, path: str | Path) -> None:
    """PNG of IndoBERT documents/second against batch size, one line per precision and window length."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in report["results"] if r["part"] == "indobert" and "batch_size" in r["settings"]
            and r["settings"].get("length_grouping", True) and not r["settings"].get("max_windows")]
    fig, ax = plt.subplots(figsize=(7, 4))
    for (precision, length) in sorted({(r["settings"]["precision"], r["settings"]["max_length"]) for r in rows}):
        pts = sorted((r["settings"]["batch_size"], r["docs_per_second"]) for r in rows
                     if r["settings"]["precision"] == precision and r["settings"]["max_length"] == length)
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=f"{precision}, len {length}")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("batch size (windows)")
    ax.set_ylabel("documents / second")
    ax.set_title(f"IndoBERT throughput ({report['machine'].get('gpu', {}).get('name') or report['machine'].get('cpu')})")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
