"""In-process httpx transports: talk to the ASGI app without a socket.

The async one is httpx's own ``ASGITransport``. httpx has no sync equivalent, so
:class:`MockTransport` hands each request to an :class:`AppCaller` (an event loop per
calling thread, see ``_inprocess.py``), the same caller the run uses without httpx.
"""

from __future__ import annotations

import httpx
from starlette.types import ASGIApp

from retell_contract._hosting._inprocess import CLIENT, AppCaller, AppRequest


def async_mock_transport(app: ASGIApp) -> httpx.ASGITransport:
    """An async httpx transport for ``app``: ``httpx.AsyncClient(transport=..., base_url=...)``."""
    return httpx.ASGITransport(app=app, client=CLIENT)


def mock_transport(app: ASGIApp) -> MockTransport:
    """A sync httpx transport for ``app``: ``httpx.Client(transport=..., base_url=...)``."""
    return MockTransport(app)


class MockTransport(httpx.BaseTransport):
    """Sync httpx transport that runs an ASGI app in-process; safe to share between threads."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._caller = AppCaller(app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        incoming = AppRequest(
            method=request.method,
            scheme=url.scheme,
            host=url.host,
            port=url.port,
            target=url.raw_path,
            headers=list(request.headers.raw),
            body=request.read(),
        )
        response = self._caller(incoming)
        return httpx.Response(
            response.status, headers=response.headers, stream=httpx.ByteStream(response.body)
        )

    def close(self) -> None:
        self._caller.close()
