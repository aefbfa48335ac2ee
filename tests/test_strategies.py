"""Valid request bodies and call objects, checked by validators independent of the code."""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from retell.types import WebCallResponse

from retell_contract.consistency import STATUS_STAGES
from retell_contract.contracts import Agent, load_contract
from retell_contract.strategies import call_objects, call_states, request_bodies, sample
from retell_contract.validation import validate_call_object

# The official model here is retell-sdk 4.49's: the seed era's call object.
CONTRACT = load_contract("seed")
REQUEST_SCHEMA = jsonschema_rs.validator_for(CONTRACT.request_schema)
CALL_SCHEMA = jsonschema_rs.validator_for(CONTRACT.call_object_schema)
AGENTS = (Agent("agent_a", (1, 2, 7)), Agent("agent_b", ()))


def as_json(value: Any) -> Any:
    """What a server would see: strict JSON, UTF-8 encoded, parsed back."""
    return json.loads(json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8"))


@given(request_bodies(contract=CONTRACT))
def test_bodies_pass_the_contract_for_the_default_agent(body):
    assert REQUEST_SCHEMA.is_valid(body), list(REQUEST_SCHEMA.iter_errors(body))
    assert as_json(body) == body
    agent = CONTRACT.default_agent
    assert body["agent_id"] == agent.agent_id
    assert body.get("agent_version", agent.versions[0]) in agent.versions


@given(
    request_bodies(
        contract=CONTRACT, agents=AGENTS, include=["agent_version", "retell_llm_dynamic_variables"]
    )
)
def test_bodies_use_only_the_given_agents_versions_and_fields(body):
    assert REQUEST_SCHEMA.is_valid(body)
    assert set(body) <= {"agent_id", "agent_version", "retell_llm_dynamic_variables"}
    versions = {a.agent_id: a.versions for a in AGENTS}[body["agent_id"]]
    assert body.get("agent_version", versions[0] if versions else None) in (*versions, None)
    if not versions:
        assert "agent_version" not in body


def _json_types(value: Any) -> set[str]:
    return {type(v).__name__ for v in value.values()}


def test_bodies_cover_the_corners_that_break_servers():
    """Across independent draws (seeded, so this test is deterministic), every corner shows up."""
    seen: set[str] = set()
    for seed in range(300):
        body = sample(request_bodies(contract=CONTRACT), seed=seed)
        variables = body.get("retell_llm_dynamic_variables", {})
        metadata = body.get("metadata")
        seen.update(f"dynamic:{kind}" for kind in _json_types(variables))
        if metadata == {}:
            seen.add("empty metadata")
        if metadata is not None and _depth(metadata) >= 10:
            seen.add("deep metadata")
        if len(json.dumps(body, ensure_ascii=False)) > 2_000:
            seen.add("long string")
        if any(abs(n) > 2**53 for n in _integers(body)):
            seen.add("large integer")
        if any(not k.isascii() or not k.isalnum() for k in [*variables, *(metadata or {})]):
            seen.add("odd key")
        if "agent_version" not in body:
            seen.add("no agent_version")
    # Today's clients type dynamic variables string to string: values are strings, odd ones.
    dynamic = {"dynamic:str"}
    corners = {
        "empty metadata",
        "deep metadata",
        "long string",
        "large integer",
        "odd key",
        "no agent_version",
    }
    assert seen >= corners | dynamic
    assert {kind for kind in seen if kind.startswith("dynamic:")} == dynamic


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


def _integers(value: Any) -> list[int]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [n for child in children for n in _integers(child)]


@given(call_objects(contract=CONTRACT))
def test_call_objects_pass_the_contract_strict_checks_and_the_official_model(call):
    assert CALL_SCHEMA.is_valid(call), list(CALL_SCHEMA.iter_errors(call))
    assert validate_call_object(call, level="strict", contract=CONTRACT) == []
    assert as_json(call) == call
    parsed = WebCallResponse.model_validate(call)
    assert parsed.call_id == call["call_id"]
    assert parsed.call_status == call["call_status"]


@pytest.mark.parametrize("state", call_states(contract=CONTRACT))
def test_each_state_follows_the_lifecycle(state):
    @given(call_objects(contract=CONTRACT, states=[state]))
    def check(call):
        assert call["call_status"] == state
        present = {name for name, value in call.items() if value is not None}
        stage = STATUS_STAGES[state]
        if stage != "ended":
            assert not present & set(CONTRACT.post_call_fields)
        if stage == "created":
            assert not present & set(CONTRACT.started_call_fields)
        if {"start_timestamp", "end_timestamp", "duration_ms"} <= present:
            assert call["duration_ms"] == call["end_timestamp"] - call["start_timestamp"] >= 0
        assert validate_call_object(call, level="strict", contract=CONTRACT) == []

    check()


@given(call_objects(contract=CONTRACT, states=["error"]))
def test_error_calls_end_with_an_error_reason(call):
    reason = call.get("disconnection_reason")
    assert reason is None or (reason.startswith("error_") and reason in CONTRACT.enum("disconnection_reason"))
    if reason == "error_user_not_joined":
        assert "start_timestamp" not in call
        assert "transcript_object" not in call


def test_error_calls_include_users_who_never_joined_and_mid_call_failures():
    calls = [sample(call_objects(contract=CONTRACT, states=["error"]), seed=seed) for seed in range(60)]
    never_joined = [c for c in calls if c.get("disconnection_reason") == "error_user_not_joined"]
    failed_mid_call = [c for c in calls if "start_timestamp" in c]
    assert never_joined
    assert failed_mid_call


@pytest.mark.parametrize("analysed", [True, False])
def test_analysed_forces_call_analysis_on_or_off(analysed):
    @given(call_objects(contract=CONTRACT, states=["ended"], analysed=analysed))
    def check(call):
        assert ("call_analysis" in call) is analysed

    check()


@given(call_objects(contract=CONTRACT, states=["ended"], analysed=True, agents=AGENTS))
def test_ended_calls_agree_with_themselves(call):
    agent = {a.agent_id: a for a in AGENTS}[call["agent_id"]]
    if agent.versions:
        assert call["agent_version"] in agent.versions
    for metric in call.get("latency", {}).values():
        values = metric.get("values", [])
        if "num" in metric and "values" in metric:
            assert metric["num"] == len(values)
        ordered = [metric[k] for k in ("min", "p50", "p90", "p95", "p99", "max") if k in metric]
        assert ordered == sorted(ordered)
        assert all(metric.get("min", v) <= v <= metric.get("max", v) for v in values)
    if "transcript" in call and "transcript_object" in call:
        lines = [f"{u['role'].capitalize()}: {u['content']}" for u in call["transcript_object"]]
        assert call["transcript"] == "\n".join(lines).replace("Transfer_target", "Transfer target")
    for items in (
        call.get("transcript_with_tool_calls", []),
        call.get("scrubbed_transcript_with_tool_calls", []),
    ):
        invoked = []
        for item in items:
            if item["role"] == "tool_call_invocation":
                invoked.append(item["tool_call_id"])
                json.loads(item["arguments"])
            elif item["role"] == "tool_call_result":
                assert item["tool_call_id"] in invoked


def test_every_state_and_enum_value_appears():
    seen: dict[str, set[Any]] = {"call_status": set(), "data_storage_setting": set(), "user_sentiment": set()}
    for seed in range(120):
        call = sample(
            call_objects(contract=CONTRACT, states=["ended"], analysed=True)
            | call_objects(contract=CONTRACT),
            seed=seed,
        )
        seen["call_status"].add(call["call_status"])
        seen["data_storage_setting"].add(call.get("data_storage_setting", "absent"))
        seen["user_sentiment"].add(call.get("call_analysis", {}).get("user_sentiment", "absent"))
    assert seen["call_status"] == set(call_states(contract=CONTRACT))
    assert seen["data_storage_setting"] >= {*CONTRACT.enum("data_storage_setting"), None}
    assert seen["user_sentiment"] >= set(CONTRACT.enum("call_analysis", "user_sentiment"))


# -- argument checking ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "error", "names"),
    [
        (lambda: request_bodies(include=["metadata", "colour"]), ValueError, "'colour'"),
        (lambda: request_bodies(include="metadata"), TypeError, "'metadata'"),
        (lambda: request_bodies(include=[]), ValueError, "include"),
        (lambda: request_bodies(agents=[]), ValueError, "agents"),
        (lambda: request_bodies(agents=Agent("a", (1,))), TypeError, "Agent(agent_id='a'"),
        (lambda: request_bodies(agents=["agent_a"]), TypeError, "'agent_a'"),
        (lambda: request_bodies(agents=[Agent("", (1,))]), ValueError, "''"),
        (lambda: request_bodies(agents=[Agent("a", (1, True))]), ValueError, "(1, True)"),
        (lambda: request_bodies(contract="contract.yaml"), TypeError, "'contract.yaml'"),
        (lambda: call_objects(states=["ended", "paused"]), ValueError, "'paused'"),
        (lambda: call_objects(states=[]), ValueError, "states"),
        (lambda: call_objects(analysed="yes"), TypeError, "'yes'"),
        (lambda: call_objects(states=["registered"], analysed=True), ValueError, "analysed=True"),
        (lambda: call_objects(agents=[None]), TypeError, "None"),
    ],
)
def test_bad_arguments_fail_when_the_strategy_is_built(build, error, names):
    with pytest.raises(error) as raised:
        build()
    assert names in str(raised.value)
    assert "\n" not in str(raised.value)


@given(st.data())
def test_strategies_compose_with_other_strategies(data):
    body = data.draw(request_bodies(include=["metadata"]))
    call = data.draw(call_objects(states=["registered"]))
    assert set(body) <= {"agent_id", "agent_version", "metadata"}
    assert call["call_status"] == "registered"
