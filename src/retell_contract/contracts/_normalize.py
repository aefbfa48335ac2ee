"""Turn OpenAPI schemas into self-contained JSON Schema 2020-12.

The loader and the drift detector both need one spelling of a schema: local ``$ref``s
inlined, OpenAPI 3.0 dialect (``nullable``, boolean ``exclusiveMinimum``, ``example``)
rewritten to 3.1 / JSON Schema, and ``allOf`` of plain object schemas merged. Two
documents that mean the same thing then normalise to equal dictionaries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from retell_contract.errors import RefError

JsonSchema = dict[str, Any]

# Keywords whose values are schemas, or maps / lists of schemas, and must be walked.
_SCHEMA_VALUED = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
    "if",
    "then",
    "else",
)
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
# allOf parts made only of these keys can be merged into one object schema.
_MERGEABLE = {"type", "properties", "required", "description", "title", "additionalProperties"}


def resolve_pointer(document: Mapping[str, Any], ref: str) -> Any:
    """Follow a local JSON pointer such as ``#/components/schemas/Call``."""
    if not ref.startswith("#/"):
        raise RefError(f"unsupported $ref {ref!r}: only local references (#/...) are allowed")
    node: Any = document
    for raw in ref[2:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise RefError(f"$ref {ref!r} points at nothing (no {part!r})")
    return node


def to_json_schema(schema: Any, document: Mapping[str, Any], *, openapi_30: bool) -> Any:
    """Return ``schema`` with every ``$ref`` inlined and 3.0 spellings rewritten to 3.1."""
    return _Normalizer(document, openapi_30).walk(schema, ())


class _Normalizer:
    def __init__(self, document: Mapping[str, Any], openapi_30: bool) -> None:
        self.document = document
        self.openapi_30 = openapi_30

    def walk(self, schema: Any, stack: tuple[str, ...]) -> Any:
        if isinstance(schema, bool) or not isinstance(schema, Mapping):
            return schema
        if "$ref" in schema:
            return self._inline_ref(schema, stack)
        out: JsonSchema = {}
        for key, value in schema.items():
            if key in _SCHEMA_VALUED:
                out[key] = self.walk(value, stack)
            elif key in _SCHEMA_MAPS and isinstance(value, Mapping):
                out[key] = {name: self.walk(sub, stack) for name, sub in value.items()}
            elif key in _SCHEMA_LISTS and isinstance(value, list):
                out[key] = [self.walk(sub, stack) for sub in value]
            else:
                out[key] = value
        return _merge_all_of(_rewrite_30(out) if self.openapi_30 else _rewrite_examples(out))

    def _inline_ref(self, schema: Mapping[str, Any], stack: tuple[str, ...]) -> Any:
        ref = schema["$ref"]
        if ref in stack:
            # A recursive schema cannot be inlined; accept anything at the point of recursion.
            return {"description": f"recursive reference to {ref} (not expanded)"}
        target = self.walk(resolve_pointer(self.document, ref), (*stack, ref))
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        if not siblings or not isinstance(target, dict):
            return target
        # 3.1 allows keywords beside $ref (description, nullable in 3.0 tools, x-*): they
        # annotate or extend the target, so the sibling wins where both say something.
        merged = {**target, **self.walk(siblings, stack)}
        return _rewrite_30(merged) if self.openapi_30 else merged


def _rewrite_examples(schema: JsonSchema) -> JsonSchema:
    if "example" in schema and "examples" not in schema:
        schema["examples"] = [schema.pop("example")]
    return schema


def _rewrite_30(schema: JsonSchema) -> JsonSchema:
    schema = _rewrite_examples(schema)
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if schema.get(exclusive) is True and bound in schema:
            schema[exclusive] = schema.pop(bound)
        elif schema.get(exclusive) is False:
            del schema[exclusive]
    if schema.pop("nullable", False) is True:
        return _make_nullable(schema)
    return schema


def _make_nullable(schema: JsonSchema) -> JsonSchema:
    kind = schema.get("type")
    if isinstance(kind, str):
        schema["type"] = [kind, "null"]
    elif isinstance(kind, list):
        schema["type"] = [*kind, "null"] if "null" not in kind else kind
    else:
        return {"anyOf": [schema, {"type": "null"}]}
    if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]
    return schema


def _merge_all_of(schema: JsonSchema) -> JsonSchema:
    """Merge ``allOf`` parts that are plain object schemas into one (properties, required).

    Only parts that allow any other member can merge: an ``additionalProperties`` of one
    part applies to the names outside that part's own properties, which a merge would
    change (it would exempt every other part's properties, or drop the rule).
    """
    parts = schema.get("allOf")
    if not isinstance(parts, list) or not all(_is_plain_object(p) for p in parts):
        return schema
    merged: JsonSchema = {k: v for k, v in schema.items() if k != "allOf"}
    if not _is_plain_object(merged):
        return schema
    properties: JsonSchema = dict(merged.get("properties", {}))
    required: list[str] = list(merged.get("required", []))
    for part in parts:
        for name, sub in part.get("properties", {}).items():
            if name in properties and properties[name] != sub:
                return schema  # conflicting definitions: keep allOf, it means "both"
            properties[name] = sub
        required += [name for name in part.get("required", []) if name not in required]
        for key in ("description", "title"):
            if key in part and key not in merged:
                merged[key] = part[key]
    merged["properties"] = properties
    if any(part.get("type") == "object" for part in (merged, *parts)):
        merged["type"] = "object"  # typeless parts constrain objects only: no type of their own
    if required:
        merged["required"] = required
    return merged


def _is_plain_object(part: Any) -> bool:
    return (
        isinstance(part, Mapping)
        and part.get("type", "object") == "object"
        and _allows_any_member(part.get("additionalProperties", True))
        and all(key in _MERGEABLE or key.startswith("x-") for key in part)
    )


def _allows_any_member(extra: Any) -> bool:
    return extra is True or (isinstance(extra, Mapping) and not extra)
