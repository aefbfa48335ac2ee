"""JSON responses, including the contract's error object for every error status."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from retell_contract.contracts import Contract, Operation

JSON = "application/json"


def json_bytes(value: Any) -> bytes:
    """Compact UTF-8 JSON; lone surrogates (legal in JSON input) are sent back as escapes."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


def json_response(status: int, value: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(json_bytes(value), status_code=status, headers=headers, media_type=JSON)


class ErrorResponses:
    """Builds ``{"status": "error", "message": ...}`` bodies from the contract's error schema.

    The message is the contract's documented message for the status, followed by the
    specific reason in parentheses, so a client sees both what and why.
    """

    def __init__(self, contract: Contract, operation: Operation | None = None) -> None:
        # An operation's own documented messages (e.g. get-call's 404), else the primary's.
        self._messages: Contract | Operation = operation or contract
        status_schema = contract.error_schema.get("properties", {}).get("status", {})
        values = status_schema.get("enum") or [status_schema.get("const", "error")]
        self._status_value = values[0]

    def body(self, status: int, detail: str | None = None) -> dict[str, Any]:
        message = self._messages.error_message(status)
        if detail:
            message = f"{message} ({detail})"
        return {"status": self._status_value, "message": message}

    def __call__(
        self, status: int, detail: str | None = None, headers: Mapping[str, str] | None = None
    ) -> Response:
        return json_response(status, self.body(status, detail), headers)
