"""Small hand-made OpenAPI documents and exchanges for the drift tests."""

from __future__ import annotations

import copy
import json
from typing import Any

from retell_contract.drift import Change, api_document, diff_documents
from retell_contract.exchange import Exchange, RecordedRequest, RecordedResponse

PATH = "/calls"
BASE = "http://127.0.0.1:9"


def media(schema: Any) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def document(
    *,
    request: Any = None,
    response: Any = None,
    version: str = "3.1.0",
    responses: dict[str, Any] | None = None,
    parameters: list[Any] | None = None,
    components: dict[str, Any] | None = None,
    body_required: bool = True,
    extra_paths: dict[str, Any] | None = None,
    servers: list[Any] | None = None,
) -> dict[str, Any]:
    """One ``POST /calls`` operation: a JSON request body and a 201 response (plus anything given)."""
    operation: dict[str, Any] = {
        "responses": responses
        if responses is not None
        else {"201": {"description": "created", "content": media(response or {"type": "object"})}}
    }
    if request is not None:
        operation["requestBody"] = {"required": body_required, "content": media(request)}
    if parameters is not None:
        operation["parameters"] = parameters
    doc: dict[str, Any] = {
        "openapi": version,
        "info": {"title": "drift test", "version": "1"},
        "paths": {PATH: {"post": operation}, **(extra_paths or {})},
    }
    if components:
        doc["components"] = components
    if servers:
        doc["servers"] = servers
    return doc


def obj(properties: dict[str, Any], required: list[str] | None = None, **more: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, **more}
    if required:
        schema["required"] = required
    return schema


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """The changes between two documents, each validated as OpenAPI first."""
    return sorted(diff_documents(api_document(copy.deepcopy(old)), api_document(copy.deepcopy(new))))


def only_change(old: dict[str, Any], new: dict[str, Any]) -> Change:
    found = changes(old, new)
    assert len(found) == 1, [f"{c.where}: {c.kind.value} {c.detail}" for c in found]
    return found[0]


def exchange(
    body: Any,
    *,
    status: int = 201,
    method: str = "POST",
    path: str = PATH,
    content_type: str = "application/json",
    raw: bytes | None = None,
) -> Exchange:
    """A recorded exchange whose response carries ``body`` as JSON (or ``raw`` bytes)."""
    payload = raw if raw is not None else json.dumps(body).encode()
    return Exchange(
        RecordedRequest(method, f"{BASE}{path}", {"content-type": "application/json"}, b"{}"),
        RecordedResponse(status, {"content-type": content_type}, payload),
    )
