"""Named checks over an :class:`~retell_contract.exchange.Exchange`, and offline verification.

Each check is a small function ``(ctx, exchange)`` that returns ``None`` when it passed,
``SKIP`` when it does not apply, and raises a :class:`CheckFailed` subclass saying what
was expected and what came back. ``ctx`` (a :class:`CheckContext`) carries the contract,
what the run knows (agents and their versions) and what the case expects.

>>> from retell_contract.checks import verify_exchanges
>>> report = verify_exchanges([])          # e.g. exchanges read from a cassette
>>> report.ok
True
"""

from retell_contract._json_semantics import same_json
from retell_contract.checks import _builtin, _today  # noqa: F401 - registers the built-in checks
from retell_contract.checks._context import (
    ACCEPTING_KINDS,
    NOTE_CASE,
    NOTE_CASSETTE,
    NOTE_DETAIL,
    NOTE_FOLLOWS,
    NOTE_ID,
    NOTE_OPERATION,
    NOTE_RESOLVED,
    NOTE_SENT_AT,
    NOTE_VERSIONS,
    OVERSIZED_BODY,
    RATE_LIMITED,
    CaseInfo,
    CaseKind,
    CaseNotes,
    CheckContext,
    CreatedCall,
    RunContext,
    expected_statuses,
    infer_kind,
)
from retell_contract.checks._failures import (
    CheckFailed,
    DuplicateValue,
    FieldMismatch,
    NoResponse,
    SchemaMismatch,
    UnexpectedStatus,
    WrongContentType,
)
from retell_contract.checks._registry import (
    SKIP,
    Check,
    CheckFunction,
    CheckResult,
    Outcome,
    Status,
    check,
    get_check,
    registered_checks,
    run_checks,
)
from retell_contract.checks._report import (
    CheckSummary,
    FailureSummary,
    ReportBuilder,
    RunReport,
    verify_exchanges,
)
from retell_contract.checks._schemathesis import register_with_schemathesis, schemathesis_checks, to_exchange

__all__ = [
    "ACCEPTING_KINDS",
    "NOTE_CASE",
    "NOTE_CASSETTE",
    "NOTE_DETAIL",
    "NOTE_FOLLOWS",
    "NOTE_ID",
    "NOTE_OPERATION",
    "NOTE_RESOLVED",
    "NOTE_SENT_AT",
    "NOTE_VERSIONS",
    "OVERSIZED_BODY",
    "RATE_LIMITED",
    "SKIP",
    "CaseInfo",
    "CaseKind",
    "CaseNotes",
    "Check",
    "CheckContext",
    "CheckFailed",
    "CheckFunction",
    "CheckResult",
    "CheckSummary",
    "CreatedCall",
    "DuplicateValue",
    "FailureSummary",
    "FieldMismatch",
    "NoResponse",
    "Outcome",
    "ReportBuilder",
    "RunContext",
    "RunReport",
    "SchemaMismatch",
    "Status",
    "UnexpectedStatus",
    "WrongContentType",
    "check",
    "expected_statuses",
    "get_check",
    "infer_kind",
    "register_with_schemathesis",
    "registered_checks",
    "run_checks",
    "same_json",
    "schemathesis_checks",
    "to_exchange",
    "verify_exchanges",
]
