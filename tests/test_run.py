"""The run engine: passes the mock, catches faulty variants of it, honours 429 and its limits."""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
from benchmarks._asgi import Request
from starlette.types import Receive, Scope, Send

from retell_contract.checks import NOTE_CASE, NOTE_OPERATION, CaseKind
from retell_contract.contracts import Agent, load_contract
from retell_contract.errors import UsageError
from retell_contract.exchange import Exchange, RecordedResponse
from retell_contract.runner import (
    LIVE_MAX_REQUESTS,
    LIVE_RATE_LIMIT,
    RunOptions,
    embedded_agents,
    plan_cases,
    retry_delay,
    run,
)
from retell_contract.runner._engine import _limits
from retell_contract.runner._send import BACKOFF_CAP, MAX_WAIT, Pacer
from retell_contract.runner._target import Target, is_loopback
from retell_contract.server import MockConfig, MockServer
from run_support import (
    SECRET_KEY,
    crash_when,
    drop_metadata,
    has_non_ascii_metadata,
    mock_app,
    rewrite_call_object,
)

SMALL = 24  # drawn valid bodies per test run: the probes do most of the work


def quick(**options):
    return run(RunOptions(**{"max_examples": SMALL, "seed": 7, **options}))


def test_the_embedded_mock_passes_every_check():
    exchanges: list[Exchange] = []
    result = run(RunOptions(seed=7, on_exchange=exchanges.append))  # default settings
    assert result.ok, [f"{f.check}: {f.actual}" for f in result.report.failures]
    report = result.report
    assert report.exchanges == len(exchanges) == result.requests
    expected_kinds = set(CaseKind) - {CaseKind.UNLABELLED, CaseKind.UNVERIFIED_VERSION}
    assert {kind for kind, count in report.cases.items() if count} >= expected_kinds
    succeeding = report.cases[CaseKind.POSITIVE] + report.cases[CaseKind.RETRIEVE]
    assert succeeding > report.exchanges / 2, "mostly requests that can succeed"
    created = [e for e in exchanges if e.request.method == "POST" and e.response.status == 201]
    read_back = [e for e in exchanges if e.notes[NOTE_CASE] == CaseKind.RETRIEVE]
    assert len(read_back) == len(created) > 0, "each new call is read back through get-call"
    operations = {e.notes.get(NOTE_OPERATION) for e in exchanges}
    assert operations >= {"create-v2", "create-v3", "get-call"}, "every operation is exercised"
    assert all(summary.cases for summary in report.checks), "every check applied to some exchange"
    assert all(exchange.notes[NOTE_CASE] for exchange in exchanges)


def test_same_seed_same_requests_and_report_other_seed_other_bodies():
    def bodies(seed):
        sent: list[Exchange] = []
        result = quick(seed=seed, on_exchange=sent.append)
        return [(e.request.method, e.request.url, e.request.body) for e in sent], result.report

    first, first_report = bodies(11)
    again, again_report = bodies(11)
    other, _ = bodies(12)
    assert first == again
    assert first_report == again_report
    assert first != other


def test_workers_do_not_change_the_outcome():
    assert quick(workers=1).report == quick(workers=3).report


def test_plan_is_deterministic():
    contract = load_contract()
    agents = embedded_agents(contract)
    plan = plan_cases(contract=contract, agents=agents, api_key="k", seed=5)
    assert plan == plan_cases(contract=contract, agents=agents, api_key="k", seed=5)
    assert plan != plan_cases(contract=contract, agents=agents, api_key="k", seed=6)


@pytest.mark.parametrize("agent_id", ["a", "Z9"])
def test_a_short_agent_id_passes_its_own_mock(agent_id):
    # Its near-miss probes must be schema-valid unknown ids (422), never "" (400).
    result = quick(agents=(Agent(agent_id, (1,)),))
    assert result.ok, [f"{f.check}: {f.actual}" for f in result.report.failures]
    contract = load_contract()
    plan = plan_cases(contract=contract, agents=(Agent(agent_id, (1,)),), api_key="k", seed=1)
    unknown = [json.loads(case.body) for case in plan if case.kind == CaseKind.UNKNOWN_AGENT]
    assert unknown
    assert all(contract.request_validator.is_valid(body) for body in unknown)


