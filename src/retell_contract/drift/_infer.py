"""Recording against recording: infer the shape of each set of responses, then compare shapes.

A recording becomes a small OpenAPI document: one operation per method and path, one
response per observed status, one media type per observed content type, and for JSON
bodies a schema inferred from every body seen (types, fields, which fields were always
present, array items). Two such documents then go through the contract comparison, so
both kinds of diff share one set of rules.

What a recording cannot show is not inferred: no enums, no bounds. Numbers are one
type (``number``): a latency that happened to be whole in one recording is no drift.
Keys inside an object the contract declares free-form (``metadata``: an object without
properties) are data, not fields: such an object is inferred as just ``object``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from retell_contract._json_semantics import json_type
from retell_contract.exchange import NOT_JSON, Exchange

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,}")
_NUMBER = re.compile(r"\d+")


@dataclass
class Shape:
    """What was observed at one place in a set of JSON values."""

    seen: int = 0
    types: set[str] = field(default_factory=set)
    objects: int = 0
    fields: dict[str, Shape] = field(default_factory=dict)
    items: Shape | None = None

    def add(self, value: Any) -> None:
        self.seen += 1
        kind = json_type(value)
        self.types.add("number" if kind == "integer" else kind)
        if isinstance(value, dict):
            self.objects += 1
            for name, item in value.items():
                self.fields.setdefault(name, Shape()).add(item)
        elif isinstance(value, list):
            if self.items is None:
                self.items = Shape()
            for item in value:
                self.items.add(item)

    def schema(self, declared: Any = None) -> dict[str, Any]:
        """A JSON Schema for the observed values: fields present in every object are required.

        ``declared`` is the contract's schema for this place, if known: where it declares a
        free-form object, the object's keys are not inferred as fields.
        """
        schema: dict[str, Any] = {"type": sorted(self.types)}
        if self.objects and not _free_form(declared):
            properties = _mapping(declared, "properties")
            schema["properties"] = {
                name: sub.schema(properties.get(name)) for name, sub in self.fields.items()
            }
            required = sorted(name for name, sub in self.fields.items() if sub.seen == self.objects)
            if required:
                schema["required"] = required
        if self.items is not None and self.items.seen:
            items = declared.get("items") if isinstance(declared, Mapping) else None
            schema["items"] = self.items.schema(items)
        return schema


def _free_form(declared: Any) -> bool:
    """An object schema that names no keys: what it holds is data."""
    if not isinstance(declared, Mapping):
        return False
    types = declared.get("type")
    is_object = types == "object" or (isinstance(types, list) and "object" in types)
    return is_object and not declared.get("properties") and not declared.get("patternProperties")


def _mapping(declared: Any, key: str) -> Mapping[str, Any]:
    value = declared.get(key) if isinstance(declared, Mapping) else None
    return value if isinstance(value, Mapping) else {}


# The contract's response schema for (method, path template, status), or None.
DeclaredSchemas = Callable[[str, str, int], Any]
# The contract's path template for (method, recorded path), or None when it declares none.
DeclaredPaths = Callable[[str, str], str | None]


def recorded_path_template(path: str) -> str:
    """The recorded path with id-like segments (``/v2/get-call/Jabr9TXYY...``) replaced by ``{id}``."""
    return "/".join("{id}" if _looks_like_id(part) else part for part in path.split("/"))


def _looks_like_id(segment: str) -> bool:
    if _NUMBER.fullmatch(segment):
        return True
    # Generated ids are long and carry digits or mixed case; words such as create-web-call do not.
    mixed = any(c.isdigit() for c in segment) or (segment.lower() != segment and segment.upper() != segment)
    return bool(_TOKEN.fullmatch(segment)) and mixed


def _template(exchange: Exchange, templates: DeclaredPaths | None) -> str:
    recorded = urlsplit(exchange.request.url).path or "/"
    declared = templates(exchange.request.method, recorded) if templates is not None else None
    return declared or recorded_path_template(recorded)


def recording_document(
    exchanges: Sequence[Exchange],
    declared: DeclaredSchemas | None = None,
    *,
    templates: DeclaredPaths | None = None,
) -> dict[str, Any]:
    """An OpenAPI 3.1 document describing what ``exchanges`` show of the API's responses.

    ``declared`` gives the contract's schema of a response, to tell data from fields;
    ``templates`` the contract's path template of a request (``/v2/get-call/{call_id}`` for
    ``/v2/get-call/call_123``, whatever the id looks like). Paths the contract does not
    declare get id-like segments replaced by ``{id}``.
    """
    bodies: dict[tuple[str, str, str, str], Shape | None] = {}
    for exchange in exchanges:
        path = _template(exchange, templates)
        response = exchange.response
        media_type = response.content_type or "application/octet-stream"
        key = (path, exchange.request.method.lower(), str(response.status), media_type)
        parsed = response.json(default=NOT_JSON) if "json" in media_type else NOT_JSON
        if parsed is NOT_JSON:  # also an empty body
            bodies.setdefault(key, None)
            continue
        shape = bodies.get(key) or Shape()
        shape.add(parsed)
        bodies[key] = shape
    paths: dict[str, Any] = {}
    for (path, method, status, media_type), observed in bodies.items():
        responses = paths.setdefault(path, {}).setdefault(method, {"responses": {}})["responses"]
        content = responses.setdefault(status, {"description": "observed", "content": {}})["content"]
        schema = declared(method, path, int(status)) if declared is not None else None
        content[media_type] = {} if observed is None else {"schema": observed.schema(schema)}
    return {"openapi": "3.1.0", "info": {"title": "recording", "version": "0"}, "paths": paths}
