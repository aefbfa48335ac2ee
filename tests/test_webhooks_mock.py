"""The mock sends signed webhooks as calls move, with Retell's delivery rules."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from retell_contract.contracts import SIGNATURE_HEADER
from retell_contract.server import CONTROL_PREFIX, AppServer, MockConfig, MockConfigError
from retell_contract.validation import validate_call_object
from sdk_support import node_verify, python_verify
from server_support import AUTH, CONTRACT, FakeClock, create, in_process

KEY = "key_signing_account_1234"


class Receiver:
    """A receiver on loopback that records raw deliveries and answers ``status_for(event)``."""

    def __init__(self, failing: frozenset[str] = frozenset()) -> None:
        self.received: list[tuple[bytes, str | None]] = []
        self.failing = failing
        self._lock = threading.Lock()

    async def endpoint(self, request: Request) -> Response:
        body = await request.body()
        with self._lock:
            self.received.append((body, request.headers.get(SIGNATURE_HEADER)))
        event = (await request.json())["event"]
        return Response(status_code=500 if event in self.failing else 204)


@contextmanager
def receiving(receiver: Receiver) -> Iterator[str]:
    app = Starlette(routes=[Route("/hook", receiver.endpoint, methods=["POST"])])
    with AppServer(app) as server:
        yield f"{server.url}/hook"


def oracle_items(received: list[tuple[bytes, str | None]], now_ms: int) -> list[dict[str, object]]:
    return [
        {"body": body.decode(), "api_key": KEY, "signature": signature, "now_ms": now_ms}
        for body, signature in received
    ]


def test_the_mocks_deliveries_verify_with_the_node_client() -> None:
    receiver, clock = Receiver(), FakeClock()
    with receiving(receiver) as url:
        config = MockConfig(webhook_url=url, webhook_key=KEY, clock=clock, webhook_retry_delay=0)
        with in_process(config) as (client, state):
            call = create(
                client, {"agent_id": CONTRACT.default_agent.agent_id, "metadata": {"n": "é"}}
            ).json()
            state.join(call["access_token"])
            state.advance(call["call_id"], "analyzed")
            assert state.webhooks is not None
            assert state.webhooks.wait(30)
    items = oracle_items(receiver.received, int(clock() * 1000))
    assert len(items) == 3
    assert node_verify(items) == [True, True, True]  # skips cleanly without node and npm
    assert node_verify([{**items[0], "api_key": "key_retell_contract_test"}]) == [False]


def test_a_call_sends_started_ended_analyzed_signed_and_verified_by_the_official_client() -> None:
    receiver, clock = Receiver(), FakeClock()
    with receiving(receiver) as url:
        config = MockConfig(
            webhook_url=url, webhook_key=KEY, clock=clock, control=True, webhook_retry_delay=0
        )
        with in_process(config) as (client, state):
            call = create(
                client, {"agent_id": CONTRACT.default_agent.agent_id, "metadata": {"n": "é"}}
            ).json()
            state.join(call["access_token"])
            state.advance(call["call_id"], "analyzed")
            create(client)  # never joined: sends nothing
            assert state.webhooks is not None
            assert state.webhooks.wait(30)
            seen = client.get(f"{CONTROL_PREFIX}/webhooks", headers=AUTH).json()["deliveries"]
    assert [d["event"] for d in seen] == ["call_started", "call_ended", "call_analyzed"]
    assert all(d["status"] == 204 and d["call_id"] == call["call_id"] for d in seen)
    payloads = [httpx.Response(200, content=body).json() for body, _ in receiver.received]
    assert [p["event"] for p in payloads] == ["call_started", "call_ended", "call_analyzed"]
    assert "call_analysis" not in payloads[1]["call"]
    assert "call_analysis" in payloads[2]["call"]
    assert "transcript" not in payloads[0]["call"]
    assert all(p["call"]["metadata"] == {"n": "é"} for p in payloads)
    assert all(validate_call_object(p["call"], contract=CONTRACT) == [] for p in payloads)
    items = oracle_items(receiver.received, int(clock() * 1000))
    assert python_verify(items) == [True, True, True]
    assert not python_verify([{**items[0], "api_key": "key_retell_contract_test"}])[0]


def test_a_refused_event_is_retried_three_times_and_does_not_hold_back_the_next() -> None:
    receiver = Receiver(failing=frozenset({"call_ended"}))
    with receiving(receiver) as url, in_process(MockConfig(webhook_url=url, webhook_retry_delay=0)) as mock:
        client, state = mock
        call = create(client).json()
        state.advance(call["call_id"], "analyzed")  # straight from registered: all three events
        assert state.webhooks is not None
        assert state.webhooks.wait(30)
        attempts = [(r.event, r.attempt, r.status) for r in state.webhooks.deliveries()]
    assert attempts == [
        ("call_started", 1, 204),
        *[("call_ended", n, 500) for n in (1, 2, 3, 4)],
        ("call_analyzed", 1, 204),
    ]


def test_per_agent_urls_win_and_agents_without_one_send_nothing() -> None:
    receiver = Receiver()
    with receiving(receiver) as url:
        agent = CONTRACT.default_agent.agent_id
        config = MockConfig(agent_webhook_urls={agent: url}, webhook_retry_delay=0)
        with in_process(config) as (client, state):
            state.advance(create(client).json()["call_id"], "ended")
            assert state.webhooks is not None
            assert state.webhooks.wait(30)
    assert len(receiver.received) == 2


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"webhook_url": "ftp://x"}, "webhook_url must be an absolute http(s) URL, not 'ftp://x'"),
        ({"webhook_url": "hook"}, "'hook'"),
        ({"webhook_key": "has space"}, "webhook_key: 'has space'"),
        ({"agent_webhook_urls": {"a": 5}}, "agent_webhook_urls['a']"),
    ],
)
def test_bad_webhook_settings_are_named(options: dict[str, object], fragment: str) -> None:
    with pytest.raises(MockConfigError, match=re.escape(fragment)):
        MockConfig(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--webhook-url", "ftp://x"], "--webhook-url must be an absolute http(s) URL"),
        (["--agent-webhook-url", "nope"], "--agent-webhook-url must be AGENT_ID=URL, not 'nope'"),
    ],
)
def test_mock_webhook_flags_are_checked(args: list[str], fragment: str) -> None:
    from click.testing import CliRunner

    from retell_contract.cli import main

    result = CliRunner().invoke(main, ["mock", *args])
    assert result.exit_code == 2
    assert fragment in result.output


def test_mock_flags_build_the_webhook_config() -> None:
    from retell_contract.server._cli import build_config

    defaults = {
        "api_keys": ("key_a_123456789",), "agent_specs": (), "seed": None, "rate_limit": 0.0,
        "retry_after": 1,
        "payment_required_keys": (), "server_error_rate": 0.0, "latency": 0.0, "token_ttl": 30.0,
        "max_body_bytes": 1000, "control": False, "commit_then_fail_rate": 0.0, "calls_file": None,
    }  # fmt: skip
    config = build_config(
        **defaults, webhook_url="http://127.0.0.1:1/h", agent_webhook_specs=("a=http://x/y",)
    )
    assert (config.signing_key, config.webhook_url_for("a"), config.webhook_url_for("b")) == (
        "key_a_123456789",
        "http://x/y",
        "http://127.0.0.1:1/h",
    )
