"""Invalid bodies and call objects: each fails for exactly its one named reason."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema_rs
import pytest
from hypothesis import given

from retell_contract.consistency import CONSISTENCY_RULES
from retell_contract.contracts import load_contract
from retell_contract.strategies import (
    CALL_VIOLATIONS,
    REQUEST_VIOLATIONS,
    Invalid,
    call_violations,
    invalid_call_objects,
    invalid_request_bodies,
    request_violations,
    sample,
)
from retell_contract.validation import validate_call_object, validate_request_body

CONTRACT = load_contract()
REQUEST_SCHEMA = jsonschema_rs.validator_for(CONTRACT.request_schema)
CALL_SCHEMA = jsonschema_rs.validator_for(CONTRACT.call_object_schema)
# Retell's own, newer spec: in the repository when the drift tests ship it, else the reference copy.
RETELL_SPEC = next(
    (
        p
        for p in (
            Path(__file__).parent / "data" / "retell-openapi-create-web-call-2026-04.yaml",
            Path(__file__).resolve().parents[2]
            / "shared"
            / "reference"
            / "retell-openapi-create-web-call-2026-04.yaml",
        )
        if p.exists()
    ),
    Path("retell-openapi-create-web-call-2026-04.yaml"),
)


def reported(violations) -> list[tuple[str, str]]:
    return [(v.rule, v.path) for v in violations]


def check_invalid_body(invalid: Invalid, contract=CONTRACT, schema=REQUEST_SCHEMA) -> None:
    assert not schema.is_valid(invalid.value), invalid
    assert reported(validate_request_body(invalid.value, contract=contract)) == [(invalid.rule, invalid.path)]
    json.dumps(invalid.value, allow_nan=False)


def check_invalid_call(invalid: Invalid, contract=CONTRACT, schema=CALL_SCHEMA) -> None:
    expected = [(invalid.rule, invalid.path)]
    if invalid.rule.startswith("schema."):
        assert not schema.is_valid(invalid.value), invalid
        assert reported(validate_call_object(invalid.value, level="schema", contract=contract)) == expected
    else:
        assert schema.is_valid(invalid.value), invalid
        assert validate_call_object(invalid.value, level="schema", contract=contract) == []
    assert reported(validate_call_object(invalid.value, level="strict", contract=contract)) == expected
    json.dumps(invalid.value, allow_nan=False)


@given(invalid_request_bodies())
def test_invalid_bodies_fail_for_exactly_their_reason(invalid):
    check_invalid_body(invalid)
    assert invalid.violation in REQUEST_VIOLATIONS
    assert invalid.detail
    assert "\n" not in invalid.detail


@given(invalid_call_objects())
def test_invalid_call_objects_fail_for_exactly_their_reason(invalid):
    check_invalid_call(invalid)
    assert invalid.violation in CALL_VIOLATIONS
    assert invalid.detail
    assert "\n" not in invalid.detail


@pytest.mark.parametrize("name", request_violations())
def test_every_request_violation_can_be_drawn(name):
    for seed in range(3):
        invalid = sample(invalid_request_bodies(violations=[name]), seed=seed)
        assert invalid.violation == name
        check_invalid_body(invalid)


@pytest.mark.parametrize("name", call_violations())
def test_every_call_violation_can_be_drawn(name):
    invalid = sample(invalid_call_objects(violations=[name]), seed=len(name))
    assert invalid.violation == name
    check_invalid_call(invalid)


def test_request_violations_name_the_classic_mistakes():
    assert {
        "agent_id_missing",
        "agent_id_empty",
        "agent_id_not_string",
        "agent_version_not_integer_or_string",
        "agent_version_empty",
        "agent_version_boolean",
        "metadata_null",
        "metadata_not_object",
        "retell_llm_dynamic_variables_null",
        "body_not_object",
    } <= set(REQUEST_VIOLATIONS)
    assert not any(name.startswith("retell_llm_dynamic_variables_value") for name in REQUEST_VIOLATIONS)


def test_call_violations_cover_schema_and_every_consistency_rule():
    names = set(CALL_VIOLATIONS)
    assert {
        "call_id_missing",
        "call_status_not_in_enum",
        "disconnection_reason_not_in_enum",
        "call_analysis_user_sentiment_not_in_enum",
        "data_storage_setting_not_in_enum",
        "latency_e2e_p50_not_number",
        "transcript_object_role_not_in_enum",
        "transcript_with_tool_calls_role_unknown",
        "transcript_with_tool_calls_tool_call_invocation_name_missing",
        "call_cost_product_costs_cost_missing",
    } <= names
    consistency = {
        "duration_mismatches_timestamps",
        "end_before_start",
        "latency_percentiles_unordered",
        "latency_value_out_of_range",
        "latency_num_mismatches_values",
        "transcript_mismatches_transcript_object",
        "word_timings_unordered",
        "tool_result_without_invocation",
        "post_call_field_before_end",
        "started_field_before_start",
    }
    assert consistency <= names
    rules = {sample(invalid_call_objects(violations=[n]), seed=0).rule for n in sorted(consistency)}
    assert rules == set(CONSISTENCY_RULES)


def test_known_violations_report_what_the_validator_reports():
    cases = {
        ("agent_id_missing", "body"): ("schema.required", "agent_id"),
        ("agent_id_empty", "body"): ("schema.minLength", "agent_id"),
        ("agent_version_boolean", "body"): ("schema.type", "agent_version"),
        ("body_not_object", "body"): ("schema.type", ""),
        ("latency_num_mismatches_values", "call"): ("latency_num_matches_values", None),
        ("transcript_with_tool_calls_role_unknown", "call"): ("schema.oneOf", None),
    }
    for (name, kind), (rule, path) in cases.items():
        strategy = invalid_request_bodies if kind == "body" else invalid_call_objects
        invalid = sample(strategy(violations=[name]), seed=3)
        assert invalid.rule == rule
        assert path is None or invalid.path == path
    union = sample(invalid_call_objects(violations=["transcript_with_tool_calls_role_unknown"]), seed=3)
    assert union.path.startswith("transcript_with_tool_calls.")
    assert union.path.count(".") == 1


def test_invalid_is_a_frozen_generic_record():
    invalid: Invalid[int] = Invalid(value=1, violation="v", detail="d", rule="schema.type", path="a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        invalid.value = 2  # type: ignore[misc]
    assert str(invalid) == "v: d"


@pytest.mark.parametrize(
    ("build", "error", "named"),
    [
        (
            lambda: invalid_request_bodies(violations=["agent_id_missing", "agent_id_huge"]),
            ValueError,
            "agent_id_huge",
        ),
        (lambda: invalid_request_bodies(violations="agent_id_missing"), TypeError, "'agent_id_missing'"),
        (lambda: invalid_call_objects(violations=[]), ValueError, "violations"),
        (lambda: invalid_call_objects(violations=["call_id_missing", 3]), ValueError, "3"),
        (lambda: invalid_call_objects(contract={}), TypeError, "{}"),
    ],
)
def test_bad_arguments_fail_when_the_strategy_is_built(build, error, named):
    with pytest.raises(error) as raised:
        build()
    assert named in str(raised.value)


@pytest.mark.skipif(not RETELL_SPEC.exists(), reason="reference spec not available")
def test_violations_follow_another_contract():
    """Names, rules and paths come from the contract, so Retell's newer spec works too."""
    spec = load_contract(RETELL_SPEC)
    request_schema = jsonschema_rs.validator_for(spec.request_schema)
    call_schema = jsonschema_rs.validator_for(spec.call_object_schema)
    names = request_violations(contract=spec)
    assert "agent_override_agent_voice_model_not_in_enum" in names
    assert "transcript_with_tool_calls_node_transition_new_node_id_missing" in call_violations(contract=spec)
    for seed in range(15):
        check_invalid_body(sample(invalid_request_bodies(contract=spec), seed=seed), spec, request_schema)
        check_invalid_call(sample(invalid_call_objects(contract=spec), seed=seed), spec, call_schema)
