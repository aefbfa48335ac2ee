"""The one definition of JSON type, number, equality and discriminator (``_json_semantics``)."""

from __future__ import annotations

import ast
import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retell_contract._json_semantics import (
    as_int,
    discriminator,
    is_int,
    is_integer,
    is_number,
    json_key,
    json_type,
    same_json,
)

# Scalars chosen to collide if a rule slips: bools next to 0 and 1, whole floats next to
# ints, ints beyond 2**53 and beyond any float.
EDGY = st.sampled_from([0, 1, -1, 0.0, -0.0, 1.0, 0.5, True, False, 2**53, 2**53 + 1, float(2**53), 10**400])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=3), EDGY
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner, max_size=3),
    max_leaves=8,
)


def _twin(value: Any) -> Any:
    """The same JSON value spelt differently: whole numbers as the other Python type, keys reversed."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and abs(value) < 2**53:
        return float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_twin(item) for item in value]
    if isinstance(value, dict):
        return {key: _twin(value[key]) for key in reversed(value)}
    return value


@given(VALUES, VALUES)
def test_json_key_meets_exactly_when_same_json_holds(left, right):
    assert (json_key(left) == json_key(right)) is same_json(left, right)
    assert same_json(left, right) is same_json(right, left)


@given(VALUES)
def test_a_value_and_its_twin_are_the_same_json(value):
    twin = _twin(value)
    assert same_json(value, twin)
    assert json_key(value) == json_key(twin)
    assert hash(json_key(value)) == hash(json_key(twin))
    assert json_key(copy.deepcopy(value)) == json_key(value)


@pytest.mark.parametrize(
    ("left", "right", "same"),
    [
        (1, 1.0, True),
        (-0.0, 0, True),
        (True, 1, False),
        (False, 0, False),
        (False, 0.0, False),
        (2**53, 2**53 + 1, False),
        (float(2**53), 2**53 + 1, False),
        (10**400, 10**400, True),
        (10**400, float("inf"), False),
        ([1], [1.0], True),
        ([1, 2], [2, 1], False),
        ({"a": 1, "b": [True]}, {"b": [True], "a": 1.0}, True),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ("1", 1, False),
        (None, {}, False),
        (float("nan"), float("nan"), True),
    ],
)
def test_same_json_and_json_key_on_the_edges(left, right, same):
    assert same_json(left, right) is same
    assert same_json(right, left) is same
    assert (json_key(left) == json_key(right)) is same


@pytest.mark.parametrize(
    ("value", "kind", "number", "integer", "plain_int"),
    [
        (None, "null", False, False, False),
        (True, "boolean", False, False, False),
        (0, "integer", True, True, True),
        (2.0, "integer", True, True, False),
        (10**400, "integer", True, True, True),
        (1e300, "integer", True, True, False),
        (0.5, "number", True, False, False),
        (float("inf"), "number", True, False, False),
        ("1", "string", False, False, False),
        ([1], "array", False, False, False),
        ({"a": 1}, "object", False, False, False),
    ],
)
def test_type_number_and_integer(value, kind, number, integer, plain_int):
    assert json_type(value) == kind
    assert is_number(value) is number
    assert is_integer(value) is integer
    assert is_int(value) is plain_int
    whole = as_int(value)
    assert (whole is not None) is integer
    assert whole is None or (type(whole) is int and same_json(whole, value))


def test_json_type_refuses_what_json_cannot_hold():
    with pytest.raises(TypeError, match="set"):
        json_type({1})


def _branch(member: str, *values: Any, required: bool = True, **more: Any) -> dict[str, Any]:
    properties = {member: {"type": "string", "enum": list(values)}, **more}
    return {"type": "object", "properties": properties, "required": [member] if required else []}


def test_the_discriminator_is_a_required_member_pinned_to_disjoint_strings():
    assert discriminator([_branch("role", "agent"), _branch("role", "user", "tool")]) == "role"
    assert discriminator([_branch("role", "agent"), _branch("role", "agent")]) is None  # does not tell apart
    assert discriminator([_branch("role", "agent"), _branch("role", "user", required=False)]) is None
    assert discriminator([_branch("n", 1), _branch("n", 2)]) is None  # not strings
    assert discriminator([_branch("role", "agent"), {"type": "string"}]) is None  # not all objects


def test_a_const_pins_a_member_like_a_one_value_enum():
    def pinned(value: Any) -> dict[str, Any]:
        return {"type": "object", "properties": {"event": {"const": value}}, "required": ["event"]}

    assert discriminator([pinned("call_started"), pinned("call_ended")]) == "event"
    assert discriminator([pinned("call_started"), _branch("event", "call_ended")]) == "event"
    assert discriminator([pinned("same"), pinned("same")]) is None
    assert discriminator([pinned(1), pinned(2)]) is None  # not strings


def test_the_usual_names_win_whatever_the_order_of_properties():
    pinned = {"kind": {"enum": ["k1"]}, "zone": {"enum": ["z1"]}}
    first = {"type": "object", "properties": pinned, "required": ["zone", "kind"]}
    second = {
        "type": "object",
        "properties": {"zone": {"enum": ["z2"]}, "kind": {"enum": ["k2"]}},
        "required": ["kind", "zone"],
    }
    assert discriminator([first, second]) == "kind"
    assert (
        discriminator(
            [
                _branch("b", "x", a={"enum": ["p"]}) | {"required": ["a", "b"]},
                _branch("b", "y", a={"enum": ["q"]}) | {"required": ["a", "b"]},
            ]
        )
        == "a"
    )


@pytest.mark.parametrize("branches", [None, [], "oneOf", {"a": 1}, [1, 2]])
def test_no_union_has_no_discriminator(branches):
    assert discriminator(branches) is None


def test_the_module_is_a_leaf_so_every_layer_may_import_it():

    import retell_contract._json_semantics as module

    tree = ast.parse(Path(module.__file__ or "").read_text())
    imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    assert not {name for name in imported if name.startswith("retell_contract")}
