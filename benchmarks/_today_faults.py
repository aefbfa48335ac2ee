"""Faults of today's API: v3's connection details, get-call, and agent version names.

Rewrites for :func:`benchmarks._asgi.rewrite`, as in :mod:`benchmarks._response_faults`;
the stateful ones are factories (``fresh()`` gives one per server) because they remember
the calls a server created.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from benchmarks._asgi import Request, RequestRewrite, Response, ResponseRewrite
from benchmarks._mutant import AGENTS, API_KEY, CONTRACT
from benchmarks._response_faults import CallChange
from retell_contract._json_semantics import is_number
from retell_contract.contracts import CREATE_V2, CREATE_V3, GET_CALL
from retell_contract.server._responses import ErrorResponses

V2_PATH = CONTRACT.operation(CREATE_V2).path
V3_PATH = CONTRACT.operation(CREATE_V3).path
GET_PREFIX = CONTRACT.operation(GET_CALL).path.split("{", 1)[0]  # /v2/get-call/
_ERRORS = ErrorResponses(CONTRACT)
Rewrites = tuple[RequestRewrite, ResponseRewrite]


def is_v3(request: Request) -> bool:
    return request.url == V3_PATH


def is_get_call(request: Request) -> bool:
    return request.url.startswith(GET_PREFIX)


def _call_id_of(request: Request) -> str:
    return request.url[len(GET_PREFIX) :]


def _json_error(status: int) -> Response:
    return Response(status, {"content-type": "application/json"}).with_json(_ERRORS.body(status))


# --- v3 connection details ------------------------------------------------------------------


def _on_success(matches: Callable[[Request], bool], status: int, change: CallChange) -> ResponseRewrite:
    """Apply ``change`` to every JSON object answered ``status`` to requests ``matches`` picks."""

    def rewrite(request: Request, response: Response) -> Response:
        body = response.json()
        if not matches(request) or response.status != status or not isinstance(body, dict):
            return response
        change(body)
        return response.with_json(body)

    return rewrite


def on_v3(change: CallChange) -> ResponseRewrite:
    """Apply ``change`` to every v3 201 body (the connection details)."""
    return _on_success(is_v3, 201, change)


def scale_expiry(factor: float, *, shift_ms: int = 0) -> CallChange:
    def change(details: dict[str, Any]) -> None:
        if is_number(details.get("expires_at")):
            details["expires_at"] = int(details["expires_at"] * factor) + shift_ms

    return change


def expires_at_iso(details: dict[str, Any]) -> None:
    from datetime import UTC, datetime

    if is_number(details.get("expires_at")):
        details["expires_at"] = datetime.fromtimestamp(details["expires_at"] / 1000, UTC).isoformat()


def ice_urls(change: Callable[[str], str]) -> CallChange:
    def edit(details: dict[str, Any]) -> None:
        for server in details.get("ice_servers", []):
            urls = server.get("urls")
            server["urls"] = change(urls) if isinstance(urls, str) else [change(u) for u in urls]

    return edit


def drop_turn_credentials(details: dict[str, Any]) -> None:
    for server in details.get("ice_servers", []):
        server.pop("credential", None)


def one_url_per_server(details: dict[str, Any]) -> None:
    """Correct: the same ICE servers, each with a single URL string."""
    details["ice_servers"] = [
        {**server, "urls": url}
        for server in details.get("ice_servers", [])
        for url in ([server["urls"]] if isinstance(server["urls"], str) else server["urls"])
    ]


def v3_route(path: str) -> RequestRewrite:
    """v3 requests are handled by the route at ``path`` (v2's, or none)."""
    return lambda request: replace(request, url=path) if is_v3(request) else request


def on_v3_body(change: Callable[[dict[str, Any]], bool]) -> RequestRewrite:
    """v3 bodies are edited before they are read (``change`` says whether it changed one)."""

    def rewrite(request: Request) -> Request:
        body = request.json()
        if is_v3(request) and isinstance(body, dict) and change(body):
            return request.with_json(body)
        return request

    return rewrite


def pops(name: str) -> Callable[[dict[str, Any]], bool]:
    return lambda body: body.pop(name, None) is not None


# --- get-call -----------------------------------------------------------------------------


def on_get_call(change: CallChange) -> ResponseRewrite:
    """Apply ``change`` to every call object get-call answers."""
    return _on_success(is_get_call, 200, change)


def get_call_status(old: int, new: int) -> ResponseRewrite:
    def rewrite(request: Request, response: Response) -> Response:
        if is_get_call(request) and response.status == old:
            return _json_error(new) if new >= 400 else response.with_status(new)
        return response

    return rewrite


def get_call_auth_ignored(request: Request) -> Request:
    return request.with_header("authorization", f"Bearer {API_KEY}") if is_get_call(request) else request


def _created_ids(response: Response, request: Request) -> str | None:
    body = response.json()
    if request.url in (V2_PATH, V3_PATH) and response.status == 201 and isinstance(body, dict):
        call_id = body.get("call_id")
        return call_id if isinstance(call_id, str) else None
    return None


def v3_calls_not_retrievable() -> Rewrites:
    """get-call answers 404 for calls v3 created (v3 writes them where get-call does not look)."""
    made: set[str] = set()

    def response(request: Request, answered: Response) -> Response:
        if is_v3(request) and (call_id := _created_ids(answered, request)):
            made.add(call_id)
        if is_get_call(request) and answered.status == 200 and _call_id_of(request) in made:
            return _json_error(404)
        return answered

    return (lambda request: request), response


def previous_call_served() -> Rewrites:
    """get-call answers the call read before this one (a cache keyed on the wrong thing)."""
    last: dict[str, Response] = {}

    def response(request: Request, answered: Response) -> Response:
        if not is_get_call(request) or answered.status != 200:
            return answered
        previous, last["call"] = last.get("call"), answered
        return previous if previous is not None else answered

    return (lambda request: request), response


def unknown_id_serves_latest() -> Rewrites:
    """get-call of an id no call has answers the latest call (a lookup that falls back)."""
    made: list[str] = []

    def request(sent: Request) -> Request:
        if is_get_call(sent) and made and _call_id_of(sent) not in made:
            return replace(sent, url=GET_PREFIX + made[-1])
        return sent

    def response(sent: Request, answered: Response) -> Response:
        if call_id := _created_ids(answered, sent):
            made.append(call_id)
        return answered

    return request, response


def ids_shared_between_versions() -> Rewrites:
    """v3 answers the call_id of the latest v2 call (two id counters, one namespace)."""
    latest: dict[str, str] = {}

    def response(request: Request, answered: Response) -> Response:
        call_id = _created_ids(answered, request)
        if call_id and request.url == V2_PATH:
            latest["v2"] = call_id
        elif call_id and is_v3(request) and "v2" in latest:
            details = answered.json()
            details["call_id"] = latest["v2"]
            return answered.with_json(details)
        return answered

    return (lambda request: request), response


# --- version names --------------------------------------------------------------------------


def _version_edit(change: Callable[[Any, Any], Any]) -> RequestRewrite:
    """Edit ``agent_version`` of create bodies: ``change(agent, version)`` gives the new one
    (``...`` to drop it, the same value to leave it)."""

    def rewrite(request: Request) -> Request:
        body = request.json()
        if request.url not in (V2_PATH, V3_PATH) or not isinstance(body, dict) or "agent_version" not in body:
            return request
        agent = next((a for a in AGENTS if a.agent_id == body.get("agent_id")), None)
        new = change(agent, body["agent_version"])
        if new is body["agent_version"]:
            return request
        if new is ...:
            del body["agent_version"]
        else:
            body["agent_version"] = new
        return request.with_json(body)

    return rewrite


latest_published_is_latest = _version_edit(lambda agent, v: ... if v == "latest_published" else v)
unknown_name_is_latest = _version_edit(
    lambda agent, v: ... if isinstance(v, str) and agent is not None and agent.resolve(v) is None else v
)


def version_name_echoed(request: Request, response: Response) -> Response:
    """The call object carries the version name that was sent, not the number it names."""
    body, call = request.json(), response.json()
    if (
        response.status == 201
        and isinstance(body, dict)
        and isinstance(body.get("agent_version"), str)
        and isinstance(call, dict)
        and "agent_version" in call
    ):
        call["agent_version"] = body["agent_version"]
        return response.with_json(call)
    return response


def version_at_least(bound: int) -> Callable[[Request], bool]:
    """A crash trigger: an agent_version too big for an unsigned 64-bit column."""

    def test(request: Request) -> bool:
        body = request.json()
        version = body.get("agent_version") if isinstance(body, dict) else None
        return is_number(version) and isinstance(version, int) and version >= bound

    return test
