"""One spelling per meaning, so that equal schemas compare equal.

Input is what :func:`retell_contract.contracts.to_json_schema` returns (refs inlined,
OpenAPI 3.0 rewritten to 3.1). On top of that this module:

- drops annotations (descriptions, titles, examples, defaults, ``x-*`` extensions...);
- spells types as a sorted list (``integer`` folded into ``number`` when both appear),
  ``const`` as a one-value ``enum``, and infers the type of an untyped ``enum``;
- removes defaults that say nothing (``additionalProperties: true`` or ``{}``, ``items: {}``);
- merges ``allOf`` parts and turns ``oneOf``/``anyOf`` into one ``anyOf`` list of
  variants, with a ``{"type": "null"}`` variant moved into the node's ``type`` (so
  3.0 ``nullable`` on a union and 3.1 ``oneOf: [..., {type: 'null'}]`` agree).

In canonical form ``anyOf`` describes the non-null values only; null-ness lives in ``type``.
This form is for comparing, not for validating.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping
from typing import Any

from retell_contract._json_semantics import json_key, json_type

Node = dict[str, Any]

ANNOTATIONS = frozenset(
    {
        "description",
        "title",
        "example",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "discriminator",
        "externalDocs",
        "xml",
        "$comment",
        "$schema",
        "$id",
        "$anchor",
        "$defs",
        "definitions",
        "contentMediaType",
    }
)
_SUBSCHEMA = ("items", "not", "contains", "propertyNames", "if", "then", "else", "unevaluatedItems")
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas")


def canonical(schema: Any) -> Node:
    """The canonical form of a (normalised) JSON Schema; ``{}`` means "anything"."""
    if schema is False:
        return {"not": {}}
    if not isinstance(schema, Mapping):
        return {}
    node: Node = {}
    for key, value in schema.items():
        if key in ANNOTATIONS or key.startswith("x-") or key in ("allOf", "anyOf", "oneOf"):
            continue
        node[key] = _canonical_keyword(key, value)
    _drop_defaults(node)
    if "const" in node:
        node["enum"] = [node.pop("const")]
    _settle_enum(node)  # before merging: parts and variants arrive already settled
    for part in schema.get("allOf") or ():
        _absorb(node, canonical(part))
    variants = [canonical(v) for key in ("oneOf", "anyOf") for v in (schema.get(key) or ())]
    if variants:
        _apply_variants(node, variants)
    if "type" in node and {"integer", "number"} <= set(node["type"]):
        node["type"] = [kind for kind in node["type"] if kind != "integer"]
    return node


def types_of(node: Node) -> frozenset[str] | None:
    """The types a canonical node allows, or None for "any type"."""
    kind = node.get("type")
    return None if kind is None else frozenset(kind)


def show_value(value: Any) -> str:
    """A JSON value as a report shows it: strings bare, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _canonical_keyword(key: str, value: Any) -> Any:
    if key in _SUBSCHEMA:
        return canonical(value)
    if key in _SUBSCHEMA_MAPS and isinstance(value, Mapping):
        return {name: canonical(sub) for name, sub in value.items()}
    if key == "additionalProperties" or key == "unevaluatedProperties":
        return value if isinstance(value, bool) else canonical(value)
    if key == "prefixItems" and isinstance(value, list):
        return [canonical(sub) for sub in value]
    if key == "type":
        return sorted({value} if isinstance(value, str) else set(value))
    if key == "required" and isinstance(value, list):
        return sorted(set(value))
    if key == "enum" and isinstance(value, list):
        return _unique_sorted(value)
    return value


def _drop_defaults(node: Node) -> None:
    for key in ("additionalProperties", "unevaluatedProperties", "items", "unevaluatedItems"):
        if node.get(key) is True or node.get(key) == {}:
            del node[key]
    if node.get("uniqueItems") is False:
        del node["uniqueItems"]
    if not node.get("required", True):
        del node["required"]


def _absorb(node: Node, part: Node) -> None:
    """Merge an ``allOf`` part (or a lone variant) into ``node``; keep conflicts as ``allOf``."""
    leftover: Node = {}
    for key, value in part.items():
        if key not in node or node[key] == value:
            node[key] = value
        elif key == "type":
            node["type"] = sorted(_intersect_types(set(node["type"]), set(value)))
        elif key == "required":
            node["required"] = sorted({*node["required"], *value})
        elif key == "enum":
            keys = {json_key(v) for v in value}
            node["enum"] = [v for v in node["enum"] if json_key(v) in keys]
        elif key == "properties" and not set(node[key]) & set(value):
            node["properties"] = {**node[key], **value}
        else:
            leftover[key] = value
    if leftover:
        node.setdefault("allOf", []).append(leftover)


def _intersect_types(left: set[str], right: set[str]) -> set[str]:
    both = left & right
    if "integer" in left | right and {"integer", "number"} & left and {"integer", "number"} & right:
        both.add("integer")  # number ∩ integer = integer
    return both


def _apply_variants(node: Node, variants: list[Node]) -> None:
    flat: list[Node] = []
    for variant in variants:
        nested = variant.get("anyOf")
        if nested is not None and set(variant) <= {"anyOf", "type"}:
            flat.extend(nested)  # anyOf inside anyOf: one list
            if "null" in variant.get("type", ()):
                flat.append({"type": ["null"]})
        elif variant not in flat:
            flat.append(variant)
    nullable = {"type": ["null"]} in flat
    rest = [variant for variant in flat if variant != {"type": ["null"]}]
    if len(rest) == 1:
        _absorb(node, rest[0])
    elif rest:
        node["anyOf"] = rest
        if "type" not in node and all("type" in variant for variant in rest):
            node["type"] = sorted({kind for variant in rest for kind in variant["type"]})
    if nullable and "type" in node and "null" not in node["type"]:
        node["type"] = sorted([*node["type"], "null"])
    elif nullable and not rest:
        node["type"] = ["null"]


def _settle_enum(node: Node) -> None:
    """Make ``type`` and ``enum`` agree: null-ness moves from the enum into ``type``."""
    enum = node.get("enum")
    if enum is None:
        return
    types = set(node.get("type", {json_type(value) for value in enum}))
    if None not in enum:
        types.discard("null")  # the type allows null but the enum does not: null is refused
    node["enum"] = [value for value in enum if value is not None]
    node["type"] = sorted(types)


def _unique_sorted(values: list[Any]) -> list[Any]:
    seen: dict[Hashable, Any] = {}
    for value in values:
        seen.setdefault(json_key(value), value)
    return sorted(seen.values(), key=lambda value: json.dumps(value, sort_keys=True))
