"""Call an ASGI app in-process from sync code: one request in, one response out, no socket.

Both in-process routes go through :class:`AppCaller`: the run's requests adapter (which
so never imports httpx, ~0.1 s of every ``retell-contract run``) and the httpx transport
the plugin and tests use. The app runs on an event loop owned by the calling thread (one
per thread, reused across requests, much cheaper than a thread hop per request). When the
calling thread already runs a loop (a sync client used inside async code), the request
goes to a private background loop instead, since a running loop cannot be re-entered.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from starlette.types import ASGIApp, Message

CLIENT = ("127.0.0.1", 50000)  # the peer address the app sees
Headers = list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class AppRequest:
    """A request as it reaches a server: the target's raw bytes, headers as on the wire."""

    method: str
    scheme: str
    host: str
    port: int | None
    target: bytes  # path and query, percent-encoded, as in the request line
    headers: Headers
    body: bytes = b""


@dataclass(frozen=True)
class AppResponse:
    """What the app sent: status, headers in order, the whole body (none for HEAD)."""

    status: int
    headers: Headers
    body: bytes


class AppCaller:
    """Runs one ASGI request/response cycle per call; safe to share between threads.

    ``close()`` may come from any thread at any time (an httpx client closes its transport
    on exit, and threads share one transport): it closes only the loops no other thread
    can be using, its own and those of threads that have ended.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._loops: dict[int, tuple[threading.Thread, asyncio.AbstractEventLoop]] = {}
        self._lock = threading.Lock()
        self._background: _BackgroundLoop | None = None

    def __call__(self, request: AppRequest) -> AppResponse:
        return self._run(call_app(self.app, request))

    def close(self) -> None:
        """Close this thread's loop, those of ended threads, and the background loop if idle."""
        me = threading.current_thread()
        with self._lock:
            mine = {i: e for i, e in self._loops.items() if e[0] is me or not e[0].is_alive()}
            for ident in mine:
                del self._loops[ident]
            background = self._background
            if background is not None and background.active == 0:
                self._background = None
            else:
                background = None
        for _, loop in mine.values():
            if not loop.is_running():
                loop.close()
        if background is not None:
            background.stop()

    def _run(self, coroutine: Coroutine[Any, Any, AppResponse]) -> AppResponse:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return self._own_loop().run_until_complete(coroutine)
        with self._lock:
            if self._background is None:
                self._background = _BackgroundLoop()
            background = self._background
            background.active += 1  # close() leaves it running until this request is done
        try:
            return background.run(coroutine)
        finally:
            with self._lock:
                background.active -= 1

    def _own_loop(self) -> asyncio.AbstractEventLoop:
        me = threading.current_thread()
        with self._lock:
            entry = self._loops.get(me.ident or 0)
            if entry is None or entry[0] is not me or entry[1].is_closed():
                stale = entry
                entry = self._loops[me.ident or 0] = (me, asyncio.new_event_loop())
                if stale is not None and stale[0] is not me:
                    stale[1].close()  # an ended thread's loop, under an identifier reused
        return entry[1]


class _BackgroundLoop:
    """An event loop in a daemon thread, for requests made from inside a running loop."""

    def __init__(self) -> None:
        self.active = 0  # requests in flight (guarded by the caller's lock)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="retell-mock-transport", daemon=True
        )
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, AppResponse]) -> AppResponse:
        future: Future[AppResponse] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result()

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


def scope_of(request: AppRequest) -> dict[str, Any]:
    """The ASGI HTTP scope a server would build for ``request`` (path decoded as uvicorn does)."""
    raw_path, _, query = request.target.partition(b"?")
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "headers": [(name.lower(), value) for name, value in request.headers],
        "scheme": request.scheme,
        "path": unquote(raw_path.decode("ascii")),
        "raw_path": raw_path,
        "query_string": query,
        "server": (request.host, request.port),
        "client": CLIENT,
        "root_path": "",
    }


async def call_app(app: ASGIApp, request: AppRequest) -> AppResponse:
    """One ASGI request/response cycle, collecting the response in memory."""
    body_sent = False
    status = 500
    headers: Headers = []
    parts: list[bytes] = []

    async def receive() -> Message:
        nonlocal body_sent
        if body_sent:
            return {"type": "http.disconnect"}
        body_sent = True
        return {"type": "http.request", "body": request.body, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body" and request.method != "HEAD":
            parts.append(message.get("body", b""))

    await app(scope_of(request), receive, send)
    return AppResponse(status, headers, b"".join(parts))
