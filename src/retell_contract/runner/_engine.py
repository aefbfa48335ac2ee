"""The run: plan the cases, send them, check every exchange in plan order, report.

Checks always run in plan order on the calling thread, whatever ``workers`` is, so
uniqueness and the report are the same for a given seed however requests interleave.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from starlette.types import ASGIApp

from retell_contract.checks import NoResponse, ReportBuilder, RunContext, RunReport, run_checks
from retell_contract.contracts import Agent, Contract, load_contract
from retell_contract.errors import UsageError
from retell_contract.exchange import Exchange
from retell_contract.runner._guards import SetupGuard
from retell_contract.runner._limits import (
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_TIMEOUT,
    LIVE_MAX_REQUESTS,
    LIVE_RATE_LIMIT,
    MAX_WORKERS,
)
from retell_contract.runner._plan import plan_cases
from retell_contract.runner._probes import PlannedCase
from retell_contract.runner._reads import ReadBacks
from retell_contract.runner._send import Attempts, Budget, Pacer, Sender
from retell_contract.runner._shrink import shrink_report
from retell_contract.runner._target import Target, http_target, in_process_target

# A second agent for the embedded mock, with a gap in its versions, so that "latest by
# default" and "a version it lacks" are exercised.
SECOND_AGENT = Agent("agent_4f1c2b9d8e7a6c5b4a3f2e1d0c9b8a7f", (1, 2, 5))
ProgressHook = Callable[[int, int, int], None]  # (cases done, cases planned, distinct failures)


@dataclass(frozen=True)
class RunOptions:
    """What to run against and how. ``url=None`` and ``app=None`` mean the embedded mock.

    ``agents`` are the agents the target has (versions () = not known); ``rate_limit`` is
    requests per second (0 = unlimited); ``max_requests`` caps every attempt, retries
    included. None picks the default for the target: polite against a URL, unlimited
    in-process. ``clock`` (seconds since the epoch) is what the run notes as each request's
    send time and the embedded mock's clock: a fixed one makes a seeded recording repeatable.
    """

    url: str | None = None
    app: ASGIApp | None = None
    api_key: str | None = None
    agents: tuple[Agent, ...] = ()
    max_examples: int = DEFAULT_MAX_EXAMPLES
    seed: int | None = None
    workers: int = 1
    max_requests: int | None = None
    rate_limit: float | None = None
    max_retries: int = 5
    timeout: float = DEFAULT_TIMEOUT
    contract: Contract | None = None
    operations: tuple[str, ...] | None = None  # None: every operation the contract declares
    on_exchange: Callable[[Exchange], None] | None = None
    on_progress: ProgressHook | None = None
    on_notice: Callable[[str], None] | None = None  # told at once of assumptions and limits
    clock: Callable[[], float] = field(default=time.time, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_int("max_examples", self.max_examples, low=1)
        _check_int("workers", self.workers, low=1, high=MAX_WORKERS)
        _check_int("max_retries", self.max_retries, low=0)
        if self.seed is not None:
            _check_int("seed", self.seed, low=0)
        if self.max_requests is not None:
            _check_int("max_requests", self.max_requests, low=1)
        if self.rate_limit is not None and not (
            isinstance(self.rate_limit, int | float) and 0 <= self.rate_limit < float("inf")
        ):
            raise UsageError(
                f"rate_limit must be a number of requests per second >= 0, not {self.rate_limit!r}"
            )
        if not (isinstance(self.timeout, int | float) and 0 < self.timeout < float("inf")):
            raise UsageError(f"timeout must be a number of seconds > 0, not {self.timeout!r}")
        if self.url is not None and self.app is not None:
            raise UsageError("give a url or an app to run against, not both")


@dataclass(frozen=True)
class RunResult:
    """A finished run: the report plus what only a live run knows (timings, requests)."""

    report: RunReport
    seed: int
    target: str
    cases_planned: int
    cases_sent: int
    requests: int
    elapsed: float  # the whole run: drawing, sending, checking, shrinking
    drawing: float  # of which drawing the bodies
    first_failure_after: float | None  # seconds from start to the first distinct failure
    notices: tuple[str, ...] = field(default=())
    # Set when Ctrl-C or SIGTERM stopped the run early: the report covers what was checked.
    interrupted: KeyboardInterrupt | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def cases_per_second(self) -> float:
        return self.cases_sent / self.elapsed if self.elapsed > 0 else 0.0


def embedded_agents(contract: Contract) -> tuple[Agent, ...]:
    """The agents of the embedded mock: the contract's default agent and :data:`SECOND_AGENT`."""
    from retell_contract.server import MockConfig

    return (*MockConfig().agents_for(contract), SECOND_AGENT)


