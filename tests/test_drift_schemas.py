"""Contract against contract, on small hand-made pairs: every kind and severity, and no-change spellings."""

from __future__ import annotations

from typing import Any

import pytest

from drift_support import changes, document, media, obj, only_change
from retell_contract.drift import ChangeKind, Severity

K = ChangeKind
BREAKING, SAFE = Severity.BREAKING, Severity.NON_BREAKING


def in_request(schema: Any) -> dict[str, Any]:
    return document(request=schema)


def in_response(schema: Any) -> dict[str, Any]:
    return document(response=schema)


PLACES = {"request": (in_request, "request body"), "response": (in_response, "response 201")}

# (name, old field schema, new field schema, kind, severity in a request, severity in a response)
FIELD_CASES = [
    ("type widened", {"type": "integer"}, {"type": "number"}, K.TYPE_CHANGED, SAFE, BREAKING),
    ("type narrowed", {"type": "number"}, {"type": "integer"}, K.TYPE_CHANGED, BREAKING, SAFE),
    ("type replaced", {"type": "string"}, {"type": "integer"}, K.TYPE_CHANGED, BREAKING, BREAKING),
    ("made nullable", {"type": "string"}, {"type": ["string", "null"]}, K.TYPE_CHANGED, SAFE, BREAKING),
    ("enum value added", {"enum": ["a"]}, {"enum": ["a", "b"]}, K.ENUM_VALUE_ADDED, SAFE, BREAKING),
    ("enum value removed", {"enum": ["a", "b"]}, {"enum": ["a"]}, K.ENUM_VALUE_REMOVED, BREAKING, SAFE),
    ("enum introduced", {"type": "string"}, {"type": "string", "enum": ["a"]}, K.CONSTRAINT_TIGHTENED,
     BREAKING, SAFE),
    ("minLength added", {"type": "string"}, {"type": "string", "minLength": 1}, K.CONSTRAINT_TIGHTENED,
     BREAKING, SAFE),
    ("maxLength raised", {"type": "string", "maxLength": 5}, {"type": "string", "maxLength": 9},
     K.CONSTRAINT_LOOSENED, SAFE, BREAKING),
    ("maximum lowered", {"type": "number", "maximum": 10}, {"type": "number", "maximum": 5},
     K.CONSTRAINT_TIGHTENED, BREAKING, SAFE),
    ("minimum made exclusive", {"type": "number", "minimum": 0}, {"type": "number", "exclusiveMinimum": 0},
     K.CONSTRAINT_TIGHTENED, BREAKING, SAFE),
    ("minimum dropped", {"type": "number", "minimum": 0}, {"type": "number"}, K.CONSTRAINT_LOOSENED,
     SAFE, BREAKING),
    ("maxItems added", {"type": "array"}, {"type": "array", "maxItems": 3}, K.CONSTRAINT_TIGHTENED,
     BREAKING, SAFE),
    ("uniqueItems added", {"type": "array"}, {"type": "array", "uniqueItems": True}, K.CONSTRAINT_TIGHTENED,
     BREAKING, SAFE),
    ("pattern added", {"type": "string"}, {"type": "string", "pattern": "^a"}, K.CONSTRAINT_TIGHTENED,
     BREAKING, SAFE),
    ("pattern changed", {"type": "string", "pattern": "^a"}, {"type": "string", "pattern": "^b"},
     K.CONSTRAINT_CHANGED, BREAKING, BREAKING),
    ("format removed", {"type": "string", "format": "uri"}, {"type": "string"}, K.CONSTRAINT_LOOSENED,
     SAFE, BREAKING),
    ("multipleOf stricter", {"type": "number", "multipleOf": 2}, {"type": "number", "multipleOf": 4},
     K.CONSTRAINT_TIGHTENED, BREAKING, SAFE),
    ("multipleOf looser", {"type": "number", "multipleOf": 0.5}, {"type": "number", "multipleOf": 0.25},
     K.CONSTRAINT_LOOSENED, SAFE, BREAKING),
    ("multipleOf unrelated", {"type": "number", "multipleOf": 2}, {"type": "number", "multipleOf": 3},
     K.CONSTRAINT_CHANGED, BREAKING, BREAKING),
    ("object closed", {"type": "object"}, {"type": "object", "additionalProperties": False},
     K.CONSTRAINT_TIGHTENED, BREAKING, SAFE),
    ("object opened", {"type": "object", "additionalProperties": {"type": "string"}}, {"type": "object"},
     K.CONSTRAINT_LOOSENED, SAFE, BREAKING),
    ("variant added", {"oneOf": [{"type": "string"}, {"type": "integer"}]},
     {"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "boolean"}]},
     K.VARIANT_ADDED, SAFE, BREAKING),
    ("variant removed", {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "boolean"}]},
     {"anyOf": [{"type": "string"}, {"type": "integer"}]}, K.VARIANT_REMOVED, BREAKING, SAFE),
]  # fmt: skip


