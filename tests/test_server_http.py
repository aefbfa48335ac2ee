"""The mock over real HTTP: MockServer, concurrent clients, and the ``retell-contract mock`` command."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from starlette.types import Receive, Scope, Send

from retell_contract.cli import EXIT_USAGE, main
from retell_contract.server import GET_CALL_PATH, AppServer, MockServer, create_app, mock_transport
from server_support import AGENT, AUTH, IN_PROCESS_URL, create

THREADS, PER_THREAD = 8, 25


def _worker(
    base_url: str | None, transport: httpx.BaseTransport | None, worker: int
) -> list[dict[str, object]]:
    """Create calls with this worker's metadata and check each answer is its own."""
    calls = []
    with httpx.Client(base_url=base_url or IN_PROCESS_URL, transport=transport) as client:
        for index in range(PER_THREAD):
            metadata = {"worker": worker, "index": index}
            response = create(client, {"agent_id": AGENT.agent_id, "metadata": metadata})
            assert response.status_code == 201, response.text
            call = response.json()
            assert call["metadata"] == metadata
            fetched = client.get(GET_CALL_PATH.format(call_id=call["call_id"]), headers=AUTH).json()
            assert fetched["metadata"] == metadata
            calls.append(call)
    return calls


def _check_concurrent(base_url: str | None, transport: httpx.BaseTransport | None) -> None:
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda w: _worker(base_url, transport, w), range(THREADS)))
    calls = [call for result in results for call in result]
    assert len({call["call_id"] for call in calls}) == THREADS * PER_THREAD
    assert len({call["access_token"] for call in calls}) == THREADS * PER_THREAD


def test_concurrent_clients_over_http_get_independent_answers() -> None:
    with MockServer() as server:
        _check_concurrent(server.url, None)
        assert len(server.state.calls()) == THREADS * PER_THREAD


def test_one_sync_transport_shared_by_threads() -> None:
    app = create_app()
    transport = mock_transport(app)
    _check_concurrent(None, transport)
    transport.close()
    assert len(app.state.mock.calls()) == THREADS * PER_THREAD


def test_sync_transport_works_inside_a_running_event_loop() -> None:
    import asyncio

    async def inside_loop() -> int:
        with httpx.Client(transport=mock_transport(create_app()), base_url=IN_PROCESS_URL) as client:
            return create(client).status_code

    assert asyncio.run(inside_loop()) == 201


def test_server_stops_cleanly_and_releases_its_port() -> None:
    server = MockServer().start()
    url = server.url
    port = int(url.rsplit(":", 1)[1])
    assert httpx.get(f"{url}/nowhere").status_code == 404
    server.stop()
    server.stop()  # idempotent
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/nowhere")
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))


def test_app_server_serves_any_asgi_app() -> None:
    async def teapot(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": scope["path"].encode()})

    with AppServer(teapot) as server:
        response = httpx.get(f"{server.url}/brew")
    assert (response.status_code, response.content) == (418, b"/brew")
    with pytest.raises(RuntimeError, match="AppServer is not running"):
        _ = server.url


def test_url_before_start_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="not running"):
        _ = MockServer().url


def test_busy_port_is_a_one_line_usage_error() -> None:
    with MockServer() as first:
        port = int(first.url.rsplit(":", 1)[1])
        result = CliRunner().invoke(main, ["mock", "--port", str(port)])
    assert result.exit_code == EXIT_USAGE
    assert re.fullmatch(
        rf"retell-contract: error: cannot listen on 127\.0\.0\.1:{port} \(.+\)\n", result.stderr
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--port", "x"], "'--port'"),
        (["--port", "70000"], "'--port'"),
        (["--rate-limit", "2"], "'--rate-limit'"),
        (["--server-error-rate", "-1"], "'--server-error-rate'"),
        (["--latency", "-1"], "'--latency'"),
        (["--retry-after", "-3"], "'--retry-after'"),
        (["--token-ttl", "0"], "'--token-ttl'"),
        (["--max-body-bytes", "0"], "'--max-body-bytes'"),
        (["--seed", "abc"], "'--seed'"),
        (["--agent-id", "a:x"], "agent 'a:x'"),
        (["--agent-id", ":1"], "has no id"),
        (["--api-key", "with space"], "--api-key: 'with space'"),
        (["--payment-required-key", ""], "--payment-required-key: ''"),
        (["--no-such-flag"], "--no-such-flag"),
        (["--host", "192.0.2.1"], "cannot listen on 192.0.2.1"),
        (["--contract", "missing.yaml"], "missing.yaml"),
    ],
)
def test_bad_flags_are_one_line_errors_with_exit_2(args: list[str], fragment: str) -> None:
    result = CliRunner().invoke(main, ["mock", "--port", "0", *args])
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr.startswith("retell-contract: error: ")
    assert result.stderr.count("\n") == 1
    assert fragment in result.stderr
    assert result.stdout == ""


def test_mock_command_serves_until_ctrl_c() -> None:
    executable = Path(sys.executable).parent / "retell-contract"
    command = [str(executable), "mock", "--port", "0", "--seed", "1"]
    command += ["--api-key", "secret_key_123", "--control"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        match = re.search(r"serving (http://127\.0\.0\.1:\d+)", first_line)
        assert match, first_line
        response = httpx.post(
            f"{match.group(1)}/v2/create-web-call",
            json={"agent_id": AGENT.agent_id},
            headers={"Authorization": "Bearer secret_key_123"},
        )
        assert response.status_code == 201
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "secret_key_123" not in first_line + out + err
    assert out.rstrip().endswith("retell-contract mock: stopped")
    assert "Traceback" not in err


def test_a_too_large_body_sent_in_full_by_urllib_gets_the_413_not_a_reset():
    import json
    import urllib.error
    import urllib.request

    body = json.dumps({"agent_id": AGENT.agent_id, "metadata": {"blob": "x" * 10_000_000}}).encode()
    with MockServer() as server:
        request = urllib.request.Request(
            f"{server.url}/v2/create-web-call",
            data=body,
            headers={"Authorization": AUTH["Authorization"], "Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == 413
    assert "byte limit" in json.loads(caught.value.read())["message"]
