"""The run's in-process route (``AppCaller``, no httpx) answers exactly as the mock over HTTP."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import requests
from starlette.types import Receive, Scope, Send

from retell_contract._hosting._inprocess import AppCaller, AppRequest
from retell_contract.runner._target import http_target, in_process_target
from retell_contract.server import (
    DEFAULT_API_KEY,
    AppServer,
    MockConfig,
    MockServer,
    create_app,
    mock_transport,
)

AUTH = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
JSON = {**AUTH, "Content-Type": "application/json"}
AGENT = "oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD"
# What uvicorn adds to every response; the app itself sends the rest.
SERVER_ADDED = {"date", "server"}
Request = tuple[str, str, dict[str, str], bytes | None]


def _requests(call_id: str) -> list[Request]:
    body = json.dumps({"agent_id": AGENT, "metadata": {"k": "v"}}).encode()
    return [
        ("POST", "/v2/create-web-call", JSON, body),
        ("POST", "/v3/create-web-call", JSON, body),
        ("GET", f"/v2/get-call/{call_id}", AUTH, None),
        ("GET", "/v2/get-call/nope%20here?x=1&y=%2F", AUTH, None),
        ("POST", "/v2/create-web-call", {"Content-Type": "application/json"}, body),  # no key: 401
        ("POST", "/v2/create-web-call", JSON, b"{not json"),
        ("POST", "/v2/create-web-call", JSON, None),  # no body at all
        ("POST", "/v2/create-web-call", AUTH, body),  # no content type
        ("DELETE", "/v2/create-web-call", AUTH, None),
        ("HEAD", "/v2/get-call/x", AUTH, None),
    ]


def _config() -> MockConfig:
    return MockConfig(seed=7, clock=lambda: 1_800_000_000.0)


Answer = tuple[int, list[tuple[str, str]], bytes]


def _through(session: requests.Session, base_url: str) -> list[Answer]:
    created = session.post(f"{base_url}/v2/create-web-call", json={"agent_id": AGENT}, headers=AUTH)
    answers = [(created.status_code, _headers(created.raw.headers.items()), created.content)]
    for method, path, headers, body in _requests(created.json()["call_id"]):
        response = session.request(method, f"{base_url}{path}", headers=headers, data=body)
        answers.append((response.status_code, _headers(response.raw.headers.items()), response.content))
    return answers


def _headers(items: object) -> list[tuple[str, str]]:
    return [(name.lower(), value) for name, value in items if name.lower() not in SERVER_ADDED]  # type: ignore[attr-defined]


def _in_process_session(app: object) -> requests.Session:
    target = in_process_target(app, api_key=DEFAULT_API_KEY, agents=(), description="test")  # type: ignore[arg-type]
    return target.session()


def test_in_process_answers_are_the_ones_over_http() -> None:
    in_process = _through(_in_process_session(create_app(_config())), "http://127.0.0.1:8080")
    with MockServer(_config()) as server, requests.Session() as session:
        over_http = _through(session, server.url)
    assert [status for status, _, _ in in_process] == [201, 201, 201, 200, 404, 401, 400, 400, 400, 405, 404]
    assert in_process == over_http


def test_the_httpx_transport_answers_the_same_as_the_run_route() -> None:
    session = _in_process_session(create_app(_config()))
    with httpx.Client(
        transport=mock_transport(create_app(_config())), base_url="http://127.0.0.1:8080"
    ) as client:
        first: Request = ("POST", "/v2/create-web-call", JSON, b'{"agent_id": "a"}')
        for method, path, headers, body in [first, *_requests("x")]:
            ours = session.request(method, f"http://127.0.0.1:8080{path}", headers=headers, data=body)
            theirs = client.request(method, path, headers=headers, content=body)
            assert (ours.status_code, ours.content) == (theirs.status_code, theirs.content)
            assert list(ours.raw.headers.items()) == [(k.decode(), v.decode()) for k, v in theirs.headers.raw]


async def _echo_scope(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers with what the app was told of the request (the server's own parts left out)."""
    message = await receive()
    seen = {
        key: scope[key] if not isinstance(scope[key], bytes) else scope[key].decode("latin-1")
        for key in ("method", "path", "raw_path", "query_string", "http_version", "scheme")
    }
    seen["headers"] = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
    seen["body"] = message.get("body", b"").decode("latin-1")
    await send({"type": "http.response.start", "status": 200, "headers": [(b"x-echo", b"1")]})
    await send({"type": "http.response.body", "body": json.dumps(seen).encode()})


@pytest.fixture
def echo_server() -> Iterator[str]:
    with AppServer(_echo_scope) as server:
        yield server.url


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v2/create-web-call", b'{"agent_id": "a"}'),
        ("POST", "/v2/create-web-call", None),
        ("GET", "/v2/get-call/a%20b%2Fc?q=%C3%A9&r=1", None),
        ("PATCH", "/x", "text body"),
    ],
)
def test_the_app_sees_the_request_as_over_http(
    echo_server: str, method: str, path: str, body: object
) -> None:
    host = echo_server.removeprefix("http://")
    session = _in_process_session(_echo_scope)
    ours = session.request(method, f"{echo_server}{path}", data=body, headers=AUTH)
    over_http = http_target(echo_server, api_key=DEFAULT_API_KEY, agents=()).session()
    theirs = over_http.request(method, f"{echo_server}{path}", data=body, headers=AUTH)
    assert ours.json() == theirs.json()
    assert ours.json()["headers"][0] == ["host", host]


def test_a_caller_runs_the_app_once_per_request() -> None:
    caller = AppCaller(_echo_scope)
    request = AppRequest("GET", "http", "h", None, b"/p?q=1", [(b"Host", b"h")])
    response = caller(request)
    caller.close()
    assert (response.status, response.headers) == (200, [(b"x-echo", b"1")])
    assert json.loads(response.body)["query_string"] == "q=1"


async def _ok(scope: Scope, receive: Receive, send: Send) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
def eager_thread_switches() -> Iterator[None]:
    """Switch threads as often as the interpreter can, so a narrow race shows at once."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


@pytest.mark.usefixtures("eager_thread_switches")
def test_threads_sharing_a_caller_may_each_close_it_while_the_others_send() -> None:
    # httpx clients close their transport on exit; threads sharing one transport must
    # not close each other's loops under them ("Event loop is closed").
    caller = AppCaller(_ok)
    request = AppRequest("GET", "http", "mock.test", 80, b"/", [])

    def sender(_: int) -> list[int]:
        statuses = []
        for _ in range(300):
            statuses.append(caller(request).status)
            caller.close()
        return statuses

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(sender, range(4)))
    assert [status for statuses in results for status in statuses] == [200] * 1200
