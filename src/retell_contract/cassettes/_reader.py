"""Read vcrpy cassettes back into exchanges, turning every defect into a one-line CassetteError."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from vcr.request import Request
from vcr.serializers import compat, jsonserializer, yamlserializer

from retell_contract.cassettes._format import (
    MalformedInteraction,
    check_cassette_document,
    from_vcr,
    notes_from_metadata,
)
from retell_contract.errors import CassetteError, first_line, yaml_problem
from retell_contract.exchange import Exchange

CASSETTE_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class CassetteEntry:
    """One recorded exchange and where it came from (``index`` counts from 0 in its file)."""

    path: Path
    index: int
    exchange: Exchange

    @property
    def location(self) -> str:
        """``file#index``, for messages that point at one interaction."""
        return f"{self.path}#{self.index}"


def read_cassettes(path: str | Path) -> list[Exchange]:
    """Every exchange in a cassette file, or in every cassette under a directory (sorted by path).

    Raises CassetteError naming the file and the defect when a path is missing, a file is
    not UTF-8, not YAML/JSON, truncated, or not a vcrpy cassette.
    """
    return [entry.exchange for entry in read_cassette_entries(path)]


def read_cassette_entries(path: str | Path) -> list[CassetteEntry]:
    """Like :func:`read_cassettes`, keeping each exchange's file and position."""
    return [entry for file in cassette_files(path) for entry in read_cassette_file(file)]


def cassette_files(path: str | Path) -> list[Path]:
    """The cassette files at ``path``: itself if a file, else ``*.yaml|yml|json`` under it, sorted."""
    location = Path(path)
    if location.is_file():
        return [location]
    if not location.exists():
        raise CassetteError(f"{location}: no such cassette file or directory")
    if not location.is_dir():
        raise CassetteError(f"{location}: not a regular file or directory")
    files = sorted(
        (file for file in location.rglob("*") if file.suffix in CASSETTE_SUFFIXES and file.is_file()),
        key=lambda file: file.relative_to(location).parts,
    )
    if not files:
        raise CassetteError(f"{location}: no cassettes (*.yaml, *.yml, *.json) in this directory")
    return files


def read_cassette_file(path: Path) -> list[CassetteEntry]:
    """The exchanges of one cassette file, in recorded order."""
    data = _parse(path, _read_text(path))
    try:
        interactions = check_cassette_document(data)
        notes = notes_from_metadata(data.get("metadata"), len(interactions))
    except MalformedInteraction as error:
        raise CassetteError(f"{path}: {error}") from None
    entries = []
    for index, (interaction, note) in enumerate(zip(interactions, notes, strict=True)):
        try:
            request, response = _vcr_interaction(interaction)
            entries.append(CassetteEntry(path, index, from_vcr(request, response, note)))
        except MalformedInteraction as error:
            raise CassetteError(f"{path}: interaction {index}: {error}") from None
    return entries


def _read_text(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise CassetteError(f"{path}: not UTF-8 text (bad byte at offset {error.start})") from None
    except OSError as error:
        raise CassetteError(f"{path}: cannot read cassette ({error.strerror or error})") from None
    if not text.strip():
        raise CassetteError(f"{path}: empty file, not a cassette")
    return text


def _parse(path: Path, text: str) -> Any:
    """Deserialize with vcrpy's own serializers (safe YAML loader, or JSON for ``.json``)."""
    if path.suffix == ".json":
        try:
            return jsonserializer.deserialize(text)
        except ValueError as error:
            raise CassetteError(f"{path}: not valid JSON ({first_line(error)})") from None
    try:
        return yamlserializer.deserialize(text)
    except yaml.YAMLError as error:
        raise CassetteError(f"{path}: not a readable YAML cassette ({yaml_problem(error)})") from None


def _vcr_interaction(interaction: Any) -> tuple[Request, Any]:
    """vcrpy's request object and byte-bodied response dict, as ``vcr.serialize`` builds them."""
    raw_request = interaction["request"]
    if not isinstance(raw_request, dict):
        raise MalformedInteraction(f"request is a {type(raw_request).__name__}, not a mapping")
    if not isinstance(raw_request.get("headers", {}), dict):
        raise MalformedInteraction("request headers are not a mapping")
    missing = [key for key in ("method", "uri", "body", "headers") if key not in raw_request]
    if missing:
        raise MalformedInteraction(f"request has no {', '.join(missing)}")
    try:
        request = Request(
            raw_request["method"], raw_request["uri"], raw_request["body"], raw_request["headers"]
        )
    except (TypeError, AttributeError, ValueError) as error:
        raise MalformedInteraction(f"request is not in vcrpy's shape ({first_line(error)})") from None
    return request, compat.convert_to_bytes(interaction["response"])
