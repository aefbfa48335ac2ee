"""What a check knows: the contract, the run so far, and what the case under check expects.

A case's kind travels in ``Exchange.notes`` (``case``, ``detail``, ``agent_versions``,
``case_id``, ``operation``, ...; read and written as a typed :class:`CaseNotes`) so that
a recorded exchange can be checked offline exactly as it was during the run. Exchanges
without notes (recorded by something else) get a kind inferred from the request itself,
with expectations loose enough for what cannot be known offline. The operation an
exchange belongs to (create v2 or v3, get-call) decides which statuses and bodies the
contract documents for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any
from urllib.parse import unquote, urlsplit

from retell_contract.contracts import CREATE_V3, GET_CALL, Agent, Contract, Operation
from retell_contract.exchange import NOT_JSON, Exchange
from retell_contract.validation import validate_request_body

# HTTP meanings the issue pins down (not contract enums): malformed input is 400, bad
# credentials 401, a wrong method 405, an unknown path 404, a too-large body 413.
BAD_REQUEST, UNAUTHORIZED, NOT_FOUND, METHOD_NOT_ALLOWED, TOO_LARGE = 400, 401, 404, 405, 413
RATE_LIMITED = 429
# The contract documents 422 for "no such agent or version under this key".
ASSET_NOT_FOUND = 422
# Bodies above this size may be refused with 413 (Express, which Retell runs, stops at 100 kB).
OVERSIZED_BODY = 100 * 1024

NOTE_CASE, NOTE_DETAIL, NOTE_VERSIONS, NOTE_ID = "case", "detail", "agent_versions", "case_id"
# The operation a case was sent to; the version its agent_version resolves to (when the run
# knows the agent); when it was sent (epoch ms); the case whose new call a retrieve reads.
NOTE_OPERATION, NOTE_RESOLVED, NOTE_SENT_AT, NOTE_FOLLOWS = (
    "operation",
    "resolved_version",
    "sent_at_ms",
    "follows",
)
# Set by replay: the cassette file an exchange was read from.
NOTE_CASSETTE = "cassette"
_BEARER = re.compile(r"bearer +\S+", re.IGNORECASE)


class CaseKind(StrEnum):
    """What a request was built to provoke; decides which statuses are right."""

    POSITIVE = "positive"  # valid body, known agent (and a version known to exist, if any)
    UNVERIFIED_VERSION = "unverified_version"  # valid body, known agent, version not known to exist
    INVALID_BODY = "invalid_body"  # JSON object that breaks the request schema
    UNKNOWN_AGENT = "unknown_agent"
    UNKNOWN_VERSION = "unknown_version"
    BAD_AUTH = "bad_auth"  # missing, malformed or wrong credentials
    OTHER_METHOD = "other_method"
    BAD_INPUT = "bad_input"  # malformed JSON, wrong content type, empty or non-object body
    UNKNOWN_PATH = "unknown_path"
    RETRIEVE = "retrieve"  # get-call of a call the run just created
    UNKNOWN_CALL = "unknown_call"  # get-call of an id no call has
    UNLABELLED = "unlabelled"  # valid-looking request recorded without notes: agent and key unknown


# Kinds whose 201 must carry a correct new call object.
ACCEPTING_KINDS = frozenset({CaseKind.POSITIVE, CaseKind.UNVERIFIED_VERSION, CaseKind.UNLABELLED})
NOTE_APP_ERROR = "app_error"


@dataclass(frozen=True)
class CaseNotes:
    """A case's identity as typed fields; ``Exchange.notes`` (and cassettes) carry it as strings.

    ``from_notes`` reads what is there and leaves out what is absent or unreadable (a
    recording made by something else, a hand-edited cassette): None or "" then.
    """

    kind: CaseKind | None = None
    detail: str = ""
    case_id: str = ""
    versions: tuple[int, ...] | None = None  # None: not noted (known versions then come from the agent)
    operation: str = ""
    resolved: int | None = None
    follows: str = ""  # the case whose new call a retrieve reads
    sent_at_ms: int | None = None
    app_error: str = ""  # what an in-process app raised
    cassette: str = ""  # set by replay

    def to_notes(self) -> dict[str, str]:
        """The notes, in the order (and spelling) cassettes have always stored them."""
        notes = {NOTE_CASE: str(self.kind or ""), NOTE_DETAIL: self.detail, NOTE_ID: self.case_id}
        notes[NOTE_VERSIONS] = ",".join(str(v) for v in self.versions or ())
        optional = (
            (NOTE_OPERATION, self.operation),
            (NOTE_RESOLVED, "" if self.resolved is None else str(self.resolved)),
            (NOTE_FOLLOWS, self.follows),
            (NOTE_SENT_AT, "" if self.sent_at_ms is None else str(self.sent_at_ms)),
            (NOTE_APP_ERROR, self.app_error),
            (NOTE_CASSETTE, self.cassette),
        )
        notes.update((name, value) for name, value in optional if value)
        return notes

    @classmethod
    def from_notes(cls, notes: Mapping[str, str]) -> CaseNotes:
        versions = notes.get(NOTE_VERSIONS)
        return cls(
            kind=_kind(notes.get(NOTE_CASE, "")),
            detail=notes.get(NOTE_DETAIL, ""),
            case_id=notes.get(NOTE_ID, ""),
            versions=None if versions is None else tuple(_ints(versions.split(","))),
            operation=notes.get(NOTE_OPERATION, ""),
            resolved=next(iter(_ints([notes.get(NOTE_RESOLVED, "")])), None),
            follows=notes.get(NOTE_FOLLOWS, ""),
            sent_at_ms=int(sent) if (sent := notes.get(NOTE_SENT_AT, "")).isdigit() else None,
            app_error=notes.get(NOTE_APP_ERROR, ""),
            cassette=notes.get(NOTE_CASSETTE, ""),
        )


def _kind(noted: str) -> CaseKind | None:
    try:
        return CaseKind(noted)
    except ValueError:
        return None


def _ints(texts: list[str]) -> list[int]:
    return [int(text) for text in texts if text.strip().lstrip("-").isdigit()]


@dataclass(frozen=True)
class CaseInfo:
    """What one case expects: its kind, a detail label and the statuses that are right."""

    kind: CaseKind
    detail: str
    expected: frozenset[int]
    versions: tuple[int, ...] = ()  # versions the agent sent is known to have; () = unknown
    oversized: bool = False
    operation: Operation | None = None  # None: a request to no operation the contract declares
    resolved: int | None = None  # the version agent_version must come back as, when known

    def allows(self, status: int) -> bool:
        return status in self.expected or status == RATE_LIMITED or (self.oversized and status == TOO_LARGE)

    @property
    def expected_text(self) -> str:
        return " or ".join(str(code) for code in sorted(self.expected))


def expected_statuses(
    kind: CaseKind, contract: Contract, operation: Operation | None = None
) -> frozenset[int]:
    """The statuses that are right for a case of ``kind`` sent to ``operation`` (default:
    the contract's primary operation)."""
    operation = operation or contract.primary
    client_errors = frozenset(c for c in operation.error_status_codes if 400 <= c < 500) - {RATE_LIMITED}
    # Every labelled case but BAD_AUTH carries the valid key, so a 401 for it is wrong.
    refusals = client_errors - {UNAUTHORIZED}
    success = frozenset({operation.success_status})
    not_found = frozenset({ASSET_NOT_FOUND}) & refusals or refusals
    by_kind = {
        CaseKind.POSITIVE: success,
        CaseKind.UNVERIFIED_VERSION: success | not_found,
        CaseKind.INVALID_BODY: refusals,
        # The contract documents 422 for exactly this; any other refusal is a wrong status.
        CaseKind.UNKNOWN_AGENT: not_found,
        CaseKind.UNKNOWN_VERSION: not_found,
        CaseKind.BAD_AUTH: frozenset({UNAUTHORIZED}),
        CaseKind.OTHER_METHOD: refusals | {METHOD_NOT_ALLOWED},
        CaseKind.BAD_INPUT: frozenset({BAD_REQUEST}),
        CaseKind.UNKNOWN_PATH: refusals | {NOT_FOUND, METHOD_NOT_ALLOWED},
        # Offline, a valid body may meet an unknown agent (422), a scrubbed key (401) or an
        # unpaid account (402); only a 400 for it would be wrong.
        CaseKind.UNLABELLED: success | (client_errors - {BAD_REQUEST}),
        CaseKind.RETRIEVE: success,
        CaseKind.UNKNOWN_CALL: frozenset({NOT_FOUND}),
    }
    return by_kind[kind]


@dataclass
class RunContext:
    """Run-wide knowledge and state shared by the checks of every exchange.

    ``agents`` maps agent ids to what the run knows about them (versions () = unknown).
    ``seen`` remembers unique call-object values (call_id, access_token) per field;
    ``created`` what was sent to create each call the run saw created, by call id, so a
    later get-call of it can be held to it.
    """

    contract: Contract
    agents: Mapping[str, Agent] = field(default_factory=dict)
    seen: dict[str, dict[str, str]] = field(default_factory=dict)
    created: dict[str, CreatedCall] = field(default_factory=dict)

    def context_for(self, exchange: Exchange, *, key: str) -> CheckContext:
        """The context the checks of one exchange run in; ``key`` identifies the exchange."""
        ctx = CheckContext(run=self, case=self.case_of(exchange), key=key, exchange=exchange)
        created, sent = ctx.created, ctx.sent
        if created is not None and isinstance(created.get("call_id"), str) and isinstance(sent, dict):
            self.created.setdefault(created["call_id"], CreatedCall(sent, key, ctx.case.resolved))
        return ctx

    def case_of(self, exchange: Exchange) -> CaseInfo:
        """The case an exchange was built as (from its notes), or one inferred from it."""
        notes = CaseNotes.from_notes(exchange.notes)
        operation = self._operation(exchange, notes)
        if notes.kind is None:
            kind, detail = infer_kind(exchange, self.contract)
            if kind == CaseKind.UNLABELLED and operation is not None and operation.name == GET_CALL:
                kind = CaseKind.RETRIEVE if _last_segment(exchange) in self.created else kind
        else:
            kind, detail = notes.kind, notes.detail
        return CaseInfo(
            kind=kind,
            detail=detail,
            expected=expected_statuses(kind, self.contract, operation),
            versions=self._versions(exchange, notes),
            oversized=len(exchange.request.body) > OVERSIZED_BODY,
            operation=operation,
            resolved=notes.resolved,
        )

    def _operation(self, exchange: Exchange, notes: CaseNotes) -> Operation | None:
        if notes.operation and self.contract.has_operation(notes.operation):
            return self.contract.operation(notes.operation)
        request = exchange.request
        return self.contract.operation_for(request.method, urlsplit(request.url).path)

    def _versions(self, exchange: Exchange, notes: CaseNotes) -> tuple[int, ...]:
        if notes.versions is not None:
            return notes.versions
        body = exchange.request.json()
        agent_id = body.get("agent_id") if isinstance(body, dict) else None
        agent = self.agents.get(agent_id) if isinstance(agent_id, str) else None
        return agent.versions if agent is not None else ()


@dataclass(frozen=True)
class CheckContext:
    """One exchange's view of the run: ``case`` says what it expects, ``run`` what is known."""

    run: RunContext
    case: CaseInfo
    key: str
    exchange: Exchange = field(repr=False)

    @property
    def contract(self) -> Contract:
        return self.run.contract

    @property
    def operation(self) -> Operation:
        """The operation the request went to (the primary one for requests to none)."""
        return self.case.operation or self.contract.primary

    @cached_property
    def sent(self) -> Any:
        """The request body as JSON (``NOT_JSON`` when it is not JSON)."""
        return self.exchange.request.json(NOT_JSON)

    @cached_property
    def received(self) -> Any:
        """The response body as JSON (``NOT_JSON`` when it is not JSON)."""
        return self.exchange.response.json(NOT_JSON)

    @property
    def created(self) -> dict[str, Any] | None:
        """What a create answered, when this is its success for a case that may create a call:
        v2's call object or v3's connection details."""
        operation, response = self.case.operation, self.exchange.response
        accepted = (
            self.case.kind in ACCEPTING_KINDS
            and operation is not None
            and operation.request_schema is not None
            and response.status == operation.success_status
        )
        return self.received if accepted and isinstance(self.received, dict) else None

    @property
    def new_call(self) -> dict[str, Any] | None:
        """The call object, when this is a create (v2) that answered one for a new call."""
        created = self.created
        return created if created is not None and self.operation.name != CREATE_V3 else None

    @property
    def new_connection(self) -> dict[str, Any] | None:
        """v3's connection details, when this is a v3 create that succeeded."""
        created = self.created
        return created if created is not None and self.operation.name == CREATE_V3 else None

    @property
    def retrieved_call(self) -> dict[str, Any] | None:
        """The call object get-call answered (for a retrieve, or an unlabelled get-call)."""
        operation, response = self.case.operation, self.exchange.response
        reading = self.case.kind in (CaseKind.RETRIEVE, CaseKind.UNLABELLED)
        if operation is None or operation.name != GET_CALL or not reading:
            return None
        ok = response.status == operation.success_status and isinstance(self.received, dict)
        return self.received if ok else None

    @property
    def call_object(self) -> dict[str, Any] | None:
        """A call object this exchange returned: a new one (v2) or a retrieved one."""
        return self.new_call if self.new_call is not None else self.retrieved_call

    @property
    def requested_call_id(self) -> str:
        """The call id a get-call asked for (the last segment of its path, decoded)."""
        return _last_segment(self.exchange)

    @property
    def creation(self) -> CreatedCall | None:
        """For a retrieve, what was sent to create the call it reads (when the run saw it)."""
        if self.case.kind != CaseKind.RETRIEVE:
            return None
        return self.run.created.get(self.requested_call_id)


@dataclass(frozen=True)
class CreatedCall:
    """What the run sent to create a call, and the version it should have resolved to."""

    sent: dict[str, Any]
    key: str
    resolved: int | None = None


def _last_segment(exchange: Exchange) -> str:
    return unquote(urlsplit(exchange.request.url).path.rstrip("/").rsplit("/", 1)[-1])


def infer_kind(exchange: Exchange, contract: Contract) -> tuple[CaseKind, str]:
    """Classify a request recorded without notes by what it is on the wire."""
    request = exchange.request
    path = urlsplit(request.url).path
    operation = contract.operation_for(request.method, path)
    if operation is None:
        if any(contract.operation_for(op.method, path) for op in contract.operations):
            return CaseKind.OTHER_METHOD, request.method
        return CaseKind.UNKNOWN_PATH, path
    if not _BEARER.fullmatch(request.headers.get("authorization", "").strip()):
        return CaseKind.BAD_AUTH, "missing" if "authorization" not in request.headers else "malformed"
    if operation.request_schema is None:
        return CaseKind.UNLABELLED, ""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = request.json(NOT_JSON)
    if media_type != "application/json":
        return CaseKind.BAD_INPUT, "wrong_content_type"
    if not request.body.strip():
        return CaseKind.BAD_INPUT, "empty_body"
    if body is NOT_JSON:
        return CaseKind.BAD_INPUT, "malformed_json"
    if not isinstance(body, dict):
        return CaseKind.BAD_INPUT, "non_object_body"
    violations = validate_request_body(body, contract=contract)  # v2 and v3 share the body
    if violations:
        return CaseKind.INVALID_BODY, violations[0].rule
    return CaseKind.UNLABELLED, ""