@pytest.mark.parametrize(
    ("app", "failing_check"),
    [
        (lambda: rewrite_call_object(mock_app(), drop_metadata), "request_fields_echoed"),
        (lambda: crash_when(mock_app(), has_non_ascii_metadata), "no_server_error"),
        (
            lambda: rewrite_call_object(mock_app(), lambda call: call.update(call_status="ongoing")),
            "call_status_is_registered",
        ),
        (lambda: rewrite_call_object(mock_app(), lambda call: call.update(call_id="same")), "call_id_unique"),
        (
            lambda: rewrite_call_object(mock_app(), lambda call: call.update(transcript="Agent: hi")),
            "no_post_call_fields",
        ),
    ],
    ids=["drops-metadata-echo", "crashes-on-unicode", "wrong-status", "reused-call-id", "post-call-field"],
)
def test_faulty_variants_are_caught(app, failing_check):
    result = quick(app=app())
    assert not result.ok
    assert failing_check in result.report.failed_checks
    assert result.first_failure_after is not None


def test_an_app_crash_is_a_500_named_after_the_exception():
    result = quick(app=crash_when(mock_app(), has_non_ascii_metadata))
    failure = next(f for f in result.report.failures if f.check == "no_server_error")
    assert "RuntimeError" in failure.actual
    assert failure.response is not None
    assert failure.response.status == 500


def test_a_hanging_handler_is_a_request_without_response():
    async def hang_on_unicode(scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        if has_non_ascii_metadata(Request(scope["method"], scope["path"], {}, message.get("body", b""))):
            await asyncio.sleep(60)
        await send({"type": "http.response.start", "status": 400, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    result = quick(app=hang_on_unicode, timeout=0.05, max_examples=3)
    failure = next(f for f in result.report.failures if f.check == "response_received")
    assert failure.response is None
    assert "Timeout" in failure.actual


def test_failure_examples_are_shrunk():
    result = quick(app=rewrite_call_object(mock_app(), drop_metadata))
    failure = next(f for f in result.report.failures if f.check == "request_fields_echoed")
    sent = json.loads(failure.request.body)
    assert sent["metadata"] == {}
    assert set(sent) <= {"agent_id", "agent_version", "metadata"}


@pytest.mark.parametrize(
    "config",
    [
        {"extra_call_fields": {"added_in_2027": {"x": 1}, "another_new_field": "y"}},
        {"rate_limit_rate": 0.2, "retry_after": 0, "seed": 4},
    ],
    ids=["extra-fields-are-drift", "rate-limited"],
)
def test_correct_variants_pass(config):
    result = quick(app=mock_app(**config))
    assert result.ok, [f"{f.check}: {f.actual}" for f in result.report.failures]
    if "rate_limit_rate" in config:
        assert result.report.rate_limited > 0
        assert result.requests > result.cases_sent


def test_a_run_that_is_only_ever_rate_limited_still_finishes():
    async def always_429(scope: Scope, receive: Receive, send: Send) -> None:
        body = json.dumps({"status": "error", "message": "slow down"}).encode()
        headers = [(b"content-type", b"application/json"), (b"retry-after", b"0")]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    result = quick(app=always_429, max_retries=1)
    assert result.ok
    assert result.report.rate_limited == result.requests == 2 * result.cases_sent


def test_request_budget_stops_the_run_and_says_so():
    notices: list[str] = []
    result = quick(max_requests=10, on_notice=notices.append)
    assert result.requests == result.cases_sent == 10
    assert any("budget" in notice for notice in notices)


def test_over_http_with_unknown_versions_a_server_lacking_versions_is_not_failed():
    contract = load_contract()
    agent = contract.default_agent
    # The server has only version 7 of the agent; the run is not told which versions exist.
    config = MockConfig(agents=(type(agent)(agent.agent_id, (7,)),), api_keys=(SECRET_KEY,))
    notices: list[str] = []
    with MockServer(config) as server:
        result = quick(url=server.url, api_key=SECRET_KEY, rate_limit=0, on_notice=notices.append)
    assert result.ok, [f"{f.check}: {f.actual}" for f in result.report.failures]
    assert result.report.cases[CaseKind.UNVERIFIED_VERSION] >= 1
    assert not any("polite" in notice for notice in notices), "a server on this machine needs no limits"
    assert any("no --agent-id" in notice for notice in notices)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("api.retellai.com", False),
        ("10.0.0.2", False),
    ],
)
def test_only_servers_on_this_machine_skip_the_polite_defaults(host, loopback):
    assert is_loopback(host) is loopback


def test_polite_defaults_against_a_remote_server_are_announced():
    remote = Target("https://staging.example", "https://staging.example", "k", (), True, requests.Session)
    notices: list[str] = []
    assert _limits(RunOptions(), remote, notices.append) == (LIVE_MAX_REQUESTS, LIVE_RATE_LIMIT)
    assert "polite" in notices[0]
    assert _limits(RunOptions(max_requests=5, rate_limit=0), remote, notices.append) == (5, None)
    assert len(notices) == 1, "nothing to announce when both limits were chosen"


def test_unreachable_url_and_missing_key_are_usage_errors():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(UsageError, match="cannot reach"):
        quick(url=f"http://127.0.0.1:{port}", api_key="k")
    with pytest.raises(UsageError, match="API key"):
        quick(url=f"http://127.0.0.1:{port}")
    with pytest.raises(UsageError, match="http"):
        quick(url="ftp://example.invalid", api_key="k")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_examples": 0}, "max_examples"),
        ({"workers": 0}, "workers"),
        ({"seed": -1}, "seed"),
        ({"max_requests": 0}, "max_requests"),
        ({"rate_limit": -1.0}, "rate_limit"),
        ({"timeout": 0}, "timeout"),
        ({"url": "http://x", "app": mock_app()}, "not both"),
    ],
)
def test_bad_options_name_the_bad_value(options, message):
    with pytest.raises(UsageError, match=message):
        RunOptions(**options)


