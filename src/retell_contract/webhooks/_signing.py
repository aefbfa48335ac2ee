"""Retell's webhook signature: ``x-retell-signature: v=<ms>,d=<hex>``, byte-exact with the SDKs.

The digest is the lower-case hex HMAC-SHA256, keyed with the API key, of the raw body
bytes followed by the decimal timestamp (no separator). :func:`verify` applies the rules
of the official Python client (retell-sdk 6.2.13 ``retell/lib/webhook_auth.py``): the
header must match ``v=(\\d+),d=([0-9a-f]{64})`` exactly, the timestamp must be within
``tolerance_ms`` of now in either direction, then the digests are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

TOLERANCE_MS = 5 * 60 * 1000
_HEADER = re.compile(r"v=(\d+),d=([0-9a-f]{64})")


def digest(body: bytes, *, api_key: str, timestamp_ms: int) -> str:
    """The lower-case hex HMAC-SHA256 of ``body + str(timestamp_ms)`` keyed with ``api_key``."""
    message = body + str(timestamp_ms).encode("ascii")
    return hmac.new(api_key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(body: bytes, *, api_key: str, timestamp_ms: int) -> str:
    """The ``x-retell-signature`` value Retell sends with ``body`` at ``timestamp_ms``."""
    if not isinstance(body, bytes):
        raise TypeError(f"body must be the raw bytes sent, not {type(body).__name__}")
    if not isinstance(timestamp_ms, int) or isinstance(timestamp_ms, bool) or timestamp_ms < 0:
        raise ValueError(f"timestamp_ms must be a non-negative integer (Unix ms), not {timestamp_ms!r}")
    return f"v={timestamp_ms},d={digest(body, api_key=api_key, timestamp_ms=timestamp_ms)}"


def verify(
    body: bytes | str,
    *,
    api_key: str,
    signature: str | None,
    now_ms: int | None = None,
    tolerance_ms: int = TOLERANCE_MS,
) -> bool:
    """True when ``signature`` signs ``body`` with ``api_key`` within ``tolerance_ms`` of now.

    ``body`` is the raw request body (a ``str`` is taken as its UTF-8 bytes, as the SDK
    does). ``now_ms`` defaults to the wall clock. A missing header is False here (the
    Python SDK raises ``TypeError`` for it).
    """
    return (
        signature_problem(
            body, api_key=api_key, signature=signature, now_ms=now_ms, tolerance_ms=tolerance_ms
        )
        is None
    )


def signature_problem(
    body: bytes | str,
    *,
    api_key: str,
    signature: str | None,
    now_ms: int | None = None,
    tolerance_ms: int = TOLERANCE_MS,
) -> str | None:
    """Why :func:`verify` refuses the delivery (one short phrase), or None when it verifies."""
    if signature is None:
        return "no signature header"
    match = _HEADER.fullmatch(signature)
    if match is None:
        return "the signature header is not v=<ms>,d=<64 lower-case hex>"
    stamp = int(match.group(1))
    now = int(time.time() * 1000) if now_ms is None else now_ms
    if abs(now - stamp) > tolerance_ms:
        return f"the timestamp is {now - stamp} ms away from now (tolerance {tolerance_ms})"
    raw = body.encode("utf-8") if isinstance(body, str) else body
    expected = digest(raw, api_key=api_key, timestamp_ms=stamp)
    if not hmac.compare_digest(expected, match.group(2)):
        return "the digest does not match the body"
    return None
