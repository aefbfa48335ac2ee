"""The official client (retell-sdk 4.49.0) works against the mock unchanged."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
import pytest
import retell
from retell import AsyncRetell, Retell

from retell_contract.contracts import load_contract
from retell_contract.server import (
    DEFAULT_API_KEY,
    MockConfig,
    MockServer,
    async_mock_transport,
    create_app,
    mock_transport,
)
from retell_contract.validation import validate_call_object
from server_support import AGENT, CONTRACT, IN_PROCESS_URL

ALL_PARAMS: dict[str, Any] = {
    "agent_version": 1,
    "metadata": {"customer": {"id": 42, "tags": ["vip"]}},
    "retell_llm_dynamic_variables": {"customer_name": "John Doe", "visits": 3},
}
pytestmark = pytest.mark.parametrize("strict", [False, True], ids=["loose", "strict"])

# retell-sdk 4.49 is a seed-era client: it speaks the seed contract (v2, the call object of then).
SEED = load_contract("seed")


@contextmanager
def sync_client(how: str, strict: bool, config: MockConfig | None = None, **options: Any) -> Iterator[Retell]:
    """A Retell client pointed at the mock over real HTTP or in-process."""
    options = {"api_key": DEFAULT_API_KEY, "_strict_response_validation": strict, "max_retries": 0, **options}
    if how == "http":
        with MockServer(config) as server, Retell(base_url=server.url, **options) as client:
            yield client
    else:
        http_client = httpx.Client(transport=mock_transport(create_app(config, contract=SEED)))
        with Retell(base_url=IN_PROCESS_URL, http_client=http_client, **options) as client:
            yield client


@asynccontextmanager
async def async_client(strict: bool, **options: Any) -> AsyncIterator[AsyncRetell]:
    options = {"api_key": DEFAULT_API_KEY, "_strict_response_validation": strict, "max_retries": 0, **options}
    http_client = httpx.AsyncClient(transport=async_mock_transport(create_app(contract=SEED)))
    async with AsyncRetell(base_url=IN_PROCESS_URL, http_client=http_client, **options) as client:
        yield client


def _check(call: Any, sent: dict[str, Any]) -> None:
    """The typed response holds a valid registered call echoing what was sent."""
    data = call.to_dict()
    assert validate_call_object(data, level="strict", contract=SEED) == []
    assert call.call_status == "registered"
    assert call.agent_id == AGENT.agent_id
    assert call.agent_version == sent.get("agent_version", AGENT.versions[-1])
    for name in set(CONTRACT.echoed_fields) & set(sent):
        assert data[name] == sent[name]


@pytest.mark.parametrize("how", ["http", "in-process"])
@pytest.mark.parametrize("params", [{}, ALL_PARAMS], ids=["no-params", "all-params"])
def test_sync_create_web_call(how: str, strict: bool, params: dict[str, Any]) -> None:
    with sync_client(how, strict) as client:
        call = client.call.create_web_call(agent_id=AGENT.agent_id, **params)
        _check(call, params)
        fetched = client.call.retrieve(call.call_id)
    assert fetched.call_id == call.call_id
    assert fetched.to_dict() == call.to_dict()


@pytest.mark.parametrize("params", [{}, ALL_PARAMS], ids=["no-params", "all-params"])
def test_async_create_web_call(strict: bool, params: dict[str, Any]) -> None:
    async def scenario() -> None:
        async with async_client(strict) as client:
            call = await client.call.create_web_call(agent_id=AGENT.agent_id, **params)
            _check(call, params)
            fetched = await client.call.retrieve(call.call_id)
        assert fetched.call_id == call.call_id

    asyncio.run(scenario())


@pytest.mark.parametrize("how", ["http", "in-process"])
def test_sync_typed_errors(how: str, strict: bool) -> None:
    with sync_client(how, strict, api_key="wrong_key") as client, pytest.raises(retell.AuthenticationError):
        client.call.create_web_call(agent_id=AGENT.agent_id)
    with sync_client(how, strict) as client:
        with pytest.raises(retell.UnprocessableEntityError) as caught:
            client.call.create_web_call(agent_id="no_such_agent")
        assert caught.value.status_code == 422
        with pytest.raises(retell.UnprocessableEntityError):
            client.call.create_web_call(agent_id=AGENT.agent_id, agent_version=5)
        with pytest.raises(retell.NotFoundError):
            client.call.retrieve("no_such_call")


def test_async_typed_errors(strict: bool) -> None:
    async def scenario() -> None:
        async with async_client(strict, api_key="wrong_key") as client:
            with pytest.raises(retell.AuthenticationError):
                await client.call.create_web_call(agent_id=AGENT.agent_id)
        async with async_client(strict) as client:
            with pytest.raises(retell.UnprocessableEntityError):
                await client.call.create_web_call(agent_id="no_such_agent")

    asyncio.run(scenario())


def test_injected_faults_reach_the_client_as_typed_errors(strict: bool) -> None:
    with sync_client("in-process", strict, MockConfig(rate_limit_rate=1.0)) as client:
        with pytest.raises(retell.RateLimitError) as caught:
            client.call.create_web_call(agent_id=AGENT.agent_id)
        assert caught.value.response.headers["retry-after"] == "1"
    failing = MockConfig(server_error_rate=1.0)
    with sync_client("in-process", strict, failing) as client, pytest.raises(retell.InternalServerError):
        client.call.create_web_call(agent_id=AGENT.agent_id)
    config = MockConfig(payment_required_keys=(DEFAULT_API_KEY,), api_keys=("other",))
    with sync_client("in-process", strict, config) as client:
        with pytest.raises(retell.APIStatusError) as status_error:
            client.call.create_web_call(agent_id=AGENT.agent_id)
        assert status_error.value.status_code == 402


def test_client_reads_a_generated_ended_call(strict: bool) -> None:
    app = create_app(MockConfig(seed=2), contract=SEED)
    http_client = httpx.Client(transport=mock_transport(app))
    with Retell(
        api_key=DEFAULT_API_KEY,
        base_url=IN_PROCESS_URL,
        http_client=http_client,
        _strict_response_validation=strict,
    ) as client:
        call = client.call.create_web_call(agent_id=AGENT.agent_id, metadata={"ticket": 5})
        app.state.mock.advance(call.call_id, "analyzed")
        fetched = client.call.retrieve(call.call_id)
    assert fetched.call_status == "ended"
    assert fetched.transcript
    assert fetched.call_analysis is not None
    assert fetched.metadata == {"ticket": 5}


def test_seed_era_client_creates_on_todays_mock(strict: bool) -> None:
    """4.49 (v2) against today's contract: a registered call has only fields 4.49 knows."""
    http_client = httpx.Client(transport=mock_transport(create_app(contract=CONTRACT)))
    with Retell(
        api_key=DEFAULT_API_KEY,
        base_url=IN_PROCESS_URL,
        http_client=http_client,
        _strict_response_validation=strict,
    ) as client:
        call = client.call.create_web_call(agent_id=AGENT.agent_id, metadata={"ticket": 5})
        fetched = client.call.retrieve(call.call_id)
    assert call.call_status == "registered"
    assert call.agent_version == AGENT.versions[-1]
    assert fetched.to_dict() == call.to_dict()
    assert validate_call_object(call.to_dict(), level="strict", contract=CONTRACT) == []


@pytest.mark.parametrize("seed", range(3))
def test_seed_era_client_meets_todays_ended_calls_as_drift(strict: bool, seed: int) -> None:
    """Today's ended calls carry what 4.49 never knew: its strict mode refuses them (real drift)."""
    app = create_app(MockConfig(seed=seed), contract=CONTRACT)
    http_client = httpx.Client(transport=mock_transport(app))
    with Retell(
        api_key=DEFAULT_API_KEY,
        base_url=IN_PROCESS_URL,
        http_client=http_client,
        _strict_response_validation=strict,
        max_retries=0,
    ) as client:
        call = client.call.create_web_call(agent_id=AGENT.agent_id)
        app.state.mock.advance(call.call_id, "analyzed")
        if strict:
            with pytest.raises(retell.APIResponseValidationError):
                client.call.retrieve(call.call_id)
        else:
            assert client.call.retrieve(call.call_id).call_status == "ended"
