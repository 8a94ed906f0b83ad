"""Two import-labels runs into one corpus at the same time lose no record (issue 22, defect 6)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _export(path: Path, prefix: str, n: int) -> list[str]:
    ids = [f"{prefix}{i}" for i in range(n)]
    path.write_text("".join(json.dumps({"id": i, "article_id": i, "text": f"Artikel {i} tentang pemilu nomor {i}.",
                                        "label": ["pemilu"]}) + "\n" for i in ids), "utf-8")
    return ids


def _start(export: Path, corpus: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pemilu_nlp", "import-labels", str(export), "--corpus", str(corpus)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_concurrent_imports_keep_every_record(tmp_path):
    for trial in range(3):
        corpus = tmp_path / f"corpus{trial}.jsonl"
        expected = []
        runs = []
        for k in range(4):
            export = tmp_path / f"export{trial}-{k}.jsonl"
            expected += _export(export, f"t{trial}r{k}-", 200)
            runs.append(_start(export, corpus))
        for run in runs:
            out, err = run.communicate(timeout=120)
            assert run.returncode == 0, err
            assert "200 added" in out
        ids = [json.loads(line)["id"] for line in corpus.read_text("utf-8").splitlines()]
        assert sorted(ids) == sorted(expected)
        assert not list(tmp_path.glob(f".corpus{trial}.jsonl.*.importing"))
