"""validate_call_object and validate_request_body: every problem, values shown as JSON."""

from __future__ import annotations

from retell_contract.contracts import load_contract
from retell_contract.validation import validate_call_object, validate_request_body
from server_support import assert_error, create, in_process

CONTRACT = load_contract()


def test_every_missing_required_field_is_reported() -> None:
    missing = {v.path for v in validate_call_object({}) if v.rule == "schema.required"}
    assert missing == set(CONTRACT.required_call_fields)
    assert len(missing) > 1


def test_every_missing_field_of_a_nested_object_is_reported() -> None:
    call = {"transcript_with_tool_calls": [{"role": "tool_call_invocation"}]}
    paths = {v.path for v in validate_call_object(call) if v.rule == "schema.required"}
    prefix = "transcript_with_tool_calls.0."
    assert {f"{prefix}tool_call_id", f"{prefix}name", f"{prefix}arguments"} <= paths


def test_values_in_messages_are_json_not_python() -> None:
    (violation,) = validate_request_body({"agent_id": None})
    assert violation.message.startswith("null is not of type")
    (violation,) = validate_request_body({"agent_id": "a", "metadata": True})
    assert violation.message.startswith("true is not of type")


def test_the_mocks_400_says_null() -> None:
    with in_process() as (client, _):
        response = create(client, {"agent_id": None})
    assert_error(response, 400, "agent_id: null is not of type")
    assert "None" not in response.text
