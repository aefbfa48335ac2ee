"""How ``retell-contract run`` looks off a terminal (CI logs) and on one."""

from __future__ import annotations

import asyncio
import io

from click.testing import CliRunner
from rich.console import Console
from starlette.types import Message, Receive, Scope, Send

from retell_contract.cli import main
from retell_contract.report import print_report
from retell_contract.runner import RunOptions, run
from retell_contract.runner._progress import progress
from retell_contract.server import AppServer
from run_support import SECRET_KEY, drop_metadata, mock_app, rewrite_call_object


def test_off_a_terminal_lines_are_whole_and_progress_is_plain_lines():
    result = CliRunner().invoke(main, ["run", "--max-examples", "10", "--seed", "3"])
    assert result.exit_code == 0, result.output
    headline = result.stdout.splitlines()[0]
    assert len(headline) > 80  # the summary's first line is longer than a default terminal...
    assert headline.endswith("seed 3")  # ...and still one line
    lines = result.stderr.splitlines()
    assert lines, "no progress at all"
    assert all(line.startswith("run: ") for line in lines), lines  # no blank lines, no bar
    assert lines[0].startswith("run: 0/")
    planned = lines[0].split("/")[1].split()[0]
    assert lines[-1].startswith(f"run: {planned}/{planned} cases")
    assert 2 < len(lines) <= 10


def test_a_long_note_is_one_line_off_a_terminal():
    result = CliRunner().invoke(main, ["run", "--max-examples", "3", "--seed", "1", "--api-key", "k"])
    (warning,) = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warning.endswith("where it stands on its own")


def test_on_a_terminal_the_bar_says_it_is_drawing_until_the_plan_is_known():
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120)
    with progress(console) as update:
        console.print("marker")  # rich redraws the live bar around printed lines
        drawing = buffer.getvalue()
        update(0, 50, 0)
        console.print("marker")
        running = buffer.getvalue()[len(drawing) :]
    assert "drawing bodies" in drawing
    assert "0/?" not in drawing
    assert "0/50" in running


def test_requests_without_a_response_are_counted_alike_everywhere():
    inner = mock_app()
    unicode_metadata = "📞".encode()

    async def hang_on_unicode(scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        if unicode_metadata in message.get("body", b""):
            await asyncio.sleep(60)

        async def replay_body() -> Message:
            return message

        await inner(scope, replay_body, send)

    result = run(RunOptions(app=hang_on_unicode, timeout=0.05, max_examples=3, seed=7))
    (failure,) = [f for f in result.report.failures if f.check == "response_received"]
    (summary,) = [s for s in result.report.checks if s.name == "response_received"]
    assert failure.occurrences == summary.failed > 0
    assert summary.passed == 0  # not a check: it never counts a pass
    assert result.report.exchanges == result.cases_sent
    buffer = io.StringIO()
    print_report(result.report, console=Console(file=buffer, width=300))
    text = buffer.getvalue()
    assert f"({summary.failed} of {result.report.exchanges} exchanges" in text
    assert f"in {len(result.report.failed_checks)} check(s) over {result.report.exchanges} exchanges" in text
    assert "in 0 check(s)" not in text


def test_the_rerun_command_keeps_the_flags_that_shape_the_run():
    shaping = ["--seed", "3", "--max-examples", "10", "--max-requests", "40", "--rate-limit", "0"]
    shaping += ["--timeout", "2.5"]
    with AppServer(rewrite_call_object(mock_app(SECRET_KEY), drop_metadata)) as server:
        url = server.url
        arguments = ["run", "--url", url, "--api-key", SECRET_KEY, *shaping, "--workers", "2"]
        result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 1, result.output
    reruns = {line.split(" rerun ", 1)[1].strip() for line in result.stdout.splitlines() if " rerun " in line}
    assert reruns == {
        "retell-contract run --seed 3 --url "
        f"{url} --max-examples 10 --max-requests 40 --rate-limit 0 --timeout 2.5"
    }
