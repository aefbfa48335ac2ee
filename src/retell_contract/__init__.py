"""retell-contract: contract testing and fuzzing for Retell's POST /v2/create-web-call.

The public API is re-exported here; everything else lives in private modules.
"""

from importlib.metadata import PackageNotFoundError, version

from retell_contract.contracts import Agent, Contract, load_contract
from retell_contract.errors import CassetteError, ContractError, RetellContractError, UsageError

try:
    __version__ = version("retell-contract")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

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
