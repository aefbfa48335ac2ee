"""The Starlette app: the contract's operations with the real API's rules, plus test control.

Routes come from the operations the contract declares: create-web-call v2 (the call
object) and v3 (connection details); get-call is always served, since the API has it
even where a contract (the seed era's docs page) does not document it.
Order of checks on create-web-call: auth (401), injected faults (402/429/500), body size
(413), Content-Type and JSON (400), schema (400), agent and version (422), then the call
is stored; a commit-then-fail fault answers 500 after that, else 201.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

import anyio
from jsonschema import Draft202012Validator
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from retell_contract.contracts import CREATE_V2, CREATE_V3, GET_CALL, Contract, load_contract
from retell_contract.server._body import (
    BadBody,
    BodyTooLarge,
    check_content_type,
    drain,
    parse_json_object,
    read_limited,
)
from retell_contract.server._config import MockConfig
from retell_contract.server._lifecycle import LifecycleError
from retell_contract.server._responses import ErrorResponses, json_response
from retell_contract.server._state import MockState, UnknownAsset
from retell_contract.validation import validate_request_body

GET_CALL_PATH = "/v2/get-call/{call_id}"
CONTROL_PREFIX = "/_mock"
_MAX_REASONS = 3
_log = logging.getLogger("retell_contract.server")

Method = Callable[["_Endpoints", Request], Awaitable[Response]]


def create_app(config: MockConfig | None = None, *, contract: Contract | None = None) -> Starlette:
    """The mock Retell API as an ASGI app; its :class:`MockState` is ``app.state.mock``."""
    contract = contract or load_contract()
    state = MockState(config or MockConfig(), contract)
    endpoints = _Endpoints(state)
    routes = [
        Route(path, handler, methods=[method]) for method, path, handler in served_routes(contract, endpoints)
    ]
    if state.config.control:
        routes += [
            Route(f"{CONTROL_PREFIX}/join", endpoints.join, methods=["POST"]),
            Route(f"{CONTROL_PREFIX}/calls", endpoints.list_calls, methods=["GET"]),
            Route(f"{CONTROL_PREFIX}/calls/{{call_id}}/advance", endpoints.advance, methods=["POST"]),
            Route(f"{CONTROL_PREFIX}/reset", endpoints.reset, methods=["POST"]),
            Route(f"{CONTROL_PREFIX}/webhooks", endpoints.webhooks, methods=["GET"]),
        ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: endpoints.http_error})
    app.router.redirect_slashes = False  # a 307 has no JSON body; unknown paths get a JSON 404
    app.state.mock = state
    return app


def served_operations(contract: Contract) -> list[tuple[str, str]]:
    """``(method, path)`` of every API operation the mock serves for ``contract``, in order."""
    return [(method, path) for method, path, _ in served_routes(contract, None)]


def served_routes(contract: Contract, endpoints: _Endpoints | None) -> list[tuple[str, str, Any]]:
    handlers: dict[str, Any] = {
        CREATE_V2: endpoints and endpoints.create_v2,
        CREATE_V3: endpoints and endpoints.create_v3,
        GET_CALL: endpoints and endpoints.get_call,
    }
    routes = [(op.method, op.path, handlers[op.name]) for op in contract.operations if op.name in handlers]
    if not contract.has_operation(GET_CALL):
        routes.append(("GET", GET_CALL_PATH, handlers[GET_CALL]))
    return routes


def _guarded(handler: Method) -> Method:
    """Turn anything unexpected into the contract's JSON 500 instead of Starlette's plain text."""

    @wraps(handler)
    async def guarded(self: _Endpoints, request: Request) -> Response:
        try:
            return await handler(self, request)
        except ClientDisconnect:
            return self.errors(400, "client disconnected before sending the whole body")
        except Exception:
            _log.exception("mock handler failed on %s %s", request.method, request.url.path)
            return self.errors(500)

    return guarded


class _Endpoints:
    def __init__(self, state: MockState) -> None:
        self.state = state
        self.contract = state.contract
        self.config = state.config
        self.errors = ErrorResponses(state.contract)
        self.errors_for = {op.name: ErrorResponses(state.contract, op) for op in state.contract.operations}
        self._own_validators = {
            op.name: Draft202012Validator(op.request_schema)
            for op in state.contract.create_operations
            if op.request_schema is not None and op.request_schema != state.contract.request_schema
        }

    @_guarded
    async def create_v2(self, request: Request) -> Response:
        return await self._create(request, CREATE_V2, self.state.create_call)

    @_guarded
    async def create_v3(self, request: Request) -> Response:
        return await self._create(request, CREATE_V3, self.state.create_connection)

    async def _create(
        self, request: Request, name: str, create: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> Response:
        await self._added_latency()
        errors = self.errors_for[name]
        key = self.state.authenticate(request.headers.get("authorization"))
        if key is None:
            return errors(401)
        fault = self.state.draw_fault(key)
        if fault is not None:
            return self._fault(fault, errors)
        body_or_error = await self._json_body(request, errors)
        if isinstance(body_or_error, Response):
            return body_or_error
        violations = self._request_violations(name, body_or_error)
        if violations:
            return errors(400, "; ".join(violations[:_MAX_REASONS]))
        try:
            created = create(body_or_error)
        except UnknownAsset as error:
            return errors(422, str(error))
        if self.state.draw_commit_then_fail():
            return errors(500, "injected after the call was stored (commit-then-fail fault)")
        return json_response(self.contract.operation(name).success_status, created)

    def _request_violations(self, name: str, body: dict[str, Any]) -> list[str]:
        validator = self._own_validators.get(name)
        if validator is None:  # the usual case: the operation shares the primary's request schema
            return [
                f"{v.path or 'body'}: {v.message}"
                for v in validate_request_body(body, contract=self.contract)
            ]
        return [
            f"{'.'.join(map(str, e.absolute_path)) or 'body'}: {e.message[:200]}"
            for e in validator.iter_errors(body)
        ]

    @_guarded
    async def get_call(self, request: Request) -> Response:
        await self._added_latency()
        errors = self.errors_for.get(GET_CALL, self.errors)
        if self.state.authenticate(request.headers.get("authorization")) is None:
            return errors(401)
        call = self.state.get_call(request.path_params["call_id"])
        if call is None:
            return errors(404, "no call with this id")
        return json_response(200, call)

    @_guarded
    async def join(self, request: Request) -> Response:
        """Use an access token, as the web frontend would (needs no API key)."""
        body = await self._json_body(request)
        if isinstance(body, Response):
            return body
        token = body.get("access_token")
        if not isinstance(token, str):
            return self.errors(400, "access_token: a string is required")
        return self._lifecycle(lambda: self.state.join(token))

    @_guarded
    async def advance(self, request: Request) -> Response:
        if self.state.authenticate(request.headers.get("authorization")) is None:
            return self.errors(401)
        body = await self._json_body(request)
        if isinstance(body, Response):
            return body
        target, seed = body.get("to"), body.get("seed")
        if not isinstance(target, str):
            return self.errors(400, "to: one of ongoing, ended, analyzed is required")
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            return self.errors(400, "seed: an integer is required")
        call_id = request.path_params["call_id"]
        return self._lifecycle(lambda: self.state.advance(call_id, target, seed=seed))

    @_guarded
    async def list_calls(self, request: Request) -> Response:
        if self.state.authenticate(request.headers.get("authorization")) is None:
            return self.errors(401)
        return json_response(200, {"calls": self.state.calls()})

    @_guarded
    async def reset(self, request: Request) -> Response:
        if self.state.authenticate(request.headers.get("authorization")) is None:
            return self.errors(401)
        return json_response(200, {"removed": self.state.reset()})

    @_guarded
    async def webhooks(self, request: Request) -> Response:
        """Every webhook delivery attempt so far and the receiver's answer (no signatures)."""
        if self.state.authenticate(request.headers.get("authorization")) is None:
            return self.errors(401)
        sent = self.state.webhooks.deliveries() if self.state.webhooks is not None else []
        return json_response(200, {"deliveries": [record.as_json() for record in sent]})

    async def http_error(self, request: Request, exc: Exception) -> Response:
        """404 for unknown paths and 405 (keeping Starlette's ``Allow`` header) as JSON errors."""
        assert isinstance(exc, HTTPException)
        detail = f"no route {request.method} {request.url.path}" if exc.status_code == 404 else None
        if exc.status_code == 405:
            detail = f"{request.method} is not allowed here; use {(exc.headers or {}).get('Allow', '?')}"
        return self.errors(exc.status_code, detail, exc.headers)

    async def _json_body(
        self, request: Request, errors: ErrorResponses | None = None
    ) -> dict[str, Any] | Response:
        errors = errors or self.errors
        chunks = request.stream()
        try:
            raw = await read_limited(
                chunks, request.headers.get("content-length"), self.config.max_body_bytes
            )
        except BodyTooLarge as error:
            await drain(chunks)  # so a client still sending its body reads the 413, not a reset
            return errors(413, f"body is larger than the {self.config.max_body_bytes}-byte limit; {error}")
        try:
            check_content_type(request.headers.get("content-type"))
            return parse_json_object(raw)
        except BadBody as error:
            return errors(400, str(error))

    def _fault(self, status: int, errors: ErrorResponses) -> Response:
        headers = {"Retry-After": str(self.config.retry_after)} if status == 429 else None
        return errors(status, "injected by the mock's fault settings", headers)

    def _lifecycle(self, move: Callable[[], dict[str, Any]]) -> Response:
        try:
            return json_response(200, move())
        except LifecycleError as error:
            return self.errors(error.status, str(error))

    async def _added_latency(self) -> None:
        if self.config.latency_seconds:
            await anyio.sleep(self.config.latency_seconds)
