"""The exceptions retell-contract raises on bad input.

Every error is one line that names the offending file, flag or value, so the CLI can
print ``str(error)`` as-is and exit 2; :func:`first_line` and :func:`yaml_problem` shorten
a library's exception into such a line.
"""

from __future__ import annotations


class RetellContractError(Exception):
    """Base class: bad input to retell-contract (exit code 2 on the command line)."""


class ContractError(RetellContractError):
    """A contract file is missing, unreadable, or not a usable OpenAPI document."""


class RefError(ContractError):
    """A ``$ref`` points outside the document or at nothing (the reader adds the file's name)."""


class CassetteError(RetellContractError):
    """A cassette file or directory is missing, corrupt, truncated or foreign."""


class UsageError(RetellContractError):
    """An option or argument has a value retell-contract cannot use."""


class SetupError(RetellContractError):
    """The target cannot be tested as set up: the key is rejected, it never answers, ..."""


def first_line(error: object) -> str:
    """The first line of a foreign exception's message (its type name when it has none)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def yaml_problem(error: object) -> str:
    """What a PyYAML error says is wrong, and at which line when it knows."""
    mark = getattr(error, "problem_mark", None)
    where = f" at line {mark.line + 1}" if mark is not None else ""
    return f"{getattr(error, 'problem', None) or first_line(error)}{where}"
