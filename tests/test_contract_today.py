"""Today's contract: three operations, their standing, and the loader's choice of contract."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from retell_contract.contracts import CREATE_V2, CREATE_V3, GET_CALL, Agent, load_contract
from retell_contract.errors import ContractError, UsageError

TODAY = load_contract()


def test_today_declares_v2_v3_and_get_call():
    assert TODAY.operation_names == (CREATE_V2, CREATE_V3, GET_CALL)
    assert [(op.method, op.path) for op in TODAY.operations] == [
        ("POST", "/v2/create-web-call"),
        ("POST", "/v3/create-web-call"),
        ("GET", "/v2/get-call/{call_id}"),
    ]
    assert TODAY.operation(GET_CALL).status_codes == (200, 401, 404, 429, 500)
    assert TODAY.operation(GET_CALL).request_schema is None


def test_v2_is_deprecated_in_favour_of_v3():
    v2, v3 = TODAY.operation(CREATE_V2), TODAY.operation(CREATE_V3)
    assert (v2.deprecated, v2.sunset, v2.successor) == (True, "2026-09-30", CREATE_V3)
    assert (v3.deprecated, v3.successor) == (False, None)
    assert v2.request_schema == v3.request_schema


def test_v3_answers_connection_details_only():
    schema = TODAY.connection_schema
    assert set(schema["required"]) == {"access_token", "call_id", "expires_at", "ice_servers", "transport"}
    assert not {"agent_id", "agent_version", "call_status"} & set(schema["properties"])
    ice = {"urls": ["stun:a.example:3478"]}
    jsonschema.validate(
        {"access_token": "t", "call_id": "c", "expires_at": 1, "ice_servers": [ice], "transport": "gateway"},
        schema,
    )
    with pytest.raises(jsonschema.ValidationError, match="does not match"):
        jsonschema.validate({"urls": "http://a.example"}, schema["properties"]["ice_servers"]["items"])


def test_agent_version_takes_a_number_or_a_name():
    schema = TODAY.request_field("agent_version")
    for good in (1, 10**30, "latest", "latest_published", "prod"):
        jsonschema.validate(good, schema)
    for bad in ("", True, 1.5, None, [1]):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
    assert TODAY.call_field("agent_version")["type"] == "integer"


def test_request_has_todays_fields_and_keeps_dynamic_variables_open():
    properties = TODAY.request_schema["properties"]
    assert {"agent_override", "current_node_id", "current_state"} <= set(properties)
    # Non-string values were documented as accepted: the contract never calls them invalid.
    jsonschema.validate({"agent_id": "a", "retell_llm_dynamic_variables": {"n": 1}}, TODAY.request_schema)
    assert TODAY.call_field("collected_dynamic_variables")["additionalProperties"] == {"type": "string"}


def test_web_calls_have_a_subset_of_the_shared_disconnection_reasons():
    every = TODAY.enum("disconnection_reason")
    assert len(every) == 39
    web = TODAY.web_call_reasons
    assert set(web) < set(every)
    assert not {"dial_failed", "dial_busy", "invalid_destination", "sip_routing_error"} & set(web)
    assert {"user_hangup", "agent_hangup", "error_user_not_joined"} <= set(web)
    seed = load_contract("seed")
    assert seed.web_call_reasons == seed.enum("disconnection_reason")  # no x-web-call-values there


def test_call_object_follows_sdk_6():
    properties = TODAY.call_object_schema["properties"]
    added = {
        "agent_name",
        "agent_tag",
        "transfer_destination",
        "transfer_end_timestamp",
        "pre_session_transcript_with_tool_calls",
        "post_session_transcript_with_tool_calls",
    }
    assert added <= set(properties)
    roles = [
        v["properties"]["role"]["enum"][0]
        for v in TODAY.call_field("transcript_with_tool_calls")["items"]["oneOf"]
    ]
    assert roles == [
        "agent",
        "tool_call_invocation",
        "tool_call_result",
        "node_transition",
        "dtmf",
        "sms",
        "injected",
    ]
    assert "asr" in TODAY.call_field("latency")["properties"]


def test_built_in_contracts_by_name_and_files_first(tmp_path, monkeypatch):
    seed = load_contract("seed")
    assert seed.operation_names == (CREATE_V2,)
    assert load_contract("today") is TODAY
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seed").write_text("just some notes\n")  # a file of that name wins
    with pytest.raises(ContractError, match="seed: not an OpenAPI document"):
        load_contract("seed")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("nowhere.yaml", r"nowhere.yaml: contract file not found \(built-in contracts: today, seed\)"),
        (".", r"\.: is a directory, not a contract file"),
    ],
)
def test_bad_contract_paths_are_one_line_errors(path, message):
    with pytest.raises(ContractError, match=message):
        load_contract(path)


def test_operation_lookup_names_what_there_is():
    with pytest.raises(ContractError, match=r"no 'create-v3' operation \(it declares create-v2\)"):
        load_contract("seed").operation(CREATE_V3)
    assert TODAY.operation_for("GET", "/v2/get-call/abc").name == GET_CALL
    assert TODAY.operation_for("GET", "/v2/get-call/") is None
    assert TODAY.operation_for("POST", "/v3/create-web-call/").name == CREATE_V3
    assert TODAY.operation(GET_CALL).url_path(call_id="a/b c") == "/v2/get-call/a%2Fb%20c"


def test_a_successor_that_is_not_declared_is_a_contract_error(tmp_path):
    text = Path("src/retell_contract/contracts/today.openapi.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "c.yaml"
    broken.write_text(text.replace("x-successor: createWebCallV3", "x-successor: createWebCallV9"))
    with pytest.raises(ContractError, match="x-successor 'createWebCallV9'"):
        load_contract(broken)


def test_agents_resolve_version_names():
    agent = Agent.from_spec("ag:1,2,5:published=2,prod=5")
    assert [
        agent.resolve(v) for v in (None, "latest", "latest_published", "prod", 2, 3, "x", True, 10**80)
    ] == [5, 5, 2, 5, 2, None, None, None, None]
    assert agent.version_names == ("latest", "latest_published", "prod")
    assert Agent("a", (1, 3)).resolve("latest_published") == 3
    for spec, message in [
        ("a:1:prod=4", "version 4, which the agent"),
        ("a:1:prod", "not NAME=VERSION"),
        ("a:1:latest=1", "cannot be a tag"),
    ]:
        with pytest.raises(UsageError, match=message):
            Agent.from_spec(spec)
