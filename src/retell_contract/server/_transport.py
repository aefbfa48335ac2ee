"""In-process httpx transports: talk to the ASGI app without a socket.

The async one is httpx's own ``ASGITransport``. httpx has no sync equivalent, so
:class:`MockTransport` drives the app on an event loop owned by the calling thread (one
per thread, reused across requests, which is much cheaper than a thread hop per request).
When the calling thread already runs a loop (a sync client used inside async code), the
request goes to a private background loop instead, since a running loop cannot be re-entered.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any

import httpx
from starlette.types import ASGIApp, Message

_CLIENT = ("127.0.0.1", 50000)
_Result = tuple[int, list[tuple[bytes, bytes]], bytes]


def async_mock_transport(app: ASGIApp) -> httpx.ASGITransport:
    """An async httpx transport for ``app``: ``httpx.AsyncClient(transport=..., base_url=...)``."""
    return httpx.ASGITransport(app=app, client=_CLIENT)


def mock_transport(app: ASGIApp) -> MockTransport:
    """A sync httpx transport for ``app``: ``httpx.Client(transport=..., base_url=...)``."""
    return MockTransport(app)


class MockTransport(httpx.BaseTransport):
    """Sync httpx transport that runs an ASGI app in-process; safe to share between threads."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._loops: dict[int, asyncio.AbstractEventLoop] = {}
        self._lock = threading.Lock()
        self._background: _BackgroundLoop | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        status, headers, content = self._run(_call_app(self.app, request, body))
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(content))

    def close(self) -> None:
        with self._lock:
            loops, self._loops = list(self._loops.values()), {}
            background, self._background = self._background, None
        for loop in loops:
            if not loop.is_running():
                loop.close()
        if background is not None:
            background.stop()

    def _run(self, coroutine: Coroutine[Any, Any, _Result]) -> _Result:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return self._own_loop().run_until_complete(coroutine)
        return self._background_loop().run(coroutine)

    def _own_loop(self) -> asyncio.AbstractEventLoop:
        ident = threading.get_ident()
        loop = self._loops.get(ident)
        if loop is None or loop.is_closed():
            loop = asyncio.new_event_loop()
            with self._lock:
                self._loops[ident] = loop
        return loop

    def _background_loop(self) -> _BackgroundLoop:
        with self._lock:
            if self._background is None:
                self._background = _BackgroundLoop()
            return self._background


class _BackgroundLoop:
    """An event loop in a daemon thread, for requests made from inside a running loop."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="retell-mock-transport", daemon=True
        )
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, _Result]) -> _Result:
        future: Future[_Result] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result()

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


async def _call_app(app: ASGIApp, request: httpx.Request, body: bytes) -> _Result:
    """One ASGI request/response cycle, collecting the response in memory."""
    url = request.url
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "headers": [(name.lower(), value) for name, value in request.headers.raw],
        "scheme": url.scheme,
        "path": url.path,
        "raw_path": url.raw_path.split(b"?")[0],
        "query_string": url.query,
        "server": (url.host, url.port),
        "client": _CLIENT,
        "root_path": "",
    }
    body_sent = False
    status = 500
    headers: list[tuple[bytes, bytes]] = []
    parts: list[bytes] = []

    async def receive() -> Message:
        nonlocal body_sent
        if body_sent:
            return {"type": "http.disconnect"}
        body_sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body" and request.method != "HEAD":
            parts.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, headers, b"".join(parts)
