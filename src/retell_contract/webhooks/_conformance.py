"""``retell-contract webhook``: prove a team's webhook receiver right, over HTTP or in-process.

Each case kind is one Hypothesis search (seeded, no example database) that sends drawn
deliveries, signed at send time, and stops at the first failure, which Hypothesis then
shrinks. The :class:`~retell_contract.checks.RunReport` (printed and written as JUnit by
``report.py`` like ``run``'s) counts the exploration only: every delivery up to and with
the first failure of each search. Deliveries re-sent while shrinking change no count;
they only offer a smaller example of a failure already counted.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import FlakyFailure

from retell_contract._signals import raise_pending
from retell_contract.checks import (
    Check,
    CheckFailed,
    NoResponse,
    Outcome,
    ReportBuilder,
    RunReport,
    Status,
    UnexpectedStatus,
)
from retell_contract.contracts import SIGNATURE_HEADER, Contract, load_contract
from retell_contract.errors import UsageError
from retell_contract.exchange import Exchange, RecordedRequest, RecordedResponse
from retell_contract.webhooks._deliveries import FAULTS, Delivery
from retell_contract.webhooks._dispatch import DELIVERY_TIMEOUT
from retell_contract.webhooks._strategies import (
    interleaved_webhook_streams,
    invalid_webhook_deliveries,
    unknown_webhook_events,
    webhook_events,
    webhook_streams,
)

MASK = "***"
_SPELLINGS = (SIGNATURE_HEADER, "X-Retell-Signature", SIGNATURE_HEADER.upper())
_LOCK = threading.Lock()  # interleaved deliveries are counted from several threads
UserCheck = Callable[[Delivery, RecordedResponse], None]


def _check(name: str, description: str) -> Check:
    return Check(name, description, lambda ctx, exchange: None)


CHECKS = (
    _check("response_received", "Every delivery gets an HTTP answer (no dropped connection or crash)."),
    _check("accepts_valid_delivery", "A validly signed delivery of a known event is answered 2xx."),
    _check("answers_in_time", "Every delivery is answered within Retell's timeout (10 s)."),
    _check("refuses_invalid_delivery", "A delivery with a bad signature is answered 4xx (never 2xx or 5xx)."),
    _check("accepts_redelivery", "A retried or duplicated event is answered 2xx like the first."),
    _check(
        "accepts_interleaved_calls", "Deliveries of different calls, concurrent and interleaved, get 2xx."
    ),
    _check("survives_unknown_event", "An event name the receiver does not know gets no 5xx."),
    _check("user_check", "The caller's check of the app after each delivery passes."),
)


@dataclass(frozen=True)
class WebhookRunOptions:
    """What to test and how: ``url`` (HTTP) or ``transport`` (in-process ASGI/WSGI app)."""

    api_key: str
    url: str | None = None
    transport: httpx.BaseTransport | None = None
    seed: int = 0
    max_examples: int = 10
    timeout: float = DELIVERY_TIMEOUT
    check: UserCheck | None = None
    contract: Contract | None = None
    clock: Callable[[], float] = time.time


def asgi_transport(app: Any) -> httpx.BaseTransport:
    """A sync transport that runs an ASGI app in-process (no socket)."""
    from retell_contract._hosting._transport import mock_transport  # runs any ASGI app

    return mock_transport(app)


def wsgi_transport(app: Any) -> httpx.BaseTransport:
    """A transport that runs a WSGI app in-process (no socket)."""
    return httpx.WSGITransport(app=app)


def run_webhook_conformance(options: WebhookRunOptions) -> RunReport:
    """Send every case kind to the receiver and report what it got wrong."""
    if options.url is None and options.transport is None:
        raise UsageError("give a receiver URL or an in-process app")
    run = _Run(options)
    try:
        run.reachable()
        for name, strategy, probe in run.cases():
            run.hunt(name, strategy, probe)
    finally:
        run.client.close()
    return run.builder.build()


class _Run:
    def __init__(self, options: WebhookRunOptions) -> None:
        self.options = options
        self.contract = options.contract or load_contract()
        self.url = options.url or "http://receiver.test/"
        self.client = httpx.Client(transport=options.transport, timeout=options.timeout)
        self.builder = ReportBuilder(CHECKS)
        self.index = 0
        self.exploring = True  # False once the search at hand has failed: Hypothesis shrinks

    def reachable(self) -> None:
        try:
            self.client.post(self.url, content=b"{}", headers={"content-type": "application/json"})
        except httpx.TransportError as error:
            raise UsageError(f"cannot reach the receiver at {self.url} ({type(error).__name__})") from None
        except Exception:  # an in-process app that crashes on {} is reachable
            return

    def cases(self) -> Iterable[tuple[str, st.SearchStrategy[Any], Callable[[Any], None]]]:
        contract = self.contract
        for event in contract.webhook_events:
            yield f"valid/{event.name}", webhook_events(contract=contract, events=[event.name]), self._valid
        for fault in FAULTS:
            yield (
                f"invalid/{fault}",
                invalid_webhook_deliveries(contract=contract, faults=[fault]),
                self._invalid,
            )
        yield "redelivery", webhook_streams(contract=contract, max_retries=2), self._stream
        yield "interleaved", interleaved_webhook_streams(contract=contract, max_retries=1), self._interleaved
        yield "unknown_event", unknown_webhook_events(contract=contract), self._unknown

    def hunt(self, name: str, strategy: st.SearchStrategy[Any], probe: Callable[[Any], None]) -> None:
        @settings(
            max_examples=self.options.max_examples,
            database=None,
            deadline=None,
            verbosity=Verbosity.quiet,
            phases=(Phase.generate, Phase.shrink),
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
        )
        @given(strategy)
        def search(value: Any) -> None:
            raise_pending()  # a Ctrl-C swallowed inside Hypothesis still stops the run
            try:
                probe(value)
            except CheckFailed:
                self.exploring = False  # generation stops at the first failure; the rest shrinks
                raise

        self.exploring = True

        # A failure is already counted; Hypothesis shrank it and the builder kept the smallest.
        # A receiver with state (duplicates) may not fail again on replay: Hypothesis calls
        # that flaky, which changes nothing about what was seen.
        with contextlib.suppress(CheckFailed, ExceptionGroup, FlakyFailure):
            hypothesis_seed(self.options.seed)(search)()

    # Probes: each sends, counts every delivery, and raises the first failure.
    def _valid(self, delivery: Delivery) -> None:
        self._expect(delivery, "accepts_valid_delivery", ok=_is_2xx, want="a 2xx answer")

    def _invalid(self, delivery: Delivery) -> None:
        self._expect(delivery, "refuses_invalid_delivery", ok=_is_4xx, want="a 4xx answer")

    def _unknown(self, delivery: Delivery) -> None:
        self._expect(delivery, "survives_unknown_event", ok=lambda s: s < 500, want="no 5xx")

    def _stream(self, stream: list[Delivery]) -> None:
        for delivery in stream:
            self._expect(delivery, "accepts_redelivery", ok=_is_2xx, want="a 2xx answer")

    def _interleaved(self, merged: list[Delivery]) -> None:
        by_call: dict[str, list[Delivery]] = {}
        for delivery in merged:
            by_call.setdefault(delivery.call_id, []).append(delivery)
        with ThreadPoolExecutor(max_workers=len(by_call)) as pool:
            outcomes = list(pool.map(self._quietly, by_call.values()))
        for failure in outcomes:
            if failure is not None:
                raise failure

    def _quietly(self, deliveries: list[Delivery]) -> CheckFailed | None:
        try:
            for delivery in deliveries:
                self._expect(delivery, "accepts_interleaved_calls", ok=_is_2xx, want="a 2xx answer")
        except CheckFailed as failure:
            return failure
        return None

    def _expect(self, delivery: Delivery, check: str, *, ok: Callable[[int], bool], want: str) -> None:
        case = delivery.label() if check != "survives_unknown_event" else "unknown_event"
        request, response, elapsed, crash = self._send(delivery)
        if response is None:
            failure = self._no_response(crash, elapsed)
            self._count_no_response(request, case, failure)
            raise failure
        failures: list[CheckFailed] = []
        if not ok(response.status):
            failures.append(
                UnexpectedStatus(want, f"{response.status}", status=response.status, case=case, check=check)
            )
        if elapsed > self.options.timeout:
            failures.append(
                CheckFailed(
                    f"an answer within {self.options.timeout:g} s",
                    f"the answer came after {elapsed:.2f} s",
                    check="answers_in_time",
                )
            )
        if self.options.check is not None and delivery.valid:
            try:
                self.options.check(delivery, response)
            except AssertionError as error:
                failures.append(
                    CheckFailed("the user check to pass", str(error) or "it failed", check="user_check")
                )
        self._count(request, response, case, check, failures)
        if failures:
            raise failures[0]

    def _no_response(self, crash: str, elapsed: float) -> NoResponse:
        """A timeout fails answers_in_time; a dropped connection or a crash, response_received."""
        if crash == "timeout":
            wanted = f"an answer within {self.options.timeout:g} s"
            return NoResponse(wanted, f"no answer after {elapsed:.2f} s", check="answers_in_time")
        return NoResponse("an HTTP answer", crash, check="response_received")

    def _send(self, delivery: Delivery) -> tuple[RecordedRequest, RecordedResponse | None, float, str]:
        rendered = delivery.render(api_key=self.options.api_key, now_ms=int(self.options.clock() * 1000))
        shown = {k: (MASK if k == SIGNATURE_HEADER else v) for k, v in rendered.headers.items()}
        request = RecordedRequest("POST", self.url, shown, rendered.body)
        # Header names are case-insensitive: send the signature under a few spellings.
        spelling = _SPELLINGS[len(rendered.body) % len(_SPELLINGS)]
        headers = {(spelling if k == SIGNATURE_HEADER else k): v for k, v in rendered.headers.items()}
        started = time.perf_counter()
        try:
            answer = self.client.post(self.url, content=rendered.body, headers=headers)
        except httpx.TimeoutException:
            return request, None, time.perf_counter() - started, "timeout"
        except httpx.TransportError as error:
            return request, None, time.perf_counter() - started, f"no answer ({type(error).__name__})"
        except Exception as error:  # the in-process app raised: a crash, like a 500
            return request, None, time.perf_counter() - started, f"the app raised {type(error).__name__}"
        elapsed = time.perf_counter() - started
        return (
            request,
            RecordedResponse(answer.status_code, dict(answer.headers), answer.content),
            elapsed,
            "",
        )

    def _count(
        self,
        request: RecordedRequest,
        response: RecordedResponse,
        case: str,
        check: str,
        failures: list[CheckFailed],
    ) -> None:
        failed = {f.check for f in failures}
        names = (
            "response_received",
            check,
            "answers_in_time",
            *(("user_check",) if self.options.check else ()),
        )
        outcomes = [
            Outcome(name, Status.FAILED if name in failed else Status.PASSED, _first(failures, name))
            for name in names
        ]
        with _LOCK:
            if not self.exploring:
                for failure in failures:
                    self.builder.offer_example(failure, case, request, response)
                return
            self.index += 1
            self.builder.add(self.index, Exchange(request, response, {"case": case}), case, outcomes)

    def _count_no_response(self, request: RecordedRequest, case: str, failure: NoResponse) -> None:
        with _LOCK:
            if not self.exploring:
                self.builder.offer_example(failure, case, request, None)
                return
            self.index += 1
            self.builder.add_no_response(self.index, failure, case, request, notes={"case": case})


def _first(failures: list[CheckFailed], name: str) -> CheckFailed | None:
    return next((f for f in failures if f.check == name), None)


def _is_2xx(status: int) -> bool:
    return 200 <= status < 300


def _is_4xx(status: int) -> bool:
    return 400 <= status < 500
