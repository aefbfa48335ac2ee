"""Where a run sends its requests: an ASGI app in-process, or a server over HTTP.

Both are reached through ``requests`` sessions, so schemathesis's ``Case.call`` sends
every request the same way. In-process, a small requests adapter hands each request to
the app through the server's ``AppCaller`` (an event loop per thread: no socket, no thread
hop, and no httpx to import), with the headers a client puts on the wire (``Host`` first),
and an app that raises is answered 500 the way uvicorn would answer it.
"""

from __future__ import annotations

import asyncio
import io
import ipaddress
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import requests
import urllib3
from requests.adapters import BaseAdapter, HTTPAdapter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from retell_contract import __version__
from retell_contract._hosting._inprocess import AppCaller, AppRequest
from retell_contract.contracts import Agent
from retell_contract.errors import UsageError

# Where `retell-contract mock` listens by default, so a reproducing curl from an in-process
# run works once the mock is started there.
IN_PROCESS_URL = "http://127.0.0.1:8080"
USER_AGENT = f"retell-contract/{__version__}"
_CONNECT_TIMEOUT = 5.0


@dataclass
class Target:
    """A server under test, what the run knows about it, and how to reach it."""

    description: str
    base_url: str
    api_key: str
    agents: tuple[Agent, ...]
    live: bool  # on another machine: be polite by default
    make_session: Callable[[], requests.Session] = field(repr=False)
    crashes: Callable[[], str | None] = field(default=lambda: None, repr=False)
    _local: threading.local = field(default_factory=threading.local, repr=False)

    def session(self) -> requests.Session:
        """This thread's session (requests sessions are not shared between threads)."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = self.make_session()
        return session


def in_process_target(
    app: ASGIApp, *, api_key: str, agents: tuple[Agent, ...], description: str, timeout: float = 10.0
) -> Target:
    """A target that runs ``app`` in this process (the embedded mock, or a test's app)."""
    guarded = CrashAsServer(app, timeout=timeout)
    caller = AppCaller(guarded)

    def make_session() -> requests.Session:
        session = _session()
        session.trust_env = False  # no proxies or netrc for an in-process app (and much faster)
        session.mount("http://", InProcessAdapter(caller, guarded))
        return session

    return Target(description, IN_PROCESS_URL, api_key, agents, False, make_session, guarded.pop_crash)


def http_target(url: str, *, api_key: str, agents: tuple[Agent, ...]) -> Target:
    """A target reached over HTTP; UsageError when the URL is malformed or unreachable."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--url must be an http(s) URL such as https://api.retellai.com, not {url!r}")
    _check_reachable(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), url)
    live = not is_loopback(parts.hostname)
    return Target(url, url.rstrip("/"), api_key, agents, live, environment_sessions(url))


def environment_sessions(url: str) -> Callable[[], requests.Session]:
    """Sessions for ``url`` with the environment's proxies and CA bundle, read once.

    With ``trust_env`` on, requests reads them (and ``~/.netrc``) again for every request,
    which costs more than a request to a local server. A run talks to one origin, so one
    reading serves it all. The netrc stays out: its entry would replace the run's own
    ``Authorization`` header.
    """
    host = urlsplit(url).hostname or ""
    found = {} if proxy_bypass(host) else getproxies()
    proxies = {scheme: url for scheme, url in found.items() if scheme in ("http", "https", "all")}
    verify: bool | str = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True

    def make_session() -> requests.Session:
        session = _session()
        session.trust_env = False
        session.proxies.update(proxies)
        session.verify = verify
        return session

    return make_session


def is_loopback(host: str) -> bool:
    """A server on this machine (a local mock or staging copy): no need to be polite to it."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _session() -> requests.Session:
    session = requests.Session()
    # Identity encoding: the recorded body is exactly what came over the wire.
    session.headers.update({"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
    return session


def _check_reachable(host: str, port: int, url: str) -> None:
    try:
        with socket.create_connection((host, port), timeout=_CONNECT_TIMEOUT):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UsageError(f"cannot reach {url} ({reason})") from None


class CrashAsServer:
    """ASGI wrapper that answers like uvicorn when the app raises: 500 if nothing was sent yet,
    otherwise the response as sent. The exception is kept for the report (per thread)."""

    def __init__(self, app: ASGIApp, *, timeout: float = 10.0) -> None:
        self.app = app
        self.timeout = timeout
        self._crashes: dict[int, str] = {}
        self._timeouts: set[int] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = {"started": False, "finished": False}

        async def tracking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["started"] = True
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                state["finished"] = True
            await send(message)

        try:
            async with asyncio.timeout(self.timeout):
                await self.app(scope, receive, tracking_send)
        except TimeoutError:
            self._timeouts.add(threading.get_ident())  # like a socket read timeout: no response
        except Exception as error:
            self._crashes[threading.get_ident()] = f"{type(error).__name__}: {error}"[:200]
            if not state["started"]:
                headers = [(b"content-type", b"text/plain; charset=utf-8")]
                await send({"type": "http.response.start", "status": 500, "headers": headers})
                await send({"type": "http.response.body", "body": b"Internal Server Error"})
            elif not state["finished"]:
                await send({"type": "http.response.body", "body": b""})

    def pop_crash(self) -> str | None:
        """The exception the app raised on this thread's last request, if any."""
        return self._crashes.pop(threading.get_ident(), None)

    def pop_timeout(self) -> bool:
        """Whether this thread's last request outlived the timeout."""
        ident = threading.get_ident()
        timed_out = ident in self._timeouts
        self._timeouts.discard(ident)
        return timed_out


class InProcessAdapter(BaseAdapter):
    """requests adapter that hands each request to an in-process app through an ``AppCaller``."""

    def __init__(self, caller: AppCaller, guard: CrashAsServer) -> None:
        super().__init__()
        self.caller = caller
        self.guard = guard

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        incoming = self.caller(app_request(request))
        if self.guard.pop_timeout():
            raise requests.exceptions.ReadTimeout(
                f"no response within {self.guard.timeout} s", request=request
            )
        received = urllib3.HTTPHeaderDict()
        for name, value in incoming.headers:
            received.add(name.decode("latin-1"), value.decode("latin-1"))
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(incoming.body),
            headers=received,
            status=incoming.status,
            preload_content=False,
            decode_content=False,
            request_method=request.method,  # a HEAD answer's Content-Length promises no body
        )
        return HTTPAdapter.build_response(self, request, raw)  # type: ignore[arg-type]

    def close(self) -> None:
        """The caller outlives sessions; nothing to release per session."""


def app_request(request: requests.PreparedRequest) -> AppRequest:
    """The request as a server receives it: ``Host`` first (as http.client sends it), then
    the request's headers; a ``Content-Length`` where a body (or a POST/PUT/PATCH) lacks one."""
    body = request.body
    content = body.encode() if isinstance(body, str) else body if isinstance(body, bytes) else b""
    parts = urlsplit(str(request.url))
    method = str(request.method).upper()
    headers = [(_latin1(name), _latin1(value)) for name, value in request.headers.items()]
    names = {name.lower() for name, _ in headers}
    if content and b"content-length" not in names:
        headers.append((b"Content-Length", str(len(content)).encode("ascii")))
    auto = [] if b"host" in names else [(b"Host", parts.netloc.encode("ascii"))]
    if not content and method in ("POST", "PUT", "PATCH") and b"content-length" not in names:
        auto.append((b"Content-Length", b"0"))
    target = parts.path or "/"
    return AppRequest(
        method=method,
        scheme=parts.scheme,
        host=parts.hostname or "",
        port=parts.port,
        target=(f"{target}?{parts.query}" if parts.query else target).encode("ascii"),
        headers=auto + headers,
        body=content,
    )


def _latin1(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else str(text).encode("latin-1")
