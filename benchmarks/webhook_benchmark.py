"""Webhook receivers under ``retell-contract webhook`` in-process: correct ones pass, faulty ones are caught.

    .venv/bin/python benchmarks/webhook_benchmark.py [--max-examples N] [--seed S]

Prints, per receiver, the verdict, the checks that failed and the seconds the run took
(time to detect), next to the same-run baseline: the correct receivers' run time.
The slow fault sleeps just past a shortened timeout (--timeout), so it is quick to run.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _webhook_receivers import FAULTY, Receiver, asgi_app, wsgi_app
from retell_contract.webhooks import (
    WebhookRunOptions,
    asgi_transport,
    run_webhook_conformance,
    wsgi_transport,
)

KEY = "key_webhook_benchmark_1"


@dataclass(frozen=True)
class Result:
    name: str
    expected_ok: bool
    ok: bool
    failed: tuple[str, ...]
    seconds: float

    @property
    def right(self) -> bool:
        return self.ok == self.expected_ok


def measure(name: str, fault: str, *, wsgi: bool, max_examples: int, seed: int, timeout: float) -> Result:
    receiver = Receiver(name, KEY, fault=fault, slow_seconds=timeout * 1.5)
    app = wsgi_app(receiver) if wsgi else asgi_app(receiver)
    transport = wsgi_transport(app) if wsgi else asgi_transport(app)
    options = WebhookRunOptions(
        api_key=KEY,
        url="http://receiver.test/webhook",
        transport=transport,
        seed=seed,
        max_examples=max_examples,
        timeout=timeout,
        check=receiver.one_row_per_event,
    )
    started = time.perf_counter()
    report = run_webhook_conformance(options)
    return Result(name, not fault, report.ok, report.failed_checks, time.perf_counter() - started)


def run_all(*, max_examples: int, seed: int, timeout: float) -> list[Result]:
    results = [
        measure("correct (Starlette)", "", wsgi=False, max_examples=max_examples, seed=seed, timeout=timeout),
        measure("correct (plain WSGI)", "", wsgi=True, max_examples=max_examples, seed=seed, timeout=timeout),
    ]
    for fault in FAULTY:
        results.append(
            measure(fault, fault, wsgi=False, max_examples=max_examples, seed=seed, timeout=timeout)
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=0.2)
    parser.add_argument("--quick", action="store_true", help="the test suite's small run (3 examples)")
    args = parser.parse_args()
    if args.quick:  # a loaded CI machine: a roomier timeout (the slow receiver scales with it)
        args.max_examples, args.timeout = 3, 1.0
    results = run_all(max_examples=args.max_examples, seed=args.seed, timeout=args.timeout)
    baseline = sum(r.seconds for r in results if r.expected_ok) / 2
    print(f"baseline: a correct receiver's full run takes {baseline:.2f} s")
    for r in results:
        verdict = "passes" if r.ok else f"caught: {', '.join(r.failed)}"
        mark = "ok " if r.right else "BAD"
        print(f"{mark} {r.name:26} {verdict:70} {r.seconds:6.2f} s ({r.seconds / baseline:4.2f}x baseline)")
    wrong = [r.name for r in results if not r.right]
    print(
        f"{len(results) - len(wrong)}/{len(results)} right"
        + (f"; wrong: {', '.join(wrong)}" if wrong else "")
    )
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
