"""``retell-contract webhook``: correct receivers pass, each faulty one is caught (benchmark's small run)."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rich.console import Console
from starlette.applications import Starlette

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from _webhook_receivers import Receiver, asgi_app, wsgi_app
from retell_contract.cli import main
from retell_contract.contracts import load_contract
from retell_contract.report import print_report
from retell_contract.server import AppServer
from retell_contract.webhooks import (
    FAULTS,
    WebhookRunOptions,
    asgi_transport,
    run_webhook_conformance,
    wsgi_transport,
)


@pytest.mark.parametrize(("fault", "code"), [("", 0), ("accepts_bad_signatures", 1)])
def test_the_command_over_http_exits_0_or_1_and_masks_the_key(fault: str, code: int, tmp_path: Path) -> None:
    key = "key_cli_webhook_secret_99"
    app: Starlette = asgi_app(Receiver("r", key, fault=fault))
    junit = tmp_path / "w.xml"
    with AppServer(app) as server:
        args = ["webhook", "--url", f"{server.url}/webhook", "--api-key", key, "--max-examples", "2"]
        result = CliRunner().invoke(main, [*args, "--junit", str(junit)])
    assert result.exit_code == code, result.output
    assert key not in result.output
    assert key not in junit.read_text()
    if code:
        assert "refuses_invalid_delivery" in result.output


def test_an_unreachable_receiver_is_a_setup_error() -> None:
    result = CliRunner().invoke(main, ["webhook", "--url", "http://127.0.0.1:9/x", "--api-key", "k"])
    assert result.exit_code == 2
    assert "cannot reach the receiver" in result.output


class Counting:
    """An ASGI receiver around ``inner`` that counts the deliveries that reached it."""

    def __init__(self, inner: Starlette) -> None:
        self.inner, self.seen = inner, 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.seen += 1
        await self.inner(scope, receive, send)


def test_counts_are_of_the_exploration_not_of_shrinking() -> None:
    key = "key_counts_webhook_1234"
    app = Counting(asgi_app(Receiver("r", key, fault="accepts_bad_signatures")))
    options = WebhookRunOptions(
        api_key=key, url="http://r.test/webhook", transport=asgi_transport(app), max_examples=5
    )
    report = run_webhook_conformance(options)
    assert report.failed_checks == ("refuses_invalid_delivery",)
    # Each invalid/<fault> search fails on its first delivery: one occurrence each, though
    # Hypothesis re-sent many smaller ones while shrinking (the receiver saw them all).
    assert [f.occurrences for f in report.failures] == [1] * len(report.failures)
    assert app.seen - 1 > report.exchanges  # minus the reachability probe
    summary = {c.name: c for c in report.checks}
    assert summary["response_received"].cases == report.exchanges
    assert summary["refuses_invalid_delivery"].failed == len(report.failures)


def test_a_crash_is_reported_as_no_response_not_status_0() -> None:
    key = "key_crash_webhook_1234"
    app = wsgi_app(Receiver("r", key, fault="needs_metadata"))
    options = WebhookRunOptions(
        api_key=key, url="http://r.test/", transport=wsgi_transport(app), max_examples=5
    )
    report = run_webhook_conformance(options)
    crashes = [f for f in report.failures if f.check == "response_received"]
    assert crashes
    assert all(f.response is None and "KeyError" in f.actual for f in crashes)
    # One crash per search that hit one (its exploration stops there), shrinking aside.
    searches = len(load_contract().webhook_events) + len(FAULTS) + 3
    assert (
        crashes[0].occurrences == {c.name: c for c in report.checks}["response_received"].failed <= searches
    )
    console = Console(file=io.StringIO(), width=200)
    print_report(report, console=console, secrets=[key])
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "no response" in text
    assert "0 no Content-Type" not in text
