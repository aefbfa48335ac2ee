"""Every script in benchmarks/ runs at its smallest size, so none can rot unnoticed.

Each benchmark takes ``--quick``; a new ``*_benchmark.py`` is picked up here by its name.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted(path.stem for path in (ROOT / "benchmarks").glob("*_benchmark.py"))


def test_every_benchmark_is_found() -> None:
    assert "mutation_benchmark" in SCRIPTS
    assert len(SCRIPTS) >= 5


@pytest.mark.parametrize("name", SCRIPTS)
def test_benchmark_runs_quick(name: str) -> None:
    process = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}", "--quick"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert process.returncode == 0, process.stdout[-2000:] + process.stderr[-2000:]
    assert process.stdout.strip(), "printed no figures"
    assert "ERROR" not in process.stdout + process.stderr
    assert "Traceback" not in process.stderr
