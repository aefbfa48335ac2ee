"""The run engine behind ``retell-contract run``.

>>> from retell_contract.runner import RunOptions, run
>>> result = run(RunOptions(max_examples=20, seed=1))     # the embedded mock, in-process
>>> result.ok, result.report.exchanges > 20
(True, True)

Requests are schemathesis ``Case`` s sent with ``Case.call``; bodies come from
:mod:`retell_contract.strategies`; every exchange is judged by :mod:`retell_contract.checks`.
"""

from retell_contract.runner._engine import (
    LIVE_MAX_REQUESTS,
    LIVE_RATE_LIMIT,
    SECOND_AGENT,
    ProgressHook,
    RunOptions,
    RunResult,
    embedded_agents,
    run,
)
from retell_contract.runner._plan import plan_cases
from retell_contract.runner._probes import PlannedCase
from retell_contract.runner._send import retry_delay

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
