"""The mock's create-web-call and get-call rules, in-process."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retell_contract.contracts import Agent
from retell_contract.server import GET_CALL_PATH, MockConfig
from retell_contract.validation import validate_call_object
from server_support import AGENT, AUTH, CONTRACT, CREATE, assert_error, create, in_process

GET_CALL = GET_CALL_PATH.replace("{call_id}", "")
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def test_created_call_is_a_registered_web_call_without_post_call_fields() -> None:
    with in_process() as (client, _):
        response = create(client)
    assert response.status_code == CONTRACT.success_status
    assert response.headers["content-type"] == "application/json"
    call = response.json()
    assert validate_call_object(call, level="strict") == []
    assert call["call_type"] == CONTRACT.enum("call_type")[0]
    assert call["call_status"] == "registered"
    assert call["agent_id"] == AGENT.agent_id
    assert call["agent_version"] == AGENT.versions[-1]
    assert not set(call) & {*CONTRACT.post_call_fields, *CONTRACT.started_call_fields}
    assert "metadata" not in call  # not sent, so not echoed


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(
    metadata=st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=5),
    variables=st.dictionaries(st.text(max_size=10), st.text() | JSON_VALUES, max_size=5),
)
def test_echoes_metadata_and_dynamic_variables_exactly(
    metadata: dict[str, Any], variables: dict[str, Any]
) -> None:
    body = {"agent_id": AGENT.agent_id, "metadata": metadata, "retell_llm_dynamic_variables": variables}
    with in_process() as (client, _):
        call = create(client, body).json()
    assert call["metadata"] == metadata
    assert call["retell_llm_dynamic_variables"] == variables
    for name in set(CONTRACT.echoed_fields) & set(body):
        assert call[name] == body[name]


def test_lone_surrogate_is_echoed_as_an_escape() -> None:
    with in_process() as (client, _):
        response = client.post(
            CREATE,
            content=b'{"agent_id": "%s", "metadata": {"s": "\\ud800"}}' % AGENT.agent_id.encode(),
            headers={**AUTH, "Content-Type": "application/json"},
        )
    assert response.status_code == 201
    assert b'"\\ud800"' in response.content


def test_requested_version_is_used_and_latest_is_the_default() -> None:
    agent = Agent("agent_with_versions", (0, 3, 7))
    with in_process(MockConfig(agents=(agent,))) as (client, _):
        latest = create(client, {"agent_id": agent.agent_id}).json()
        chosen = create(client, {"agent_id": agent.agent_id, "agent_version": 3}).json()
    assert latest["agent_version"] == 7
    assert chosen["agent_version"] == 3


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"agent_id": "no_such_agent"}, "no agent 'no_such_agent'"),
        ({"agent_id": AGENT.agent_id, "agent_version": 99}, "has no version 99"),
        ({"agent_id": AGENT.agent_id, "agent_version": 10**80}, "has no version"),
    ],
)
def test_unknown_agent_or_version_is_422(body: dict[str, Any], detail: str) -> None:
    with in_process() as (client, state):
        assert_error(create(client, body), 422, detail)
        assert state.calls() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "agent_id: required field 'agent_id' is missing"),
        ({"agent_id": ""}, "agent_id:"),
        ({"agent_id": 5}, "agent_id:"),
        ({"agent_id": AGENT.agent_id, "agent_version": ""}, "agent_version:"),
        ({"agent_id": AGENT.agent_id, "agent_version": 1.5}, "agent_version:"),
        ({"agent_id": AGENT.agent_id, "agent_version": True}, "agent_version:"),
        ({"agent_id": AGENT.agent_id, "metadata": []}, "metadata:"),
        ({"agent_id": AGENT.agent_id, "retell_llm_dynamic_variables": "x"}, "retell_llm_dynamic_variables:"),
    ],
)
def test_schema_violation_is_400_naming_the_field(body: dict[str, Any], field: str) -> None:
    with in_process() as (client, _):
        assert_error(create(client, body), 400, field)


def test_unknown_request_fields_are_accepted_as_the_real_api_does() -> None:
    with in_process() as (client, _):
        response = create(client, {"agent_id": AGENT.agent_id, "current_node_id": "n1"})
    assert response.status_code == 201


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic key_retell_contract_test",
        "Bearer wrong",
        "Token x",
        "key_retell",
    ],
)
def test_missing_malformed_or_wrong_key_is_401(authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    with in_process() as (client, state):
        response = client.post(CREATE, json={"agent_id": AGENT.agent_id}, headers=headers)
        assert_error(response, 401)
        assert state.calls() == []


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "BeArEr"])
def test_bearer_scheme_is_case_insensitive(scheme: str) -> None:
    with in_process(MockConfig(api_keys=("k1", "k2"))) as (client, _):
        response = client.post(
            CREATE, json={"agent_id": AGENT.agent_id}, headers={"Authorization": f"{scheme} k2"}
        )
    assert response.status_code == 201


def test_ids_and_tokens_are_fresh_and_unique() -> None:
    with in_process() as (client, _):
        calls = [create(client).json() for _ in range(50)]
    assert len({call["call_id"] for call in calls}) == 50
    assert len({call["access_token"] for call in calls}) == 50


def test_seed_makes_ids_reproducible() -> None:
    def ids(seed: int | None) -> list[tuple[str, str]]:
        with in_process(MockConfig(seed=seed)) as (client, _):
            return [(c["call_id"], c["access_token"]) for c in (create(client).json() for _ in range(3))]

    assert ids(7) == ids(7)
    assert ids(7) != ids(8)
    assert ids(None) != ids(None)


def test_extra_call_fields_are_merged_into_every_call_object() -> None:
    config = MockConfig(extra_call_fields={"new_field": {"x": 1}}, control=True)
    with in_process(config) as (client, _):
        created = create(client).json()
        fetched = client.get(GET_CALL + created["call_id"], headers=AUTH).json()
    assert created["new_field"] == fetched["new_field"] == {"x": 1}


def test_get_call_returns_the_stored_call() -> None:
    with in_process() as (client, _):
        created = create(client, {"agent_id": AGENT.agent_id, "metadata": {"order": 17}}).json()
        response = client.get(GET_CALL + created["call_id"], headers=AUTH)
    assert response.status_code == 200
    assert response.json() == created


def test_get_call_needs_a_key_and_an_existing_id() -> None:
    with in_process() as (client, _):
        call_id = create(client).json()["call_id"]
        assert_error(client.get(GET_CALL + call_id), 401, operation="get-call")
        missing = client.get(GET_CALL + "missing", headers=AUTH)
        assert_error(missing, 404, "Call not found", "no call with this id", operation="get-call")


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_other_methods_on_the_path_are_405_with_allow(method: str) -> None:
    with in_process() as (client, _):
        response = client.request(method, CREATE, headers=AUTH)
    assert_error(response, 405, method)
    assert response.headers["allow"] == CONTRACT.method


@pytest.mark.parametrize("path", ["/", "/v2/create-web-call/", "/v3/create-web-call/", "/_mock/calls"])
def test_unknown_paths_are_json_404(path: str) -> None:
    with in_process() as (client, _):
        assert_error(client.post(path, json={}, headers=AUTH), 404, path)


def test_python_level_state_returns_copies() -> None:
    with in_process() as (client, state):
        call_id = create(client, {"agent_id": AGENT.agent_id, "metadata": {"a": [1]}}).json()["call_id"]
        fetched = state.get_call(call_id)
        assert fetched is not None
        fetched["metadata"]["a"].append(2)
        assert client.get(GET_CALL + call_id, headers=AUTH).json()["metadata"] == {"a": [1]}
