"""Send planned cases as schemathesis ``Case`` s: pacing, the request budget, and 429s.

A 429 is not a failure: the sender waits as long as ``Retry-After`` (or
``retry-after-ms``) says, or backs off exponentially, then sends the same request again.
Every attempt becomes an :class:`Exchange`, the 429s included, so a cassette holds what
really happened.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from typing import Any

import requests
import schemathesis

from retell_contract.checks import RATE_LIMITED, to_exchange
from retell_contract.checks._schemathesis import recorded_request
from retell_contract.contracts import Contract
from retell_contract.exchange import Exchange, RecordedRequest, RecordedResponse
from retell_contract.runner._probes import PlannedCase
from retell_contract.runner._target import Target

MAX_WAIT = 60.0  # the official client never waits longer for one retry
BACKOFF_START, BACKOFF_CAP = 0.5, 8.0


class Pacer:
    """Spaces requests ``1/rate`` seconds apart across threads, and pauses all of them on a 429."""

    def __init__(
        self,
        rate: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self.clock, self.sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self.clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self.sleep(start - now)

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._next = max(self._next, self.clock() + seconds)


@dataclass
class Budget:
    """At most ``limit`` requests (None: no limit); thread-safe."""

    limit: int | None
    used: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self) -> bool:
        with self._lock:
            if self.exhausted:
                return False
            self.used += 1
            return True

    @property
    def exhausted(self) -> bool:
        return self.limit is not None and self.used >= self.limit


@dataclass(frozen=True)
class Attempts:
    """What sending one case produced: its exchanges, or the error that stopped it."""

    exchanges: tuple[Exchange, ...]
    error: str = ""  # no response at all (connection dropped, timeout)
    request: RecordedRequest | None = None  # the request that got no response
    skipped: bool = False  # the budget ran out first
    timed_out: bool = False  # the error was a timeout (connect or read)


class Sender:
    """Sends planned cases to a target through schemathesis's ``Case.call``."""

    def __init__(
        self,
        contract: Contract,
        target: Target,
        *,
        pacer: Pacer,
        budget: Budget,
        max_retries: int = 5,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.target = target
        self.clock = clock
        self.pacer = pacer
        self.budget = budget
        self.max_retries = max_retries
        self.timeout = timeout
        self.operations = _operations(contract)

    def send(self, case_id: int, planned: PlannedCase) -> Attempts:
        exchanges: list[Exchange] = []
        for attempt in range(self.max_retries + 1):
            if not self.budget.take():
                return Attempts(tuple(exchanges), skipped=not exchanges)
            self.pacer.wait()
            try:
                exchange = self._send_once(case_id, planned)
            except requests.RequestException as error:
                timed_out = isinstance(error, requests.Timeout)
                return Attempts(tuple(exchanges), _describe(error), _request_of(error), timed_out=timed_out)
            exchanges.append(exchange)
            if exchange.response.status != RATE_LIMITED or attempt == self.max_retries:
                break
            self.pacer.pause(retry_delay(exchange.response, attempt))
        return Attempts(tuple(exchanges))

    def _send_once(self, case_id: int, planned: PlannedCase) -> Exchange:
        # The case's own operation (schemathesis hooks and per-operation settings see it);
        # a probe of no declared operation (a wrong method or path) goes out on the first.
        operation = self.operations.get(planned.operation) or next(iter(self.operations.values()))
        case = operation.Case(method=planned.method, headers=dict(planned.headers))
        sent_at = int(self.clock() * 1000)
        case.path = planned.path
        session = self.target.session()
        response = case.call(
            base_url=self.target.base_url,
            session=session,
            verify=session.verify,  # the session's, read from the environment once (_target)
            data=planned.body,
            allow_redirects=False,
            timeout=self.timeout,
            headers=dict(_UNLABELLED),  # a copy: schemathesis adds the session's headers to it
        )
        # When it left, for checks that judge times the server sent (v3's expires_at).
        notes = replace(
            planned.case_notes(case_id), sent_at_ms=sent_at, app_error=self.target.crashes() or ""
        )
        return to_exchange(response, notes.to_notes())


# schemathesis labels each request with a random test-case id; requests drops a header
# set to None, so recordings carry only what the run meant to send (and repeat exactly).
_UNLABELLED: dict[str, Any] = {"X-Schemathesis-TestCaseId": None}


def retry_delay(response: RecordedResponse, attempt: int) -> float:
    """How long to wait after a 429: what the server asks for, else exponential backoff."""
    headers = response.headers
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name, "").strip()
        if not value:
            continue
        try:
            seconds = float(value) * scale
        except ValueError:
            pass
        else:
            return min(max(seconds, 0.0), MAX_WAIT)
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            continue
        delay: float = moment.timestamp() - time.time()
        return min(max(delay, 0.0), MAX_WAIT)
    return min(BACKOFF_START * 2.0**attempt, BACKOFF_CAP)


def _operations(contract: Contract) -> dict[str, Any]:
    """The contract's operations as schemathesis sees them (``APIOperation``s), by name,
    the primary one first."""
    schema = schemathesis.openapi.from_dict(dict(contract.document))
    return {op.name: schema[op.path][op.method] for op in (contract.primary, *contract.operations)}


def _request_of(error: requests.RequestException) -> RecordedRequest | None:
    request = error.request
    return recorded_request(request) if isinstance(request, requests.PreparedRequest) else None


def _describe(error: requests.RequestException) -> str:
    reason = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {reason}"[:200]
