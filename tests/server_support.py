"""Helpers shared by the mock-server tests (not a test module itself)."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from retell_contract.contracts import load_contract
from retell_contract.server import DEFAULT_API_KEY, MockConfig, MockState, create_app, mock_transport

CONTRACT = load_contract()
AGENT = CONTRACT.default_agent
CREATE = CONTRACT.path
AUTH = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
IN_PROCESS_URL = "http://mock.test"


class FakeClock:
    """A clock tests move by hand (seconds since the epoch)."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@contextmanager
def in_process(config: MockConfig | None = None) -> Iterator[tuple[httpx.Client, MockState]]:
    """A sync httpx client wired to a fresh in-process mock, and the mock's state."""
    app = create_app(config)
    with httpx.Client(transport=mock_transport(app), base_url=IN_PROCESS_URL) as client:
        yield client, app.state.mock


def create(client: httpx.Client, body: Any = None, **headers: str) -> httpx.Response:
    """POST a JSON body (default: just the default agent) with the default key."""
    payload = {"agent_id": AGENT.agent_id} if body is None else body
    return client.post(CREATE, json=payload, headers={**AUTH, **headers})


def post_raw(
    client: httpx.Client, content: bytes, content_type: str | None = "application/json"
) -> httpx.Response:
    headers = dict(AUTH)
    if content_type is not None:
        headers["Content-Type"] = content_type
    return client.post(CREATE, content=content, headers=headers)


def assert_error(response: httpx.Response, status: int, *fragments: str, operation: str | None = None) -> str:
    """The response is the contract's JSON error object for ``status``; returns its message.

    ``operation`` names the operation whose documented message it starts with (default: the primary).
    """
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    errors = list(CONTRACT.response_validators[400].iter_errors(body))
    assert not errors, errors
    documented = CONTRACT.operation(operation) if operation else CONTRACT
    assert body["message"].startswith(documented.error_message(status))
    for fragment in fragments:
        assert fragment in body["message"]
    message: str = body["message"]
    return message


@contextmanager
def mock_command(*args: str) -> Iterator[tuple[str, list[str]]]:
    """Run ``retell-contract mock --port 0 ARGS`` in a subprocess; yields its URL and banner lines."""
    executable = Path(sys.executable).parent / "retell-contract"
    command = [str(executable), "mock", "--port", "0", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        match = re.search(r"serving (http://127\.0\.0\.1:\d+)", first_line)
        assert match, first_line + (process.stderr.read() if process.stderr else "")
        banner = [first_line]
        while not banner[-1].lstrip().startswith("API keys:"):
            banner.append(process.stdout.readline())
        yield match.group(1), banner
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
