"""What a check knows: the contract, the run so far, and what the case under check expects.

A case's kind travels in ``Exchange.notes`` (``case``, ``detail``, ``agent_versions``,
``case_id``) so that a recorded exchange can be checked offline exactly as it was during
the run. Exchanges without notes (recorded by something else) get a kind inferred from
the request itself, with expectations loose enough for what cannot be known offline.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from retell_contract.contracts import Agent, Contract
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
    UNLABELLED = "unlabelled"  # valid-looking request recorded without notes: agent and key unknown


# Kinds whose 201 must carry a correct new call object.
ACCEPTING_KINDS = frozenset({CaseKind.POSITIVE, CaseKind.UNVERIFIED_VERSION, CaseKind.UNLABELLED})


@dataclass(frozen=True)
class CaseInfo:
    """What one case expects: its kind, a detail label and the statuses that are right."""

    kind: CaseKind
    detail: str
    expected: frozenset[int]
    versions: tuple[int, ...] = ()  # versions the agent sent is known to have; () = unknown
    oversized: bool = False

    def allows(self, status: int) -> bool:
        return status in self.expected or status == RATE_LIMITED or (self.oversized and status == TOO_LARGE)

    @property
    def expected_text(self) -> str:
        return " or ".join(str(code) for code in sorted(self.expected))


def expected_statuses(kind: CaseKind, contract: Contract) -> frozenset[int]:
    """The statuses that are right for a case of ``kind`` under ``contract``."""
    client_errors = frozenset(c for c in contract.error_status_codes if 400 <= c < 500) - {RATE_LIMITED}
    # Every labelled case but BAD_AUTH carries the valid key, so a 401 for it is wrong.
    refusals = client_errors - {UNAUTHORIZED}
    success = frozenset({contract.success_status})
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
    }
    return by_kind[kind]


@dataclass
class RunContext:
    """Run-wide knowledge and state shared by the checks of every exchange.

    ``agents`` maps agent ids to what the run knows about them (versions () = unknown).
    ``seen`` remembers unique call-object values (call_id, access_token) per field.
    """

    contract: Contract
    agents: Mapping[str, Agent] = field(default_factory=dict)
    seen: dict[str, dict[str, str]] = field(default_factory=dict)

    def context_for(self, exchange: Exchange, *, key: str) -> CheckContext:
        """The context the checks of one exchange run in; ``key`` identifies the exchange."""
        return CheckContext(run=self, case=self.case_of(exchange), key=key, exchange=exchange)

    def case_of(self, exchange: Exchange) -> CaseInfo:
        """The case an exchange was built as (from its notes), or one inferred from it."""
        notes = exchange.notes
        try:
            kind = CaseKind(notes.get(NOTE_CASE, ""))
        except ValueError:
            kind, detail = infer_kind(exchange, self.contract)
        else:
            detail = notes.get(NOTE_DETAIL, "")
        return CaseInfo(
            kind=kind,
            detail=detail,
            expected=expected_statuses(kind, self.contract),
            versions=self._versions(exchange),
            oversized=len(exchange.request.body) > OVERSIZED_BODY,
        )

    def _versions(self, exchange: Exchange) -> tuple[int, ...]:
        noted = exchange.notes.get(NOTE_VERSIONS)
        if noted is not None:
            return tuple(int(v) for v in noted.split(",") if v.strip().lstrip("-").isdigit())
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

    @cached_property
    def sent(self) -> Any:
        """The request body as JSON (``NOT_JSON`` when it is not JSON)."""
        return self.exchange.request.json(NOT_JSON)

    @cached_property
    def received(self) -> Any:
        """The response body as JSON (``NOT_JSON`` when it is not JSON)."""
        return self.exchange.response.json(NOT_JSON)

    @property
    def new_call(self) -> dict[str, Any] | None:
        """The call object, when this is a 201 for a case that may create a call."""
        response = self.exchange.response
        accepted = self.case.kind in ACCEPTING_KINDS and response.status == self.contract.success_status
        return self.received if accepted and isinstance(self.received, dict) else None


def infer_kind(exchange: Exchange, contract: Contract) -> tuple[CaseKind, str]:
    """Classify a request recorded without notes by what it is on the wire."""
    request = exchange.request
    if request.method != contract.method:
        return CaseKind.OTHER_METHOD, request.method
    if urlsplit(request.url).path.rstrip("/") != contract.path.rstrip("/"):
        return CaseKind.UNKNOWN_PATH, urlsplit(request.url).path
    if not _BEARER.fullmatch(request.headers.get("authorization", "").strip()):
        return CaseKind.BAD_AUTH, "missing" if "authorization" not in request.headers else "malformed"
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
    violations = validate_request_body(body, contract=contract)
    if violations:
        return CaseKind.INVALID_BODY, violations[0].rule
    return CaseKind.UNLABELLED, ""
