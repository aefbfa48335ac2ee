"""The ``retell-contract`` command line.

Each command is a thin shell: it parses options, calls into the module that does the
work, and turns :class:`~retell_contract.errors.RetellContractError` into a one-line
message and exit code 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from difflib import get_close_matches
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from retell_contract import __version__, drift
from retell_contract._signals import Terminated, delivered, exit_code, interrupts_as_exceptions
from retell_contract.contracts import Contract, Operation, load_contract
from retell_contract.drift._model import FAIL_ON_CHOICES
from retell_contract.drift._render import FORMATS
from retell_contract.errors import RetellContractError
from retell_contract.runner._cli import run_options
from retell_contract.server._cli import mock_options, run_mock

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
F = TypeVar("F", bound=Callable[..., Any])

contract_option = click.option(
    "--contract",
    "contract_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    envvar="RETELL_CONTRACT_FILE",
    help="Contract file (OpenAPI 3.0/3.1, YAML or JSON), or a built-in one by name: today (the "
    "default) or seed (v2 as the seed era had it).",
)


def fail(message: str) -> NoReturn:
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
        except KeyboardInterrupt as interrupt:  # Ctrl-C, or SIGTERM (see _signals)
            delivered()
            what = "terminated (SIGTERM)" if isinstance(interrupt, Terminated) else "interrupted"
            click.echo(f"retell-contract: {what}", err=True)
            sys.exit(exit_code(interrupt))

    return wrapper  # type: ignore[return-value]


class OneLineErrors(click.Command):
    """A command whose bad flags get the project's one-line error and exit 2 (not click's usage block)."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as error:
            fail(f"{info_name or self.name}: {error.format_message()}")


class OneLineGroup(click.Group):
    """The group: a mistyped command or a bad group flag is one line too (with click's did-you-mean)."""

    command_class = OneLineErrors

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        if not args:  # no command at all: click's help, as usual
            return super().make_context(info_name, args, parent=parent, **extra)
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as error:
            fail(error.format_message())

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as error:
            message = error.format_message()
            if "Did you mean" not in message:
                commands = self.list_commands(ctx)
                hint = did_you_mean(args[0] if args else "", commands)
                message += hint or f" Commands: {', '.join(commands)}."
            fail(message)


def did_you_mean(name: str, commands: Iterable[str]) -> str:
    """Click's own suggestion for a mistyped command, for clicks before 8.4 that make none."""
    matches = sorted(get_close_matches(name, list(commands)))
    if not matches:
        return ""
    listed = ", ".join(repr(match) for match in matches)
    return f" Did you mean {listed}?" if len(matches) == 1 else f" (Did you mean one of: {listed}?)"


EXIT_CODES = (
    "Exit codes: 0 passed, 1 contract violation (run, replay) or drift (diff), 2 usage or "
    "setup error (one line on stderr), 130 interrupted (Ctrl-C), 143 terminated (SIGTERM); "
    "mock stops cleanly (0) on either."
)


@click.group(
    cls=OneLineGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=f"{EXIT_CODES} Defaults for any option can live in ./pyproject.toml under "
    "[tool.retell-contract.<command>], e.g. max-examples = 200 under [tool.retell-contract.run].",
)
@click.version_option(__version__, prog_name="retell-contract")
@click.pass_context
@reports_errors
def main(ctx: click.Context) -> None:
    """Contract testing and fuzzing for Retell's POST /v2/create-web-call."""
    from retell_contract._config import load_defaults

    ctx.default_map = load_defaults(main, ctx)
    ctx.with_resource(interrupts_as_exceptions())


def describe_contract(contract: Contract) -> str:
    """A few lines saying what a contract declares."""
    schema = contract.call_object_schema
    lines = [
        f"contract: {contract.source} (OpenAPI {contract.openapi_version})",
        *(_describe_operation(op) for op in contract.operations),
        f"request fields: {', '.join(contract.request_schema.get('properties', {}))}"
        f" (required: {', '.join(contract.request_schema.get('required', []))})",
        f"call object: {len(schema.get('properties', {}))} fields, "
        f"{len(contract.required_call_fields)} required ({', '.join(contract.required_call_fields)})",
    ]
    return "\n".join(lines)


def _describe_operation(op: Operation) -> str:
    standing = f" (deprecated{f' from {op.sunset}' if op.sunset else ''}" if op.deprecated else ""
    if op.deprecated:
        standing += f"; successor {op.successor})" if op.successor else ")"
    codes = ", ".join(str(code) for code in op.status_codes)
    return f"operation {op.name}: {op.method} {op.path}{standing}, status codes {codes}"


