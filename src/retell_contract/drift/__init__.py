"""API drift: compare two contracts, two recordings, or a recording with a contract.

>>> from retell_contract.drift import diff, render
>>> report = diff("old.openapi.yaml", "new.openapi.yaml")        # doctest: +SKIP
>>> print(render(report, "markdown"))                            # doctest: +SKIP
>>> report.fails("breaking")                                     # doctest: +SKIP
True

Every :class:`Change` has a location, a :class:`ChangeKind`, a :class:`Severity` for a
client of the API and a one-line reason; :data:`RULES` is the severity table (the
README prints :func:`rules_table`).
"""

# Imported on first use, not with the package: `retell-contract run` loads this package for
# the diff command's choices and should not pay for the comparison machinery.
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from retell_contract.drift._api import compare, describe, diff
    from retell_contract.drift._canonical import canonical
    from retell_contract.drift._document import ApiDocument, diff_documents
    from retell_contract.drift._infer import recording_document
    from retell_contract.drift._inputs import DiffInput, Recording, api_document, load_input
    from retell_contract.drift._model import (
        FAIL_ON_CHOICES,
        Change,
        ChangeKind,
        Direction,
        DriftReport,
        Severity,
    )
    from retell_contract.drift._observe import diff_recording_against_contract
    from retell_contract.drift._render import FORMATS, render
    from retell_contract.drift._rules import RULES, Rule, rules_table

_HOMES = {
    "ApiDocument": "_document",
    "Change": "_model",
    "ChangeKind": "_model",
    "DiffInput": "_inputs",
    "Direction": "_model",
    "DriftReport": "_model",
    "FAIL_ON_CHOICES": "_model",
    "FORMATS": "_render",
    "RULES": "_rules",
    "Recording": "_inputs",
    "Rule": "_rules",
    "Severity": "_model",
    "api_document": "_inputs",
    "canonical": "_canonical",
    "compare": "_api",
    "describe": "_api",
    "diff": "_api",
    "diff_documents": "_document",
    "diff_recording_against_contract": "_observe",
    "load_input": "_inputs",
    "recording_document": "_infer",
    "render": "_render",
    "rules_table": "_rules",
}

__all__ = [
    "FAIL_ON_CHOICES",
    "FORMATS",
    "RULES",
    "ApiDocument",
    "Change",
    "ChangeKind",
    "DiffInput",
    "Direction",
    "DriftReport",
    "Recording",
    "Rule",
    "Severity",
    "api_document",
    "canonical",
    "compare",
    "describe",
    "diff",
    "diff_documents",
    "diff_recording_against_contract",
    "load_input",
    "recording_document",
    "render",
    "rules_table",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
