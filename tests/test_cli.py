"""The command group: one-line usage errors for every command, ``python -m retell_contract``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from retell_contract.cli import did_you_mean, main


def one_line_error(*arguments: str) -> str:
    result = CliRunner().invoke(main, list(arguments))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("retell-contract: error:")
    return lines[0]


def test_a_mistyped_command_is_one_line_with_a_suggestion() -> None:
    assert "Did you mean 'run'?" in one_line_error("runn")


def test_the_suggestion_matches_clicks_wording_for_one_or_several() -> None:
    commands = ["contract", "diff", "mock", "replay", "run"]
    assert did_you_mean("runn", commands) == " Did you mean 'run'?"
    assert did_you_mean("rep", ["report", "replay"]) == " (Did you mean one of: 'replay', 'report'?)"
    assert did_you_mean("frobnicate", commands) == ""


def test_an_unknown_command_lists_the_commands() -> None:
    line = one_line_error("frobnicate")
    assert "'frobnicate'" in line
    assert "contract, diff, mock, replay, run" in line


def test_a_bad_group_flag_is_one_line() -> None:
    assert "--bogus" in one_line_error("--bogus")


@pytest.mark.parametrize("command", ["contract", "run", "mock", "replay"])
def test_a_directory_as_contract_is_one_line(command: str, tmp_path: Path) -> None:
    extra = [str(tmp_path)] if command == "replay" else []
    line = one_line_error(command, *extra, "--contract", str(tmp_path))
    assert "is a directory" in line


def test_no_command_still_shows_the_help() -> None:
    result = CliRunner().invoke(main, [])
    assert "Commands:" in result.output


def test_python_dash_m() -> None:
    process = subprocess.run(
        [sys.executable, "-m", "retell_contract", "--version"], capture_output=True, text=True, check=False
    )
    assert process.returncode == 0, process.stderr
    assert process.stdout.startswith("retell-contract, version ")
