"""The baseline: vanilla ``schemathesis run`` given specs with the agent id pinned.

Retell's published spec describes only ``POST /v2/create-web-call``, so the baseline is two
runs back to back against the same server: Retell's own spec for v2, then our contract
(today) for v3 and get-call. Each spec is copied with the request body's ``agent_id``
pinned to the agents the run is told about (an ``enum``), which is all a user would have
to add; nothing else changes. Both runs use schemathesis's defaults plus an NDJSON report,
which is where the figures come from.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from benchmarks._mutation_report import Outcome
from benchmarks.mutants import API_KEY
from retell_contract import contracts

RETELL_SPEC = (
    Path(__file__).resolve().parent.parent / "tests" / "data" / "retell-openapi-create-web-call-2026-04.yaml"
)
TODAY_SPEC = Path(contracts.__file__).parent / "today.openapi.yaml"
V2_CREATE = "/v2/create-web-call"
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Spec:
    """One schemathesis run of the baseline: a spec file and the paths it keeps."""

    label: str
    source: Path
    keep: frozenset[str] | None  # None: every path; else only these (the rest dropped)


SPECS = (
    Spec("retell-v2", RETELL_SPEC, frozenset({V2_CREATE})),
    Spec("ours-v3-get-call", TODAY_SPEC, None),  # minus v2, which Retell's spec covers
)


def pinned_specs(agent_ids: Sequence[str], folder: Path) -> list[Path]:
    """The baseline's spec files, written to ``folder`` with ``agent_id`` pinned."""
    written = []
    for spec in SPECS:
        document = yaml.safe_load(spec.source.read_text())
        paths = document["paths"]
        for path in list(paths):
            if (spec.keep is not None and path not in spec.keep) or (spec.keep is None and path == V2_CREATE):
                del paths[path]
        for operation in (op for item in paths.values() for op in item.values() if isinstance(op, dict)):
            _pin_agent_id(document, operation, agent_ids)
        target = folder / f"{spec.label}.yaml"
        target.write_text(yaml.safe_dump(document, sort_keys=False))
        written.append(target)
    return written


def _pin_agent_id(document: dict[str, Any], operation: dict[str, Any], agent_ids: Sequence[str]) -> None:
    content = operation.get("requestBody", {}).get("content", {})
    for media in content.values():
        schema = _resolved(document, media.get("schema", {}))
        properties = schema.get("properties", {})
        if "agent_id" in properties:
            properties["agent_id"] = {"type": "string", "enum": list(agent_ids)}