@pytest.mark.parametrize("place", sorted(PLACES))
@pytest.mark.parametrize(
    ("old_field", "new_field", "kind", "request_severity", "response_severity"),
    [case[1:] for case in FIELD_CASES],
    ids=[case[0] for case in FIELD_CASES],
)
def test_field_changes_are_judged_by_direction(
    place, old_field, new_field, kind, request_severity, response_severity
):
    wrap, head = PLACES[place]
    change = only_change(wrap(obj({"x": old_field})), wrap(obj({"x": new_field})))
    assert change.kind is kind
    assert change.location == (head, "x")
    assert change.severity is (request_severity if place == "request" else response_severity)
    assert change.reason
    assert "\n" not in change.reason


# (name, old object, new object, location tail, kind, request severity, response severity)
OBJECT_CASES = [
    ("optional field added", obj({"a": {}}), obj({"a": {}, "b": {"type": "string"}}), "b", K.FIELD_ADDED,
     SAFE, SAFE),
    ("required field added", obj({"a": {}}), obj({"a": {}, "b": {"type": "string"}}, ["b"]), "b",
     K.FIELD_ADDED, BREAKING, SAFE),
    ("field removed", obj({"a": {}, "b": {}}), obj({"a": {}}), "b", K.FIELD_REMOVED, SAFE, BREAKING),
    ("field removed from a closed object", obj({"a": {}, "b": {}}),
     obj({"a": {}}, additionalProperties=False),
     "b", K.FIELD_REMOVED, BREAKING, BREAKING),
    ("field made required", obj({"a": {}}), obj({"a": {}}, ["a"]), "a", K.REQUIRED_ADDED, BREAKING, SAFE),
    ("field made optional", obj({"a": {}}, ["a"]), obj({"a": {}}), "a", K.REQUIRED_REMOVED, SAFE, BREAKING),
]  # fmt: skip


@pytest.mark.parametrize("place", sorted(PLACES))
@pytest.mark.parametrize(
    ("old", "new", "tail", "kind", "request_severity", "response_severity"),
    [case[1:] for case in OBJECT_CASES],
    ids=[case[0] for case in OBJECT_CASES],
)
def test_object_changes_are_judged_by_direction(
    place, old, new, tail, kind, request_severity, response_severity
):
    wrap, head = PLACES[place]
    found = [c for c in changes(wrap(old), wrap(new)) if c.kind is not K.CONSTRAINT_TIGHTENED]
    assert len(found) == 1, found
    assert (found[0].location, found[0].kind) == ((head, tail), kind)
    assert found[0].severity is (request_severity if place == "request" else response_severity)


def test_nested_locations_name_fields_items_and_variants():
    metric = obj({"p50": {"type": "number"}})
    old = in_response(obj({"latency": obj({"e2e": metric}), "items": {"type": "array", "items": obj({})}}))
    new = in_response(
        obj(
            {
                "latency": obj({"e2e": metric, "asr": metric}),
                "items": {"type": "array", "items": obj({"n": {}})},
            }
        )
    )
    assert [c.where for c in changes(old, new)] == [
        "response 201 > items > [] > n",
        "response 201 > latency > asr",
    ]


def test_a_new_optional_request_object_is_one_change_however_deep():
    deep: dict[str, Any] = {"type": "string"}
    for depth in range(30):
        deep = obj(
            {f"level{depth}": deep, f"sibling{depth}": {"type": "integer", "enum": [1, 2]}}, [f"level{depth}"]
        )
    change = only_change(
        in_request(obj({"agent_id": {}})), in_request(obj({"agent_id": {}, "override": deep}))
    )
    assert (change.where, change.kind, change.severity) == ("request body > override", K.FIELD_ADDED, SAFE)


def test_union_variants_are_paired_by_discriminator_and_named_by_it():
    def variant(role: str, *fields: str) -> dict[str, Any]:
        return obj(
            {"role": {"type": "string", "enum": [role]}, **{f: {"type": "string"} for f in fields}}, ["role"]
        )

    old = in_response(
        {"type": "array", "items": {"oneOf": [variant("agent", "content"), variant("dtmf", "digit")]}}
    )
    new = in_response(
        {
            "type": "array",
            "items": {
                "oneOf": [
                    variant("dtmf", "digit", "at"),
                    variant("node_transition", "to"),
                    variant("agent", "content"),
                ]
            },
        }
    )
    found = {(c.where, c.kind, c.detail) for c in changes(old, new)}
    assert found == {
        ("response 201 > []", K.VARIANT_ADDED, "role=node_transition"),
        ("response 201 > [] > (role=dtmf) > at", K.FIELD_ADDED, "string"),
    }


