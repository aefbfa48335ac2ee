"""Mutation benchmark: ``retell-contract run`` and vanilla ``schemathesis run`` against faulty
servers (the mock with one realistic fault each) and correct variants, in the same run.

    .venv/bin/python -m benchmarks.mutation_benchmark [--only NAME ...] [--family F ...]
        [--seed N] [--skip-vanilla] [--vanilla-timeout S] [--clean-runs N]
        [--throughput-runs N] [--quick]

Every server is served over real HTTP on 127.0.0.1. Each tool runs as its own process with
its default settings: ``retell-contract run --url URL --api-key KEY --agent-id ID...`` and
``schemathesis run SPEC --url URL -H 'Authorization: Bearer KEY'`` (plus an NDJSON report,
which changes nothing it does, to read when it first saw a failure), where SPEC is Retell's
own spec for v2, then our contract for v3 and get-call, each with ``agent_id`` pinned to the
benchmark's agents (see :mod:`benchmarks._vanilla`).

Within a 200-request budget: retell-contract is run again with ``--max-requests 200``;
for schemathesis, the first failing request's position among those it sent is read.
Throughput: test cases per wall-clock second of the whole process (start-up included) on
the plain mock. One pair of runs is noisy (each tool's figure moves by 10% or more from
run to run), so ``--throughput-runs N`` adds N more pairs, alternating the tools, each on
a fresh plain mock, and prints the median ratio next to the lowest and highest.
Shrunk body size: bytes of the request body each tool reports for a failure.

Time to detect: seconds from the start of the tool's test engine (after interpreter start-up
and imports) to its first failing test case. For retell-contract that is
``RunResult.first_failure_after``; for schemathesis the first interaction with a failed
check, minus its ``EngineStarted`` event.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._asgi import Served
from benchmarks._mutation_report import (
    BUDGET,
    PLAIN,
    Outcome,
    Pair,
    Row,
    baseline_of,
    print_table,
    print_totals,
    row_line,
)
from benchmarks._vanilla import pinned_specs, run_vanilla
from benchmarks.mutants import AGENTS, API_KEY, Mutant, by_name, catalogue

VENV_BIN = Path(sys.executable).parent
QUICK_MUTANT = "created_200"
QUICK_VANILLA = ("--max-examples", "5", "--phases", "examples,fuzzing")  # a smoke run, not a baseline
_HEADLINE = re.compile(r"(\d+) cases, \d+ requests in\s+([\d.]+) s")


def run_ours(url: str, mutant: Mutant, *, seed: int | None, max_requests: int | None = None) -> Outcome:
    """``retell-contract run --url ...`` with default settings, through the real CLI."""
    with tempfile.TemporaryDirectory() as scratch:
        result_file = Path(scratch) / "result.json"
        args = [sys.executable, "-m", "benchmarks._ours_cli", str(result_file), "run"]
        args += ["--url", url, "--api-key", API_KEY]
        for spec in mutant.agent_specs:
            args += ["--agent-id", spec]
        if seed is not None:
            args += ["--seed", str(seed)]
        if max_requests is not None:
            args += ["--max-requests", str(max_requests)]
        started = time.perf_counter()
        process = subprocess.run(args, capture_output=True, text=True, check=False, cwd=_repo_root())
        wall = time.perf_counter() - started
        if API_KEY in process.stdout + process.stderr:
            raise SystemExit(f"{mutant.name}: the API key appeared in retell-contract's output")
        if not result_file.exists():
            return Outcome(None, wall=wall, error=(process.stderr.strip().splitlines() or ["?"])[-1])
        result = json.loads(result_file.read_text())
    code = result["exit_code"]
    return Outcome(
        failed=code == 1 if code in (0, 1) else None,
        detect=result.get("first_failure_after"),
        cases=result.get("cases", 0),
        seconds=result.get("elapsed", 0.0),
        wall=wall,
        checks=tuple(result.get("failed_checks", ())),
        body_by_check=dict(result.get("bodies", {})),
        seed=str(result.get("seed", "")),
        error="" if code in (0, 1) else process.stderr.strip()[-200:],
    )


def clean_embedded_runs(times: int) -> list[tuple[float, float, int]]:
    """``retell-contract run`` with no options: (wall seconds, engine seconds, cases) per run."""
    runs = []
    for _ in range(times):
        started = time.perf_counter()
        process = subprocess.run(
            [str(VENV_BIN / "retell-contract"), "run"], capture_output=True, text=True, check=False
        )
        wall = time.perf_counter() - started
        if process.returncode != 0:
            raise SystemExit(f"clean run against the embedded mock exited {process.returncode}")
        found = _HEADLINE.search(" ".join(process.stdout.split()))
        cases, engine = (int(found.group(1)), float(found.group(2))) if found else (0, 0.0)
        runs.append((wall, engine, cases))
    return runs


def benchmark(mutants: Sequence[Mutant], args: argparse.Namespace) -> tuple[list[Row], list[Pair]]:
    """Each server twice (a fresh instance per tool), the plain mock first; then the extra
    throughput pairs."""
    rows: list[Row] = []
    ordered = sorted(mutants, key=lambda mutant: mutant.name != PLAIN)  # stable: keeps the rest in order
    with tempfile.TemporaryDirectory(prefix="mutation-benchmark-") as scratch:
        workdir = Path(scratch)
        specs = pinned_specs([agent.agent_id for agent in AGENTS], workdir)
        if not args.skip_vanilla and not args.quick:
            # Hypothesis builds a unicode cache on its first run in a directory (~3 s): not timed.
            with Served(ordered[0].app()) as server:
                run_vanilla(
                    server.url, specs[:1], seed=args.seed, timeout=args.vanilla_timeout, workdir=workdir
                )
        for number, mutant in enumerate(ordered, start=1):
            with Served(mutant.app()) as server:
                ours = run_ours(server.url, mutant, seed=args.seed)
            if mutant.faulty and ours.failed and not args.quick:  # quick: the smoke run stays small
                with Served(mutant.app()) as server:
                    budgeted = run_ours(server.url, mutant, seed=args.seed, max_requests=BUDGET)
                ours.within_budget = bool(budgeted.failed)
            vanilla = None
            if not args.skip_vanilla:
                with Served(mutant.app()) as server:
                    vanilla = run_vanilla(
                        server.url,
                        specs,
                        seed=args.seed,
                        timeout=args.vanilla_timeout,
                        workdir=workdir,
                        options=QUICK_VANILLA if args.quick else (),
                    )
            rows.append(Row(mutant, ours, vanilla))
            if args.save:
                save_row(args.save, rows[-1])
            print(
                f"[{number}/{len(ordered)}] {row_line(rows[-1], baseline_of(rows))}",
                file=sys.stderr,
                flush=True,
            )
        pairs = [] if args.skip_vanilla else throughput_pairs(args, specs, workdir)
    return rows, pairs


def throughput_pairs(args: argparse.Namespace, specs: Sequence[Path], workdir: Path) -> list[Pair]:
    """``--throughput-runs`` more runs of both tools on the plain mock, a fresh one each run;
    the first tool alternates, so neither always runs on a warmer machine."""
    pairs = []
    for number in range(args.throughput_runs):
        outcomes: dict[str, Outcome] = {}
        for tool in ("ours", "vanilla") if number % 2 == 0 else ("vanilla", "ours"):
            with Served(by_name(PLAIN).app()) as server:
                if tool == "ours":
                    outcomes[tool] = run_ours(server.url, by_name(PLAIN), seed=args.seed)
                else:
                    outcomes[tool] = run_vanilla(
                        server.url, specs, seed=args.seed, timeout=args.vanilla_timeout, workdir=workdir
                    )
        pair = Pair(outcomes["ours"], outcomes["vanilla"])
        pairs.append(pair)
        label = f"[throughput {number + 1}/{args.throughput_runs}]"
        print(f"{label} {pair.ratio:.2f}x", file=sys.stderr, flush=True)
    return pairs


def _repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def _select(args: argparse.Namespace) -> list[Mutant]:
    mutants = list(catalogue())
    known = {m.name for m in mutants}
    unknown = [name for name in args.only if name not in known]
    if unknown:
        raise SystemExit(f"unknown mutant(s): {', '.join(unknown)}")
    if args.only:
        mutants = [m for m in mutants if m.name in args.only]
    if args.family:
        mutants = [m for m in mutants if m.family in args.family]
    if not mutants:
        raise SystemExit(
            f"no server selected; families: {', '.join(sorted({m.family for m in catalogue()}))}"
        )
    if PLAIN not in {m.name for m in mutants}:  # every comparison needs the correct mock
        mutants.insert(0, by_name(PLAIN))
    return mutants


def save_row(path: Path, row: Row) -> None:
    """Append ``row`` to ``path`` as one JSON line (``--load`` prints saved rows)."""
    record: dict[str, Any] = {"name": row.mutant.name, "ours": asdict(row.ours)}
    record["vanilla"] = asdict(row.vanilla) if row.vanilla is not None else None
    with path.open("a") as file:
        file.write(json.dumps(record) + "\n")


def load_rows(paths: Sequence[Path]) -> list[Row]:
    """Rows saved by ``--save`` (the first of each server wins): for runs done in parts."""
    rows: dict[str, Row] = {}
    for path in paths:
        for line in path.read_text().splitlines():
            record = json.loads(line)
            vanilla = Outcome(**record["vanilla"]) if record["vanilla"] else None
            rows.setdefault(record["name"], Row(by_name(record["name"]), Outcome(**record["ours"]), vanilla))
    plain = [rows.pop(PLAIN)] if PLAIN in rows else []
    order = {m.name: i for i, m in enumerate(catalogue())}
    return plain + sorted(rows.values(), key=lambda row: order[row.mutant.name])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="run only this server")
    parser.add_argument("--family", action="append", default=[], help="run only this family of servers")
    parser.add_argument("--seed", type=int, default=None, help="seed for both tools (default: random)")
    parser.add_argument("--skip-vanilla", action="store_true", help="do not run schemathesis")
    parser.add_argument("--vanilla-timeout", type=float, default=90.0, help="seconds per schemathesis run")
    parser.add_argument("--clean-runs", type=int, default=3, help="clean embedded-mock runs to time")
    parser.add_argument(
        "--throughput-runs", type=int, default=0, help="extra paired runs on the plain mock to time"
    )
    parser.add_argument("--quick", action="store_true", help="smallest sizes: the test suite's smoke run")
    parser.add_argument("--save", type=Path, help="append each server's outcomes to this JSON-lines file")
    parser.add_argument(
        "--load", type=Path, action="append", default=[], help="print saved rows; run nothing"
    )
    args = parser.parse_args(argv)
    if args.quick:  # the correct mock and one faulty server, both tools (schemathesis cut short)
        args.only, args.family, args.clean_runs, args.throughput_runs = [PLAIN, QUICK_MUTANT], [], 0, 0
    started = time.perf_counter()
    if args.throughput_runs < 0:
        parser.error(f"--throughput-runs must be 0 or more, not {args.throughput_runs}")
    pairs: list[Pair] = []
    if args.load:
        rows, clean = load_rows(args.load), []
    else:
        mutants = _select(args)
        os.environ.pop("RETELL_API_KEY", None)
        rows, pairs = benchmark(mutants, args)
        clean = clean_embedded_runs(args.clean_runs) if args.clean_runs else []
    print()
    print_table(rows)
    print_totals(rows, clean, pairs)
    print(f"benchmark took {time.perf_counter() - started:.0f} s")
    return 1 if any(row.ours_wrong for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
