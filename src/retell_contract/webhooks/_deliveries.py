"""A webhook delivery as drawn (event, call, fault) and as sent (headers and body, signed then).

Drawing and signing are apart on purpose: a strategy draws what to send and which fault
to put in it; :meth:`Delivery.render` computes the signature at send time from the clock
the sender passes, so an example replayed weeks later from Hypothesis's database is
still fresh (or exactly as stale as its fault says).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from retell_contract.contracts import SIGNATURE_HEADER
from retell_contract.webhooks._signing import TOLERANCE_MS, digest, sign

# Each invalid delivery breaks exactly one of these; every one fails the official verifier.
FAULTS = (
    "missing_signature",
    "bad_signature",
    "wrong_key",
    "tampered_body",
    "stale_timestamp",
    "future_timestamp",
    "malformed_header",
)
# Ways to break the header's shape (``malformed_header``'s detail). ``upper_case_hex``
# passes the Node client's verify (case-insensitive) but not the Python one's.
MALFORMED = (
    "upper_case_hex",
    "no_version",
    "short_digest",
    "reordered",
    "spaces",
    "not_a_number",
    "empty",
)
JSON_CONTENT = "application/json"


def encode_payload(payload: Any) -> bytes:
    """The body Retell sends: compact JSON, non-ASCII kept as UTF-8 (not ``\\u`` escapes)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


@dataclass(frozen=True)
class Rendered:
    """A delivery ready to POST: headers (lower-case names) and the exact body bytes."""

    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Delivery:
    """One POST to a webhook receiver.

    ``fault`` is None for a valid delivery, else one of :data:`FAULTS` with ``detail``
    (a :data:`MALFORMED` name, or the milliseconds beyond the tolerance for timestamps).
    ``attempt`` counts Retell's retries of the same event (1 = first delivery).
    """

    event: str
    call: dict[str, Any] = field(hash=False)
    fault: str | None = None
    detail: str = ""
    attempt: int = 1

    @property
    def call_id(self) -> str:
        return str(self.call.get("call_id", ""))

    @property
    def valid(self) -> bool:
        return self.fault is None

    @property
    def payload(self) -> dict[str, Any]:
        return {"event": self.event, "call": self.call}

    def body(self) -> bytes:
        return encode_payload(self.payload)

    def label(self) -> str:
        """``call_ended`` or ``call_ended/stale_timestamp`` (for reports; no values)."""
        return self.event if self.fault is None else f"{self.event}/{self.fault}"

    def render(self, *, api_key: str, now_ms: int, tolerance_ms: int = TOLERANCE_MS) -> Rendered:
        """Sign now (``now_ms``) with ``api_key``, then apply the fault, if any."""
        body = self.body()
        headers = {"content-type": JSON_CONTENT}
        signature: str | None = sign(body, api_key=api_key, timestamp_ms=now_ms)
        fault = self.fault
        if fault == "missing_signature":
            signature = None
        elif fault == "bad_signature":
            signature = sign(body + b" ", api_key=api_key, timestamp_ms=now_ms)
        elif fault == "wrong_key":
            signature = sign(body, api_key=api_key + "-other", timestamp_ms=now_ms)
        elif fault == "tampered_body":
            body = encode_payload({**self.payload, "event": self.event + "_"})
        elif fault in ("stale_timestamp", "future_timestamp"):
            beyond = tolerance_ms + max(1, int(self.detail or 1))
            stamp = now_ms - beyond if fault == "stale_timestamp" else now_ms + beyond
            signature = sign(body, api_key=api_key, timestamp_ms=max(0, stamp))
        elif fault == "malformed_header":
            signature = _malformed(self.detail, body, api_key, now_ms)
        if signature is not None:
            headers[SIGNATURE_HEADER] = signature
        return Rendered(headers, body)


def _malformed(kind: str, body: bytes, api_key: str, now_ms: int) -> str:
    hex_digest = digest(body, api_key=api_key, timestamp_ms=now_ms)
    return {
        "upper_case_hex": f"v={now_ms},d={hex_digest.upper()}",
        "no_version": f"d={hex_digest}",
        "short_digest": f"v={now_ms},d={hex_digest[:63]}",
        "reordered": f"d={hex_digest},v={now_ms}",
        "spaces": f"v={now_ms}, d={hex_digest}",
        "not_a_number": f"v={now_ms}ms,d={hex_digest}",
        "empty": "",
    }.get(kind, f"v={now_ms};d={hex_digest}")
