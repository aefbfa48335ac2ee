"""Response-side faults: rewrites of statuses, headers, call objects and error bodies.

Each function returns (or is) a response rewrite for :func:`benchmarks._asgi.rewrite`,
imitating a bug seen in real API servers (a truthiness check, an error handler that
forgets the content type, JSON numbers read as doubles...).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from typing import Any

from benchmarks._asgi import Request, Response, ResponseRewrite
from benchmarks._mutant import CONTRACT
from benchmarks._request_faults import map_leaves
from retell_contract._json_semantics import is_number
from retell_contract.exchange import NOT_JSON
from retell_contract.server._responses import ErrorResponses

ResponseTest = Callable[[Request, Response], bool]
CallChange = Callable[[dict[str, Any]], None]  # edits a JSON object (a call or an error) in place
_ERRORS = ErrorResponses(CONTRACT)  # the mock's own error bodies

# --- predicates -----------------------------------------------------------------------


def status_is(status: int) -> ResponseTest:
    return lambda request, response: response.status == status


def is_error(request: Request, response: Response) -> bool:
    return response.status >= 400


def sent_json_object(request: Request, response: Response) -> bool:
    return isinstance(request.json(), dict)


def sent_non_object(request: Request, response: Response) -> bool:
    return not isinstance(request.json(), dict)


# --- status and headers ---------------------------------------------------------------


def status_map(old: int, new: int, *, when: ResponseTest | None = None) -> ResponseRewrite:
    def change(request: Request, response: Response) -> Response:
        if response.status == old and (when is None or when(request, response)):
            return response.with_status(new)
        return response

    return change


def content_type(value: str | None, *, when: ResponseTest | None = None) -> ResponseRewrite:
    def change(request: Request, response: Response) -> Response:
        if when is None or when(request, response):
            return response.with_header("content-type", value)
        return response

    return change


def charset_and_headers(request: Request, response: Response) -> Response:
    if response.headers.get("content-type") == "application/json":
        response = response.with_header("content-type", "application/json; charset=utf-8")
    return response.with_header("x-request-id", "req_0f3a").with_header("cache-control", "no-store")


def reformat_json(request: Request, response: Response) -> Response:
    value = response.json(NOT_JSON)
    if value is NOT_JSON:
        return response
    return response.with_json(value, sort_keys=True, indent=2, ensure_ascii=True)


# --- the call object --------------------------------------------------------------------


def on_call(change: CallChange) -> ResponseRewrite:
    """Apply ``change`` to every call object the server creates."""

    def rewrite_call(request: Request, response: Response) -> Response:
        call = response.json()
        if response.status != CONTRACT.success_status or not isinstance(call, dict):
            return response
        change(call)
        return response.with_json(call)

    return rewrite_call


def drop_field(name: str) -> CallChange:
    return lambda call: call.pop(name, None) and None


def set_field(name: str, value: Any) -> CallChange:
    return lambda call: call.update({name: value})


def transform_field(name: str, transform: Callable[[Any], Any]) -> CallChange:
    def change(call: dict[str, Any]) -> None:
        if name in call:
            call[name] = transform(call[name])

    return change


def drop_if_empty(name: str) -> CallChange:
    def change(call: dict[str, Any]) -> None:
        if not call.get(name):
            call.pop(name, None)

    return change


def wrong_type(name: str) -> CallChange:
    """A string field becomes a number, anything else becomes its string form."""
    is_string = CONTRACT.call_field(name).get("type") == "string"
    return transform_field(name, lambda value: 12345 if is_string else json.dumps(value))


def add_post_call_defaults(call: dict[str, Any]) -> None:
    """Post-call fields with a zero value, as an ORM with column defaults would serialise them."""
    zero = {"string": "", "integer": 0}
    for name in CONTRACT.post_call_fields:
        kind = CONTRACT.call_field(name).get("type")
        if kind in zero:
            call.setdefault(name, zero[kind])


def reuse_every(name: str, period: int) -> Callable[[], CallChange]:
    """A factory (state per server): every ``period``-th call repeats the previous value."""

    def fresh() -> CallChange:
        state: dict[str, Any] = {"count": 0, "last": None}

        def change(call: dict[str, Any]) -> None:
            state["count"] += 1
            if state["count"] % period == 0 and state["last"] is not None:
                call[name] = state["last"]
            state["last"] = call.get(name)

        return change

    return fresh


# --- values echoed from the request ---------------------------------------------------------


def without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def stringify_numbers(value: Any) -> Any:
    return map_leaves(value, lambda v: json.dumps(v) if is_number(v) else v)


def round_big_ints(value: Any) -> Any:
    return map_leaves(value, lambda v: float(v) if is_number(v) and abs(v) > 2**53 else v)


def mojibake(value: Any) -> Any:
    """UTF-8 text decoded as Latin-1, keys included."""

    def mangle(text: str) -> str:
        return text if text.isascii() else text.encode("utf-8", "surrogatepass").decode("latin-1")

    return _map_text(value, mangle)


def flatten(value: Any, prefix: str = "") -> Any:
    if not isinstance(value, dict):
        return value
    flat: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(item, dict) and item:
            flat.update(flatten(item, name))
        else:
            flat[name] = item
    return flat


def stringify_values(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}


def trim_strings(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    return {k: v.strip() if isinstance(v, str) else v for k, v in value.items()}


# --- error bodies -------------------------------------------------------------------------------


def on_error(change: CallChange) -> ResponseRewrite:
    def rewrite_error(request: Request, response: Response) -> Response:
        error = response.json()
        if response.status < 400 or not isinstance(error, dict):
            return response
        change(error)
        return response.with_json(error)

    return rewrite_error


def reword_error(error: dict[str, Any]) -> None:
    error["message"] = f"Request could not be completed: {error.get('message', '')}".strip()
    error["code"] = "request_failed"


def plain_text_error(status: int, text: str) -> ResponseRewrite:
    def change(request: Request, response: Response) -> Response:
        if response.status != status:
            return response
        return Response(status, {"content-type": "text/plain; charset=utf-8"}, text.encode())

    return change


def html_errors(request: Request, response: Response) -> Response:
    """Express's default error page."""
    if not 400 <= response.status < 500:
        return response
    page = (
        b"<!DOCTYPE html>\n<html lang=en><head><title>Error</title></head>"
        b"<body><pre>Bad Request</pre></body></html>"
    )
    return Response(response.status, {"content-type": "text/html; charset=utf-8"}, page)


def python_repr_errors(request: Request, response: Response) -> Response:
    error = response.json()
    if response.status < 400 or not isinstance(error, dict):
        return response
    return Response(response.status, response.headers, repr(error).encode())


# --- needing a particular input to show --------------------------------------------------


def unknown_fields_rejected(request: Request, response: Response) -> Response:
    """A strict request schema (additionalProperties: false): 400 for any field it does not list."""
    body = request.json()
    known = CONTRACT.request_schema.get("properties", {})
    if response.status == CONTRACT.success_status and isinstance(body, dict) and set(body) - set(known):
        return Response(400, {"content-type": "application/json"}).with_json(_ERRORS.body(400))
    return response


def unicode_normalized(value: Any) -> Any:
    """Text stored NFC-normalised, keys included."""
    return _map_text(value, lambda text: unicodedata.normalize("NFC", text))


def _map_text(value: Any, change: Callable[[str], str]) -> Any:
    """``value`` with ``change`` applied to every string in it, keys included."""
    if isinstance(value, dict):
        return {change(k): _map_text(v, change) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_text(v, change) for v in value]
    return change(value) if isinstance(value, str) else value


def without_retry_after(request: Request, response: Response) -> Response:
    return response.with_header("retry-after", None)
