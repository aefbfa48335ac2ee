"""Compare a live request or response with a scrubbed recording of it.

On disk, scrubbed values are placeholders (``scrubbed-email-1``); a test replaying the
cassette still sends the real value. A recorded placeholder therefore matches any value,
and values at the configured scrub paths (numbers too) are ignored on both sides.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from retell_contract.cassettes._scrub import PLACEHOLDER_PREFIX, TOKEN_FIELD, WILDCARD, parse_field_path

_NOT_JSON: Any = object()
_BLANK = "scrubbed-<any>"


def bodies_match(incoming: bytes, recorded: bytes, *, scrub_fields: Iterable[str] = ()) -> bool:
    """True when a live body equals a recorded one, scrubbed values aside."""
    left, right = _parse_json(incoming), _parse_json(recorded)
    if left is _NOT_JSON or right is _NOT_JSON:
        return incoming == recorded
    for path in (parse_field_path(field) for field in scrub_fields):
        left, right = _blank_path(left, path), _blank_path(right, path)
    return _matches(_blank_tokens(left), _blank_tokens(right))


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


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw.strip() else _NOT_JSON
    except (ValueError, UnicodeDecodeError):
        return _NOT_JSON


def _blank_path(node: Any, path: Sequence[str]) -> Any:
    if not path:
        return _BLANK
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {k: _blank_path(v, rest) if head in (WILDCARD, k) else v for k, v in node.items()}
    if isinstance(node, list):
        return [_blank_path(v, rest) if head in (WILDCARD, str(i)) else v for i, v in enumerate(node)]
    return node


def _blank_tokens(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _BLANK if k == TOKEN_FIELD else _blank_tokens(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_blank_tokens(item) for item in node]
    return node
