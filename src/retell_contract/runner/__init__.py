"""The run engine behind ``retell-contract run``.

>>> from retell_contract.runner import RunOptions, run
>>> result = run(RunOptions(max_examples=20, seed=1))     # the embedded mock, in-process
>>> result.ok, result.report.exchanges > 20
(True, True)

Requests are schemathesis ``Case`` s sent with ``Case.call``; bodies come from
:mod:`retell_contract.strategies`; every exchange is judged by :mod:`retell_contract.checks`.

Names are loaded on first use (PEP 562): the CLI imports ``runner._cli`` for every
command, and the engine's imports (schemathesis) cost ~0.3 s that only ``run`` needs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from retell_contract.runner._engine import (
        SECOND_AGENT,
        ProgressHook,
        RunOptions,
        RunResult,
        embedded_agents,
        run,
    )
    from retell_contract.runner._limits import LIVE_MAX_REQUESTS, LIVE_RATE_LIMIT
    from retell_contract.runner._plan import plan_cases
    from retell_contract.runner._probes import PlannedCase
    from retell_contract.runner._send import retry_delay

_HOMES = {
    "LIVE_MAX_REQUESTS": "_limits",
    "LIVE_RATE_LIMIT": "_limits",
    "SECOND_AGENT": "_engine",
    "ProgressHook": "_engine",
    "RunOptions": "_engine",
    "RunResult": "_engine",
    "embedded_agents": "_engine",
    "run": "_engine",
    "plan_cases": "_plan",
    "PlannedCase": "_probes",
    "retry_delay": "_send",
}

__all__ = [
    "LIVE_MAX_REQUESTS",
    "LIVE_RATE_LIMIT",
    "SECOND_AGENT",
    "PlannedCase",
    "ProgressHook",
    "RunOptions",
    "RunResult",
    "embedded_agents",
    "plan_cases",
    "retry_delay",
    "run",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
