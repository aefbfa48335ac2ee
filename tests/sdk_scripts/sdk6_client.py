"""retell-sdk 6.2.13 (strict) against the mock; run by tests/test_server_sdk6.py in the 6.2.13 venv.

Usage: sdk6_client.py URL | in-process. Prints one JSON line: the ids of the calls it created.
Any failed expectation raises (non-zero exit, traceback on stderr).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable
from typing import Any

sys.path.extend(os.environ["RETELL_CONTRACT_PATHS"].split(os.pathsep))

import httpx
import retell
from retell import AsyncRetell, Retell
from retell.types import CreateWebCallResponse

from retell_contract.contracts import Agent, load_contract
from retell_contract.server import (
    DEFAULT_API_KEY,
    MockConfig,
    async_mock_transport,
    create_app,
    mock_transport,
)

assert retell.__version__ == "6.2.13", retell.__version__
AGENT = Agent("agent_today", (1, 2, 5), published=2, tags={"prod": 5})
CONFIG = MockConfig(agents=(AGENT,), control=True, seed=11)
SENT: dict[str, Any] = {"metadata": {"crm": {"id": 42}}, "retell_llm_dynamic_variables": {"name": "Ada"}}
ENDED_SAMPLES = 4
created: list[str] = []


def check_connection(connection: Any) -> None:
    assert isinstance(connection, CreateWebCallResponse)
    assert connection.transport == "gateway"
    assert connection.expires_at > 10**12  # milliseconds
    assert connection.ice_servers
    created.append(connection.call_id)


def check_registered(call: Any, connection: Any, version: int) -> None:
    assert call.call_id == connection.call_id
    assert call.call_type == "web_call"
    assert call.call_status == "registered"
    assert call.agent_id == AGENT.agent_id
    assert call.agent_version == version
    assert call.access_token == connection.access_token
    assert call.metadata == SENT["metadata"]
    assert call.retell_llm_dynamic_variables == SENT["retell_llm_dynamic_variables"]


def advance(client: httpx.Client, call_id: str, seed: int) -> None:
    response = client.post(f"/_mock/calls/{call_id}/advance", json={"to": "analyzed", "seed": seed})
    assert response.status_code == 200, response.text


def sync_run(base_url: str, http_client: Callable[[], httpx.Client | None], control: httpx.Client) -> None:
    """``http_client`` makes a client per Retell client (leaving a Retell block closes it)."""
    options: dict[str, Any] = {"base_url": base_url, "_strict_response_validation": True, "max_retries": 0}
    with Retell(api_key=DEFAULT_API_KEY, http_client=http_client(), **options) as client:
        for requested, version in [(None, 5), ("latest_published", 2), ("prod", 5), (1, 1)]:
            extra = {} if requested is None else {"agent_version": requested}
            connection = client.call.create_web_call(agent_id=AGENT.agent_id, **extra, **SENT)
            check_connection(connection)
            check_registered(client.call.retrieve(connection.call_id), connection, version)
        for seed in range(ENDED_SAMPLES):  # generated ended calls parse in strict mode
            connection = client.call.create_web_call(agent_id=AGENT.agent_id)
            check_connection(connection)
            advance(control, connection.call_id, seed)
            ended = client.call.retrieve(connection.call_id)
            assert ended.call_status == "ended"
            assert ended.call_analysis is not None
        for bad in [{"agent_id": "no_such_agent"}, {"agent_id": AGENT.agent_id, "agent_version": "staging"}]:
            try:
                client.call.create_web_call(**bad)
            except retell.UnprocessableEntityError:
                pass
            else:
                raise AssertionError(f"{bad} was accepted")
        try:
            client.call.retrieve("no_such_call")
        except retell.NotFoundError:
            pass
        else:
            raise AssertionError("an unknown id was found")
    with Retell(api_key="wrong_key", http_client=http_client(), **options) as client:
        for attempt in (
            lambda: client.call.create_web_call(agent_id=AGENT.agent_id),
            lambda: client.call.retrieve("x"),
        ):
            try:
                attempt()
            except retell.AuthenticationError:
                pass
            else:
                raise AssertionError("a wrong key was accepted")


async def async_run(base_url: str, http_client: Callable[[], httpx.AsyncClient | None]) -> None:
    options: dict[str, Any] = {"base_url": base_url, "_strict_response_validation": True, "max_retries": 0}
    async with AsyncRetell(api_key=DEFAULT_API_KEY, http_client=http_client(), **options) as client:
        connection = await client.call.create_web_call(agent_id=AGENT.agent_id, agent_version="prod", **SENT)
        check_connection(connection)
        check_registered(await client.call.retrieve(connection.call_id), connection, 5)
        try:
            await client.call.create_web_call(agent_id=AGENT.agent_id, agent_version="nope")
        except retell.UnprocessableEntityError:
            pass
        else:
            raise AssertionError("an unknown version name was accepted")
        try:
            await client.call.retrieve("no_such_call")
        except retell.NotFoundError:
            pass
        else:
            raise AssertionError("an unknown id was found")
    async with AsyncRetell(api_key="wrong_key", http_client=http_client(), **options) as client:
        try:
            await client.call.create_web_call(agent_id=AGENT.agent_id)
        except retell.AuthenticationError:
            pass
        else:
            raise AssertionError("a wrong key was accepted")


def duplicates(base_url: str) -> None:
    """One create_web_call, answered 500 after the commit and retried once: two calls exist."""
    with Retell(api_key=DEFAULT_API_KEY, base_url=base_url, max_retries=1) as client:
        try:
            client.call.create_web_call(agent_id=AGENT.agent_id, metadata={"order": 1})
        except retell.InternalServerError:
            pass
        else:
            raise AssertionError("the commit-then-fail fault did not fail")


def main() -> None:
    where = sys.argv[1]
    auth = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
    if len(sys.argv) > 2 and sys.argv[2] == "duplicates":
        duplicates(where)
    elif where == "in-process":
        app = create_app(CONFIG, contract=load_contract())
        url = "http://mock.test"
        with httpx.Client(transport=mock_transport(app), base_url=url, headers=auth) as control:
            sync_run(url, lambda: httpx.Client(transport=mock_transport(app)), control)
        asyncio.run(async_run(url, lambda: httpx.AsyncClient(transport=async_mock_transport(app))))
        stored = {call["call_id"] for call in app.state.mock.calls()}
        assert set(created) <= stored, set(created) - stored
    else:
        with httpx.Client(base_url=where, headers=auth) as control:
            sync_run(where, lambda: None, control)
        asyncio.run(async_run(where, lambda: None))
    print(json.dumps({"created": created}))


if __name__ == "__main__":
    main()
