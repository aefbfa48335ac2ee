"""Hypothesis strategies for web-call request bodies, call objects and v3 responses.

>>> from hypothesis import given
>>> from retell_contract.strategies import request_bodies
>>> @given(request_bodies())
... def test_server_accepts(body): ...

Valid values pass the contract (and, for call objects, every consistency rule);
invalid ones come as :class:`Invalid` records naming their one violation.
:func:`sample` draws one example deterministically outside (or inside) ``@given``.
``REQUEST_VIOLATIONS`` and ``CALL_VIOLATIONS`` list the violation names of the built-in
contract; :func:`request_violations` / :func:`call_violations` give them for any contract.
"""

from typing import Any

from retell_contract.strategies._calls import call_objects, call_states
from retell_contract.strategies._connections import ice_servers, v3_responses
from retell_contract.strategies._invalid import Invalid
from retell_contract.strategies._invalid_values import (
    call_violations,
    invalid_call_objects,
    invalid_request_bodies,
    request_violations,
)
from retell_contract.strategies._requests import request_bodies
from retell_contract.strategies._sample import sample

__all__ = [
    "CALL_VIOLATIONS",
    "REQUEST_VIOLATIONS",
    "Invalid",
    "call_objects",
    "call_states",
    "call_violations",
    "ice_servers",
    "invalid_call_objects",
    "invalid_request_bodies",
    "request_bodies",
    "request_violations",
    "sample",
    "v3_responses",
]

# Computed on first use: they need the built-in contract, which is slow-ish to load.
_LAZY = {"REQUEST_VIOLATIONS": request_violations, "CALL_VIOLATIONS": call_violations}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = _LAZY[name]()
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
