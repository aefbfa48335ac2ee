"""The mock on a real socket: :class:`MockServer` (uvicorn in a daemon thread)."""

from __future__ import annotations

from retell_contract._hosting._server import AppServer
from retell_contract.contracts import Contract
from retell_contract.server._app import create_app
from retell_contract.server._config import MockConfig
from retell_contract.server._state import MockState


class MockServer(AppServer):
    """The mock on a real socket (uvicorn in a daemon thread); use as a context manager.

    >>> with MockServer(MockConfig(seed=1)) as server:   # doctest: +SKIP
    ...     httpx.post(f"{server.url}/v2/create-web-call", ...)

    ``port=0`` picks a free port; ``.url`` says which; ``.state`` is the mock's
    :class:`MockState` for Python-level control (join, advance, calls, reset).
    """

    def __init__(
        self,
        config: MockConfig | None = None,
        *,
        contract: Contract | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        app = create_app(config, contract=contract)
        super().__init__(app, host=host, port=port)
        self.state: MockState = app.state.mock
