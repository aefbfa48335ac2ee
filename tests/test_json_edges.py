"""JSON's edges where the package's layers once disagreed: huge and near-2**53 integers, 1 vs 1.0.

Each case goes through a public entry point (drift, checks), so it fails if any layer falls
back on a private notion of JSON equality or number.
"""

from __future__ import annotations

from typing import Any

from drift_support import document, exchange, obj, only_change
from retell_contract.drift import ChangeKind, api_document, diff_recording_against_contract

K = ChangeKind
HUGE = 10**400  # no float holds it


def _enum(values: list[Any]) -> dict[str, Any]:
    return document(response=obj({"n": {"enum": values}}))


def test_a_huge_integer_in_an_enum_is_diffed_not_a_crash():
    change = only_change(_enum([HUGE]), _enum([HUGE, 1]))
    assert (change.kind, change.detail) == (K.ENUM_VALUE_ADDED, "1")


def test_integers_beyond_2_53_are_compared_exactly():
    change = only_change(_enum([2**53]), _enum([2**53, 2**53 + 1]))
    assert (change.kind, change.detail) == (K.ENUM_VALUE_ADDED, str(2**53 + 1))


def _observed(schema: dict[str, Any], value: Any) -> set[tuple[str, ChangeKind]]:
    contract = api_document(document(response=obj({"v": schema})), source="contract.yaml")
    found = diff_recording_against_contract([exchange({"v": value})], contract)
    return {(c.where, c.kind) for c in found}


def test_a_recorded_huge_integer_is_checked_against_the_enum():
    assert _observed({"enum": [1, 2]}, HUGE) == {("response 201 > v", K.ENUM_VALUE_ADDED)}
    assert _observed({"enum": [HUGE]}, HUGE) == set()


def test_a_recorded_value_equal_as_json_is_in_the_enum():
    assert _observed({"enum": [[1]]}, [1.0]) == set()
    assert _observed({"enum": [[1]]}, [True]) == {("response 201 > v", K.ENUM_VALUE_ADDED)}


def test_unique_items_treats_1_and_1_point_0_as_the_same_item():
    schema = {"type": "array", "uniqueItems": True}
    assert _observed(schema, [[1], [1.0]]) == {("response 201 > v", K.CONSTRAINT_LOOSENED)}
    assert _observed(schema, [1, True]) == set()
