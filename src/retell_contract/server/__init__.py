"""A faithful mock of Retell's web-call API (v2 and v3 create-web-call, get-call), in-process or over HTTP.

>>> import httpx
>>> from retell_contract.server import DEFAULT_API_KEY, MockConfig, create_app, mock_transport
>>> app = create_app(MockConfig(seed=1))
>>> with httpx.Client(transport=mock_transport(app), base_url="http://mock") as client:
...     response = client.post(
...         "/v2/create-web-call",
...         json={"agent_id": "oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD"},
...         headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"},
...     )
>>> response.status_code, response.json()["call_status"]
(201, 'registered')

The HTTP server (uvicorn) and the httpx transports are loaded on first use (PEP 562): the
run reaches the app through ``AppCaller`` and needs neither, and they cost ~0.1 s to import.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from retell_contract.server._app import CONTROL_PREFIX, GET_CALL_PATH, create_app, served_operations
from retell_contract.server._config import (
    DEFAULT_API_KEY,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_TOKEN_TTL_SECONDS,
    MockConfig,
    MockConfigError,
    parse_agent,
)
from retell_contract.server._lifecycle import TARGETS, LifecycleError
from retell_contract.server._preload import load_calls_file
from retell_contract.server._state import MockState

if TYPE_CHECKING:
    from retell_contract._hosting._server import AppServer, serve_forever
    from retell_contract._hosting._transport import MockTransport, async_mock_transport, mock_transport
    from retell_contract.server._http import MockServer

_LAZY = {
    "AppServer": "retell_contract._hosting._server",
    "serve_forever": "retell_contract._hosting._server",
    "MockServer": "retell_contract.server._http",
    "MockTransport": "retell_contract._hosting._transport",
    "async_mock_transport": "retell_contract._hosting._transport",
    "mock_transport": "retell_contract._hosting._transport",
}

__all__ = [
    "CONTROL_PREFIX",
    "DEFAULT_API_KEY",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_TOKEN_TTL_SECONDS",
    "GET_CALL_PATH",
    "TARGETS",
    "AppServer",
    "LifecycleError",
    "MockConfig",
    "MockConfigError",
    "MockServer",
    "MockState",
    "MockTransport",
    "async_mock_transport",
    "create_app",
    "load_calls_file",
    "mock_transport",
    "parse_agent",
    "serve_forever",
    "served_operations",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_LAZY[name]), name)