def run(options: RunOptions) -> RunResult:
    """Run every planned case against the target and check what comes back."""
    started = time.perf_counter()
    contract = options.contract or load_contract()
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(2**31)
    notices: list[str] = []

    def notify(text: str) -> None:
        notices.append(text)
        if options.on_notice is not None:
            options.on_notice(text)

    target = _open_target(options, contract, notify)
    max_requests, rate = _limits(options, target, notify)
    operations = _operations(options, contract)
    plan = plan_cases(
        contract=contract,
        agents=target.agents,
        api_key=target.api_key,
        max_examples=options.max_examples,
        seed=seed,
        operations=operations,
    )
    reads = ReadBacks.for_run(contract, operations, target, seed, first_id=len(plan))
    drawing = time.perf_counter() - started
    sender = Sender(
        contract,
        target,
        pacer=Pacer(rate),
        budget=Budget(max_requests),
        max_retries=options.max_retries,
        timeout=options.timeout,
        clock=options.clock,
    )
    checker = _Checker(RunContext(contract, {a.agent_id: a for a in target.agents}), options, started)
    guard = SetupGuard(timeout=options.timeout)
    interrupted: KeyboardInterrupt | None = None
    try:
        if options.on_progress is not None:
            options.on_progress(0, len(plan), 0)  # the plan is drawn: its size is known
        # closing(): a SetupError or Ctrl-C stops the workers' pending requests at once.
        with contextlib.closing(_send_all(sender, plan, options.workers)) as sent:
            for case_id, (planned, attempts) in enumerate(sent):
                if attempts.skipped:
                    notify(
                        f"request budget of {max_requests} used up after {checker.cases} of {len(plan)} cases"
                    )
                    break
                checker.record(case_id, planned, attempts)
                for read_id, read in reads.after(planned, attempts, case_id):
                    read_attempts = sender.send(read_id, read)
                    if not read_attempts.skipped:
                        checker.record(read_id, read, read_attempts)
                if options.on_progress is not None:
                    options.on_progress(case_id + 1, len(plan), checker.builder.failures)
                guard.observe(planned.kind, attempts)
        guard.finish()
    except KeyboardInterrupt as interrupt:  # Ctrl-C or SIGTERM: report what was checked so far
        interrupted = interrupt
    report = checker.builder.build()
    if interrupted is None:  # shrinking sends more requests: not after the user said stop
        report = shrink_report(report, sender=sender, contract=contract, agents=target.agents)
    return RunResult(
        report=report,
        seed=seed,
        target=target.description,
        cases_planned=len(plan) + reads.planned,
        cases_sent=checker.cases,
        requests=sender.budget.used,
        elapsed=time.perf_counter() - started,
        drawing=drawing,
        first_failure_after=checker.first_failure_after,
        notices=tuple(notices),
        interrupted=interrupted,
    )


def _operations(options: RunOptions, contract: Contract) -> tuple[str, ...]:
    """The operations to exercise: as asked (each must be declared), else every declared one."""
    if options.operations is None:
        return contract.operation_names
    for name in options.operations:
        if not contract.has_operation(name):
            declared = ", ".join(contract.operation_names)
            raise UsageError(f"operation {name!r} is not in the contract (it declares {declared})")
    return tuple(options.operations)


