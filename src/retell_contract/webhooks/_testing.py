"""Test helpers behind the plugin's webhook fixtures: post signed deliveries, receive the mock's.

:class:`WebhookPoster` posts to an app under test in-process (ASGI or WSGI, no socket),
signing each delivery when it is sent, so a delivery replayed from a cassette recorded
long ago is as fresh as a new one. :class:`WebhookReceiver` is a receiver on loopback for
the mock's deliveries (``MockConfig(webhook_url=receiver.url)``); it keeps what arrived and
saves it as a scrubbed cassette (signatures, keys and access tokens never reach disk).
"""

from __future__ import annotations

import inspect
import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from retell_contract.contracts import SIGNATURE_HEADER
from retell_contract.errors import UsageError
from retell_contract.exchange import Exchange, RecordedRequest, RecordedResponse
from retell_contract.webhooks._conformance import asgi_transport, wsgi_transport
from retell_contract.webhooks._deliveries import Delivery
from retell_contract.webhooks._signing import verify

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

RECEIVER_URL = "http://receiver.test/webhook"


def app_transport(app: Any) -> httpx.BaseTransport:
    """An in-process transport to ``app``: ASGI when its ``__call__`` is a coroutine, else WSGI."""
    if isinstance(app, httpx.BaseTransport):
        return app
    if not callable(app):
        raise UsageError(f"expected an ASGI or WSGI app, not {type(app).__name__}")
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else type(app).__call__
    return asgi_transport(app) if inspect.iscoroutinefunction(call) else wsgi_transport(app)


class WebhookPoster:
    """Posts deliveries to an app under test, each signed with ``api_key`` at send time."""

    def __init__(
        self, app: Any, *, api_key: str, url: str = RECEIVER_URL, clock: Callable[[], float] = time.time
    ) -> None:
        self.api_key, self.url, self.clock = api_key, url, clock
        self._client = httpx.Client(transport=app_transport(app))

    def post(self, delivery: Delivery) -> httpx.Response:
        """Sign ``delivery`` now (with its fault, if it has one) and POST it."""
        rendered = delivery.render(api_key=self.api_key, now_ms=int(self.clock() * 1000))
        return self._client.post(self.url, content=rendered.body, headers=rendered.headers)

    def post_event(self, event: str, call: Mapping[str, Any]) -> httpx.Response:
        """POST a validly signed ``{"event": event, "call": call}``."""
        return self.post(Delivery(event, dict(call)))

    def replay(self, cassette: str | Path) -> list[httpx.Response]:
        """POST every recorded delivery of ``cassette`` again, in order, re-signed now.

        The recorded body is sent byte for byte (scrubbed values included); the recorded
        signature, scrubbed and stale after five minutes anyway, is replaced.
        """
        from retell_contract.cassettes import read_cassettes

        responses = []
        for exchange in read_cassettes(cassette):
            body = exchange.request.body
            headers = {k: v for k, v in exchange.request.headers.items() if k.lower() != SIGNATURE_HEADER}
            headers[SIGNATURE_HEADER] = _sign_now(body, self.api_key, self.clock)
            headers.pop("content-length", None)
            responses.append(self._client.post(self.url, content=body, headers=headers))
        return responses

    def close(self) -> None:
        self._client.close()


def _sign_now(body: bytes, api_key: str, clock: Callable[[], float]) -> str:
    from retell_contract.webhooks._signing import sign

    return sign(body, api_key=api_key, timestamp_ms=int(clock() * 1000))


@dataclass(frozen=True)
class ReceivedDelivery:
    """One POST the receiver got: the raw body, its headers, and what it answered."""

    body: bytes
    headers: Mapping[str, str]
    status: int

    @property
    def signature(self) -> str | None:
        return self.headers.get(SIGNATURE_HEADER)

    @property
    def payload(self) -> Any:
        return json.loads(self.body)

    @property
    def event(self) -> str:
        return str(self.payload.get("event", ""))

    def verifies(self, api_key: str, *, now_ms: int | None = None) -> bool:
        """Whether the delivery's signature verifies with ``api_key`` (wall clock by default)."""
        return verify(self.body, api_key=api_key, signature=self.signature, now_ms=now_ms)


class WebhookReceiver:
    """A webhook receiver on 127.0.0.1 that keeps every delivery and answers ``status``."""

    def __init__(self, *, status: int = 204) -> None:
        self.status = status
        self._received: list[ReceivedDelivery] = []
        self._arrived = threading.Condition()
        self._server: Any = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the receiver is not running; use it as a context manager")
        return f"{self._server.url}/webhook"

    @property
    def deliveries(self) -> list[ReceivedDelivery]:
        with self._arrived:
            return list(self._received)

    def wait_for(self, count: int, timeout: float = 30.0) -> list[ReceivedDelivery]:
        """Block until ``count`` deliveries arrived (the mock sends off the request path)."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self._received) >= count, timeout):
                raise AssertionError(f"{len(self._received)} webhook deliveries arrived, expected {count}")
            return list(self._received)

    def save(self, path: str | Path, *, mode: str = "new", secrets: Iterable[str] = ()) -> Path:
        """Write what arrived as a vcrpy cassette, scrubbed (``secrets``: the signing key)."""
        from retell_contract.cassettes import Scrubber, write_cassette

        exchanges = [
            Exchange(
                RecordedRequest("POST", RECEIVER_URL, dict(d.headers), d.body),
                RecordedResponse(d.status),
                {"case": d.event},
            )
            for d in self.deliveries
        ]
        return write_cassette(path, exchanges, mode=mode, scrubber=Scrubber(secrets=secrets))

    def __enter__(self) -> WebhookReceiver:
        from starlette.applications import Starlette
        from starlette.routing import Route

        from retell_contract._hosting._server import AppServer

        app = Starlette(routes=[Route("/webhook", self._endpoint, methods=["POST"])])
        self._server = AppServer(app).__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.__exit__(*exc)

    async def _endpoint(self, request: Request) -> Response:
        body = await request.body()  # the raw bytes, exactly as sent
        status = self.status
        with self._arrived:
            self._received.append(ReceivedDelivery(body, dict(request.headers), status))
            self._arrived.notify_all()
        from starlette.responses import Response

        return Response(status_code=status)
