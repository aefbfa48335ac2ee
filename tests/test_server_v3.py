"""Today's API on the mock: v3 connection details, get-call, version names, commit-then-fail."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from retell_contract.contracts import Agent, load_contract
from retell_contract.server import (
    GET_CALL_PATH,
    MockConfig,
    MockConfigError,
    create_app,
    mock_transport,
    served_operations,
)
from retell_contract.validation import validate_call_object
from server_support import AGENT, AUTH, CONTRACT, IN_PROCESS_URL, FakeClock, assert_error, in_process

V3 = "/v3/create-web-call"
TAGGED = Agent("agent_tagged", (1, 2, 5), published=2, tags={"prod": 5, "canary": 1})


def create_v3(client: httpx.Client, body: dict[str, Any] | None = None) -> httpx.Response:
    return client.post(V3, json={"agent_id": AGENT.agent_id} if body is None else body, headers=AUTH)


def get_call(client: httpx.Client, call_id: str) -> httpx.Response:
    return client.get(GET_CALL_PATH.format(call_id=call_id), headers=AUTH)


def test_v3_answers_connection_details_whose_expiry_is_the_token_ttl() -> None:
    clock = FakeClock(1_800_000_000.25)
    with in_process(MockConfig(clock=clock, token_ttl_seconds=45)) as (client, _):
        response = create_v3(client)
    assert response.status_code == 201
    body = response.json()
    assert list(CONTRACT.operation("create-v3").response_validators[201].iter_errors(body)) == []
    assert body["expires_at"] == int((clock.now + 45) * 1000)
    assert body["transport"] == "gateway"
    assert "call_status" not in body
    assert "agent_id" not in body
    kinds = {
        server["urls"] if isinstance(server["urls"], str) else server["urls"][0]
        for server in body["ice_servers"]
    }
    assert any(url.startswith("stun:") for url in kinds)
    turn = [
        s for s in body["ice_servers"] if isinstance(s["urls"], list) and s["urls"][0].startswith("turn:")
    ]
    assert turn
    assert turn[0]["username"]
    assert turn[0]["credential"]


def test_a_v3_call_is_visible_through_get_call_with_what_was_sent() -> None:
    sent = {
        "agent_id": AGENT.agent_id,
        "metadata": {"ticket": 7},
        "retell_llm_dynamic_variables": {"name": "Ada"},
    }
    with in_process() as (client, _):
        connection = create_v3(client, sent).json()
        call = get_call(client, connection["call_id"]).json()
    assert validate_call_object(call, level="strict", contract=CONTRACT) == []
    assert call["call_status"] == "registered"
    assert call["access_token"] == connection["access_token"]
    assert call["agent_version"] == AGENT.versions[-1]
    assert {name: call[name] for name in sent} == sent


def test_ids_are_unique_across_v2_and_v3() -> None:
    with in_process(MockConfig(seed=3)) as (client, state):
        ids = [create_v3(client).json()["call_id"] for _ in range(5)]
        ids += [client.post(CONTRACT.path, json={"agent_id": AGENT.agent_id}, headers=AUTH).json()["call_id"]]
        assert len(set(ids)) == 6 == len(state.calls())


def test_v3_errors_are_the_contracts() -> None:
    with in_process() as (client, _):
        assert_error(client.post(V3, json={"agent_id": AGENT.agent_id}), 401)
        assert_error(create_v3(client, {"agent_id": "nobody"}), 422, "no agent")
        assert_error(create_v3(client, {}), 400, "agent_id")
        assert_error(client.post(V3, content=b"{", headers={**AUTH, "Content-Type": "application/json"}), 400)


@pytest.mark.parametrize(
    ("requested", "resolved"),
    [(None, 5), ("latest", 5), ("latest_published", 2), ("prod", 5), ("canary", 1), (2, 2), (1.0, 1)],
)
def test_version_names_resolve_to_the_number_the_call_carries(requested: object, resolved: int) -> None:
    body: dict[str, Any] = {"agent_id": TAGGED.agent_id}
    if requested is not None:
        body["agent_version"] = requested
    with in_process(MockConfig(agents=(TAGGED,))) as (client, _):
        v2 = client.post(CONTRACT.path, json=body, headers=AUTH)
        v3_call = get_call(client, create_v3(client, body).json()["call_id"]).json()
    assert v2.status_code == 201, v2.text
    assert v2.json()["agent_version"] == v3_call["agent_version"] == resolved


@pytest.mark.parametrize("requested", ["staging", "LATEST", 3, 10**80, -(10**80), 1.5])
def test_unknown_versions_and_names_are_422_never_a_crash(requested: object) -> None:
    with in_process(MockConfig(agents=(TAGGED,))) as (client, _):
        for path in (CONTRACT.path, V3):
            response = client.post(
                path, json={"agent_id": TAGGED.agent_id, "agent_version": requested}, headers=AUTH
            )
            assert response.status_code in (400, 422), response.text
            if not isinstance(requested, float):
                assert_error(response, 422, "has no version")


def test_the_seed_contract_refuses_version_names_and_serves_no_v3() -> None:
    app = create_app(contract=load_contract("seed"))
    with httpx.Client(transport=mock_transport(app), base_url=IN_PROCESS_URL) as client:
        named = client.post(
            "/v2/create-web-call", json={"agent_id": AGENT.agent_id, "agent_version": "latest"}, headers=AUTH
        )
        assert named.status_code == 400
        assert "integer" in named.json()["message"]
        assert create_v3(client).status_code == 404
    assert served_operations(load_contract("seed")) == [
        ("POST", "/v2/create-web-call"),
        ("GET", GET_CALL_PATH),
    ]


def test_routes_follow_the_declared_operations() -> None:
    assert served_operations(CONTRACT) == [
        ("POST", "/v2/create-web-call"),
        ("POST", V3),
        ("GET", GET_CALL_PATH),
    ]


def test_agent_names_must_point_at_versions_it_has() -> None:
    with pytest.raises(MockConfigError, match="prod names version 9"):
        MockConfig(agents=(Agent("a", (1, 2), tags={"prod": 9}),))
    with pytest.raises(MockConfigError, match="published names version 3"):
        MockConfig(agents=(Agent("a", (1, 2), published=3),))


@pytest.mark.parametrize("path", ["/v2/create-web-call", V3])
def test_commit_then_fail_stores_the_call_and_answers_500(path: str) -> None:
    with in_process(MockConfig(commit_then_fail_rate=1.0)) as (client, state):
        response = client.post(path, json={"agent_id": AGENT.agent_id, "metadata": {"n": 1}}, headers=AUTH)
        assert_error(response, 500, "commit-then-fail")
        assert [call["metadata"] for call in state.calls()] == [{"n": 1}]


def test_commit_then_fail_rate_is_checked() -> None:
    with pytest.raises(MockConfigError, match="commit_then_fail_rate"):
        MockConfig(commit_then_fail_rate=1.5)


@pytest.mark.parametrize("seed", range(8))
def test_generated_ended_calls_are_believable_web_calls(seed: int) -> None:
    clock = FakeClock()
    with in_process(MockConfig(seed=seed, clock=clock)) as (client, state):
        call_id = create_v3(client).json()["call_id"]
        clock.advance(5)
        state.advance(call_id, "ongoing")
        clock.advance(90)
        call = state.advance(call_id, "analyzed")
    web_reasons = CONTRACT.call_field("disconnection_reason")["x-web-call-values"]
    assert call["disconnection_reason"] in web_reasons
    now_ms = int(clock.now * 1000)
    assert call["start_timestamp"] <= call["end_timestamp"] <= now_ms
    for name, value in call.items():
        if name.endswith("_timestamp"):
            assert value <= now_ms, name
    assert validate_call_object(call, level="strict", contract=CONTRACT) == []
