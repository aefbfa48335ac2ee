"""Preloaded calls: partial call objects completed consistently with their status.

Suites that retrieve a fixed call id (the official SDKs' own tests do) need the mock to
hold that call before they start. Each entry gives what it cares about (often only
``call_id`` and ``agent_id``); the rest is filled in as the mock's lifecycle would have
left it, then the result must pass ``validate_call_object(level="strict")``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from retell_contract._json_semantics import is_int
from retell_contract.contracts import Agent, Contract
from retell_contract.errors import first_line, yaml_problem
from retell_contract.server._config import MockConfigError
from retell_contract.server._ids import IdSource
from retell_contract.server._lifecycle import (
    ANALYSIS_FIELD,
    ENDED,
    ERROR,
    NOT_JOINED,
    ONGOING,
    REASON_FIELD,
    REGISTERED,
    CallRecord,
    advance,
    derive_seed,
    start,
)
from retell_contract.validation import validate_call_object

# A preloaded call that has started did so this long before the mock's start.
STARTED_AGO_MS = 10 * 60 * 1000


def load_calls_file(path: Path) -> tuple[dict[str, Any], ...]:
    """The entries of a ``--calls`` file: a JSON or YAML list of (partial) call objects."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise MockConfigError(f"--calls {path}: cannot read ({first_line(str(error))})") from None
    import yaml  # only a --calls file needs it (~40 ms to import)

    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as error:
        raise MockConfigError(f"--calls {path}: not JSON ({error})") from None
    except yaml.YAMLError as error:
        raise MockConfigError(f"--calls {path}: not YAML ({yaml_problem(error)})") from None
    if not isinstance(data, list):
        raise MockConfigError(
            f"--calls {path}: a list of call objects is required, not {type(data).__name__}"
        )
    for index, entry in enumerate(data):
        if not isinstance(entry, dict) or not all(isinstance(key, str) for key in entry):
            raise MockConfigError(f"--calls {path}: entry {index} is not a call object (a mapping)")
    return tuple(data)


class Preloader:
    """Completes preloaded entries; agents they name that the mock lacks are added to ``agents``.

    An unknown agent id is taken to exist (with the versions its calls use, or 1): a call
    in the account implies its agent, and a suite with fixed ids should not also have to
    configure agents. An agent the mock does have must have the entry's version.
    """

    def __init__(
        self, contract: Contract, agents: dict[str, Agent], ids: IdSource, *, seed: int | None
    ) -> None:
        self.contract = contract
        self.agents = agents
        self.ids = ids
        self.seed = seed
        self._implicit: set[str] = set()
        self._statuses = contract.enum("call_status")
        self._call_type = contract.enum("call_type")[0]

    def records(self, entries: Sequence[Mapping[str, Any]], *, now: float, ttl: float) -> list[CallRecord]:
        seen: set[str] = set()
        records = []
        for index, entry in enumerate(entries):
            try:
                record = self._record(dict(entry), now=now, ttl=ttl)
            except ValueError as error:
                raise MockConfigError(f"calls entry {index}: {error}") from None
            call_id = record.call["call_id"]
            if call_id in seen:
                raise MockConfigError(f"calls entry {index}: call_id {call_id!r} is preloaded twice")
            seen.add(call_id)
            records.append(record)
        for index, record in enumerate(records):
            violations = validate_call_object(record.call, level="strict", contract=self.contract)
            if violations:
                raise MockConfigError(
                    f"calls entry {index} ({record.call['call_id']}): {violations[0]}"
                    + (f" (and {len(violations) - 1} more)" if len(violations) > 1 else "")
                )
        return records

    def _record(self, entry: dict[str, Any], *, now: float, ttl: float) -> CallRecord:
        status = entry.get("call_status", REGISTERED)
        if status not in self._statuses:
            raise ValueError(f"call_status {status!r} is not one of {', '.join(map(str, self._statuses))}")
        call_id = entry.get("call_id") or self.ids.call_id()
        if not isinstance(call_id, str):
            raise ValueError(f"call_id must be a non-empty string, not {call_id!r}")
        agent_id, version = self._agent_version(entry)
        now_ms = int(now * 1000)
        expires_ms = int((now + ttl) * 1000)
        call: dict[str, Any] = {
            "call_type": self._call_type,
            "call_id": call_id,
            "agent_id": agent_id,
            "agent_version": version,
            "call_status": REGISTERED,
            "access_token": self.ids.access_token(call_id, expires_ms),
        }
        record = CallRecord(call=call, created_at=now, expires_ms=expires_ms)
        self._move(record, entry, status, now_ms)
        call.update(entry)
        call["agent_version"] = version
        if ANALYSIS_FIELD in entry:
            record.analyzed, record.pending_analysis = True, {}
        return record

    def _move(self, record: CallRecord, entry: dict[str, Any], status: str, now_ms: int) -> None:
        """Take the call through the lifecycle to ``status``, as if it had lived it."""
        started = entry.get("start_timestamp", now_ms - STARTED_AGO_MS)
        if status in (ONGOING, ENDED) and not is_int(started):
            raise ValueError(f"start_timestamp must be an integer (epoch ms), not {started!r}")
        if status == ONGOING:
            start(record, started)
        elif status == ENDED:
            start(record, started)
            seed = derive_seed(self.seed, record.call["call_id"], "preload")
            advance(record, ENDED, now_ms=now_ms, seed=seed, contract=self.contract)
        elif status == ERROR:
            record.call["call_status"] = ERROR
            record.call.setdefault(REASON_FIELD, NOT_JOINED)
        elif status != REGISTERED:
            record.call["call_status"] = status
        # A preloaded call that is not registered has used its token (or never will).
        record.joined = status != REGISTERED

    def _agent_version(self, entry: dict[str, Any]) -> tuple[str, int]:
        agent_id = entry.get("agent_id", next(iter(self.agents), None))
        if not isinstance(agent_id, str) or not agent_id:
            raise ValueError(f"agent_id must be a non-empty string, not {agent_id!r}")
        requested = entry.get("agent_version")
        agent = self.agents.get(agent_id)
        if agent is None or agent_id in self._implicit:
            if requested is not None and not is_int(requested):
                raise ValueError(
                    f"agent_version must be an integer for an agent the mock does not serve, "
                    f"not {requested!r}"
                )
            version = 1 if requested is None else requested
            if version < 0:
                raise ValueError(f"agent_version cannot be negative, not {version}")
            known = agent.versions if agent else ()
            self.agents[agent_id] = Agent(agent_id, tuple(sorted({*known, version})))
            self._implicit.add(agent_id)
            return agent_id, version
        resolved = agent.resolve(requested)
        if resolved is None:
            raise ValueError(f"agent {agent_id!r} has no version {requested!r}")
        return agent_id, resolved
