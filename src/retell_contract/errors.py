"""The exceptions retell-contract raises on bad input.

Every error is one line that names the offending file, flag or value, so the CLI can
print ``str(error)`` as-is and exit 2.
"""

from __future__ import annotations


class RetellContractError(Exception):
    """Base class: bad input to retell-contract (exit code 2 on the command line)."""


class ContractError(RetellContractError):
    """A contract file is missing, unreadable, or not a usable OpenAPI document."""


class CassetteError(RetellContractError):
    """A cassette file or directory is missing, corrupt, truncated or foreign."""


class UsageError(RetellContractError):
    """An option or argument has a value retell-contract cannot use."""
