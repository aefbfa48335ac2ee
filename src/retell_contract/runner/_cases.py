"""One case of a run: send it, read back the call it created, check both, count or offer.

Exploration counts every exchange (``Cases.counted``); a re-send while Hypothesis shrinks
only offers a smaller example of a failure already counted (``Cases.resend``), so the
report's counts mean the same whatever was shrunk.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from retell_contract._signals import raise_pending
from retell_contract.checks import (
    CheckFailed,
    NoResponse,
    ReportBuilder,
    RunContext,
    registered_checks,
    run_checks,
)
from retell_contract.errors import SetupError
from retell_contract.exchange import Exchange
from retell_contract.runner._guards import SetupGuard
from retell_contract.runner._probes import PlannedCase
from retell_contract.runner._reads import ReadBacks
from retell_contract.runner._send import Attempts, Sender


class SearchStopped(BaseException):
    """Raised by a probe to end the search at once: the request budget ran out, or the
    setup is at fault (``cause``). A BaseException, so that Hypothesis neither counts it
    as a failure nor shrinks it, exactly as it treats Ctrl-C."""

    def __init__(self, cause: Exception | None = None) -> None:
        super().__init__(str(cause or "the request budget ran out"))
        self.cause = cause


class Checker:
    """Checks exchanges in the order they are given and remembers when the first failure showed up."""

    def __init__(
        self, context: RunContext, started: float, on_exchange: Callable[[Exchange], None] | None
    ) -> None:
        self.context = context
        self.on_exchange = on_exchange
        self.builder = ReportBuilder()
        self.started = started
        self.first_failure_after: float | None = None
        self.cases = 0
        # Their failures depend on earlier exchanges: re-sending one request cannot show them.
        self._stateful = frozenset(check.name for check in registered_checks() if check.stateful)

    def record(self, case_id: int, planned: PlannedCase, attempts: Attempts) -> list[str]:
        """Count the case; the signatures of its failures that a re-send could reproduce."""
        self.cases += 1
        found: list[CheckFailed] = []
        for exchange in attempts.exchanges:
            if self.on_exchange is not None:
                self.on_exchange(exchange)
            ctx = self.context.context_for(exchange, key=str(case_id))
            outcomes = run_checks(ctx, exchange)
            # An exchange's index in the run is how many were checked before it.
            self.builder.add(self.builder.exchanges, exchange, ctx.case.kind, outcomes)
            found += [outcome.failure for outcome in outcomes if outcome.failure is not None]
        if (failure := _no_response(attempts)) is not None and attempts.request is not None:
            notes = planned.case_notes(case_id).to_notes()
            self.builder.add_no_response(
                self.builder.exchanges, failure, str(planned.kind), attempts.request, notes=notes
            )
            found.append(failure)
        if self.first_failure_after is None and self.builder.failures:
            self.first_failure_after = time.perf_counter() - self.started
        return self._reproducible(found, attempts)

    def offer(self, case_id: int, planned: PlannedCase, attempts: Attempts) -> list[str]:
        """Check a re-sent case without counting it; its failures may become smaller examples."""
        found: list[CheckFailed] = []
        for exchange in attempts.exchanges:
            ctx = self.context.context_for(exchange, key=str(case_id))
            for outcome in run_checks(ctx, exchange):
                if outcome.failure is not None:
                    self.builder.offer_example(
                        outcome.failure, ctx.case.kind, exchange.request, exchange.response
                    )
                    found.append(outcome.failure)
        if (failure := _no_response(attempts)) is not None and attempts.request is not None:
            self.builder.offer_example(failure, str(planned.kind), attempts.request, None)
            found.append(failure)
        return self._reproducible(found, attempts)

    def _reproducible(self, found: list[CheckFailed], attempts: Attempts) -> list[str]:
        if attempts.timed_out:
            return []  # each re-send would wait out the whole timeout again
        return [failure.signature for failure in found if failure.check not in self._stateful]


def _no_response(attempts: Attempts) -> NoResponse | None:
    """The failure of a request that got no HTTP response at all, if this one got none."""
    return NoResponse("an HTTP response", attempts.error) if attempts.error else None


class Cases:
    """Sends cases with their read-backs and hands each exchange to the checker."""

    def __init__(
        self,
        sender: Sender,
        checker: Checker,
        reads: ReadBacks,
        guard: SetupGuard,
        on_checked: Callable[[], None],
        *,
        first_drawn_id: int,
    ) -> None:
        self.sender, self.checker, self.reads, self.guard = sender, checker, reads, guard
        self.on_checked = on_checked
        self.done = 0  # probes and drawn cases checked so far (read-backs come with their create)
        self.next_id = first_drawn_id  # drawn cases are numbered after the probes, as drawn
        self._resend_id = -1  # re-sends while shrinking count down, clear of every counted case

    def counted(self, case_id: int, planned: PlannedCase, attempts: Attempts) -> list[str]:
        """Check a case that was sent (and its read-backs); may raise :class:`SetupError`."""
        raise_pending()  # a Ctrl-C that something swallowed still stops the run here
        found = self.checker.record(case_id, planned, attempts)
        for read_id, read in self.reads.after(planned, attempts, case_id):
            read_attempts = self.sender.send(read_id, read)
            if not read_attempts.skipped:
                found += self.checker.record(read_id, read, read_attempts)
        self.done += 1
        self.on_checked()
        self.guard.observe(planned.kind, attempts)
        return found

    def explore(self, planned: PlannedCase) -> list[str]:
        """Send and count a drawn case: the search's ``explore`` probe."""
        case_id, self.next_id = self.next_id, self.next_id + 1
        attempts = self.sender.send(case_id, planned)
        if attempts.skipped:
            raise SearchStopped()
        try:
            return self.counted(case_id, planned, attempts)
        except SetupError as error:
            raise SearchStopped(error) from None

    def resend(self, planned: PlannedCase) -> list[str]:
        """Send a case again while shrinking: the search's ``resend`` probe."""
        raise_pending()
        case_id = self._take_resend_id()
        attempts = self.sender.send(case_id, planned)
        if attempts.skipped:
            return []  # out of budget: the candidate cannot fail any more
        found = self.checker.offer(case_id, planned, attempts)
        for read in self.reads.uncounted_after(planned, attempts, case_id):
            read_id = self._take_resend_id()
            read_attempts = self.sender.send(read_id, read)
            if not read_attempts.skipped:
                found += self.checker.offer(read_id, read, read_attempts)
        return found

    def _take_resend_id(self) -> int:
        case_id, self._resend_id = self._resend_id, self._resend_id - 1
        return case_id
