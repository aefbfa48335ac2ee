"""Read one side of a diff: a contract file, or a cassette file or directory."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from retell_contract.contracts import (
    BUILTIN_CONTRACTS,
    openapi_document,
    parse_document,
    validate_document,
)
from retell_contract.drift._document import ApiDocument
from retell_contract.errors import ContractError, UsageError
from retell_contract.exchange import Exchange

_YAML_CASSETTE = re.compile(r"^interactions\s*:", re.MULTILINE)
_YAML_OPENAPI = re.compile(r"^openapi\s*:", re.MULTILINE)


@dataclass(frozen=True)
class Recording:
    """Recorded exchanges and where they came from."""

    source: str
    exchanges: tuple[Exchange, ...]

    @classmethod
    def of(cls, exchanges: Sequence[Exchange], *, source: str = "<recording>") -> Recording:
        return cls(source, tuple(exchanges))


DiffInput = ApiDocument | Recording


def api_document(document: Mapping[str, Any], *, source: str = "<document>") -> ApiDocument:
    """An already-parsed OpenAPI 3.0/3.1 document, validated (ContractError when it is not one)."""
    checked = openapi_document(source, document)
    validate_document(source, checked)
    return ApiDocument(source, checked)


def load_input(path: str | Path) -> DiffInput:
    """A contract (OpenAPI 3.0/3.1, YAML or JSON) or recorded exchanges (a vcrpy cassette or a
    directory of them), told apart by content, or a built-in contract by name (``today``,
    ``seed``) where no such file exists. Raises a one-line ContractError, CassetteError or
    UsageError on bad input."""
    location = Path(path)
    if not location.exists():
        if str(path) in BUILTIN_CONTRACTS:
            return _builtin(str(path))
        names = ", ".join(BUILTIN_CONTRACTS)
        raise UsageError(f"{location}: no such file or directory (built-in contracts: {names})")
    if location.is_dir():
        return _recording(location)
    text = _read(location)
    if _is_cassette(location, text):
        return _recording(location)
    document = parse_document(str(location), text)
    validate_document(str(location), document)
    return ApiDocument(str(location), document)


def _builtin(name: str) -> ApiDocument:
    """A built-in contract's document, named as the loader names it."""
    filename = BUILTIN_CONTRACTS[name]
    text = resources.files("retell_contract.contracts").joinpath(filename).read_text(encoding="utf-8")
    source = f"<built-in {name}: {filename}>"
    return ApiDocument(source, parse_document(source, text))


def _read(location: Path) -> str:
    try:
        return location.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ContractError(f"{location}: not UTF-8 text (bad byte at offset {error.start})") from None
    except OSError as error:
        raise ContractError(f"{location}: cannot read ({error.strerror or error})") from None


def _is_cassette(location: Path, text: str) -> bool:
    if location.suffix == ".json":
        try:
            data = json.loads(text)
        except ValueError:
            return False  # the contract parser reports the JSON error
        return isinstance(data, dict) and "interactions" in data and "openapi" not in data
    return bool(_YAML_CASSETTE.search(text)) and not _YAML_OPENAPI.search(text)


def _recording(location: Path) -> Recording:
    from retell_contract.cassettes import read_cassettes  # cassette support loads vcrpy: only on demand

    return Recording(str(location), tuple(read_cassettes(location)))
