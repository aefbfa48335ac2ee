"""ASGI plumbing for the mutants: rewrite a request or a response around an app, serve it.

A mutant is the correct mock wrapped in :func:`rewrite` (or :func:`crash_when`): the
wrapper buffers the request body and, when asked, the whole response, so a rewrite sees
both what was sent and what came back as plain values.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any, Self

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NOT_JSON: Any = object()


@dataclass(frozen=True)
class Request:
    """A request as the wrapped app will see it; header names are lower-case."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON, or :data:`NOT_JSON`."""
        return _loads(self.body)

    def with_json(self, value: Any) -> Request:
        return replace(self, body=dump_json(value))

    def with_header(self, name: str, value: str | None) -> Request:
        headers = {k: v for k, v in self.headers.items() if k != name.lower()}
        if value is not None:
            headers[name.lower()] = value
        return replace(self, headers=headers)


@dataclass(frozen=True)
class Response:
    """A complete response; header names are lower-case, content-length is recomputed on send."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        return _loads(self.body)

    def with_json(self, value: Any, **dumps: Any) -> Response:
        return replace(self, body=dump_json(value, **dumps))

    def with_header(self, name: str, value: str | None) -> Response:
        headers = {k: v for k, v in self.headers.items() if k != name.lower()}
        if value is not None:
            headers[name.lower()] = value
        return replace(self, headers=headers)

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
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
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
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start.get("headers", [])}
    return Response(int(start["status"]), headers, b"".join(chunks))


async def _send_response(send: Send, response: Response) -> None:
    headers = {k: v for k, v in response.headers.items() if k != "content-length"}
    headers["content-length"] = str(len(response.body))
    await send({"type": "http.response.start", "status": response.status, "headers": _raw_headers(headers)})
    await send({"type": "http.response.body", "body": response.body})


def _raw_headers(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


def dump_json(value: Any, **dumps: Any) -> bytes:
    """UTF-8 JSON; lone surrogates (legal in JSON, not in UTF-8) fall back to ASCII escapes."""
    options = {"ensure_ascii": False, **dumps}
    try:
        return json.dumps(value, **options).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, **{**options, "ensure_ascii": True}).encode("ascii")


def _loads(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return NOT_JSON


class Served:
    """An ASGI app on a free 127.0.0.1 port (uvicorn in a daemon thread); a context manager.

    Logging is silenced: mutants that crash on purpose would otherwise print tracebacks.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose proto says TCP,
        # and without it Nagle plus delayed ACKs add 40 ms to every response.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._server = uvicorn.Server(
            uvicorn.Config(app, lifespan="off", log_level="critical", access_log=False)
        )
        self._thread = threading.Thread(target=self._serve, name="mutant-server", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def _serve(self) -> None:
        self._server.run(sockets=[self._socket])

    def __enter__(self) -> Self:
        logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(256)
        self._thread.start()
        deadline = time.monotonic() + 10.0
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("mutant server did not start")
            time.sleep(0.005)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10.0)
        self._socket.close()
