"""Webhook receivers for the benchmark: correct ones written as Retell's docs describe, and faulty ones.

The docs' receiver: read the raw body, ``verify(raw_body, api_key, signature)``, answer
401 when it fails, process the event (idempotently: keyed on call id + event), answer 204.
Each faulty receiver changes one thing. ``rows`` is the app's "database": one row per event.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from retell_contract.webhooks import verify

KNOWN = ("call_started", "call_ended", "call_analyzed", "transcript_updated")
Verifier = Callable[[bytes, str | None, "Receiver"], bool]


@dataclass
class Receiver:
    """One receiver's behaviour; ``handle`` is shared by the ASGI and the WSGI front."""

    name: str
    api_key: str
    fault: str = ""
    slow_seconds: float = 0.0
    rows: dict[tuple[str, str], int] = field(default_factory=dict)

    def verified(self, raw: bytes, signature: str | None, header_names: Iterable[str]) -> bool:
        fault = self.fault
        if fault == "accepts_bad_signatures":
            return True
        if fault == "case_sensitive_header" and "x-retell-signature" not in header_names:
            return False
        if fault == "reserialised_body":
            raw = json.dumps(json.loads(raw)).encode()  # the classic bug: not the bytes sent
        if fault == "no_timestamp_check":
            return verify(raw, api_key=self.api_key, signature=signature, tolerance_ms=10**15)
        if fault == "upper_case_lax" and signature:
            signature = signature.lower()  # accepts an upper-case digest (as the Node client does)
        return verify(raw, api_key=self.api_key, signature=signature)

    def handle(self, raw: bytes, signature: str | None, header_names: Iterable[str]) -> int:
        if not self.verified(raw, signature, header_names):
            return 401
        payload = json.loads(raw)
        event, call = payload["event"], payload["call"]
        fault = self.fault
        if fault == "crash_on_unknown" and event not in KNOWN:
            raise ValueError(f"unknown event {event}")
        if fault == "500_on_unknown" and event not in KNOWN:
            return 500
        if fault == "needs_analysis" and event == "call_ended":
            _ = call["call_analysis"]["call_summary"]
        if fault == "needs_metadata":
            _ = call["metadata"]
        if fault == "slow" and event == "call_started":
            time.sleep(self.slow_seconds)
        key = (call["call_id"], event)
        if key in self.rows and fault == "double_processing":
            self.rows[key] += 1
        elif key in self.rows and fault == "500_on_duplicate":
            return 500
        else:
            self.rows.setdefault(key, 1)
        return 204

    def one_row_per_event(self, delivery: Any, response: Any) -> None:
        """The user check: whatever the redeliveries, each event is stored once."""
        twice = [key for key, count in self.rows.items() if count > 1]
        assert not twice, f"{len(twice)} event(s) processed twice"


def asgi_app(receiver: Receiver) -> Starlette:
    async def webhook(request: Request) -> Response:
        raw = await request.body()
        names = [name for name, _ in request.scope["headers"]]
        shown = [
            n.decode().title() if receiver.fault == "case_sensitive_header" else n.decode() for n in names
        ]
        status = receiver.handle(raw, request.headers.get("x-retell-signature"), shown)
        return Response(status_code=status)

    return Starlette(routes=[Route("/webhook", webhook, methods=["POST"])])


def wsgi_app(receiver: Receiver) -> Callable[..., Any]:
    """A plain WSGI receiver (no framework): reads wsgi.input exactly as sent."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length)
        status = receiver.handle(raw, environ.get("HTTP_X_RETELL_SIGNATURE"), ["x-retell-signature"])
        start_response(f"{status} X", [("Content-Length", "0")])
        return [b""]

    return app


# Faults the conformance run must catch (fault name -> what a team got wrong).
FAULTY = {
    "reserialised_body": "verifies json.dumps(json.loads(body)) instead of the raw bytes",
    "no_timestamp_check": "never checks the timestamp (replayable)",
    "accepts_bad_signatures": "skips verification",
    "case_sensitive_header": "looks for the header as X-Retell-Signature only",
    "upper_case_lax": "accepts an upper-case digest",
    "needs_analysis": "crashes on call_ended without call_analysis",
    "needs_metadata": "crashes on a call created without metadata",
    "double_processing": "stores a retried event twice",
    "500_on_duplicate": "answers 500 to a redelivered event",
    "slow": "answers after Retell's timeout",
    "crash_on_unknown": "raises on an unknown event name",
    "500_on_unknown": "answers 500 to an unknown event name",
}
