"""Examples per second for each public strategy, against a baseline measured in the same run.

The baseline is a naive Hypothesis strategy for a request body of the same shape (plain
text and integers, no corners), so the ratio says what the contract-driven corners,
lifecycle rules and consistency cost, independent of the machine's speed.

Two ways of drawing are timed: inside ``@given`` (what a property test pays, generation
phase only) and with ``sample`` (what the mock server pays per ended call).

    .venv/bin/python benchmarks/strategies_benchmark.py [--seconds 2] [--quick]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from retell_contract.contracts import load_contract
from retell_contract.strategies import (
    call_objects,
    invalid_call_objects,
    invalid_request_bodies,
    request_bodies,
    sample,
)

BASELINE = st.fixed_dictionaries(
    {"agent_id": st.text(min_size=1)},
    optional={"agent_version": st.integers(), "metadata": st.dictionaries(st.text(), st.text())},
)


def strategies() -> dict[str, st.SearchStrategy[Any]]:
    return {
        "baseline (naive body)": BASELINE,
        "request_bodies()": request_bodies(),
        "invalid_request_bodies()": invalid_request_bodies(),
        "call_objects()": call_objects(),
        "call_objects(ended, analysed)": call_objects(states=["ended"], analysed=True),
        "invalid_call_objects()": invalid_call_objects(),
    }


def rate(run: Callable[[], int], seconds: float) -> float:
    """Examples per second of ``run`` (which returns how many it drew), over ~``seconds``."""
    run()  # warm up: strategy validation, caches
    drawn, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        drawn += run()
    return drawn / (time.perf_counter() - start)


def with_given(strategy: st.SearchStrategy[Any], batch: int = 50) -> Callable[[], int]:
    @settings(
        max_examples=batch,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def consume(value: Any) -> None:
        counter[0] += 1

    counter = [0]

    def run() -> int:
        counter[0] = 0
        consume()
        return counter[0]

    return run


def with_sample(strategy: st.SearchStrategy[Any], batch: int = 20) -> Callable[[], int]:
    seed = [0]

    def run() -> int:
        for _ in range(batch):
            sample(strategy, seed=seed[0])
            seed[0] += 1
        return batch

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement (default 2)")
    parser.add_argument("--quick", action="store_true", help="smallest sizes: the test suite's smoke run")
    options = parser.parse_args()
    seconds = 0.05 if options.quick else options.seconds
    load_contract()  # not part of any measurement
    rows = [
        (name, rate(with_given(s), seconds), rate(with_sample(s), seconds))
        for name, s in strategies().items()
    ]
    _, base_given, base_sample = rows[0]
    print(f"{'strategy':<32} {'@given/s':>10} {'ratio':>7} {'sample/s':>10} {'ratio':>7}")
    for name, given_rate, sample_rate in rows:
        print(
            f"{name:<32} {given_rate:>10.1f} {given_rate / base_given:>7.3f} "
            f"{sample_rate:>10.1f} {sample_rate / base_sample:>7.3f}"
        )


if __name__ == "__main__":
    main()