def _limits(
    options: RunOptions, target: Target, notify: Callable[[str], None]
) -> tuple[int | None, float | None]:
    """Request budget and rate: as given, else polite against a live server, else none."""
    max_requests = options.max_requests
    rate = options.rate_limit
    if target.live and max_requests is None:
        max_requests = LIVE_MAX_REQUESTS
    if target.live and rate is None:
        rate = LIVE_RATE_LIMIT
    if target.live and (options.max_requests is None or options.rate_limit is None):
        notify(
            f"polite mode against a live server: at most {max_requests or 'unlimited'} requests, "
            f"{f'{rate:g}' if rate else 'unlimited'} per second (change with --max-requests / --rate-limit)"
        )
    return max_requests, rate or None


class _Checker:
    """Checks exchanges in plan order and remembers when the first failure showed up."""

    def __init__(self, context: RunContext, options: RunOptions, started: float) -> None:
        self.context = context
        self.on_exchange = options.on_exchange
        self.builder = ReportBuilder()
        self.started = started
        self.first_failure_after: float | None = None
        self.cases = 0

    def record(self, case_id: int, planned: PlannedCase, attempts: Attempts) -> None:
        self.cases += 1
        for exchange in attempts.exchanges:
            if self.on_exchange is not None:
                self.on_exchange(exchange)
            ctx = self.context.context_for(exchange, key=str(case_id))
            # An exchange's index in the run is how many were checked before it.
            self.builder.add(self.builder.exchanges, exchange, ctx.case.kind, run_checks(ctx, exchange))
        if attempts.error and attempts.request is not None:
            failure = NoResponse("an HTTP response", attempts.error)
            notes = planned.case_notes(case_id).to_notes()
            self.builder.add_no_response(
                self.builder.exchanges, failure, str(planned.kind), attempts.request, notes=notes
            )
        if self.first_failure_after is None and self.builder.failures:
            self.first_failure_after = time.perf_counter() - self.started


def _send_all(
    sender: Sender, plan: list[PlannedCase], workers: int
) -> Generator[tuple[PlannedCase, Attempts]]:
    if workers == 1:
        for case_id, planned in enumerate(plan):
            yield planned, sender.send(case_id, planned)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="retell-contract-run") as pool:
        futures = [pool.submit(sender.send, case_id, planned) for case_id, planned in enumerate(plan)]
        try:
            for planned, future in zip(plan, futures, strict=True):
                yield planned, future.result()
        finally:
            for future in futures:
                future.cancel()


def _open_target(options: RunOptions, contract: Contract, notify: Callable[[str], None]) -> Target:
    if options.url is not None:
        if not options.api_key:
            raise UsageError("an API key is needed against a URL: pass --api-key or set RETELL_API_KEY")
        agents = options.agents
        if not agents:
            default = contract.default_agent
            agents = (Agent(default.agent_id, ()),)
            notify(f"no --agent-id given: assuming agent {default.agent_id} (the contract's default) exists")
        return http_target(options.url, api_key=options.api_key, agents=agents)
    from retell_contract.server import DEFAULT_API_KEY, MockConfig, create_app

    api_key = options.api_key or DEFAULT_API_KEY
    if options.app is not None:
        # Someone else built this app: its versions are known only as far as they were declared.
        return in_process_target(
            options.app,
            api_key=api_key,
            agents=options.agents or embedded_agents(contract),
            description="an in-process app",
            timeout=options.timeout,
        )
    # The run builds the embedded mock itself, so every agent's versions are known.
    agents = tuple(Agent(a.agent_id, a.versions or (1,)) for a in options.agents) or embedded_agents(contract)
    config = MockConfig(agents=agents, api_keys=(api_key,), seed=options.seed, clock=options.clock)
    app = create_app(config, contract=contract)
    return in_process_target(
        app, api_key=api_key, agents=agents, description="the embedded mock", timeout=options.timeout
    )


def _check_int(name: str, value: object, *, low: int, high: int | None = None) -> None:
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or value < low
        or (high is not None and value > high)
    ):
        bounds = f">= {low}" + (f" and <= {high}" if high is not None else "")
        raise UsageError(f"{name} must be an integer {bounds}, not {value!r}")
