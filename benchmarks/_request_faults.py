"""Request-side faults: rewrites a lenient or buggy server applies to what it receives,
and the inputs that make a buggy handler crash.

Each rewrite returns the request as the correct mock will see it; each crash trigger is a
predicate for :func:`benchmarks._asgi.crash_when`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from benchmarks._asgi import Request, RequestRewrite
from benchmarks._mutant import AGENTS, API_KEY, CONTRACT
from retell_contract._json_semantics import is_number
from retell_contract.exchange import NOT_JSON
from retell_contract.validation import validate_request_body

# --- request rewrites -------------------------------------------------------------------------


def _body_with(request: Request, change: Callable[[dict[str, Any]], bool]) -> Request:
    """``request`` with its JSON object body edited by ``change`` (True when it changed it)."""
    body = request.json()
    if isinstance(body, dict) and change(body):
        return request.with_json(body)
    return request


def _agent(agent_id: Any) -> Any:
    return next((a for a in AGENTS if a.agent_id == agent_id), None)


def drop_invalid_fields(request: Request) -> Request:
    def change(body: dict[str, Any]) -> bool:
        bad = {v.path.split(".")[0] for v in validate_request_body(body, contract=CONTRACT)}
        if not bad or bad & {"", "agent_id"} or _agent(body.get("agent_id")) is None:
            return False
        for name in bad:
            body.pop(name, None)
        return True

    return _body_with(request, change)


def unknown_agent_to_first(request: Request) -> Request:
    def change(body: dict[str, Any]) -> bool:
        agent_id = body.get("agent_id")
        if not isinstance(agent_id, str) or not agent_id or _agent(agent_id) is not None:
            return False
        body["agent_id"] = AGENTS[0].agent_id
        return True

    return _body_with(request, change)


def unknown_version_to_latest(request: Request) -> Request:
    def change(body: dict[str, Any]) -> bool:
        agent = _agent(body.get("agent_id"))
        version = body.get("agent_version")
        if agent is None or not is_number(version) or version in agent.versions:
            return False
        del body["agent_version"]
        return True

    return _body_with(request, change)


def default_version_to_oldest(request: Request) -> Request:
    def change(body: dict[str, Any]) -> bool:
        agent = _agent(body.get("agent_id"))
        if agent is None or "agent_version" in body:
            return False
        body["agent_version"] = agent.versions[0]
        return True

    return _body_with(request, change)


def drop_request_field(name: str) -> RequestRewrite:
    return lambda request: _body_with(request, lambda body: body.pop(name, None) is not None)


def any_method_is_post(request: Request) -> Request:
    if request.url == CONTRACT.path and request.method != CONTRACT.method:
        return replace(request, method=CONTRACT.method)
    return request


def auth_when(accepts: Callable[[str | None], bool]) -> RequestRewrite:
    """Treat the request as carrying the right key whenever ``accepts(header)`` holds."""

    def change(request: Request) -> Request:
        if accepts(request.headers.get("authorization")):
            return request.with_header("authorization", f"Bearer {API_KEY}")
        return request

    return change


def scheme_case_sensitive(request: Request) -> Request:
    header = request.headers.get("authorization", "")
    return request if header.startswith("Bearer ") else request.with_header("authorization", None)


def empty_body_to_first_agent(request: Request) -> Request:
    if request.method != CONTRACT.method or request.body.strip():
        return request
    request = request.with_json({"agent_id": AGENTS[0].agent_id})
    return request.with_header("content-type", "application/json")


def unwrap_array_body(request: Request) -> Request:
    body = request.json()
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return request.with_json(body[0])
    return request


def force_json_content_type(request: Request) -> Request:
    if request.json(NOT_JSON) is NOT_JSON:
        return request
    return request.with_header("content-type", "application/json")


# --- crash triggers -----------------------------------------------------------------------------


def body_not_json(request: Request) -> bool:
    return (
        request.method == CONTRACT.method
        and bool(request.body.strip())
        and request.json(NOT_JSON) is NOT_JSON
    )


def non_ascii_in(name: str) -> Callable[[Request], bool]:
    def test(request: Request) -> bool:
        body = request.json()
        value = body.get(name) if isinstance(body, dict) else None
        return isinstance(value, dict) and not json.dumps(value, ensure_ascii=False).isascii()

    return test


def string_longer_than(limit: int) -> Callable[[Request], bool]:
    return lambda request: any(isinstance(v, str) and len(v) > limit for v in _walk(request.json()))


def nested_deeper_than(limit: int) -> Callable[[Request], bool]:
    return lambda request: _depth(request.json()) > limit


def integer_outside(bound: int) -> Callable[[Request], bool]:
    def test(request: Request) -> bool:
        return any(
            is_number(v) and isinstance(v, int) and not -bound <= v < bound for v in _walk(request.json())
        )

    return test


def non_string_dynamic_variable(request: Request) -> bool:
    body = request.json()
    variables = body.get("retell_llm_dynamic_variables") if isinstance(body, dict) else None
    return isinstance(variables, dict) and any(not isinstance(v, str) for v in variables.values())


# --- subtler request faults --------------------------------------------------


def falsy_version_ignored(request: Request) -> Request:
    """``if (body.agent_version)``: version 0 is treated as absent, so the latest is used."""
    return _body_with(request, lambda body: body.get("agent_version") == 0 and body.pop("agent_version") == 0)


def numeric_string_version_coerced(request: Request) -> Request:
    def change(body: dict[str, Any]) -> bool:
        version = body.get("agent_version")
        if isinstance(version, str) and version.strip().lstrip("-").isdigit():
            body["agent_version"] = int(version)
            return True
        return False

    return _body_with(request, change)


def null_fields_ignored(request: Request) -> Request:
    """Optional fields sent as null are treated as absent (201 for an invalid body)."""

    def change(body: dict[str, Any]) -> bool:
        nulls = [name for name, value in body.items() if value is None and name != "agent_id"]
        for name in nulls:
            del body[name]
        return bool(nulls)

    return _body_with(request, change)


def agent_id_trimmed(request: Request) -> Request:
    """The agent is looked up by its id with surrounding whitespace removed."""

    def change(body: dict[str, Any]) -> bool:
        agent_id = body.get("agent_id")
        if isinstance(agent_id, str) and agent_id != agent_id.strip() and _agent(agent_id.strip()):
            body["agent_id"] = agent_id.strip()
            return True
        return False

    return _body_with(request, change)


def astral_character(request: Request) -> bool:
    """MySQL's 3-byte utf8: any character beyond U+FFFF fails to store."""
    return any(isinstance(v, str) and any(ord(c) > 0xFFFF for c in v) for v in _walk(request.json()))


def body_larger_than(limit: int) -> Callable[[Request], bool]:
    return lambda request: len(request.body) > limit


def negative_version(request: Request) -> bool:
    """An unsigned version column: a negative version fails to convert."""
    body = request.json()
    version = body.get("agent_version") if isinstance(body, dict) else None
    return is_number(version) and version < 0


# --- helpers --------------------------------------------------------------------------------------


def map_leaves(value: Any, leaf: Callable[[Any], Any]) -> Any:
    if isinstance(value, dict):
        return {k: map_leaves(v, leaf) for k, v in value.items()}
    if isinstance(value, list):
        return [map_leaves(v, leaf) for v in value]
    return leaf(value)


def _walk(value: Any) -> Iterator[Any]:
    """Every key and value in a JSON document, iteratively."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        else:
            yield node


def _depth(value: Any) -> int:
    deepest = 0
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            stack.extend((child, depth) for child in (node.values() if isinstance(node, dict) else node))
    return deepest
