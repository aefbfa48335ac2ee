"""The run: send the probes, then the drawn cases Hypothesis searches with, check, report.

Probes may be sent by several workers, but every exchange is checked in plan order on the
calling thread, and the drawn cases are one Hypothesis search (sequential by nature), so
uniqueness and the report are the same for a given seed whatever ``workers`` is.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.types import ASGIApp

from retell_contract._signals import delivered
from retell_contract.checks import RunContext, RunReport
from retell_contract.contracts import Agent, Contract, load_contract
from retell_contract.errors import UsageError
from retell_contract.exchange import Exchange
from retell_contract.runner._cases import Cases, Checker, SearchStopped
from retell_contract.runner._guards import SetupGuard
from retell_contract.runner._limits import (
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_TIMEOUT,
    LIVE_MAX_REQUESTS,
    LIVE_RATE_LIMIT,
    LIVE_SHRINK_REQUESTS,
    MAX_WORKERS,
    SHRINK_REQUESTS,
    VALID_PER_INVALID,
)
from retell_contract.runner._plan import create_builders, probes_for
from retell_contract.runner._probes import PlannedCase
from retell_contract.runner._reads import ReadBacks
from retell_contract.runner._send import Attempts, Budget, Pacer, Sender
from retell_contract.runner._target import Target, http_target, in_process_target

if TYPE_CHECKING:
    from retell_contract.runner._search import Search

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
    drawing: float  # of which planning the probes, and Hypothesis drawing and shrinking bodies
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
    """Send the probes, then Hypothesis's drawn cases, to the target and check what comes back."""
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
    agents, key = target.agents, target.api_key
    builders = create_builders(
        contract=contract, agents=agents, api_key=key, seed=seed, operations=operations
    )
    plan = probes_for(
        builders, contract=contract, agents=agents, api_key=key, seed=seed, operations=operations
    )
    examples = drawn_examples(options.max_examples) if builders else 0
    reads = ReadBacks.for_run(contract, operations, target, seed, first_id=len(plan) + examples)
    sender = Sender(
        contract,
        target,
        pacer=Pacer(rate),
        budget=Budget(max_requests),
        max_retries=options.max_retries,
        timeout=options.timeout,
        clock=options.clock,
    )
    checker = Checker(
        RunContext(contract, {a.agent_id: a for a in target.agents}), started, options.on_exchange
    )

    def progress() -> None:  # in probes and drawn cases: each read-back comes with its create
        if options.on_progress is not None:
            options.on_progress(cases.done, len(plan) + examples, checker.builder.failures)

    guard = SetupGuard(timeout=options.timeout)
    cases = Cases(sender, checker, reads, guard, progress, first_drawn_id=len(plan))
    drawing = time.perf_counter() - started
    interrupted: KeyboardInterrupt | None = None
    try:
        progress()  # the plan is made: its size is known
        spent = _send_plan(cases, plan, options.workers)
        if not spent and examples:
            # Hypothesis is imported here, after the probes: the first request does not wait for it.
            from retell_contract.runner._search import Search, drawn_cases

            search = Search(
                drawn_cases(builders),
                examples=examples,
                seed=options.seed,
                shrink_requests=LIVE_SHRINK_REQUESTS if target.live else SHRINK_REQUESTS,
                namespace=f"{contract.source}:{','.join(operations)}",
            )
            spent = _search(search, cases)
            drawing += search.own_time
        if spent:
            planned = len(plan) + examples
            notify(f"request budget of {max_requests} used up after {checker.cases} of {planned} cases")
        cases.guard.finish()
    except KeyboardInterrupt as interrupt:  # Ctrl-C or SIGTERM: report what was checked so far
        delivered()
        interrupted = interrupt
    return RunResult(
        report=checker.builder.build(),
        seed=seed,
        target=target.description,
        cases_planned=len(plan) + examples + reads.planned,
        cases_sent=checker.cases,
        requests=sender.budget.used,
        elapsed=time.perf_counter() - started,
        drawing=drawing,
        first_failure_after=checker.first_failure_after,
        notices=tuple(notices),
        interrupted=interrupted,
    )


def drawn_examples(max_examples: int) -> int:
    """How many drawn cases a run explores: ``max_examples`` valid bodies, a third as many invalid."""
    return max_examples + max(1, max_examples // VALID_PER_INVALID)


def _send_plan(cases: Cases, plan: list[PlannedCase], workers: int) -> bool:
    """Send and check the probes in plan order; True if the request budget ran out."""
    # closing(): a SetupError or Ctrl-C stops the workers' pending requests at once.
    with contextlib.closing(_send_all(cases.sender, plan, workers)) as sent:
        for case_id, (planned, attempts) in enumerate(sent):
            if attempts.skipped:
                return True
            cases.counted(case_id, planned, attempts)
    return False


def _search(search: Search, cases: Cases) -> bool:
    """Run the drawn cases; True if the request budget ran out. A setup error is raised."""
    try:
        search.run(explore=cases.explore, resend=cases.resend)
    except SearchStopped as stopped:
        if stopped.cause is not None:
            raise stopped.cause from None
        return True
    return False


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
