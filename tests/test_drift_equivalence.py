"""Spellings that mean the same thing are no change: the diff compares meaning, not text."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from drift_support import changes, document, obj
from retell_contract.contracts import BUILTIN_CONTRACTS
from retell_contract.drift import compare, load_input

BUILTIN = (
    Path(__file__).resolve().parents[1] / "src" / "retell_contract" / "contracts" / BUILTIN_CONTRACTS["seed"]
)  # OpenAPI 3.0 cannot say today's [integer, string]

EQUIVALENT_FIELDS = [
    ("reordered keys and lists",
     {"type": "object", "required": ["a", "b"],
      "properties": {"a": {"type": "string"}, "b": {"enum": [1, 2]}}},
     {"properties": {"b": {"enum": [2, 1]}, "a": {"type": "string"}},
      "required": ["b", "a"], "type": "object"}),
    ("annotations",
     {"type": "string", "description": "old", "title": "T", "examples": ["x"], "x-lifecycle": "ended"},
     {"type": "string", "description": "new words", "default": "y", "deprecated": False}),
    ("additionalProperties true, {} and absent", {"type": "object", "additionalProperties": True},
     {"type": "object", "additionalProperties": {}}),
    ("items {} and absent", {"type": "array", "items": {}}, {"type": "array"}),
    ("const and one-value enum", {"const": "web_call"}, {"type": "string", "enum": ["web_call"]}),
    ("type list and type string", {"type": ["string"]}, {"type": "string"}),
    ("null in type and in enum", {"type": ["string", "null"], "enum": ["a", None]},
     {"enum": [None, "a"]}),
    ("allOf of objects and merged object",
     {"allOf": [obj({"a": {"type": "string"}}, ["a"]), obj({"b": {"type": "integer"}})]},
     obj({"a": {"type": "string"}, "b": {"type": "integer"}}, ["a"])),
    ("3.1 null variant and nullable type",
     {"anyOf": [{"type": "string"}, {"type": "null"}]}, {"type": ["string", "null"]}),
    ("null variant beside an enum and null in the enum",
     {"oneOf": [{"type": "string", "enum": ["a", "b"]}, {"type": "null"}]},
     {"type": ["string", "null"], "enum": ["b", "a", None]}),
    ("nested anyOf flattened",
     {"anyOf": [{"anyOf": [{"type": "string"}, {"type": "integer"}]}, {"type": "boolean"}]},
     {"oneOf": [{"type": "boolean"}, {"type": "string"}, {"type": "integer"}]}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new"), [c[1:] for c in EQUIVALENT_FIELDS], ids=[c[0] for c in EQUIVALENT_FIELDS]
)
@pytest.mark.parametrize("place", ["request", "response"])
def test_equivalent_schemas_are_no_change(old, new, place):
    def wrap(schema: Any) -> dict[str, Any]:
        return document(**{place: obj({"x": schema})})

    assert changes(wrap(old), wrap(new)) == []
    assert changes(wrap(new), wrap(old)) == []


def test_ref_and_inline_schema_are_no_change():
    metric = obj({"p50": {"type": "number"}, "values": {"type": "array", "items": {"type": "number"}}})
    by_ref = document(
        response=obj(
            {"e2e": {"$ref": "#/components/schemas/Metric"}, "tts": {"$ref": "#/components/schemas/Metric"}}
        ),
        components={"schemas": {"Metric": metric}},
    )
    inline = document(response=obj({"e2e": metric, "tts": copy.deepcopy(metric)}))
    assert changes(by_ref, inline) == []


def test_openapi_30_spellings_match_31():
    old_30 = document(
        version="3.0.3",
        request=obj(
            {
                "n": {
                    "type": "number",
                    "minimum": 0,
                    "exclusiveMinimum": True,
                    "maximum": 9,
                    "exclusiveMaximum": False,
                },
                "s": {"type": "string", "nullable": True, "example": "x"},
                "u": {"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": True},
                "e": {"type": "string", "enum": ["a", "b"], "nullable": True},
            }
        ),
    )
    new_31 = document(
        version="3.1.0",
        request=obj(
            {
                "n": {"type": "number", "exclusiveMinimum": 0, "maximum": 9},
                "s": {"type": ["string", "null"], "examples": ["x"]},
                "u": {"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]},
                "e": {"type": ["string", "null"], "enum": ["a", "b", None]},
            }
        ),
    )
    assert changes(old_30, new_31) == []
    # Control: the same pair with one real difference is reported.
    new_31["paths"]["/calls"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"][
        "n"
    ]["maximum"] = 8
    assert [c.where for c in changes(old_30, new_31)] == ["request body > n"]


def test_renamed_path_parameter_is_no_change():
    def with_path(path: str, name: str) -> dict[str, Any]:
        operation = {
            "parameters": [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok"}},
        }
        return {
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {path: {"get": operation}},
        }

    assert changes(with_path("/calls/{id}", "id"), with_path("/calls/{call_id}", "call_id")) == []


def test_our_contract_in_openapi_30_json_fully_inlined_is_no_change(tmp_path):
    original = yaml.safe_load(BUILTIN.read_text(encoding="utf-8"))
    rewritten = _inline_refs(_to_openapi_30(copy.deepcopy(original)), original)
    rewritten.pop("components")
    rewritten["components"] = {"securitySchemes": original["components"]["securitySchemes"]}
    target = tmp_path / "contract-3.0.json"
    target.write_text(json.dumps(rewritten, indent=1), encoding="utf-8")
    report = compare(load_input(BUILTIN), load_input(target))
    assert report.changes == ()
    assert "3.0.3" in report.notes["new"]


def _to_openapi_30(node: Any) -> Any:
    """Rewrite 3.1 spellings (type lists with null, examples) the way a 3.0 author writes them."""
    if isinstance(node, list):
        return [_to_openapi_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _to_openapi_30(value) for key, value in node.items()}
    if out.get("openapi"):
        out["openapi"] = "3.0.3"
        out["info"].pop("summary", None)
    kind = out.get("type")
    if isinstance(kind, list) and "null" in kind:
        out["type"] = next(k for k in kind if k != "null")
        out["nullable"] = True
    if isinstance(out.get("examples"), list) and "type" in out:
        out["example"] = out.pop("examples")[0]
    return out


def _inline_refs(node: Any, root: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_inline_refs(item, root) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target: Any = root
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        return _inline_refs(_to_openapi_30(copy.deepcopy(target)), root)
    return {key: _inline_refs(value, root) for key, value in node.items()}


def test_unquoted_yaml_status_codes_are_the_quoted_ones(tmp_path):
    quoted, unquoted = tmp_path / "quoted.yaml", tmp_path / "unquoted.yaml"
    text = BUILTIN.read_text(encoding="utf-8")
    quoted.write_text(text, encoding="utf-8")
    unquoted.write_text(text.replace("'201':", "201:").replace("'422':", "422:"), encoding="utf-8")
    assert "\n        201:" in unquoted.read_text(encoding="utf-8")
    assert compare(load_input(quoted), load_input(unquoted)).changes == ()
