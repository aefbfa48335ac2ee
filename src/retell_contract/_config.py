"""Defaults for the command line from ``pyproject.toml``'s ``[tool.retell-contract]`` table.

Keys are the options' long names without the dashes (``max-examples = 200``), in a
sub-table per command (``[tool.retell-contract.run]``); keys at the top level apply to
every command that has that option (``contract = "api/contract.yaml"``). Flags on the
command line win. Every key and value is checked before the command runs; a problem is
one line naming the file, table and key. The API key is never read from a file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from retell_contract._secrets import API_KEY_VARIABLE
from retell_contract.errors import UsageError

CONFIG_FILE = "pyproject.toml"
TABLE = "tool.retell-contract"
# Options that hold secrets: a file in the repository is exactly where they must not be.
_SECRET_OPTIONS = frozenset({"api-key"})


def load_defaults(group: click.Group, ctx: click.Context, directory: Path | None = None) -> dict[str, Any]:
    """click ``default_map`` for ``group`` from ``directory/pyproject.toml`` (``{}`` without one)."""
    path = (directory or Path.cwd()) / CONFIG_FILE
    table = _read_table(path)
    commands = {name: group.commands[name] for name in group.list_commands(ctx)}
    shared = {key: value for key, value in table.items() if not isinstance(value, Mapping)}
    for name, value in table.items():
        if isinstance(value, Mapping) and name not in commands:
            raise UsageError(f"{path} [{TABLE}.{name}]: no such command (commands: {', '.join(commands)})")
    for key in shared:
        if not any(_option(command, key) for command in commands.values()):
            raise UsageError(f"{path} [{TABLE}] {key}: no command has an option --{key}")
    defaults: dict[str, Any] = {}
    for name, command in commands.items():
        # "contract" is both a command and an option: a table is the command's, a value the option.
        value = table.get(name)
        own: Mapping[str, Any] = value if isinstance(value, Mapping) else {}
        inherited = {key: value for key, value in shared.items() if _option(command, key)}
        defaults[name] = {
            **_defaults(f"{path} [{TABLE}]", command, inherited, ctx),
            **_defaults(f"{path} [{TABLE}.{name}]", command, own, ctx),
        }
    return defaults


def _defaults(
    where: str, command: click.Command, entries: Mapping[str, Any], ctx: click.Context
) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for key, value in entries.items():
        param = _known_option(where, command, key)
        defaults[str(param.name)] = _checked(where, key, param, value, ctx)
    return defaults


def _read_table(path: Path) -> Mapping[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise UsageError(f"{path}: cannot read ({error.strerror or error})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: not valid TOML ({error})") from None
    table: Any = data.get("tool", {}).get("retell-contract", {})
    if not isinstance(table, Mapping):
        raise UsageError(f"{path}: [{TABLE}] must be a table, not {type(table).__name__}")
    return table


def _option(command: click.Command, key: str) -> click.Parameter | None:
    return next((p for p in command.params if isinstance(p, click.Option) and f"--{key}" in p.opts), None)


def _known_option(where: str, command: click.Command, key: str) -> click.Parameter:
    if key in _SECRET_OPTIONS:
        raise UsageError(f"{where} {key}: never put the API key in a file; set {API_KEY_VARIABLE}")
    param = _option(command, key)
    if param is None:
        raise UsageError(f"{where} {key}: unknown option (run 'retell-contract {command.name} --help')")
    return param


def _checked(where: str, key: str, param: click.Parameter, value: Any, ctx: click.Context) -> Any:
    """``value`` as the option would read it from the command line; UsageError naming the key."""
    if param.multiple and not isinstance(value, list):
        raise UsageError(f"{where} {key}: expected a list (the option is repeatable), not {value!r}")
    if isinstance(value, list) and not param.multiple:
        raise UsageError(f"{where} {key}: expected one value, not a list")
    try:
        param.type_cast_value(ctx, value)
    except click.BadParameter as error:
        raise UsageError(f"{where} {key}: {error.format_message()}") from None
    return value