def test_retry_delay_honours_the_server():
    def response(**headers):
        return RecordedResponse(429, headers)

    assert retry_delay(response(**{"retry-after": "2"}), 0) == 2
    assert retry_delay(response(**{"retry-after-ms": "250"}), 0) == 0.25
    assert retry_delay(response(**{"retry-after": "999"}), 0) == MAX_WAIT
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 < retry_delay(response(**{"retry-after": later}), 0) <= 30
    assert (
        retry_delay(response(), 0) < retry_delay(response(), 1) < retry_delay(response(), 10) == BACKOFF_CAP
    )
    assert retry_delay(response(**{"retry-after": "soon"}), 0) == retry_delay(response(), 0)


def test_pacer_spaces_requests_and_pauses_after_a_429():
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = Pacer(4.0, clock=lambda: now[0], sleep=sleep)
    pacer.wait()
    pacer.wait()
    assert slept == [0.25]
    pacer.pause(3.0)
    pacer.wait()
    assert slept[-1] == pytest.approx(3.0)


def test_runner_exports_every_public_name_lazily():
    import retell_contract.runner as runner

    assert sorted(runner.__all__) == sorted(runner._HOMES)
    for name in runner.__all__:
        assert getattr(runner, name) is not None
    with pytest.raises(AttributeError, match="no_such_name"):
        runner.no_such_name  # noqa: B018


def test_cli_import_does_not_load_the_engine():
    """Every command imports the CLI; only `run` should pay for schemathesis."""
    import subprocess
    import sys

    code = "import sys, retell_contract.cli; print('schemathesis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_each_case_is_sent_as_its_own_operation():
    """schemathesis hooks and per-operation settings see the operation a case belongs to
    (v3, get-call), not the primary one with its path replaced."""
    from retell_contract.runner._send import _operations

    contract = load_contract()
    operations = _operations(contract)
    assert next(iter(operations)) == contract.primary.name
    assert set(operations) == set(contract.operation_names)
    for name, operation in operations.items():
        declared = contract.operation(name)
        assert (operation.method.upper(), operation.path) == (declared.method.upper(), declared.path)


def test_sending_leaves_the_shared_header_overrides_as_they_were():
    # schemathesis adds the session's headers to the dict it is given: a shared one would
    # carry one run's session headers into the next run (and race between threads).
    from retell_contract.runner import _send

    before = dict(_send._UNLABELLED)
    quick(workers=2)
    assert before == _send._UNLABELLED == {"X-Schemathesis-TestCaseId": None}
