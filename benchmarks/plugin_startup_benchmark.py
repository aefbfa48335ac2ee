"""What installing retell-contract adds to every pytest run: start-up with and without our plugin.

    .venv/bin/python -m benchmarks.plugin_startup_benchmark [--runs N]

Runs ``pytest`` on a one-test project (a test that uses none of our fixtures) ``--runs``
times with our plugin loaded and as many times with ``-p no:retell_contract``, alternating,
in this run, and prints the median wall time of each and the difference: our plugin's idle
cost. A third figure, with schemathesis's and pytest-recording's plugins also turned off,
shows what a project that uses neither saves with ``-p no:schemathesis -p no:recording``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._runs import parse_runs, print_medians

VARIANTS = {
    "with retell-contract's plugin": [],
    "-p no:retell_contract": ["-p", "no:retell_contract"],
    "also -p no:schemathesis -p no:recording": [
        "-p",
        "no:retell_contract",
        "-p",
        "no:schemathesis",
        "-p",
        "no:recording",
    ],
}


def one_run(project: Path, extra: list[str]) -> float:
    """Wall seconds of one ``pytest -q`` in ``project`` (which must pass)."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"pytest {' '.join(extra)} failed:\n{done.stdout}{done.stderr}")
    return elapsed


def measure(runs: int) -> dict[str, float]:
    """Median seconds per variant, the variants interleaved so machine load hits all alike."""
    with tempfile.TemporaryDirectory() as directory:
        project = Path(directory)
        (project / "test_one.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")
        timings: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for _ in range(runs):
            for name, extra in VARIANTS.items():
                timings[name].append(one_run(project, extra))
    return {name: statistics.median(values) for name, values in timings.items()}


def main(argv: list[str] | None = None) -> int:
    runs = parse_runs(argv, __doc__.splitlines()[0], default=7, what="pytest runs")
    medians = measure(runs)
    print_medians(medians, runs, width=42)
    ours = medians["with retell-contract's plugin"] - medians["-p no:retell_contract"]
    print(f"{'our plugin idle cost':<42} {ours * 1000:7.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
