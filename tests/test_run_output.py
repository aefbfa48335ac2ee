"""How ``retell-contract run`` looks off a terminal (CI logs) and on one."""

from __future__ import annotations

import io

from click.testing import CliRunner
from rich.console import Console

from retell_contract.cli import main
from retell_contract.runner._progress import progress


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
