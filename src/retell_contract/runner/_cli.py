"""Options and body of ``retell-contract run``; ``retell_contract.cli`` only wires them in."""

from __future__ import annotations

import contextlib
import shlex
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from retell_contract._secrets import API_KEY_VARIABLE, too_short
from retell_contract._signals import Terminated, exit_code
from retell_contract.contracts import Agent, load_contract
from retell_contract.errors import UsageError
from retell_contract.report import make_console, mask, print_report, report_json, write_junit
from retell_contract.runner._limits import (
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_TIMEOUT,
    LIVE_MAX_REQUESTS,
    LIVE_RATE_LIMIT,
    MAX_WORKERS,
    TIMEOUTS_TO_STOP,
)
from retell_contract.runner._progress import progress

if TYPE_CHECKING:
    from rich.console import Console

    from retell_contract.cassettes import Recorder
    from retell_contract.runner._engine import RunResult

F = TypeVar("F", bound=Callable[..., Any])
_OPTIONS = [
    click.option(
        "--url", default=None, help="Base URL of the server under test. Default: the embedded mock."
    ),
    click.option(
        "--api-key",
        envvar=API_KEY_VARIABLE,
        default=None,
        help=f"API key (or {API_KEY_VARIABLE}); never printed.",
    ),
    click.option(
        "--agent-id",
        "agent_specs",
        multiple=True,
        metavar="ID[:V,...]",
        help="An agent that exists under the key, optionally with its versions (repeatable).",
    ),
    click.option(
        "--operations",
        "operation_names",
        default=None,
        metavar="NAME[,NAME...]",
        help="Operations to exercise, e.g. create-v2,get-call for a team still on v2. "
        "Default: every one the contract declares (today: create-v2, create-v3, get-call).",
    ),
    click.option(
        "--max-examples",
        type=click.IntRange(min=1),
        default=DEFAULT_MAX_EXAMPLES,
        show_default=True,
        help="Valid bodies to draw (a third as many invalid ones are drawn too).",
    ),
    click.option(
        "--seed",
        type=click.IntRange(min=0),
        default=None,
        help="Seed; the same seed sends the same requests.",
    ),
    click.option(
        "--workers",
        type=click.IntRange(1, MAX_WORKERS),
        default=1,
        show_default=True,
        help="Concurrent requests.",
    ),
    click.option(
        "--max-requests",
        type=click.IntRange(min=1),
        default=None,
        help=f"Request budget, retries included. Default: {LIVE_MAX_REQUESTS} against a remote URL, "
        "else none.",
    ),
    click.option(
        "--rate-limit",
        type=click.FloatRange(min=0),
        default=None,
        help=f"Requests per second (0: no limit). Default: {LIVE_RATE_LIMIT:g} against a remote URL, "
        "else none.",
    ),
    click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        help=f"Seconds to wait for each response; {TIMEOUTS_TO_STOP} timeouts in a row stop the run "
        "(exit 2).",
    ),
    click.option(
        "--junit", type=click.Path(dir_okay=False, path_type=Path), help="Also write JUnit XML here."
    ),
    click.option(
        "--record",
        "record_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Record every exchange to a scrubbed cassette in this directory.",
    ),
    click.option(
        "--record-mode",
        type=click.Choice(["new", "overwrite"]),
        default=None,
        help="With --record: refuse to replace a cassette (new, the default) or replace it.",
    ),
    click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Report format on stdout; json is one document for scripts (progress stays on stderr).",
    ),
    click.option(
        "--scrub-field",
        "scrub_fields",
        multiple=True,
        metavar="PATH",
        help="JSON path to scrub when recording.",
    ),
]


def run_options(command: F) -> F:
    """Decorate ``command`` with the options of ``retell-contract run``."""
    for option in reversed(_OPTIONS):
        command = option(command)
    return command


def run_command_body(
    *,
    contract_path: Path | None,
    agent_specs: tuple[str, ...],
    junit: Path | None,
    record_dir: Path | None,
    record_mode: str | None,
    scrub_fields: tuple[str, ...],
    fmt: str = "text",
    operation_names: str | None = None,
    **flags: Any,
) -> int:
    """Run, print the report (and JUnit); return the exit code."""
    # Imported here: the engine pulls in schemathesis, which every other command can skip.
    from retell_contract.runner._engine import RunOptions, run
    from retell_contract.server import DEFAULT_API_KEY

    if junit is not None and not junit.parent.is_dir():
        raise UsageError(f"--junit {junit}: directory {junit.parent} does not exist")
    out, err = make_console(), make_console(stderr=True)
    secrets = tuple(key for key in (flags.get("api_key"), DEFAULT_API_KEY) if key)
    if too_short(flags.get("api_key")):
        err.print(
            f"warning: the API key is {len(flags['api_key'])} characters long, too short to be a real "
            "one; it is masked only where it stands on its own",
            markup=False,
            highlight=False,
        )
    options = RunOptions(
        **flags,
        agents=tuple(Agent.from_spec(spec) for spec in agent_specs),
        contract=load_contract(contract_path),
        operations=_operation_list(operation_names),
        on_notice=lambda text: err.print(f"note: {mask(text, secrets)}", markup=False, highlight=False),
    )
    try:
        with (
            _recording(record_dir, record_mode, secrets, scrub_fields) as recorder,
            progress(err) as on_progress,
        ):
            record = recorder.record if recorder is not None else None
            result = run(replace(options, on_exchange=record, on_progress=on_progress))
            if result.interrupted is not None:
                raise _Stopped(result)  # leave the recorder without saving a partial cassette
    except _Stopped as stopped:
        return _report_interrupted(stopped.result, out, err, secrets, fmt)
    if recorder is not None:
        err.print(f"recorded {len(recorder.exchanges)} exchanges to {recorder.path}", markup=False)
    rerun = rerun_command(result, contract_path, agent_specs, {**flags, "operations": operation_names})
    if fmt == "json":
        click.echo(report_json(result.report, secrets=secrets, rerun=rerun, **_facts(result)), nl=False)
    else:
        print_report(result.report, console=out, secrets=secrets, headline=headline(result), rerun=rerun)
    if junit is not None:
        write_junit(result.report, junit, secrets=secrets, rerun=rerun)
    return 0 if result.ok else 1