def test_enum_changes_list_the_values():
    old, new = (
        in_response(obj({"s": {"enum": ["a", "b"]}})),
        in_response(obj({"s": {"enum": ["d", "b", "a", "c"]}})),
    )
    assert only_change(old, new).detail == "c, d"
    both = changes(
        in_response(obj({"s": {"enum": ["a", "b"]}})), in_response(obj({"s": {"enum": ["b", "c"]}}))
    )
    assert {(c.kind, c.detail) for c in both} == {(K.ENUM_VALUE_ADDED, "c"), (K.ENUM_VALUE_REMOVED, "a")}


def test_operations_paths_and_methods():
    base = document(response=obj({}))
    with_path = document(
        response=obj({}), extra_paths={"/agents": {"get": {"responses": {"200": {"description": "ok"}}}}}
    )
    with_method = {
        **base,
        "paths": {
            "/calls": {**base["paths"]["/calls"], "get": {"responses": {"200": {"description": "ok"}}}}
        },
    }
    assert _summary(base, with_path) == [("GET /agents", (), K.PATH_ADDED, SAFE)]
    assert _summary(with_path, base) == [("GET /agents", (), K.PATH_REMOVED, BREAKING)]
    assert _summary(base, with_method) == [("GET /calls", (), K.METHOD_ADDED, SAFE)]
    assert _summary(with_method, base) == [("GET /calls", (), K.METHOD_REMOVED, BREAKING)]


def test_status_codes():
    ok = {"description": "ok", "content": media(obj({}))}
    error = {"description": "error", "content": media(obj({"message": {"type": "string"}}))}
    plain = document(responses={"201": ok})
    with_error = document(responses={"201": ok, "422": error})
    with_200 = document(responses={"200": ok, "201": ok})
    assert _summary(plain, with_error) == [("POST /calls", ("response 422",), K.STATUS_CODE_ADDED, SAFE)]
    assert _summary(with_error, plain) == [("POST /calls", ("response 422",), K.STATUS_CODE_REMOVED, SAFE)]
    assert _summary(with_200, plain) == [("POST /calls", ("response 200",), K.STATUS_CODE_REMOVED, BREAKING)]
    assert _summary(plain, with_200) == [("POST /calls", ("response 200",), K.STATUS_CODE_ADDED, SAFE)]


def test_content_types():
    schema = obj({})
    json_only = document(request=schema, response=schema)
    both = document(request=schema, response=schema)
    operation = both["paths"]["/calls"]["post"]
    operation["requestBody"]["content"]["application/xml"] = {"schema": schema}
    operation["responses"]["201"]["content"]["text/csv"] = {"schema": {"type": "string"}}
    assert {(c.where, c.kind, c.severity, c.detail) for c in changes(json_only, both)} == {
        ("request body", K.CONTENT_TYPE_ADDED, SAFE, "application/xml"),
        ("response 201", K.CONTENT_TYPE_ADDED, SAFE, "text/csv"),
    }
    assert {(c.where, c.kind, c.severity) for c in changes(both, json_only)} == {
        ("request body", K.CONTENT_TYPE_REMOVED, BREAKING),
        ("response 201", K.CONTENT_TYPE_REMOVED, BREAKING),
    }


def test_parameters_and_request_body_requiredness():
    def query(name: str, required: bool, schema: Any) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": required, "schema": schema}

    base = document(request=obj({}), parameters=[query("limit", False, {"type": "integer"})])
    assert _kinds(base, document(request=obj({}), parameters=[])) == [
        ("query parameter limit", K.FIELD_REMOVED, SAFE)
    ]
    added = document(
        request=obj({}), parameters=[query("limit", False, {"type": "integer"}), query("q", True, {})]
    )
    assert _kinds(base, added) == [("query parameter q", K.FIELD_ADDED, BREAKING)]
    made_required = document(request=obj({}), parameters=[query("limit", True, {"type": "integer"})])
    assert _kinds(base, made_required) == [("query parameter limit", K.REQUIRED_ADDED, BREAKING)]
    narrowed = document(
        request=obj({}), parameters=[query("limit", False, {"type": "integer", "maximum": 5})]
    )
    assert _kinds(base, narrowed) == [("query parameter limit", K.CONSTRAINT_TIGHTENED, BREAKING)]
    optional_body = document(
        request=obj({}), parameters=[query("limit", False, {"type": "integer"})], body_required=False
    )
    assert _kinds(optional_body, base) == [("request body", K.REQUIRED_ADDED, BREAKING)]
    assert _kinds(base, optional_body) == [("request body", K.REQUIRED_REMOVED, SAFE)]


def _summary(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(c.operation, c.location, c.kind, c.severity) for c in changes(old, new)]


def _kinds(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(c.where, c.kind, c.severity) for c in changes(old, new)]
