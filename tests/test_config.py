"""``[tool.retell-contract]`` in pyproject.toml: defaults for the command line, checked first."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from retell_contract.cli import main


def invoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toml: str, *arguments: str) -> Result:
    (tmp_path / "pyproject.toml").write_text(toml, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(main, list(arguments))


def test_a_command_table_sets_defaults(tmp_path, monkeypatch):
    result = invoke(tmp_path, monkeypatch, "[tool.retell-contract.run]\nmax-examples = 3\nseed = 11\n", "run")
    assert result.exit_code == 0, result.output
    assert "seed 11" in " ".join(result.stdout.split())


def test_the_command_line_wins(tmp_path, monkeypatch):
    toml = "[tool.retell-contract.run]\nmax-examples = 3\nseed = 11\n"
    result = invoke(tmp_path, monkeypatch, toml, "run", "--seed", "12")
    assert "seed 12" in " ".join(result.stdout.split())


def test_top_level_keys_apply_to_every_command_with_the_option(tmp_path, monkeypatch):
    (tmp_path / "missing-dir").mkdir()
    toml = '[tool.retell-contract]\ncontract = "nope.yaml"\n'
    for command in ("contract", "run"):
        result = invoke(tmp_path, monkeypatch, toml, command)
        assert result.exit_code == 2
        assert "nope.yaml: contract file not found" in result.stderr


def test_repeatable_options_take_lists(tmp_path, monkeypatch):
    toml = '[tool.retell-contract.run]\nmax-examples = 3\nagent-id = ["agent_a:1", "agent_b"]\n'
    result = invoke(tmp_path, monkeypatch, toml, "run", "--seed", "1")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            "[tool.retell-contract.run]\nmax-exampels = 3\n",
            "[tool.retell-contract.run] max-exampels: unknown option",
        ),
        ('[tool.retell-contract.run]\nmax-examples = "many"\n', "max-examples: Invalid value"),
        ("[tool.retell-contract.run]\nmax-examples = 0\n", "max-examples: Invalid value"),
        ('[tool.retell-contract.run]\nagent-id = "a"\n', "agent-id: expected a list"),
        ("[tool.retell-contract.run]\nseed = [1, 2]\n", "seed: expected one value"),
        ("[tool.retell-contract.runn]\nseed = 1\n", "[tool.retell-contract.runn]: no such command"),
        (
            "[tool.retell-contract]\nbogus = 1\n",
            "[tool.retell-contract] bogus: no command has an option --bogus",
        ),
        ('[tool.retell-contract.run]\napi-key = "key_x"\n', "api-key: never put the API key in a file"),
        ('[tool.retell-contract]\napi-key = "key_x"\n', "api-key: never put the API key in a file"),
        ("[tool.retell-contract\n", "not valid TOML"),
        ('[tool]\nretell-contract = "x"\n', "must be a table"),
    ],
)
def test_bad_configuration_is_one_line_naming_the_key(tmp_path, monkeypatch, toml, message):
    result = invoke(tmp_path, monkeypatch, toml, "run")
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"retell-contract: error: {tmp_path / 'pyproject.toml'}")
    assert message in line
    assert "key_x" not in result.output


def test_a_pyproject_without_the_table_changes_nothing(tmp_path, monkeypatch):
    result = invoke(tmp_path, monkeypatch, '[project]\nname = "x"\n', "run", "--max-examples", "3")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("command", [[], ["run"], ["replay"], ["diff"]])
def test_help_lists_exit_codes_and_sends_nobody_to_a_readme(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "Exit codes: 0 passed, 1 contract violation" in text
    assert "2 usage or setup error" in text
    assert "README" not in text


@pytest.mark.parametrize("command", ["contract", "mock"])
def test_no_help_text_points_at_the_readme(command):
    assert "README" not in CliRunner().invoke(main, [command, "--help"]).output
