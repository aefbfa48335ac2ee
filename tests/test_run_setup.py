"""Setup errors stop a run early: a rejected key, a server that never answers."""

from __future__ import annotations

import asyncio
import json

import pytest
from click.testing import CliRunner
from starlette.types import Receive, Scope, Send

from retell_contract.cli import main
from retell_contract.errors import SetupError
from retell_contract.runner import RunOptions, run
from retell_contract.runner._guards import REJECTED_TO_STOP, TIMEOUTS_TO_STOP
from retell_contract.runner._target import environment_sessions
from retell_contract.server import AppServer
from run_support import SECRET_KEY, mock_app


def answering(status: int, message: str) -> object:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        body = json.dumps({"status": "error", "message": message}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


def test_a_wrong_key_is_a_setup_error_not_violations() -> None:
    requests_sent: list[object] = []
    with pytest.raises(SetupError, match=r"the key was rejected.*401"):
        run(
            RunOptions(
                app=mock_app(SECRET_KEY), api_key="key_wrong", seed=1, on_exchange=requests_sent.append
            )
        )
    # Stopped after a handful of valid requests, not the whole plan (~190 cases).
    assert len(requests_sent) < 60


def test_an_unpaid_account_is_a_setup_error() -> None:
    with pytest.raises(SetupError, match=r"the key was rejected.*402"):
        run(RunOptions(app=answering(402, "Payment required"), seed=1, max_examples=5))


def test_a_key_rejected_now_and_then_is_judged_by_the_checks() -> None:
    calls = {"n": 0}
    inner = mock_app()

    async def sometimes_401(scope: Scope, receive: Receive, send: Send) -> None:
        calls["n"] += 1
        if calls["n"] % 7 == 0:
            await answering(401, "Unauthorized")(scope, receive, send)  # type: ignore[operator]
        else:
            await inner(scope, receive, send)

    result = run(RunOptions(app=sometimes_401, seed=1, max_examples=10))
    assert not result.ok
    assert result.cases_sent > REJECTED_TO_STOP


def test_the_cli_says_the_key_was_rejected_and_exits_2() -> None:
    with AppServer(mock_app(SECRET_KEY)) as server:
        result = CliRunner().invoke(
            main, ["run", "--url", server.url, "--api-key", "key_wrong", "--seed", "1"]
        )
    assert result.exit_code == 2, result.output
    (line,) = [line for line in result.stderr.splitlines() if "error:" in line]
    assert line.startswith("retell-contract: error: the key was rejected")
    assert "key_wrong" not in result.output


def test_a_server_that_never_answers_stops_after_a_few_timeouts() -> None:
    async def hang(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(60)

    seen: list[object] = []
    with pytest.raises(SetupError, match=r"did not answer 3 requests in a row within 0.05 s"):
        run(RunOptions(app=hang, timeout=0.05, seed=1, on_progress=lambda *a: seen.append(a)))
    assert seen[-1][0] == TIMEOUTS_TO_STOP  # stopped at once, not after every case


def test_the_cli_timeout_flag_reaches_the_run_and_stops_it() -> None:
    async def hang(scope: Scope, receive: Receive, send: Send) -> None:
        while (await receive())["type"] != "http.disconnect":  # until the client gives up
            pass

    with AppServer(hang) as server:
        result = CliRunner().invoke(
            main, ["run", "--url", server.url, "--api-key", "k", "--timeout", "0.2", "--seed", "1"]
        )
    assert result.exit_code == 2, result.output
    assert "did not answer 3 requests in a row within 0.2 s (--timeout)" in result.stderr


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_a_bad_timeout_is_one_line(value: str) -> None:
    result = CliRunner().invoke(main, ["run", "--timeout", value])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_netrc_entry_for_the_host_does_not_replace_the_api_key(tmp_path, monkeypatch) -> None:
    # requests with trust_env on swaps the Authorization header for the netrc's Basic auth.
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    with AppServer(mock_app(SECRET_KEY)) as server:
        result = run(RunOptions(url=server.url, api_key=SECRET_KEY, seed=1, max_examples=5))
    assert result.report.ok
    assert result.cases_sent > 0


def test_http_sessions_take_proxies_and_ca_bundle_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/company.pem")
    remote = environment_sessions("https://api.example")()
    assert remote.proxies["https"] == "http://proxy.example:3128"
    assert remote.verify == "/etc/ssl/company.pem"
    assert not remote.trust_env  # read once here, not again for every request
    assert environment_sessions("https://internal.example")().proxies == {}