def _resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``schema``, or what its local ``$ref`` points at (edited in place, so the copy changes)."""
    reference = schema.get("$ref")
    if not isinstance(reference, str) or not reference.startswith("#/"):
        return schema
    node: Any = document
    for part in reference[2:].split("/"):
        node = node[part]
    return node if isinstance(node, dict) else schema


def run_vanilla(
    url: str,
    specs: Sequence[Path],
    *,
    seed: int | None,
    timeout: float,
    workdir: Path,
    options: Sequence[str] = (),
) -> Outcome:
    """Every baseline spec in turn against ``url``; one outcome, as if one run.
    ``options`` are added to each command line (only ``--quick`` shrinks the runs)."""
    outcomes = [
        _run_one(url, spec, seed=seed, timeout=timeout, workdir=workdir, options=options) for spec in specs
    ]
    return combine(outcomes)


def _run_one(
    url: str, spec: Path, *, seed: int | None, timeout: float, workdir: Path, options: Sequence[str]
) -> Outcome:
    # A fresh example database each time (as in a fresh checkout); Hypothesis's unicode cache stays.
    shutil.rmtree(workdir / ".hypothesis" / "examples", ignore_errors=True)
    events = workdir / "events.ndjson"
    events.unlink(missing_ok=True)
    args = [str(VENV_BIN / "schemathesis"), "run", str(spec), "--url", url]
    args += ["-H", f"Authorization: Bearer {API_KEY}", "--report", "ndjson"]
    args += ["--report-ndjson-path", str(events), "--no-color", *options]
    if seed is not None:
        args += ["--seed", str(seed)]
    started = time.perf_counter()
    try:
        process = subprocess.run(
            args, capture_output=True, text=True, check=False, cwd=workdir, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return Outcome(None, wall=timeout, error=f"{spec.stem}: timed out after {timeout:.0f} s")
    wall = time.perf_counter() - started
    outcome = read_events(events)
    outcome.wall = wall
    outcome.failed = process.returncode != 0
    if process.returncode not in (0, 1):
        outcome.error = (process.stdout.strip().splitlines() or ["?"])[-1][:200]
    return outcome


def combine(outcomes: Sequence[Outcome]) -> Outcome:
    """Runs back to back as one: times and request numbers of later runs are offset."""
    total = Outcome(False)
    for outcome in outcomes:
        if outcome.failed is None:
            total.failed, total.error = None, outcome.error
        elif total.failed is not None:
            total.failed = total.failed or outcome.failed
        for name, moment in outcome.first_by_check.items():
            total.first_by_check.setdefault(name, total.wall + moment)
        for name, number in outcome.first_request_by_check.items():
            total.first_request_by_check.setdefault(name, total.cases + number)
        for name, size in outcome.body_by_check.items():
            total.body_by_check.setdefault(name, size)
        total.cases += outcome.cases
        total.seconds += outcome.seconds
        total.wall += outcome.wall
        total.seed = total.seed or outcome.seed
    total.checks = tuple(sorted(total.first_by_check))
    total.detect = min(total.first_by_check.values(), default=None)
    return total


def read_events(path: Path) -> Outcome:
    """What one schemathesis run's NDJSON report says: per failed check, its first failure."""
    if not path.exists():
        return Outcome(None, error="no NDJSON events written")
    engine_started = running = 0.0
    seed = ""
    sent: list[tuple[float, str]] = []  # (timestamp, case id) of every request
    failures: dict[str, list[tuple[float, str, int]]] = {}  # check -> (moment, case id, body size)
    for line in path.read_text().splitlines():
        ((kind, body),) = json.loads(line).items()
        if kind == "Initialize":
            seed = str(body.get("seed", ""))
        elif kind == "EngineStarted":
            engine_started = float(body["timestamp"])
        elif kind == "EngineFinished":
            running = float(body["running_time"])
        elif kind == "ScenarioFinished":
            recorder = body["recorder"]
            for case_id, interaction in recorder.get("interactions", {}).items():
                sent.append((float(interaction["timestamp"]), case_id))
            for case_id, results in recorder.get("checks", {}).items():
                interaction = recorder.get("interactions", {}).get(case_id)
                if interaction is None:
                    continue
                moment = float(interaction["timestamp"])
                size = _body_size(interaction)
                for name in {r["name"] for r in results if r["status"] == "failure"}:
                    failures.setdefault(name, []).append((moment, case_id, size))
    sent.sort()
    number = {case_id: position for position, (_, case_id) in enumerate(sent, start=1)}
    first_by_check, first_request, body_by_check = {}, {}, {}
    for name, found in failures.items():
        moment, case_id, _ = min(found)
        first_by_check[name] = moment - engine_started
        first_request[name] = number[case_id]
        # The failure schemathesis reports is the last (shrunk) example of that check.
        body_by_check[name] = max(found)[2]
    return Outcome(
        None,
        detect=min(first_by_check.values(), default=None),
        cases=len(sent),
        seconds=running,
        checks=tuple(sorted(first_by_check)),
        first_by_check=first_by_check,
        first_request_by_check=first_request,
        body_by_check=body_by_check,
        seed=seed,
    )


def _body_size(interaction: dict[str, Any]) -> int:
    """Bytes of the request body schemathesis sent (its NDJSON wraps them in ``$base64``)."""
    body = (interaction.get("request") or {}).get("body")
    if isinstance(body, dict) and isinstance(body.get("$base64"), str):
        return len(base64.b64decode(body["$base64"]))
    return len(body.encode()) if isinstance(body, str) else 0
