"""The ``retell-contract`` command line.

Each command is a thin shell: it parses options, calls into the module that does the
work, and turns :class:`~retell_contract.errors.RetellContractError` into a one-line
message and exit code 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from retell_contract import __version__
from retell_contract.contracts import Contract, load_contract
from retell_contract.errors import RetellContractError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
F = TypeVar("F", bound=Callable[..., Any])

contract_option = click.option(
    "--contract",
    "contract_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    envvar="RETELL_CONTRACT_FILE",
    help="Contract file (OpenAPI 3.0/3.1, YAML or JSON) to use instead of the built-in one.",
)


def fail(message: str) -> None:
    """Print a one-line error and exit with the usage/setup code."""
    click.echo(f"retell-contract: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def reports_errors(command: F) -> F:
    """Turn the project's typed errors into ``retell-contract: error: ...`` and exit 2."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except RetellContractError as error:
            fail(str(error))
        return None

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="retell-contract")
def main() -> None:
    """Contract testing and fuzzing for Retell's POST /v2/create-web-call."""


def describe_contract(contract: Contract) -> str:
    """A few lines saying what a contract declares."""
    schema = contract.call_object_schema
    lines = [
        f"contract: {contract.source} (OpenAPI {contract.openapi_version})",
        f"operation: {contract.method} {contract.path}",
        f"request fields: {', '.join(contract.request_schema.get('properties', {}))}"
        f" (required: {', '.join(contract.request_schema.get('required', []))})",
        f"call object: {len(schema.get('properties', {}))} fields, "
        f"{len(contract.required_call_fields)} required ({', '.join(contract.required_call_fields)})",
        f"status codes: {', '.join(str(code) for code in contract.status_codes)}",
    ]
    return "\n".join(lines)


@main.command("contract")
@contract_option
@reports_errors
def contract_command(contract_path: Path | None) -> None:
    """Validate a contract file and summarise what it declares."""
    click.echo(describe_contract(load_contract(contract_path)))


@main.command("run")
@contract_option
@reports_errors
def run_command(contract_path: Path | None) -> None:
    """Check an endpoint against the contract (for now: load and summarise the contract)."""
    click.echo(describe_contract(load_contract(contract_path)))
