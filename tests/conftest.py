from __future__ import annotations

import json
import os
from pathlib import Path

# The tests never use the network: hub look-ups fail at once instead of retrying for minutes.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


def seed_text(name: str) -> str:
    return next(SEEDS.glob(f"{name}_*.txt")).read_text("utf-8")


@pytest.fixture(scope="session")
def seed_records() -> list[dict]:
    return [json.loads(line) for line in (SEEDS / "seeds.jsonl").read_text("utf-8").splitlines()]


def pytest_collection_modifyitems(config, items):
    try:
        import torch

        has_cuda = torch.cuda.is_available()
    except ImportError:
        has_cuda = False
    skip = pytest.mark.skip(reason="needs a CUDA GPU (none on this machine)")
    for item in items:
        if "gpu" in item.keywords and not has_cuda:
            item.add_marker(skip)


# ---------------------------------------------------------------------------------------------
# A small corpus with topics of its own (custom schema, walk-through, active learning tests)
# ---------------------------------------------------------------------------------------------
OWN_SCHEMA = {"topics": [
    {"id": "korupsi_pemilu", "name_id": "Korupsi pemilu", "name_en": "Election corruption",
     "definition": "Politik uang, suap atau korupsi dana dalam pemilu.", "cues": ["politik uang", "suap"]},
    {"id": "bencana_tps", "name_id": "Bencana di TPS", "name_en": "Disaster at polling stations",
     "definition": "Banjir, longsor atau bencana lain yang mengganggu TPS.", "cues": ["banjir", "TPS terendam"]},
    {"id": "sengketa_hasil", "name_id": "Sengketa hasil", "name_en": "Result disputes",
     "definition": "Gugatan hasil pemilu ke MK atau Bawaslu.", "cues": ["gugatan", "MK"]},
]}
_OWN_WORDS = {
    "korupsi_pemilu": "politik uang suap amplop serangan fajar caleg ditangkap dana kampanye korupsi gratifikasi",
    "bencana_tps": "banjir longsor TPS terendam hujan deras kotak suara basah pemungutan ditunda evakuasi",
    "sengketa_hasil": "gugatan sengketa hasil Mahkamah Konstitusi permohonan pemohon selisih suara sidang putusan",
    None: "pasar harga cabai naik pedagang pembeli sayur musim panen petani sepak bola timnas pelatih",
}
_PLACES = ["Medan", "Padang", "Bogor", "Solo", "Malang", "Makassar", "Manado", "Ambon", "Kupang", "Palu",
           "Jambi", "Bengkulu", "Kendari", "Mataram", "Sorong", "Tarakan"]


def own_records(n_per_topic: int = 10, *, seed: int = 0, prefix: str = "a", negatives: int | None = None) -> list[dict]:
    """Articles about the three OWN_SCHEMA topics plus some without a topic, each a distinct event."""
    import numpy as np

    rng = np.random.default_rng(seed)
    records = []
    plan = [(t, n_per_topic) for t in ("korupsi_pemilu", "bencana_tps", "sengketa_hasil")]
    plan.append((None, n_per_topic if negatives is None else negatives))
    for topic, count in plan:
        for _ in range(count):
            words = _OWN_WORDS[topic].split()
            rng.shuffle(words)
            place = _PLACES[int(rng.integers(len(_PLACES)))]
            number = int(rng.integers(1, 10_000))
            i = len(records)
            text = (f"{place.upper()} - Warga {place} melaporkan {' '.join(words[:6])} pada hari ke-{number}. "
                    f"Petugas menyebut {' '.join(words[6:])} di kecamatan {number % 97}.")
            records.append({"id": f"{prefix}{i}", "title": f"Berita {place} {number}", "text": text,
                            "labels": [topic] if topic else [], "url": f"https://contoh.id/{prefix}/{i}"})
    return records


def write_jsonl(path, records) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
