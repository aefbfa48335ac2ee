"""retell-contract: contract testing and fuzzing for Retell's POST /v2/create-web-call.

The public API is re-exported here; everything else lives in private modules.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from retell_contract.errors import CassetteError, ContractError, RetellContractError, UsageError

if TYPE_CHECKING:
    from retell_contract.contracts import Agent, Contract, load_contract

# Loaded on first use (PEP 562): the pytest plugin imports this package in every pytest
# run of every project that installs it, and the contract loader pulls in jsonschema.
_LAZY = {"Agent": "retell_contract.contracts", "Contract": "retell_contract.contracts"}
_LAZY["load_contract"] = "retell_contract.contracts"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value: Any = version("retell-contract")
        except PackageNotFoundError:  # running from a source tree without installing
            value = "0.0.0"
    elif name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


__all__ = [
    "Agent",
    "CassetteError",
    "Contract",
    "ContractError",
    "RetellContractError",
    "UsageError",
    "__version__",
    "load_contract",
]
