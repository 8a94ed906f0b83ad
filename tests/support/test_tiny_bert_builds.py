"""The tiny BERT every transformer test uses is the same folder in every process."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from pemilu_nlp.testing import wordpiece_vocabulary

ROOT = Path(__file__).resolve().parents[2]
# many words of equal frequency: the pairs a trainer has to choose between are mostly ties
TEXTS = ["razia kamar narapidana di lapas rutan warga binaan kalapas pemasyarakatan",
         "hoaks disinformasi cek fakta video palsu beredar media sosial ujaran kebencian",
         "sepak bola timnas menang gol stadion pelatih pemain liga"]
BUILD = ("import sys; from pemilu_nlp.testing import build_bert; "
         f"build_bert(sys.argv[1], {TEXTS!r} * 5, vocab_size=150)")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_two_processes_with_different_hash_seeds_write_byte_identical_folders(tmp_path):
    hashes = []
    for seed in ("1", "2"):
        folder = tmp_path / f"hashseed-{seed}"
        subprocess.run([sys.executable, "-c", BUILD, str(folder)], cwd=ROOT, check=True, capture_output=True,
                       env={**os.environ, "PYTHONHASHSEED": seed, "OMP_NUM_THREADS": "1"})
        hashes.append({name: sha256(folder / name) for name in ("tokenizer.json", "model.safetensors")})
    assert hashes[0] == hashes[1]


def test_the_vocabulary_merges_the_most_frequent_pair_and_breaks_ties_by_earlier_tokens():
    special = ["[UNK]"]
    base = wordpiece_vocabulary(Counter({"ab": 1, "cd": 1}), 0, special)  # room for no merge
    assert list(base) == ["[UNK]", "a", "b", "c", "d", "##b", "##d"]
    assert list(wordpiece_vocabulary(Counter({"cd": 1, "ab": 1}), len(base) + 1, special))[-1] == "ab"
    assert list(wordpiece_vocabulary(Counter({"ab": 1, "cd": 3}), len(base) + 1, special))[-1] == "cd"
    whole = wordpiece_vocabulary(Counter({"abab": 2}), 100, special)
    assert list(whole)[-3:] == ["ab", "##ab", "abab"]  # merged until the word is one token
