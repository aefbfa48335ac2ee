"""Replay of the shipped cassettes against a live run against the mock over HTTP.

    .venv/bin/python benchmarks/replay_benchmark.py [--repeats N] [--cassettes DIR] [--quick]

Both sides do the same checking work (:func:`retell_contract.checks.verify_exchanges` is
what the run applies to each exchange); the run also generates requests and sends them
over a real socket to the mock, which replay replaces by reading YAML. Figures are
milliseconds per hundred exchanges, median of ``--repeats`` rounds, measured in this run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from retell_contract.cassettes import read_cassettes
from retell_contract.checks import verify_exchanges
from retell_contract.contracts import load_contract
from retell_contract.runner import RunOptions, embedded_agents, run
from retell_contract.server import DEFAULT_API_KEY, MockConfig, MockServer

ROOT = Path(__file__).resolve().parent.parent
# The shipped recording was made with: retell-contract run --seed 1 --max-examples 40 --record ...
SEED, MAX_EXAMPLES = 1, 40


def median_seconds(action: Callable[[], int], repeats: int) -> tuple[float, int]:
    """Median wall time of ``action`` over ``repeats`` rounds, and the exchanges it handled."""
    timings, count = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        count = action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), count


def per_hundred(seconds: float, exchanges: int) -> float:
    return seconds / exchanges * 100 * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cassettes", type=Path, default=ROOT / "cassettes" / "mock")
    parser.add_argument("--quick", action="store_true", help="smallest sizes: the test suite's smoke run")
    options = parser.parse_args()
    if options.quick:
        options.repeats = 1
    contract = load_contract()
    verify_exchanges(read_cassettes(options.cassettes), contract=contract)  # warm caches and imports

    read_time, count = median_seconds(lambda: len(read_cassettes(options.cassettes)), options.repeats)
    exchanges = read_cassettes(options.cassettes)
    check_time, _ = median_seconds(
        lambda: verify_exchanges(exchanges, contract=contract).exchanges, options.repeats
    )
    replay_time, _ = median_seconds(
        lambda: verify_exchanges(read_cassettes(options.cassettes), contract=contract).exchanges,
        options.repeats,
    )

    agents = embedded_agents(contract)
    with MockServer(MockConfig(agents=agents), contract=contract) as server:
        live = RunOptions(
            url=server.url,
            api_key=DEFAULT_API_KEY,
            agents=agents,
            seed=SEED,
            max_examples=MAX_EXAMPLES,
            rate_limit=0,
            max_requests=100_000,
            contract=contract,
        )
        run(live)  # warm-up: schemathesis and the server's first requests
        live_time, live_count = median_seconds(lambda: run(live).report.exchanges, options.repeats)

    replay_ms, live_ms = per_hundred(replay_time, count), per_hundred(live_time, live_count)
    print(f"cassettes: {options.cassettes} ({count} exchanges); {options.repeats} rounds, median")
    print(f"{'':34}{'total ms':>10}{'ms / 100 exchanges':>20}")
    print(f"{'replay: read cassettes':34}{read_time * 1000:10.1f}{per_hundred(read_time, count):20.1f}")
    print(f"{'replay: run the checks':34}{check_time * 1000:10.1f}{per_hundred(check_time, count):20.1f}")
    print(f"{'replay: total':34}{replay_time * 1000:10.1f}{replay_ms:20.1f}")
    print(f"{f'live run over HTTP ({live_count} exch.)':34}{live_time * 1000:10.1f}{live_ms:20.1f}")
    print(
        f"replay is {live_ms / replay_ms:.1f}x faster per exchange than a live run against the mock over HTTP"
    )
    print(f"goal: replay well under 1000 ms per 100 exchanges -> {'met' if replay_ms < 1000 else 'NOT met'}")


if __name__ == "__main__":
    main()
