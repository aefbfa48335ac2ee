"""from_schema on arbitrary schemas: every drawn value is valid under the schema (issue 12).

The oracle is jsonschema's Draft 2020-12 validator with format checking, independent of
the generator; the schemas come from tests/schema_support.py and cover every keyword
from_schema claims, nested.
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from jsonschema import Draft202012Validator, FormatChecker

from retell_contract.strategies import sample
from retell_contract.strategies._json import LARGE_INTEGERS, ODD_STRINGS
from retell_contract.strategies._schema import from_schema
from schema_support import json_schemas

FORMATS = FormatChecker()


def assert_valid(schema: Any, value: Any) -> None:
    errors = [e.message for e in Draft202012Validator(schema, format_checker=FORMATS).iter_errors(value)]
    assert not errors, f"{value!r} drawn for {schema!r}: {errors}"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(json_schemas(), st.data())
def test_every_drawn_value_is_valid_under_its_schema(schema: Any, data: st.DataObject) -> None:
    Draft202012Validator.check_schema(schema)
    for complete in (False, True):
        value = data.draw(from_schema(schema, complete=complete), label="value")
        assert_valid(schema, value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_schemas(depth=1), st.data())
def test_drawn_values_are_valid_for_a_second_validator(schema: Any, data: st.DataObject) -> None:
    # jsonschema-rs is a second, independently written implementation of 2020-12.
    value = data.draw(from_schema(schema, believable=True))
    assert jsonschema_rs.validator_for(schema).is_valid(value), f"{value!r} for {schema!r}"


# The failures the issue measured on generic schemas, one keyword each.
MEASURED = {
    "pattern": {"type": "string", "pattern": "^[a-z]{3}-[0-9]+$"},
    "multipleOf": {"type": "number", "minimum": 1, "maximum": 100, "multipleOf": 0.5},
    "integer multipleOf": {"type": "integer", "multipleOf": 7},
    "minProperties": {"type": "object", "properties": {"a": {"type": "integer"}}, "minProperties": 3},
    "closed minProperties": {
        "type": "object",
        "properties": {"a": {}, "b": {}, "c": {}},
        "additionalProperties": False,
        "minProperties": 2,
    },
    "allOf": {
        "allOf": [
            {"type": "object", "required": ["a"], "properties": {"a": {"type": "string", "minLength": 2}}},
            {"required": ["b"], "properties": {"b": {"type": "integer", "maximum": -1}}},
        ]
    },
}


@pytest.mark.parametrize("name", sorted(MEASURED))
def test_measured_failures_are_gone(name: str) -> None:
    schema = MEASURED[name]

    @settings(max_examples=50, deadline=None)
    @given(from_schema(schema))
    def check(value: Any) -> None:
        assert_valid(schema, value)

    check()


KEYWORDS_2020_12: dict[str, dict[str, Any]] = {
    "prefixItems": {
        "type": "array",
        "prefixItems": [{"type": "string"}, {"type": "integer"}],
        "items": False,
    },
    "contains": {
        "type": "array",
        "items": {"type": "integer"},
        "contains": {"minimum": 10},
        "maxContains": 2,
    },
    "dependentRequired": {"properties": {"a": {}, "b": {"type": "null"}}, "dependentRequired": {"a": ["b"]}},
    "dependentSchemas": {"properties": {"a": {}}, "dependentSchemas": {"a": {"required": ["z"]}}},
    "oneOf overlap": {"oneOf": [{"type": "integer"}, {"minimum": 5}]},
    "if then else": {"if": {"type": "string"}, "then": {"minLength": 3}, "else": {"type": "integer"}},
    "not": {"type": "integer", "not": {"multipleOf": 2}},
    "required outside properties": {"required": ["n"], "additionalProperties": {"type": "integer"}},
    "false property": {"properties": {"gone": False}, "required": [], "type": "object"},
    "formats": {
        "type": "array",
        "prefixItems": [{"format": f, "type": "string"} for f in ("date-time", "uuid", "email")],
    },
}


@pytest.mark.parametrize("name", sorted(KEYWORDS_2020_12))
def test_keywords_of_2020_12(name: str) -> None:
    schema = KEYWORDS_2020_12[name]

    @settings(max_examples=50, deadline=None)
    @given(from_schema(schema, complete=True))
    def check(value: Any) -> None:
        assert_valid(schema, value)

    check()


def test_hostile_corners_are_layered_where_the_schema_allows_them() -> None:
    strings, integers = set(), set()

    @settings(max_examples=300, deadline=None, database=None)
    @given(from_schema({"type": "string"}), from_schema({"type": "integer"}))
    def collect(text: str, number: int) -> None:
        strings.add(text)
        integers.add(number)

    collect()
    assert strings & set(ODD_STRINGS)
    assert integers & set(LARGE_INTEGERS)


@given(from_schema({"type": "string", "maxLength": 2}), from_schema({"type": "integer", "maximum": 10}))
def test_hostile_corners_keep_to_the_bounds(text: str, number: int) -> None:
    assert len(text) <= 2
    assert number <= 10


def test_a_schema_that_is_not_one_is_named() -> None:
    with pytest.raises(InvalidArgument, match="not 'string'"):
        from_schema("string")  # type: ignore[arg-type]


def test_a_schema_changed_in_place_gets_a_fresh_strategy() -> None:
    schema: dict[str, Any] = {"type": "integer", "minimum": 3, "maximum": 3}
    assert sample(from_schema(schema), seed=0) == 3
    schema["minimum"] = schema["maximum"] = 7  # the same dict object, new meaning
    assert sample(from_schema(schema), seed=0) == 7
    assert from_schema(dict(schema)) is from_schema(schema)  # equal schemas share one build
