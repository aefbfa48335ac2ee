"""ASGI plumbing for the mutants: rewrite a request or a response around an app, serve it.

A mutant is the correct mock wrapped in :func:`rewrite` (or :func:`crash_when`): the
wrapper buffers the request body and, when asked, the whole response, so a rewrite sees
both what was sent and what came back as plain values.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Self
from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from retell_contract.exchange import RecordedRequest, RecordedResponse
from retell_contract.server import AppServer


@dataclass(frozen=True)
class Request(RecordedRequest):
    """A request as the wrapped app will see it; ``url`` is its path (all a rewrite needs)."""

    def with_json(self, value: Any) -> Request:
        return replace(self, body=dump_json(value))

    def with_header(self, name: str, value: str | None) -> Request:
        return replace(self, headers=_with_header(self.headers, name, value))


@dataclass(frozen=True)
class Response(RecordedResponse):
    """A complete response; content-length is recomputed on send."""

    def with_json(self, value: Any, **dumps: Any) -> Response:
        return replace(self, body=dump_json(value, **dumps))

    def with_header(self, name: str, value: str | None) -> Response:
        return replace(self, headers=_with_header(self.headers, name, value))

    def with_status(self, status: int) -> Response:
        return replace(self, status=status)


RequestRewrite = Callable[[Request], Request]
ResponseRewrite = Callable[[Request, Response], Response]


def rewrite(
    app: ASGIApp, *, request: RequestRewrite | None = None, response: ResponseRewrite | None = None
) -> ASGIApp:
    """``app`` with ``request`` applied before it runs and ``response`` to what it answers.

    The response rewrite gets the request as the client sent it (before ``request``).
    """

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        sent = await _read_request(scope, receive)
        seen = request(sent) if request is not None else sent
        inner_scope = {**scope, "method": seen.method, "headers": _raw_headers(seen.headers)}
        if seen.url != sent.url:  # a rewrite sent it to another route
            inner_scope.update(path=seen.url, raw_path=quote(seen.url).encode("ascii"))
        if response is None:
            await app(inner_scope, _replay(seen.body), send)
            return
        answered = await _collect(app, inner_scope, _replay(seen.body))
        await _send_response(send, response(sent, answered))

    return wrapped


def crash_when(app: ASGIApp, predicate: Callable[[Request], bool]) -> ASGIApp:
    """``app`` that raises (as a buggy handler would) on requests matching ``predicate``.

    Served by uvicorn, the exception becomes its plain-text ``500 Internal Server Error``.
    """

    def explode(request: Request) -> Request:
        if predicate(request):
            raise RuntimeError("handler crashed on this input")
        return request

    return rewrite(app, request=explode)


async def _read_request(scope: Scope, receive: Receive) -> Request:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
    return Request(scope["method"], scope["path"], headers, b"".join(chunks))


def _replay(body: bytes) -> Receive:
    delivered = False

    async def receive() -> Message:
        nonlocal delivered
        if delivered:
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _collect(app: ASGIApp, scope: Scope, receive: Receive) -> Response:
    start: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture)
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in start.get("headers", [])}
    return Response(int(start["status"]), headers, b"".join(chunks))


async def _send_response(send: Send, response: Response) -> None:
    headers = {k: v for k, v in response.headers.items() if k != "content-length"}
    headers["content-length"] = str(len(response.body))
    await send({"type": "http.response.start", "status": response.status, "headers": _raw_headers(headers)})
    await send({"type": "http.response.body", "body": response.body})


def _raw_headers(headers: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


def _with_header(headers: Mapping[str, str], name: str, value: str | None) -> dict[str, str]:
    """``headers`` with ``name`` set to ``value``, or removed when ``value`` is None."""
    changed = {k: v for k, v in headers.items() if k != name.lower()}
    if value is not None:
        changed[name.lower()] = value
    return changed


def dump_json(value: Any, **dumps: Any) -> bytes:
    """UTF-8 JSON; lone surrogates (legal in JSON, not in UTF-8) fall back to ASCII escapes."""
    options = {"ensure_ascii": False, **dumps}
    try:
        return json.dumps(value, **options).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, **{**options, "ensure_ascii": True}).encode("ascii")


class Served(AppServer):
    """An ASGI app on a free 127.0.0.1 port (:class:`AppServer`); a context manager.

    uvicorn's error log is silenced: mutants that crash on purpose would otherwise print tracebacks.
    """

    def start(self) -> Self:
        super().start()  # builds uvicorn's config, which sets its loggers' levels
        logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
        return self
