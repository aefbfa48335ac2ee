"""How long ``retell-contract diff`` takes, next to just loading the same inputs (same run).

Two scenarios:

1. Our contract against Retell's full 2026-04 spec (about 1,800 lines, OpenAPI 3.0.3).
   Baseline: loading both files (read, parse YAML, validate as OpenAPI), which any diff
   must do. Reported: the whole diff, and the comparison alone.
2. 1,000 recorded exchanges (generated: ended call objects built from the docs page's
   example with varied values, 5% of them with a newer-API field and enum value, 10%
   error responses), written to cassettes. Baselines: reading the cassettes, and
   validating every response body with the contract's jsonschema validators.
   Reported: recording vs contract and recording vs recording.

    .venv/bin/python benchmarks/drift_benchmark.py [--exchanges N] [--repeat N] [--quick]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from retell_contract.cassettes import read_cassettes, write_cassette
from retell_contract.contracts import BUILTIN_CONTRACT, load_contract
from retell_contract.drift import Recording, compare, diff, load_input
from retell_contract.exchange import Exchange, RecordedRequest, RecordedResponse

ROOT = Path(__file__).resolve().parents[1]
OURS = ROOT / "src" / "retell_contract" / "contracts" / BUILTIN_CONTRACT
RETELL = ROOT / "tests" / "data" / "retell-openapi-create-web-call-2026-04.yaml"
TEMPLATE = ROOT / "tests" / "data" / "docs_example_call.json"
CONTRACT = load_contract()
PER_CASSETTE = 100


def best_of(repeat: int, action: Callable[[], Any]) -> float:
    """The fastest of ``repeat`` runs, in seconds (the least disturbed by the machine)."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)


def call_body(rng: random.Random, template: dict[str, Any], newer: bool) -> dict[str, Any]:
    call = copy.deepcopy(template)
    call["call_id"] = "".join(
        rng.choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", k=32)
    )
    call["call_status"] = rng.choice(CONTRACT.enum("call_status"))
    call["disconnection_reason"] = rng.choice(CONTRACT.enum("disconnection_reason"))
    turns = rng.randint(1, 20)
    for name in ("transcript_object", "transcript_with_tool_calls", "scrubbed_transcript_with_tool_calls"):
        call[name] = call[name] * turns
    for metric in call.get("latency", {}).values():
        metric["values"] = [
            round(rng.uniform(metric.get("min", 0), metric.get("max", 1)), 1) for _ in range(turns)
        ]
    if newer:
        call["agent_name"] = "Support desk"
        call["disconnection_reason"] = "ivr_reached"
    return call


def generate_exchanges(count: int, seed: int = 2026) -> list[Exchange]:
    rng = random.Random(seed)
    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    url = f"https://api.retellai.com{CONTRACT.path}"
    request = RecordedRequest(
        CONTRACT.method, url, {"content-type": "application/json"}, b'{"agent_id": "a"}'
    )
    exchanges = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.10:
            status = rng.choice(CONTRACT.error_status_codes)
            body: dict[str, Any] = {"status": "error", "message": CONTRACT.error_message(status)}
        else:
            status, body = CONTRACT.success_status, call_body(rng, template, newer=roll > 0.95)
        response = RecordedResponse(status, {"content-type": "application/json"}, json.dumps(body).encode())
        exchanges.append(Exchange(request, response))
    return exchanges


def validate_all(exchanges: list[Exchange]) -> int:
    """The natural baseline for checking a recording: jsonschema over every body."""
    validators = CONTRACT.response_validators
    errors = 0
    for exchange in exchanges:
        validator = validators.get(exchange.response.status)
        if validator is not None:
            errors += sum(1 for _ in validator.iter_errors(exchange.response.json()))
    return errors


def row(label: str, seconds: float, baseline: float | None = None) -> str:
    ratio = f"{seconds / baseline:6.2f}x" if baseline else "   base"
    return f"  {label:<58} {seconds * 1000:9.1f} ms  {ratio}"


def spec_scenario(repeat: int) -> None:
    lines = RETELL.read_text(encoding="utf-8").count("\n")
    print(f"1. our contract vs Retell's spec ({lines} lines), best of {repeat}")
    load = best_of(repeat, lambda: (load_input(OURS), load_input(RETELL)))
    old, new = load_input(OURS), load_input(RETELL)
    whole = best_of(repeat, lambda: diff(OURS, RETELL))
    alone = best_of(repeat, lambda: compare(old, new))
    changes = len(compare(old, new).changes)
    print(row("load both (read + parse + validate OpenAPI) [baseline]", load))
    print(row(f"diff, end to end ({changes} changes)", whole, load))
    print(row("comparison alone (inputs already loaded)", alone, load))


def recording_scenario(count: int, repeat: int) -> None:
    exchanges = generate_exchanges(count)
    size = sum(len(e.response.body) for e in exchanges) / 1e6
    print(f"\n2. {count} recorded exchanges ({size:.1f} MB of response bodies), best of {repeat}")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "cassettes"
        for start in range(0, count, PER_CASSETTE):
            write_cassette(
                folder / f"part-{start // PER_CASSETTE:03d}.yaml", exchanges[start : start + PER_CASSETTE]
            )
        read = best_of(repeat, lambda: read_cassettes(folder))
        recording = Recording.of(read_cassettes(folder), source=str(folder))
        contract, other = load_input(OURS), Recording.of(generate_exchanges(count, seed=7), source="other")
        validate = best_of(repeat, lambda: validate_all(list(recording.exchanges)))
        whole = best_of(repeat, lambda: diff(OURS, folder))
        against = best_of(repeat, lambda: compare(contract, recording))
        shapes = best_of(repeat, lambda: compare(recording, other))
        findings = len(compare(contract, recording).changes)
        print(row("read the cassettes (parse YAML, rebuild exchanges) [baseline]", read))
        print(row("validate every body with jsonschema (a second baseline)", validate, read))
        print(row(f"diff contract vs cassettes, end to end ({findings} findings)", whole, read))
        print(row("recording vs contract, comparison alone", against, read))
        print(row("recording vs recording, comparison alone", shapes, read))
        print(f"  recording vs contract takes {against / validate:.2f}x the time of jsonschema validation")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--exchanges", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="smallest sizes: the test suite's smoke run")
    options = parser.parse_args()
    if options.quick:
        options.exchanges, options.repeat = 20, 1
    spec_scenario(options.repeat)
    recording_scenario(options.exchanges, max(1, options.repeat // 2))


if __name__ == "__main__":
    main()
