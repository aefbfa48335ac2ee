"""The three comparisons behind one entry point: contracts, recordings, or one of each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from retell_contract.drift._document import ApiDocument, diff_documents
from retell_contract.drift._infer import DeclaredPaths, DeclaredSchemas, recording_document
from retell_contract.drift._inputs import DiffInput, Recording, load_input
from retell_contract.drift._model import DriftReport
from retell_contract.drift._observe import diff_recording_against_contract
from retell_contract.errors import CassetteError


def diff(old: str | Path, new: str | Path) -> DriftReport:
    """Load OLD and NEW (contract files or cassettes) and compare them."""
    return compare(load_input(old), load_input(new))


def compare(old: DiffInput, new: DiffInput) -> DriftReport:
    """Compare two loaded inputs.

    - contract vs contract: every change in the declared API;
    - recording vs contract (either order): what the recorded responses show that the
      contract does not declare, as if the recording were the newer API;
    - recording vs recording: the inferred shapes of the two sets of responses.
    """
    for side in (old, new):
        if isinstance(side, Recording) and not side.exchanges:
            raise CassetteError(f"{side.source}: no recorded exchanges to compare")
    notes = {"old": describe(old), "new": describe(new)}
    if isinstance(old, ApiDocument) and isinstance(new, ApiDocument):
        changes = diff_documents(old, new)
    elif isinstance(old, Recording) and isinstance(new, Recording):
        changes = diff_documents(_as_document(old), _as_document(new))
    else:
        recording = old if isinstance(old, Recording) else new
        contract = new if isinstance(new, ApiDocument) else old
        assert isinstance(recording, Recording)
        assert isinstance(contract, ApiDocument)
        changes = diff_recording_against_contract(recording.exchanges, contract)
        notes["scope"] = "recorded responses against what the contract declares (requests are not judged)"
    return DriftReport.build(old.source, new.source, f"{_kind(old)} vs {_kind(new)}", changes, notes)


def describe(side: DiffInput) -> str:
    """One line saying what a side of the diff is."""
    if isinstance(side, Recording):
        return f"recording of {len(side.exchanges)} exchanges"
    version = side.document.get("openapi")
    operations = sum(len(methods) for methods in side.operations().values())
    return f"contract, OpenAPI {version}, {operations} operation{'s' if operations != 1 else ''}"


def _kind(side: DiffInput) -> str:
    return "recording" if isinstance(side, Recording) else "contract"


def _as_document(recording: Recording) -> ApiDocument:
    declared, templates = _built_in_contract()
    return ApiDocument(
        recording.source, recording_document(recording.exchanges, declared, templates=templates)
    )


def _built_in_contract() -> tuple[DeclaredSchemas, DeclaredPaths]:
    """The built-in contract's response schemas and path templates, for recordings compared
    with each other: every operation it declares (v2, v3, get-call) by its own template."""
    from retell_contract.contracts import load_contract

    contract = load_contract()

    def declared(method: str, path: str, status: int) -> Any:
        operation = contract.operation_for(method, path)
        return None if operation is None else operation.response_schemas.get(status)

    def templates(method: str, path: str) -> str | None:
        operation = contract.operation_for(method, path)
        return None if operation is None else operation.path

    return declared, templates