@main.command("contract")
@contract_option
@reports_errors
def contract_command(contract_path: Path | None) -> None:
    """Validate a contract file and summarise what it declares."""
    click.echo(describe_contract(load_contract(contract_path)))


@main.command("diff", cls=OneLineErrors, epilog=EXIT_CODES)
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON_CHOICES),
    default="breaking",
    show_default=True,
    help="Exit 1 when a change at or above this severity is found.",
)
@reports_errors
def diff_command(old: Path, new: Path, fmt: str, fail_on: str) -> None:
    """Compare OLD and NEW (contract files or cassettes); exit 1 on drift.

    OLD and NEW are each an OpenAPI contract (YAML or JSON) or a cassette (or a directory of
    them) recorded by run --record: contract vs contract, recording vs contract, recording vs
    recording.
    """
    report = drift.diff(old, new)
    click.echo(drift.render(report, fmt), nl=False)
    sys.exit(EXIT_FAILED if report.fails(fail_on) else EXIT_OK)


@main.command("mock", cls=OneLineErrors)
@contract_option
@mock_options
@reports_errors
def mock_command(contract_path: Path | None, **options: Any) -> None:
    """Serve a mock of the Retell API over HTTP until Ctrl-C.

    It answers POST /v2/create-web-call and GET /v2/get-call/{call_id} as the contract says,
    with the agents and keys given (default: the contract's example agent and the test key).
    """
    run_mock(load_contract(contract_path), **options)


@main.command("replay", cls=OneLineErrors, epilog=EXIT_CODES)
@click.argument("cassettes", type=click.Path(path_type=Path))
@contract_option
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), help="Also write JUnit XML here.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format; json is one document for scripts.",
)
@reports_errors
def replay_command(cassettes: Path, contract_path: Path | None, junit: Path | None, fmt: str) -> None:
    """Re-check recorded exchanges (a cassette or a directory of them) offline; exit 0/1 like run."""
    from retell_contract.cassettes._replay import print_replay, replay
    from retell_contract.report import make_console, report_json, write_junit

    contract = load_contract(contract_path)
    report = replay(cassettes, contract=contract)
    if fmt == "json":
        rerun = f"retell-contract replay {cassettes}"
        click.echo(report_json(report, rerun=rerun, command="replay", cassettes=str(cassettes)), nl=False)
    else:
        print_replay(cassettes, report, contract, console=make_console())
    if junit is not None:
        write_junit(report, junit, rerun=f"retell-contract replay {cassettes}")
    sys.exit(EXIT_OK if report.ok else EXIT_FAILED)


@main.command("run", cls=OneLineErrors, epilog=EXIT_CODES)
@contract_option
@run_options
@reports_errors
def run_command(**options: Any) -> None:
    """Fuzz create-web-call (the embedded mock, or --url) against the contract; exit 1 on a violation."""
    from retell_contract.runner._cli import run_command_body

    sys.exit(run_command_body(**options))


@main.command("webhook", cls=OneLineErrors)
@click.option("--url", required=True, help="The team's webhook receiver URL.")
@click.option("--api-key", required=True, envvar="RETELL_API_KEY", help="The key the receiver verifies with.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the drawn deliveries.")
@click.option(
    "--max-examples", type=click.IntRange(min=1), default=10, show_default=True, help="Per case kind."
)
@click.option("--timeout", type=click.FloatRange(min=0.0, min_open=True), default=10.0, show_default=True)
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), help="Also write JUnit XML here.")
@contract_option
@reports_errors
def webhook_command(
    url: str,
    api_key: str,
    seed: int,
    max_examples: int,
    timeout: float,
    junit: Path | None,
    contract_path: Path | None,
) -> None:
    """Send signed and faulty webhook deliveries to a receiver; exit 1 when it mishandles one."""
    from rich.console import Console

    from retell_contract.report import print_report, write_junit
    from retell_contract.webhooks import WebhookRunOptions, run_webhook_conformance

    options = WebhookRunOptions(
        api_key=api_key,
        url=url,
        seed=seed,
        max_examples=max_examples,
        timeout=timeout,
        contract=load_contract(contract_path),
    )
    report = run_webhook_conformance(options)
    rerun = f"retell-contract webhook --url {url} --api-key $RETELL_API_KEY --seed {seed}"
    headline = f"retell-contract webhook: {report.exchanges} deliveries to {url} (seed {seed})"
    print_report(report, console=Console(highlight=False), secrets=[api_key], headline=headline, rerun=rerun)
    if junit is not None:
        write_junit(report, junit, secrets=[api_key], rerun=rerun)
    sys.exit(EXIT_OK if report.ok else EXIT_FAILED)
