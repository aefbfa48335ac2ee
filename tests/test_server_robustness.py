"""Hostile bodies get a clear 4xx, never a crash or a 500, and the mock keeps serving."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retell_contract.server import MockConfig, MockServer
from server_support import AGENT, AUTH, CREATE, assert_error, create, in_process, post_raw

TEN_MB = 10 * 1024 * 1024
AGENT_FIELD = b'"agent_id": "%s"' % AGENT.agent_id.encode()

JSON = "application/json"


def _case(name: str, content: bytes, status: int, detail: str, content_type: str | None = JSON) -> object:
    return pytest.param(content, content_type, status, detail, id=name)


def _with_agent(rest: bytes) -> bytes:
    return b"{" + AGENT_FIELD + rest


HOSTILE_BODIES = [
    _case("10MB", _with_agent(b', "metadata": "' + b"x" * TEN_MB + b'"}'), 413, "byte limit"),
    _case("nesting-array", b"[" * 10_000 + b"]" * 10_000, 400, "nested deeper"),
    _case("nesting-object", b'{"a":' * 10_000 + b"1" + b"}" * 10_000, 400, "nested deeper"),
    _case(
        "nesting-150", _with_agent(b', "metadata": ' + b'{"a":' * 150 + b"1" + b"}" * 151), 400, "than 100"
    ),
    _case("invalid-utf8", b'{"agent_id": "\xff\xfe"}', 400, "not valid UTF-8"),
    _case("text-plain", b'{"agent_id": "a"}', 400, "'text/plain' is not application/json", "text/plain"),
    _case("form", b"agent_id=a", 400, "is not application/json", "application/x-www-form-urlencoded"),
    _case("no-content-type", b'{"agent_id": "a"}', 400, "Content-Type header is missing", None),
    _case("latin-1", b'{"agent_id": "a"}', 400, "charset", "application/json; charset=latin-1"),
    _case("empty", b"", 400, "request body is empty"),
    _case("blank", b"   \n", 400, "request body is empty"),
    _case("huge-int", _with_agent(b', "agent_version": ' + b"9" * 5000 + b"}"), 400, "5000 digits"),
    _case("NaN", _with_agent(b', "metadata": {"n": NaN}}'), 400, "NaN"),
    _case("-Infinity", _with_agent(b', "metadata": {"n": -Infinity}}'), 400, "-Infinity"),
    _case("overflowing-float", _with_agent(b', "metadata": {"n": 1e400}}'), 400, "out of range"),
    _case("truncated", b'{"agent_id": ', 400, "not valid JSON"),
    _case("array", b"[1, 2]", 400, "must be a JSON object, not a JSON array"),
    _case("string", b'"text"', 400, "not a JSON string"),
    _case("null", b"null", 400, "not a JSON null"),
]


@pytest.mark.parametrize(("content", "content_type", "status", "detail"), HOSTILE_BODIES)
def test_hostile_body_in_process(content: bytes, content_type: str | None, status: int, detail: str) -> None:
    with in_process() as (client, state):
        assert_error(post_raw(client, content, content_type), status, detail)
        assert create(client).status_code == 201
        assert len(state.calls()) == 1


def test_hostile_bodies_over_http_keep_the_server_serving() -> None:
    with MockServer() as server, httpx.Client(base_url=server.url) as client:
        for param in HOSTILE_BODIES:
            content, content_type, status, detail = param.values  # type: ignore[attr-defined]
            assert_error(post_raw(client, content, content_type), status, detail)
        assert create(client).status_code == 201


def test_streamed_body_is_cut_off_at_the_limit_without_content_length() -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(160):
            yield b"x" * 65536

    with (
        MockServer(MockConfig(max_body_bytes=100_000)) as server,
        httpx.Client(base_url=server.url) as client,
    ):
        response = client.post(CREATE, content=chunks(), headers={**AUTH, "Content-Type": "application/json"})
        assert_error(response, 413, "more than 100000 bytes")
        assert create(client).status_code == 201


def test_body_exactly_at_the_limit_is_read() -> None:
    body = json.dumps({"agent_id": AGENT.agent_id, "metadata": {"pad": ""}}).encode()
    config = MockConfig(max_body_bytes=len(body))
    with in_process(config) as (client, _):
        assert post_raw(client, body).status_code == 201
        assert_error(post_raw(client, body + b" "), 413)


@settings(max_examples=60)
@given(content=st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(content: bytes) -> None:
    with in_process() as (client, _):
        response = post_raw(client, content)
        assert response.status_code in (201, 400, 422), response.text
        assert response.headers["content-type"] == "application/json"


@settings(max_examples=60)
@given(
    body=st.dictionaries(
        st.sampled_from(["agent_id", "agent_version", "metadata", "retell_llm_dynamic_variables", "x"]),
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats()
        | st.text()
        | st.just(AGENT.agent_id)
        | st.lists(st.integers(), max_size=2)
        | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    )
)
def test_arbitrary_json_objects_get_201_400_or_422(body: dict[str, object]) -> None:
    content = json.dumps(body).encode()  # may contain NaN/Infinity, which must be refused
    with in_process() as (client, _):
        response = post_raw(client, content)
    assert response.status_code in (201, 400, 422), response.text
