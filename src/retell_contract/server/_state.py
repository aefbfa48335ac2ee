"""The mock's memory: created calls, id and fault draws, all behind one lock.

A ``threading.Lock`` (not an asyncio one) because the sync in-process transport may run
the app on several event loops at once, one per calling thread. Nothing awaits while
holding it, so it is held for microseconds.
"""

from __future__ import annotations

import copy
import random
import threading
from collections.abc import Callable
from typing import Any

from retell_contract._json_semantics import as_int
from retell_contract.contracts import Agent, Contract
from retell_contract.server._body import short_repr
from retell_contract.server._config import MockConfig
from retell_contract.server._connection import connection_details, contract_transport
from retell_contract.server._ids import IdSource
from retell_contract.server._lifecycle import (
    REGISTERED,
    CallRecord,
    LifecycleError,
    advance,
    check_lifecycle_names,
    derive_seed,
    expire_if_unjoined,
    start,
)
from retell_contract.server._preload import Preloader
from retell_contract.server._webhooks import attach_webhooks, stage_events

_BEARER = "bearer"
_SHOWN = 80  # characters of a client-sent id or version quoted in an error


class UnknownAsset(Exception):
    """The requested agent or agent version does not exist (answered 422)."""


class MockState:
    """Calls created so far and the configured behaviour; safe to use from any thread.

    Python-level control for tests: :meth:`join` (use an access token), :meth:`advance`
    (move a call to ongoing / ended / analyzed), :meth:`get_call`, :meth:`calls`, :meth:`reset`.
    """

    def __init__(self, config: MockConfig, contract: Contract) -> None:
        check_lifecycle_names(contract)
        self.config = config
        self.contract = contract
        self.agents: dict[str, Agent] = {agent.agent_id: agent for agent in config.agents_for(contract)}
        self._keys = config.accepted_keys
        self._echoed = contract.echoed_fields
        self._call_type = contract.enum("call_type")[0]
        self._lock = threading.Lock()
        self._calls: dict[str, CallRecord] = {}
        self._call_by_token: dict[str, str] = {}
        self._ids = IdSource(config.seed)
        self._faults = random.Random(None if config.seed is None else f"{config.seed}:faults")
        self._transport = contract_transport(contract)
        self._preloaded: list[CallRecord] = []
        if config.calls:
            preloader = Preloader(contract, self.agents, self._ids, seed=config.seed)
            self._preloaded = preloader.records(
                config.calls, now=config.clock(), ttl=config.token_ttl_seconds
            )
        self._load_preloaded()
        # Called with (event name, call object) as the lifecycle moves; the webhook sender hooks in here.
        self.on_event: Callable[[str, dict[str, Any]], None] | None = None
        self.webhooks = attach_webhooks(self) if config.webhooks_enabled else None

    def authenticate(self, authorization: str | None) -> str | None:
        """The API key of a valid ``Bearer <key>`` header (scheme case-insensitive), else None."""
        if not authorization:
            return None
        scheme, _, key = authorization.strip().partition(" ")
        key = key.strip()
        if scheme.lower() != _BEARER or key not in self._keys:
            return None
        return key

    def draw_fault(self, key: str) -> int | None:
        """The injected error status for this request (402, 429 or 500), or None."""
        if key in self.config.payment_required_keys:
            return 402
        config = self.config
        if not (config.rate_limit_rate or config.server_error_rate):
            return None
        with self._lock:
            rate_limited = self._faults.random() < config.rate_limit_rate
            failed = self._faults.random() < config.server_error_rate
        if rate_limited:
            return 429
        return 500 if failed else None

    def draw_commit_then_fail(self) -> bool:
        """Whether a create that was just stored is answered 500 anyway."""
        if not self.config.commit_then_fail_rate:
            return False
        with self._lock:
            return self._faults.random() < self.config.commit_then_fail_rate

    def create_call(self, body: dict[str, Any]) -> dict[str, Any]:
        """Store a registered call for a schema-valid request body; return its call object."""
        # Not a deep copy: this is the hot path, and the app only serialises the result.
        return self._render(self._create(body).call, deep=False)

    def create_connection(self, body: dict[str, Any]) -> dict[str, Any]:
        """Store a registered call like :meth:`create_call`; return v3's connection details."""
        record = self._create(body)
        return connection_details(
            record.call,
            expires_ms=record.expires_ms,
            turn_credential=record.turn_credential,
            transport=self._transport,
        )

    def resolve_version(self, body: dict[str, Any]) -> tuple[str, int]:
        """The agent and the version number a body asks for (UnknownAsset if there is none)."""
        agent_id = body.get("agent_id")
        agent = self.agents.get(agent_id) if isinstance(agent_id, str) else None
        if agent is None:
            raise UnknownAsset(f"no agent {short_repr(agent_id, _SHOWN)}")
        requested = body.get("agent_version")
        whole = as_int(requested)  # JSON Schema's integer includes 2.0
        requested = requested if whole is None else whole
        version = agent.resolve(requested)
        if version is None:
            raise UnknownAsset(
                f"agent {short_repr(agent_id, _SHOWN)} has no version {short_repr(requested, _SHOWN)}"
            )
        assert isinstance(agent_id, str)
        return agent_id, version

    def _create(self, body: dict[str, Any]) -> CallRecord:
        agent_id, version = self.resolve_version(body)
        call: dict[str, Any] = {"call_type": self._call_type}
        now = self.config.clock()
        expires_ms = int((now + self.config.token_ttl_seconds) * 1000)
        with self._lock:
            call_id = self._fresh_call_id()
            token = self._ids.access_token(call_id, expires_ms)
            call.update(call_id=call_id, access_token=token, agent_id=agent_id, agent_version=version)
            call["call_status"] = REGISTERED
            for name in self._echoed:
                if name in body and name not in call:
                    call[name] = body[name]
            record = CallRecord(call=call, created_at=now, expires_ms=expires_ms)
            record.turn_credential = self._ids.secret()
            self._store(record)
            return record

    def get_call(self, call_id: str) -> dict[str, Any] | None:
        """The call object as it is now (expired if its token went unused), or None."""
        with self._lock:
            record = self._calls.get(call_id)
            if record is None:
                return None
            self._expire(record)
            return self._render(record.call)

    def join(self, access_token: str) -> dict[str, Any]:
        """Use a call's access token (what the web frontend does): the call becomes ongoing."""
        with self._lock:
            record = self._calls.get(self._call_by_token.get(access_token, ""))
            if record is None:
                raise LifecycleError(404, "no call has this access token")
            self._expire(record)
            if record.joined:
                raise LifecycleError(409, "this access token was already used")
            if record.call["call_status"] != REGISTERED:
                raise LifecycleError(
                    410, f"access token expired; call status is {record.call['call_status']!r}"
                )
            start(record, self._now_ms())
            call = self._render(record.call)
        self._emit(0, 1, call)
        return call

    def advance(self, call_id: str, target: str, *, seed: int | None = None) -> dict[str, Any]:
        """Move a call to ``ongoing``, ``ended`` (with a generated transcript) or ``analyzed``.

        ``seed`` fixes the generated post-call fields; by default they follow the mock's seed.
        """
        with self._lock:
            record = self._calls.get(call_id)
            if record is None:
                raise LifecycleError(404, f"no call with id {short_repr(call_id, _SHOWN)}")
            self._expire(record)
            chosen = derive_seed(self.config.seed, call_id, target) if seed is None else seed
            before = record.stage
            advance(record, target, now_ms=self._now_ms(), seed=chosen, contract=self.contract)
            call, after = self._render(record.call), record.stage
        self._emit(before, after, call)
        return call

    def calls(self) -> list[dict[str, Any]]:
        """Every stored call object, oldest first."""
        with self._lock:
            for record in self._calls.values():
                self._expire(record)
            return [self._render(record.call) for record in self._calls.values()]

    def reset(self) -> int:
        """Forget every call but the preloaded ones (restored as loaded); returns how many there were."""
        with self._lock:
            count = len(self._calls)
            self._calls.clear()
            self._call_by_token.clear()
            self._load_preloaded()
            return count

    def _load_preloaded(self) -> None:
        for record in self._preloaded:
            self._store(copy.deepcopy(record))

    def _emit(self, before: int, after: int, call: dict[str, Any]) -> None:
        """Tell ``on_event`` about every lifecycle event between two stages, in order."""
        if self.on_event is not None:
            for event, stage_call in stage_events(before, after, call, self.contract.post_call_fields):
                self.on_event(event, stage_call)

    def _render(self, call: dict[str, Any], *, deep: bool = True) -> dict[str, Any]:
        """The call as served: extra fields merged, copied so callers cannot edit the state."""
        rendered = dict(call)
        rendered.update(self.config.extra_call_fields)
        return copy.deepcopy(rendered) if deep else rendered

    def _expire(self, record: CallRecord) -> None:
        expire_if_unjoined(record, self.config.clock(), self.config.token_ttl_seconds)

    def _fresh_call_id(self) -> str:
        call_id = self._ids.call_id()
        while call_id in self._calls:
            call_id = self._ids.call_id()
        return call_id

    def _store(self, record: CallRecord) -> None:
        while len(self._calls) >= self.config.max_stored_calls:
            oldest = next(iter(self._calls))
            self._call_by_token.pop(self._calls.pop(oldest).call["access_token"], None)
        self._calls[record.call["call_id"]] = record
        self._call_by_token[record.call["access_token"]] = record.call["call_id"]

    def _now_ms(self) -> int:
        return int(self.config.clock() * 1000)
