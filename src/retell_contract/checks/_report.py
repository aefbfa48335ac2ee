"""Collect check outcomes into a report, and verify recorded exchanges offline.

A :class:`RunReport` is plain data with no timings, so the same exchanges always give an
equal report: ``replay`` and ``run`` agree by construction.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from retell_contract.checks._context import RATE_LIMITED, CaseNotes, RunContext
from retell_contract.checks._failures import NO_RESPONSE, NO_RESPONSE_DESCRIPTION, CheckFailed
from retell_contract.checks._registry import Check, Outcome, Status, registered_checks, run_checks
from retell_contract.contracts import Agent, Contract, load_contract
from retell_contract.exchange import Exchange, RecordedRequest, RecordedResponse


@dataclass(frozen=True)
class CheckSummary:
    """How one check fared: ``cases`` is how many exchanges it applied to."""

    name: str
    description: str
    passed: int
    failed: int

    @property
    def cases(self) -> int:
        return self.passed + self.failed


@dataclass(frozen=True)
class FailureSummary:
    """One distinct failure, with its smallest example and how often it happened."""

    check: str
    signature: str
    expected: str
    actual: str
    case: str
    occurrences: int
    request: RecordedRequest
    response: RecordedResponse | None  # None when no response came back at all
    index: int  # position of the example among the run's exchanges
    notes: Mapping[str, str] = field(default_factory=dict)  # the example's case notes


@dataclass(frozen=True)
class RunReport:
    """Everything a run (or a replay) found, in a stable order."""

    checks: tuple[CheckSummary, ...]
    failures: tuple[FailureSummary, ...]
    exchanges: int
    cases: Mapping[str, int] = field(default_factory=dict)  # exchanges per case kind
    rate_limited: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def failed_checks(self) -> tuple[str, ...]:
        return tuple(summary.name for summary in self.checks if summary.failed)


class ReportBuilder:
    """Accumulates outcomes exchange by exchange; ``build()`` gives the report so far."""

    def __init__(self, checks: Iterable[Check] | None = None) -> None:
        self.checks = tuple(registered_checks() if checks is None else checks)
        self._counts = defaultdict[str, Counter[Status]](
            Counter, {item.name: Counter() for item in self.checks}
        )
        self._descriptions = {item.name: item.description for item in self.checks}
        self._examples: dict[str, tuple[tuple[int, int], FailureSummary]] = {}
        self._occurrences = Counter[str]()
        self._cases = Counter[str]()
        self.exchanges = 0
        self.rate_limited = 0

    @property
    def failures(self) -> int:
        """Distinct failures so far."""
        return len(self._examples)

    def add(self, index: int, exchange: Exchange, case: str, outcomes: Iterable[Outcome]) -> None:
        """Count one checked exchange (``index`` is its position in the run)."""
        self.exchanges += 1
        self._cases[case] += 1
        self.rate_limited += exchange.response.status == RATE_LIMITED
        for outcome in outcomes:
            self._counts[outcome.check][outcome.status] += 1
            if outcome.failure is not None:
                self.add_failure(
                    index, outcome.failure, case, exchange.request, exchange.response, notes=exchange.notes
                )

    def add_no_response(
        self,
        index: int,
        failure: CheckFailed,
        case: str,
        request: RecordedRequest,
        *,
        notes: Mapping[str, str] | None = None,
    ) -> None:
        """Count a request that got no response (a timeout, a dropped connection) as an
        exchange whose ``failure.check`` failed, so every count in the report agrees."""
        self.exchanges += 1
        self._cases[case] += 1
        self._counts[failure.check][Status.FAILED] += 1
        described = NO_RESPONSE_DESCRIPTION if failure.check == NO_RESPONSE else failure.check
        self._descriptions.setdefault(failure.check, described)
        self.add_failure(index, failure, case, request, None, notes=notes)

    def add_failure(
        self,
        index: int,
        failure: CheckFailed,
        case: str,
        request: RecordedRequest,
        response: RecordedResponse | None,
        *,
        notes: Mapping[str, str] | None = None,
    ) -> None:
        """Count a failure; keep the smallest request (then the earliest) as its example."""
        if failure.check not in self._counts:
            self._counts[failure.check] = Counter({Status.FAILED: 1})
            self._descriptions[failure.check] = failure.check
        signature = failure.signature
        self._occurrences[signature] += 1
        rank = (len(request.body), index)
        kept = self._examples.get(signature)
        if kept is None or rank < kept[0]:
            summary = FailureSummary(
                check=failure.check,
                signature=signature,
                expected=failure.expected,
                actual=failure.actual,
                case=case,
                occurrences=0,
                request=request,
                response=response,
                index=index,
                notes=dict(notes or {}),
            )
            self._examples[signature] = (rank, summary)

    def offer_example(
        self,
        failure: CheckFailed,
        case: str,
        request: RecordedRequest,
        response: RecordedResponse | None,
    ) -> None:
        """Keep ``request`` as the example of an already-counted failure if it is smaller;
        no count changes (a re-send while shrinking is not a new occurrence)."""
        kept = self._examples.get(failure.signature)
        if kept is None or len(request.body) >= kept[0][0]:
            return
        summary = replace(
            kept[1],
            expected=failure.expected,
            actual=failure.actual,
            case=case,
            request=request,
            response=response,
        )
        # It stands where the failure was first seen: it has no place among counted exchanges.
        self._examples[failure.signature] = ((len(request.body), kept[0][1]), summary)

    def build(self) -> RunReport:
        checks = tuple(
            CheckSummary(name, self._descriptions[name], counts[Status.PASSED], counts[Status.FAILED])
            for name, counts in self._counts.items()
        )
        order = {name: position for position, name in enumerate(self._counts)}
        examples = sorted(
            (summary for _, summary in self._examples.values()),
            key=lambda s: (order[s.check], s.index, s.signature),
        )
        failures = tuple(
            replace(summary, occurrences=self._occurrences[summary.signature]) for summary in examples
        )
        return RunReport(
            checks=checks,
            failures=failures,
            exchanges=self.exchanges,
            cases=dict(sorted(self._cases.items())),
            rate_limited=self.rate_limited,
        )


def verify_exchanges(
    exchanges: Iterable[Exchange],
    *,
    contract: Contract | None = None,
    agents: Iterable[Agent] = (),
    checks: Iterable[Check] | None = None,
) -> RunReport:
    """Check recorded exchanges offline, with only what each exchange carries.

    Exchanges recorded by ``run`` carry their case in ``notes`` and are judged exactly as
    they were live; others get a case inferred from the request. ``agents`` adds what is
    known about agents (e.g. versions) for exchanges without notes.
    """
    run = RunContext(contract or load_contract(), {agent.agent_id: agent for agent in agents})
    selected = tuple(registered_checks() if checks is None else checks)
    builder = ReportBuilder(selected)
    for index, exchange in enumerate(exchanges):
        noted = CaseNotes.from_notes(exchange.notes)
        key, cassette = noted.case_id or f"#{index}", noted.cassette
        ctx = run.context_for(exchange, key=f"{key} of {cassette}" if cassette else key)
        builder.add(index, exchange, ctx.case.kind, run_checks(ctx, exchange, selected))
    return builder.build()
