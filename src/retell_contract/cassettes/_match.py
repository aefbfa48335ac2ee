"""Compare a live request or response with a scrubbed recording of it.

On disk, scrubbed values are placeholders (``scrubbed-email-1``); a test replaying the
cassette still sends the real value. A recorded placeholder therefore matches any value,
and values at the configured scrub paths (numbers too) are ignored on both sides.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from retell_contract._secrets import TOKEN_FIELD, map_field, map_path
from retell_contract.cassettes._scrub import PLACEHOLDER_PREFIX, parse_field_path
from retell_contract.exchange import NOT_JSON, parse_json

_BLANK = "scrubbed-<any>"


def bodies_match(incoming: bytes, recorded: bytes, *, scrub_fields: Iterable[str] = ()) -> bool:
    """True when a live body equals a recorded one, scrubbed values aside."""
    left, right = parse_json(incoming, NOT_JSON), parse_json(recorded, NOT_JSON)
    if left is NOT_JSON or right is NOT_JSON:
        return incoming == recorded
    for path in (parse_field_path(field) for field in scrub_fields):
        left, right = map_path(left, path, _blank), map_path(right, path, _blank)
    return _matches(map_field(left, TOKEN_FIELD, _blank), map_field(right, TOKEN_FIELD, _blank))


def restore_echoes(sent: Any, received: Any, fields: Iterable[str]) -> Any:
    """``received`` with each placeholder under an echoed field replaced by what was sent.

    A replayed 201 carries ``metadata.email: scrubbed-email-1`` while the live request
    sent the real address; the echo check must compare what the server saw.
    """
    if not isinstance(sent, dict) or not isinstance(received, dict):
        return received
    restored = dict(received)
    for name in fields:
        if name in sent and name in received:
            restored[name] = _restore(sent[name], received[name])
    return restored


def _restore(sent: Any, received: Any) -> Any:
    if _is_placeholder(received):
        return sent
    if isinstance(sent, dict) and isinstance(received, dict):
        return {key: _restore(sent[key], value) if key in sent else value for key, value in received.items()}
    if isinstance(sent, list) and isinstance(received, list) and len(sent) == len(received):
        return [_restore(a, b) for a, b in zip(sent, received, strict=True)]
    return received


def _matches(live: Any, recorded: Any) -> bool:
    if _is_placeholder(recorded):
        return True
    if isinstance(live, dict) and isinstance(recorded, dict):
        return live.keys() == recorded.keys() and all(_matches(live[k], recorded[k]) for k in live)
    if isinstance(live, list) and isinstance(recorded, list):
        return len(live) == len(recorded) and all(_matches(a, b) for a, b in zip(live, recorded, strict=True))
    return type(live) is type(recorded) and live == recorded


def _is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PLACEHOLDER_PREFIX)


def _blank(value: Any) -> str:
    return _BLANK
