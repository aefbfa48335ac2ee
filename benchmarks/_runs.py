"""The command line the start-up benchmarks share: how many runs, and the medians printed."""

from __future__ import annotations

import argparse
from collections.abc import Mapping


def parse_runs(argv: list[str] | None, description: str, *, default: int, what: str) -> int:
    """``--runs N`` (default ``default``) or ``--quick`` (one, the test suite's size)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=default, help=f"{what} per variant (default {default})")
    parser.add_argument(
        "--quick", action="store_true", help=f"one {what[:-1]} per variant (the test suite's size)"
    )
    args = parser.parse_args(argv)
    runs: int = 1 if args.quick else args.runs
    if runs < 1:
        parser.error(f"--runs must be at least 1, not {runs}")
    return runs


def print_medians(medians: Mapping[str, float], runs: int, *, width: int) -> None:
    for name, seconds in medians.items():
        print(f"{name:<{width}} {seconds * 1000:7.0f} ms  (median of {runs})")
