"""Faulty variants of the mock for the run tests: the real mock app in the mutation benchmark's
ASGI rewrites (``benchmarks._asgi``), so tests and benchmark inject faults the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from benchmarks._asgi import crash_when, rewrite
from benchmarks._request_faults import non_ascii_in
from benchmarks._response_faults import on_call
from starlette.types import ASGIApp

from retell_contract.contracts import load_contract
from retell_contract.runner import embedded_agents
from retell_contract.server import MockConfig, create_app

__all__ = [
    "SECRET_KEY",
    "crash_when",
    "drop_metadata",
    "has_non_ascii_metadata",
    "mock_app",
    "rewrite_call_object",
]

# Distinctive, so a test can search every output for it.
SECRET_KEY = "key_SECRET_7c1d94e2b8a04f6e9d3c5b7a1f0e2d4c"
# A crash trigger for crash_when: the request's metadata holds non-ASCII text.
has_non_ascii_metadata = non_ascii_in("metadata")


def mock_app(api_key: str | None = None, **config: Any) -> ASGIApp:
    """The mock as the run's in-process default builds it (same agents)."""
    keys = {"api_keys": (api_key,)} if api_key else {}
    return create_app(MockConfig(agents=embedded_agents(load_contract()), **keys, **config))


def rewrite_call_object(app: ASGIApp, change: Callable[[dict[str, Any]], None]) -> ASGIApp:
    """Let ``change`` edit every 201 call object the app returns."""
    return rewrite(app, response=on_call(change))


def drop_metadata(call: dict[str, Any]) -> None:
    call.pop("metadata", None)
