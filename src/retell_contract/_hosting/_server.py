"""Serve any ASGI app over real HTTP with uvicorn, in a thread or the foreground.

Generic hosting, used by the mock (:mod:`retell_contract.server`), webhook receivers under
test (:mod:`retell_contract.webhooks`) and benchmarks alike; it knows nothing of either.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Self

import uvicorn
from starlette.types import ASGIApp

from retell_contract.errors import UsageError

_START_TIMEOUT_SECONDS = 10.0


class AppServer:
    """Any ASGI app on a real socket (uvicorn in a daemon thread); use as a context manager.

    For serving something other than the plain mock, e.g. the mock wrapped in middleware
    or a benchmark's baseline app. ``port=0`` picks a free port; ``.url`` says which. Leaving
    the block stops the server and waits for its thread.
    """

    def __init__(self, app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321`` (available once started)."""
        if self._socket is None:
            raise RuntimeError(
                f"{type(self).__name__} is not running; use it as a context manager or call start()"
            )
        return base_url(self._socket)

    def start(self) -> Self:
        """Bind, start uvicorn in a background thread and wait until it accepts connections."""
        if self._thread is not None:
            raise RuntimeError(f"{type(self).__name__} is already running")
        self._socket = listen(self.host, self.port)
        self._server = uvicorn.Server(_uvicorn_config(self.app, access_log=False))
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name="retell-mock-server",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{type(self).__name__} on {self.host}:{self.port} did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Ask uvicorn to exit, wait for its thread, release the socket. Safe to call twice."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join()
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def serve_forever(
    app: ASGIApp, host: str, port: int, *, announce: Callable[[str], None], access_log: bool = False
) -> None:
    """Serve ``app`` in the foreground until Ctrl-C or SIGTERM; ``announce`` gets the URL first."""
    sock = listen(host, port)
    try:
        announce(base_url(sock))
        uvicorn.Server(_uvicorn_config(app, access_log=access_log)).run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn already shut down gracefully and re-raised the signal; that is a clean stop
    finally:
        sock.close()


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket, so the URL is known (and connectable) before uvicorn starts."""
    if not 0 <= port <= 65535:
        raise UsageError(f"port must be between 0 and 65535, not {port}")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise UsageError(f"cannot resolve host {host!r} ({error.strerror})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as error:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port} ({error.strerror or error})") from None
    sock.set_inheritable(True)
    return sock


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _uvicorn_config(app: ASGIApp, *, access_log: bool) -> uvicorn.Config:
    # lifespan off: the app has no startup work, and it keeps shutdown quick and quiet.
    level = "info" if access_log else "warning"  # uvicorn logs access lines at info level
    return uvicorn.Config(app, lifespan="off", log_level=level, access_log=access_log)
