"""Make each failure's example small before it is reported: a greedy, budgeted shrinker.

A drawn body that crashed the server may carry forty metadata keys; the one that matters
is usually a single key. For each distinct failure the shrinker re-sends simpler variants
of the body (members dropped, containers emptied, strings and numbers cut) and keeps a
variant whenever the same check still fails with the same signature. The agent id and
version are never touched (optional scalars beside them may be dropped), and a variant
must break exactly the same request-schema rules as the original, so the case stays what
it was.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from retell_contract.checks import (
    RATE_LIMITED,
    CaseKind,
    CaseNotes,
    CheckFailed,
    FailureSummary,
    RunContext,
    RunReport,
    get_check,
)
from retell_contract.consistency import is_number
from retell_contract.contracts import Agent, Contract
from retell_contract.exchange import Exchange
from retell_contract.runner._probes import PlannedCase, encode
from retell_contract.runner._send import Sender
from retell_contract.validation import validate_request_body

# Checks whose failure depends on earlier exchanges: re-sending one request proves nothing.
STATEFUL_CHECKS = frozenset({"call_id_unique", "access_token_unique"})
ATTEMPTS_PER_FAILURE = 60
_SENT_AGAIN = frozenset({"authorization", "content-type"})
_KEPT = frozenset({"agent_id", "agent_version"})


def shrink_report(
    report: RunReport, *, sender: Sender, contract: Contract, agents: tuple[Agent, ...]
) -> RunReport:
    """``report`` with each failure's example replaced by the smallest variant that still fails."""
    shrinker = _Shrinker(sender, contract, {agent.agent_id: agent for agent in agents})
    return replace(report, failures=tuple(shrinker.shrink(failure) for failure in report.failures))


class _Shrinker:
    def __init__(self, sender: Sender, contract: Contract, agents: Mapping[str, Agent]) -> None:
        self.sender = sender
        self.contract = contract
        self.agents = agents
        self.attempts_left = ATTEMPTS_PER_FAILURE

    def shrink(self, failure: FailureSummary) -> FailureSummary:
        body = failure.request.json()
        if not isinstance(body, dict) or failure.response is None or failure.check in STATEFUL_CHECKS:
            return failure
        self.attempts_left = ATTEMPTS_PER_FAILURE
        rules = self._rules(body)
        best: tuple[Any, Exchange, CheckFailed] | None = None
        while (found := self._simpler_failing(failure, best[0] if best else body, rules)) is not None:
            best = found
        if best is None:
            return failure
        _, exchange, failed = best
        return replace(
            failure,
            request=exchange.request,
            response=exchange.response,
            expected=failed.expected,
            actual=failed.actual,
        )

    def _simpler_failing(
        self, failure: FailureSummary, body: dict[str, Any], rules: frozenset[tuple[str, str]]
    ) -> tuple[Any, Exchange, CheckFailed] | None:
        """The first simpler body that still fails the same way, within the attempts left."""
        for candidate in _candidates(body):
            if self.attempts_left <= 0 or self.sender.budget.exhausted:
                return None
            if self._rules(candidate) != rules:
                continue  # it would be another case, not a smaller example of this one
            self.attempts_left -= 1
            outcome = self._reproduce(failure, candidate)
            if outcome is not None:
                return (candidate, *outcome)
        return None

    def _rules(self, body: Any) -> frozenset[tuple[str, str]]:
        return frozenset((v.path, v.rule) for v in validate_request_body(body, contract=self.contract))

    def _reproduce(self, failure: FailureSummary, body: Any) -> tuple[Exchange, CheckFailed] | None:
        noted = CaseNotes.from_notes(failure.notes)
        planned = PlannedCase(
            kind=noted.kind or CaseKind.UNLABELLED,
            detail=noted.detail,
            method=failure.request.method,
            path=failure.request.url.removeprefix(self.sender.target.base_url),
            headers={k: v for k, v in failure.request.headers.items() if k in _SENT_AGAIN},
            body=encode(body),
        )
        attempts = self.sender.send(-1, planned)
        if not attempts.exchanges or attempts.exchanges[-1].response.status == RATE_LIMITED:
            return None
        exchange = replace(attempts.exchanges[-1], notes=failure.notes)
        ctx = RunContext(self.contract, dict(self.agents)).context_for(exchange, key="shrink")
        try:
            get_check(failure.check).function(ctx, exchange)
        except CheckFailed as found:
            return (exchange, found) if found.signature == failure.signature else None
        return None


def _candidates(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Simpler bodies, simplest first: containers and optional scalars dropped, then
    containers emptied, then shrunk inside. The agent and its version are kept: the case's
    kind depends on them."""
    containers = [key for key, value in body.items() if isinstance(value, dict | list)]
    droppable = [key for key in body if key not in _KEPT and key not in containers]
    for key in [*containers, *droppable]:
        yield {k: v for k, v in body.items() if k != key}
    for key in containers:
        for simpler in _simpler(body[key]):
            yield {**body, key: simpler}


def _simpler(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        if value:
            yield {}
        for key in value:
            yield {k: v for k, v in value.items() if k != key}
        for key, member in value.items():
            for simpler in _simpler(member):
                yield {**value, key: simpler}
    elif isinstance(value, list):
        if value:
            yield []
        for index in range(len(value)):
            yield value[:index] + value[index + 1 :]
        for index, member in enumerate(value):
            for simpler in _simpler(member):
                yield [*value[:index], simpler, *value[index + 1 :]]
    elif isinstance(value, str) and value:
        yield ""
        if len(value) > 1:
            yield value[: len(value) // 2]
    elif is_number(value) and value != 0:
        yield 0
