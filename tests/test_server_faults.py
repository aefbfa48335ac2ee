"""Injected faults for client testing: 402 per key, 429 with Retry-After, 500, latency."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from retell_contract.server import MockConfig, async_mock_transport, create_app
from server_support import AGENT, AUTH, CREATE, IN_PROCESS_URL, assert_error, create, in_process


def test_rate_limit_answers_429_with_retry_after() -> None:
    with in_process(MockConfig(rate_limit_rate=1.0, retry_after=7)) as (client, state):
        response = create(client)
        assert_error(response, 429, "injected")
        assert response.headers["retry-after"] == "7"
        assert state.calls() == []


def test_server_error_rate_answers_500() -> None:
    with in_process(MockConfig(server_error_rate=1.0)) as (client, _):
        assert_error(create(client), 500, "injected")


def test_payment_required_key_answers_402_and_other_keys_work() -> None:
    config = MockConfig(payment_required_keys=("unpaid_key",))
    with in_process(config) as (client, _):
        assert_error(create(client, Authorization="Bearer unpaid_key"), 402)
        assert create(client).status_code == 201


def test_faults_come_after_authentication() -> None:
    with in_process(MockConfig(rate_limit_rate=1.0, server_error_rate=1.0)) as (client, _):
        assert_error(client.post(CREATE, json={"agent_id": AGENT.agent_id}), 401)


def test_partial_rates_mix_outcomes_reproducibly_with_a_seed() -> None:
    def statuses(seed: int) -> list[int]:
        config = MockConfig(seed=seed, rate_limit_rate=0.3, server_error_rate=0.3)
        with in_process(config) as (client, _):
            return [create(client).status_code for _ in range(60)]

    first = statuses(11)
    assert set(first) == {201, 429, 500}
    assert statuses(11) == first
    assert statuses(12) != first


def test_zero_rates_inject_nothing() -> None:
    with in_process(MockConfig(seed=1, rate_limit_rate=0.0, server_error_rate=0.0)) as (client, _):
        assert {create(client).status_code for _ in range(30)} == {201}


def test_latency_holds_the_answer_back() -> None:
    async def scenario() -> tuple[bool, int]:
        slow = create_app(MockConfig(latency_seconds=30.0))
        fast = create_app(MockConfig(latency_seconds=0.0))
        async with (
            httpx.AsyncClient(transport=async_mock_transport(slow), base_url=IN_PROCESS_URL) as slow_client,
            httpx.AsyncClient(transport=async_mock_transport(fast), base_url=IN_PROCESS_URL) as fast_client,
        ):
            body = {"agent_id": AGENT.agent_id}
            pending = asyncio.ensure_future(slow_client.post(CREATE, json=body, headers=AUTH))
            answered = await fast_client.post(CREATE, json=body, headers=AUTH)
            await asyncio.sleep(0.05)
            still_waiting = not pending.done()
            pending.cancel()
            return still_waiting, answered.status_code

    still_waiting, fast_status = asyncio.run(scenario())
    assert still_waiting
    assert fast_status == 201


def test_an_unexpected_failure_is_a_json_500_and_the_mock_keeps_serving(
    caplog: pytest.LogCaptureFixture,
) -> None:
    failures = [RuntimeError("clock broke")]

    def flaky_clock() -> float:
        if failures:
            raise failures.pop()
        return 1_700_000_000.0

    with in_process(MockConfig(clock=flaky_clock)) as (client, _):
        assert_error(create(client), 500)
        assert create(client).status_code == 201
    assert "clock broke" in caplog.text