class _Stopped(Exception):
    """Carries an interrupted run's result out of the recording block (which then writes nothing)."""

    def __init__(self, result: RunResult) -> None:
        super().__init__("interrupted")
        self.result = result


def _facts(result: RunResult) -> dict[str, Any]:
    """What the JSON report says about the run itself (the text report's headline)."""
    return {
        "command": "run",
        "target": result.target,
        "seed": result.seed,
        "cases_planned": result.cases_planned,
        "cases": result.cases_sent,
        "requests": result.requests,
        "seconds": round(result.elapsed, 3),
        "notices": list(result.notices),
        "interrupted": None if result.interrupted is None else _interruption(result.interrupted),
    }


def _interruption(interrupt: KeyboardInterrupt) -> str:
    return "terminated (SIGTERM)" if isinstance(interrupt, Terminated) else "interrupted"


def _report_interrupted(
    result: RunResult, out: Console, err: Console, secrets: tuple[str, ...], fmt: str
) -> int:
    """What was checked before Ctrl-C / SIGTERM; no cassette or JUnit file is written."""
    assert result.interrupted is not None
    what = _interruption(result.interrupted)
    line = (
        f"{what} after {result.cases_sent} of {result.cases_planned} cases; "
        f"partial summary below, no cassette or JUnit file written"
    )
    err.print(f"retell-contract run: {line}", markup=False, highlight=False)
    if fmt == "json":
        click.echo(report_json(result.report, secrets=secrets, **_facts(result)), nl=False)
    else:
        print_report(result.report, console=out, secrets=secrets, headline=f"{headline(result)} ({what})")
    return exit_code(result.interrupted)


def headline(result: RunResult) -> str:
    return (
        f"retell-contract run against {result.target}: {result.cases_sent} cases, {result.requests} requests "
        f"in {result.elapsed:.2f} s ({result.cases_per_second:.0f} cases/s, {result.drawing:.2f} s of it "
        f"drawing bodies), seed {result.seed}"
    )


def rerun_command(
    result: RunResult, contract_path: Path | None, agent_specs: tuple[str, ...], flags: dict[str, Any]
) -> str:
    """The command that sends the same requests again (the key stays in RETELL_API_KEY)."""
    words = ["retell-contract", "run", "--seed", str(result.seed)]
    if flags.get("url"):
        words += ["--url", flags["url"]]
    for spec in agent_specs:
        words += ["--agent-id", spec]
    if flags.get("max_examples", DEFAULT_MAX_EXAMPLES) != DEFAULT_MAX_EXAMPLES:
        words += ["--max-examples", str(flags["max_examples"])]
    # What changes which requests go out (the budget) or how they are judged (the timeout),
    # and the politeness asked for: the rerun must not be harsher on a live server.
    for flag, name, default in (
        ("--max-requests", "max_requests", None),
        ("--rate-limit", "rate_limit", None),
        ("--timeout", "timeout", DEFAULT_TIMEOUT),
    ):
        value = flags.get(name, default)
        if value is not None and value != default:
            words += [flag, f"{value:g}" if isinstance(value, float) else str(value)]
    if flags.get("operations"):
        words += ["--operations", flags["operations"]]
    if contract_path is not None:
        words += ["--contract", str(contract_path)]
    return shlex.join(words)


def _operation_list(text: str | None) -> tuple[str, ...] | None:
    """``--operations a,b`` as names; the run checks each against the contract."""
    if text is None:
        return None
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not names:
        raise UsageError("--operations needs at least one operation name, e.g. create-v3,get-call")
    return names


@contextlib.contextmanager
def _recording(
    directory: Path | None, mode: str | None, secrets: tuple[str, ...], scrub_fields: tuple[str, ...]
) -> Iterator[Recorder | None]:
    if directory is None:
        if scrub_fields:
            raise UsageError("--scrub-field only applies with --record DIR")
        if mode is not None:
            raise UsageError("--record-mode only applies with --record DIR")
        yield None
        return
    from retell_contract.cassettes import open_recorder

    with open_recorder(directory, mode=mode or "new", secrets=secrets, scrub_fields=scrub_fields) as recorder:
        yield recorder
