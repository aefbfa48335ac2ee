"""Faulty variants of the mock for the run tests: each wraps the real mock app in ASGI middleware."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from retell_contract.contracts import load_contract
from retell_contract.runner import embedded_agents
from retell_contract.server import MockConfig, create_app

# Distinctive, so a test can search every output for it.
SECRET_KEY = "key_SECRET_7c1d94e2b8a04f6e9d3c5b7a1f0e2d4c"


def mock_app(api_key: str | None = None, **config: Any) -> ASGIApp:
    """The mock as the run's in-process default builds it (same agents)."""
    keys = {"api_keys": (api_key,)} if api_key else {}
    return create_app(MockConfig(agents=embedded_agents(load_contract()), **keys, **config))


def rewrite_call_object(app: ASGIApp, change: Callable[[dict[str, Any]], None]) -> ASGIApp:
    """Let ``change`` edit every 201 call object the app returns."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        parts: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            parts.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(parts)
            if start["status"] == 201:
                call = json.loads(body)
                change(call)
                body = json.dumps(call).encode()
            headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({"type": "http.response.start", "status": start["status"], "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await app(scope, receive, capture)

    return wrapped


def crash_when(app: ASGIApp, predicate: Callable[[Scope, bytes], bool]) -> ASGIApp:
    """Raise inside the app (as a buggy handler would) when ``predicate(scope, body)`` holds."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        message = await receive()
        if predicate(scope, message.get("body", b"")):
            raise RuntimeError("handler crashed on this input")
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return message
            return await receive()

        await app(scope, replay, send)

    return wrapped


def has_non_ascii_metadata(scope: Scope, body: bytes) -> bool:
    try:
        document = json.loads(body)
    except ValueError:
        return False
    metadata = document.get("metadata") if isinstance(document, dict) else None
    return isinstance(metadata, dict) and not json.dumps(metadata, ensure_ascii=False).isascii()


def drop_metadata(call: dict[str, Any]) -> None:
    call.pop("metadata", None)
