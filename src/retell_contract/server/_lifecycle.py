"""A stored call and the moves it can make: registered -> ongoing -> ended -> analyzed.

Expiry is lazy: nothing runs on a timer; a registered call whose token was not used in
time is marked ``error`` / ``error_user_not_joined`` the next time anyone looks at it.
Ended calls get their post-call fields from the call-object strategies, with the call's
own identity (ids, agent, echoed request fields, timestamps) laid over the sample.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from retell_contract._json_semantics import is_int
from retell_contract.contracts import Contract
from retell_contract.errors import ContractError

REGISTERED, ONGOING, ENDED, ERROR = "registered", "ongoing", "ended", "error"
NOT_JOINED = "error_user_not_joined"
ANALYZED = "analyzed"
# Withheld when a call ends and revealed when it is analyzed, as the real API does.
ANALYSIS_FIELD = "call_analysis"
TRANSCRIPT_FIELD = "transcript"
REASON_FIELD = "disconnection_reason"
# Targets a test may move a call to, in lifecycle order.
TARGETS = (ONGOING, ENDED, ANALYZED)
_IDENTITY = ("call_type", "call_id", "access_token", "agent_id", "agent_version", "call_status")


class LifecycleError(Exception):
    """A move the call cannot make; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class CallRecord:
    """One created call: its call object so far plus what the lifecycle needs to know."""

    call: dict[str, Any]
    created_at: float
    expires_ms: int = 0
    turn_credential: str = ""
    joined: bool = False
    analyzed: bool = False
    pending_analysis: dict[str, Any] = field(default_factory=dict)

    @property
    def stage(self) -> int:
        """Position in the lifecycle: 0 registered, 1 ongoing, 2 ended, 3 analyzed."""
        status = self.call["call_status"]
        if status == ONGOING:
            return 1
        if status == ENDED:
            return 3 if self.analyzed else 2
        return 0


def check_lifecycle_names(contract: Contract) -> None:
    """Fail early when a contract lacks the statuses and reason the mock's lifecycle uses."""
    statuses = set(contract.enum("call_status"))
    missing = [name for name in (REGISTERED, ONGOING, ENDED, ERROR) if name not in statuses]
    if NOT_JOINED not in contract.enum("disconnection_reason"):
        missing.append(NOT_JOINED)
    if missing:
        raise ContractError(f"{contract.source}: the mock needs call-object enum values {missing}")


def expire_if_unjoined(record: CallRecord, now: float, ttl: float) -> None:
    """Mark a registered call whose token was not used within ``ttl`` seconds as failed."""
    if record.call["call_status"] == REGISTERED and not record.joined and now - record.created_at > ttl:
        record.call["call_status"] = ERROR
        record.call["disconnection_reason"] = NOT_JOINED


def advance(record: CallRecord, target: str, *, now_ms: int, seed: int, contract: Contract) -> None:
    """Move ``record`` forward to ``target`` (one of TARGETS), passing through earlier stages."""
    if target not in TARGETS:
        raise LifecycleError(400, f"cannot move a call to {target!r}; choose one of {', '.join(TARGETS)}")
    if record.call["call_status"] == ERROR:
        raise LifecycleError(409, f"call is in status {ERROR!r} and cannot move")
    wanted = TARGETS.index(target) + 1
    if record.stage > wanted:
        raise LifecycleError(409, f"call is already past {target!r}")
    if record.stage < 1:
        start(record, now_ms)
    if record.stage < 2 <= wanted:
        _end(record, now_ms, seed, contract)
    if record.stage < 3 <= wanted:
        record.call.update(record.pending_analysis)
        record.analyzed = True


def start(record: CallRecord, now_ms: int) -> None:
    """The access token was used: the call is connected and ongoing."""
    record.joined = True
    record.call["call_status"] = ONGOING
    record.call["start_timestamp"] = now_ms


def _end(record: CallRecord, now_ms: int, seed: int, contract: Contract) -> None:
    sample = _sample_ended_call(seed, contract, now_ms)
    call = record.call
    for name in _IDENTITY:
        sample.pop(name, None)
    for name in contract.echoed_fields:
        sample.pop(name, None)  # echoed fields stay exactly as the request sent them (or absent)
    if ANALYSIS_FIELD in sample:
        record.pending_analysis = {ANALYSIS_FIELD: sample.pop(ANALYSIS_FIELD)}
    started = int(call["start_timestamp"])
    # The call cannot have ended after the mock's clock: a short-lived call ends now.
    ended = max(started, min(started + _duration_of(sample, fallback=now_ms - started), now_ms))
    sample.pop("start_timestamp", None)
    _clamp_timestamps(sample, started, ended)
    call.update(sample)
    call["call_status"] = ENDED
    if "end_timestamp" in contract.post_call_fields:
        call["end_timestamp"] = ended
    if "duration_ms" in contract.post_call_fields:
        call["duration_ms"] = ended - started


def _clamp_timestamps(sample: dict[str, Any], started: int, ended: int) -> None:
    """Other moments of the call (e.g. a transfer's end) fall within it."""
    for name, value in sample.items():
        if name.endswith("_timestamp") and is_int(value):
            sample[name] = min(max(value, started), ended)


def _duration_of(sample: dict[str, Any], *, fallback: int) -> int:
    duration = sample.get("duration_ms")
    if is_int(duration) and duration >= 0:
        return duration
    start, end = sample.get("start_timestamp"), sample.get("end_timestamp")
    if isinstance(start, int) and isinstance(end, int) and end >= start:
        return end - start
    return fallback


def _sample_ended_call(seed: int, contract: Contract, now_ms: int) -> dict[str, Any]:
    # Imported here: the strategies pull in Hypothesis, which plain API use never needs.
    from retell_contract.strategies import call_objects, sample

    # Believable: web-call reasons only, a conversation, timestamps not after the mock's clock.
    strategy = call_objects(contract=contract, states=(ENDED,), analysed=True, believable=True, now=now_ms)
    if TRANSCRIPT_FIELD in contract.post_call_fields:
        # An ended call that talked: the strategy may also draw silent calls.
        strategy = strategy.filter(lambda call: bool(call.get(TRANSCRIPT_FIELD)))
    return dict(sample(strategy, seed=seed))


def derive_seed(seed: int | None, *parts: object) -> int:
    """A sample seed that is reproducible when the mock has a seed, fresh otherwise."""
    if seed is None:
        return random.SystemRandom().getrandbits(32)
    return random.Random(":".join(str(part) for part in (seed, *parts))).getrandbits(32)
