"""The built-in checks, in the order a report lists them.

Status checks first (each status fault is reported by exactly one of them), then the
body and headers, then the semantics of a new call object. Body checks skip responses
an earlier check already failed for (e.g. a 500), so one fault gives one failure.
Extra call-object fields are never failures: that is drift, reported by ``diff``.
"""

from __future__ import annotations

import json
from typing import Any

from retell_contract._json_semantics import is_integer, same_json
from retell_contract._secrets import SCRUBBED_PREFIX
from retell_contract.checks._context import (
    ACCEPTING_KINDS,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    TOO_LARGE,
    CaseKind,
    CaseNotes,
    CheckContext,
)
from retell_contract.checks._failures import (
    DuplicateValue,
    FieldMismatch,
    SchemaMismatch,
    UnexpectedStatus,
    WrongContentType,
)
from retell_contract.checks._registry import SKIP, CheckResult, check
from retell_contract.consistency import consistency_violations
from retell_contract.exchange import NOT_JSON, Exchange
from retell_contract.validation import Violation, validate_call_object

# What a just-created web call must say; the endpoint's name and the docs pin these down.
WEB_CALL, REGISTERED = "web_call", "registered"
VERSION = "agent_version"
_SHOWN = 80  # characters of a value or message shown in a failure


@check
def no_server_error(ctx: CheckContext, exchange: Exchange) -> CheckResult:
    """No 5xx: nothing the run sends may make the server fail."""
    if exchange.response.status >= 500:
        crash = CaseNotes.from_notes(exchange.notes).app_error
        raise _wrong_status(ctx, "no server error", detail=f" (the app raised {crash})" if crash else None)
    return None


@check
def status_code_documented(ctx: CheckContext, exchange: Exchange) -> CheckResult:
    """The status is one the contract documents (or 405/404/413 where HTTP calls for them)."""
    status = exchange.response.status
    if status >= 500:
        return SKIP
    if not _documented(ctx, status):
        codes = ", ".join(str(code) for code in ctx.operation.status_codes)
        raise _wrong_status(ctx, f"a documented status ({codes})")
    return None


@check
def status_code_for_case(ctx: CheckContext, exchange: Exchange) -> CheckResult:
    """The status suits the case: 201 for a valid request, the documented 4xx for each bad one."""
    status = exchange.response.status
    if status >= 500 or not _documented(ctx, status):
        return SKIP
    if not ctx.case.allows(status):
        what = f"{ctx.case.kind} ({ctx.case.detail})" if ctx.case.detail else ctx.case.kind
        raise _wrong_status(ctx, f"{ctx.case.expected_text} for this {what} request")
    return None


@check
def content_type_matches_body(ctx: CheckContext, exchange: Exchange) -> CheckResult:
    """The body is what its Content-Type says: JSON parses, text decodes, no untyped body."""
    response = exchange.response
    media_type = response.content_type
    if _is_json_type(media_type):
        if ctx.received is NOT_JSON:
            raise WrongContentType(f"a JSON body (Content-Type: {media_type})", _describe_body(response.body))
    elif media_type.startswith("text/"):
        try:
            response.body.decode(_charset(response.headers.get("content-type", "")))
        except (LookupError, UnicodeDecodeError):
            raise WrongContentType(
                f"text in the charset of Content-Type: {media_type}", "undecodable bytes"
            ) from None
    elif not media_type and response.body:
        raise WrongContentType("a Content-Type for a non-empty body", "no Content-Type")
    return None


@check
def error_object_conforms(ctx: CheckContext, exchange: Exchange) -> CheckResult:
    """A documented error status carries the contract's JSON error object."""
    status = exchange.response.status
    validator = ctx.operation.response_validators.get(status)
    if status == ctx.operation.success_status or validator is None:
        return SKIP
    media_type = exchange.response.content_type
    if not _is_json_type(media_type):
        raise WrongContentType(
            f"an application/json error object with {status}", media_type or "no Content-Type"
        )
    if ctx.received is NOT_JSON:
        return SKIP  # content_type_matches_body reports it
    violations = [_violation(error) for error in validator.iter_errors(ctx.received)]
    if violations:
        raise SchemaMismatch(f"the contract's error object with {status}", violations)
    return None


@check
def call_object_is_json(ctx: CheckContext, exchange: Exchange) -> CheckResult:
    """A new or retrieved call (or v3's connection details) comes back as a JSON object."""
    response = exchange.response
    reading = ctx.case.kind in ACCEPTING_KINDS or ctx.case.kind == CaseKind.RETRIEVE
    if response.status != ctx.operation.success_status or not reading or ctx.case.operation is None:
        return SKIP
    if response.content_type != "application/json":
        raise WrongContentType("Content-Type: application/json", response.content_type or "no Content-Type")
    if ctx.received is not NOT_JSON and not isinstance(ctx.received, dict):
        raise WrongContentType("a JSON object", f"a JSON {type(ctx.received).__name__}")
    return None


@check
def call_object_schema(ctx: CheckContext, exchange: Exchange) -> CheckResult:
    """The call object matches the contract's schema (extra fields allowed: that is drift)."""
    call = ctx.call_object
    if call is None:
        return SKIP
    violations = validate_call_object(call, level="schema", contract=ctx.contract)
    if violations:
        raise SchemaMismatch("a call object matching the contract", violations)
    return None


@check
def call_object_consistent(ctx: CheckContext, exchange: Exchange) -> CheckResult:
    """The call object obeys the contract's consistency rules (the strict level)."""
    call = ctx.call_object
    if call is None:
        return SKIP
    # The rules alone: call_object_schema already reports the schema level.
    rules = consistency_violations(call, ctx.contract)
    if rules:
        raise SchemaMismatch("a consistent call object", rules)
    return None


@check
def call_type_is_web_call(ctx: CheckContext, exchange: Exchange) -> CheckResult:
    """call_type is web_call."""
    return _field_equals(ctx, "call_type", WEB_CALL, why="a web call")


@check
def call_status_is_registered(ctx: CheckContext, exchange: Exchange) -> CheckResult:
    """call_status of a call that was just created (or read back right after) is registered."""
    if ctx.new_call is None and ctx.creation is None:
        return SKIP
    return _field_equals(ctx, "call_status", REGISTERED, why="a new call")


@check
def request_fields_echoed(ctx: CheckContext, exchange: Exchange) -> CheckResult:
    """Every echoed request field (agent_id, metadata, ...) comes back exactly as sent, by v2's
    create and by get-call of a created call (a version name comes back resolved instead)."""
    call, sent = _call_and_request(ctx)
    if call is None or sent is None:
        return SKIP
    for name in ctx.contract.echoed_fields:
        if name not in sent or (name == VERSION and isinstance(sent[name], str)):
            continue
        if name not in call:
            raise FieldMismatch(f"{name} echoed as sent", f"no {name} in the call object", field=name)
        if not same_json(call[name], sent[name]):
            raise FieldMismatch(f"{name} = {_show(sent[name])}", _show(call[name]), field=name)
    return None


@check
def default_version_is_latest(ctx: CheckContext, exchange: Exchange) -> CheckResult:
    """Without agent_version in the request, the call gets the agent's latest version (an integer)."""
    call, sent = _call_and_request(ctx)
    if call is None or sent is None or "agent_version" in sent:
        return SKIP
    version = call.get("agent_version")
    if not is_integer(version):
        raise FieldMismatch("an integer agent_version (none was sent)", _show(version), field="agent_version")
    if ctx.case.versions and version != max(ctx.case.versions):
        latest = max(ctx.case.versions)
        expected = f"agent_version {latest}, the agent's latest (none was sent)"
        raise FieldMismatch(expected, str(version), field="agent_version")
    return None


@check(stateful=True)
def call_id_unique(ctx: CheckContext, exchange: Exchange) -> CheckResult:
    """call_id is a non-empty string never returned before in the run (by v2 or v3)."""
    return _unique(ctx, "call_id")


@check(stateful=True)
def access_token_unique(ctx: CheckContext, exchange: Exchange) -> CheckResult:
    """access_token is a non-empty string never returned before in the run (by v2 or v3)."""
    return _unique(ctx, "access_token")


@check
def no_post_call_fields(ctx: CheckContext, exchange: Exchange) -> CheckResult:
    """A new call (or one read back right after) has none of the fields of an ended call."""
    call = ctx.new_call if ctx.new_call is not None else ctx.retrieved_call if ctx.creation else None
    if call is None:
        return SKIP
    present = sorted(name for name in ctx.contract.post_call_fields if name in call)
    if present:
        raise FieldMismatch("no post-call fields on a new call", ", ".join(present), field=",".join(present))
    return None


def _call_and_request(ctx: CheckContext) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """A call object and the request body that created it: v2's answer, or a retrieve's."""
    if ctx.new_call is not None:
        return ctx.new_call, ctx.sent if isinstance(ctx.sent, dict) else None
    creation = ctx.creation
    return (ctx.retrieved_call, creation.sent) if creation is not None else (None, None)


def _documented(ctx: CheckContext, status: int) -> bool:
    if status in ctx.operation.status_codes or (ctx.case.oversized and status == TOO_LARGE):
        return True
    if ctx.case.kind == CaseKind.OTHER_METHOD:
        return status == METHOD_NOT_ALLOWED
    return ctx.case.kind == CaseKind.UNKNOWN_PATH and status in (NOT_FOUND, METHOD_NOT_ALLOWED)


def _wrong_status(ctx: CheckContext, expected: str, *, detail: str | None = None) -> UnexpectedStatus:
    """The failure for a wrong status; ``detail`` defaults to the error message the body gave."""
    status = ctx.exchange.response.status
    shown = _error_message(ctx) if detail is None else detail
    return UnexpectedStatus(expected, f"{status}{shown}", status=status, case=ctx.case.kind)


def _field_equals(ctx: CheckContext, name: str, expected: str, *, why: str) -> CheckResult:
    call = ctx.call_object
    if call is None or name not in call:
        return SKIP  # a missing required field is call_object_schema's to report
    if call[name] != expected:
        raise FieldMismatch(f"{name} {expected!r} for {why}", _show(call[name]), field=name)
    return None


def _unique(ctx: CheckContext, name: str) -> CheckResult:
    call = ctx.created  # v2's call object or v3's connection details: unique across both
    if call is None or name not in call:
        return SKIP
    value = call[name]
    if not isinstance(value, str) or not value.strip():
        got = "an empty string" if isinstance(value, str) else f"a JSON {type(value).__name__}"
        raise FieldMismatch(f"a non-empty {name}", got, field=name)
    # A scrubbed placeholder is numbered per cassette: unique only within its own file.
    scope = CaseNotes.from_notes(ctx.exchange.notes).cassette if value.startswith(SCRUBBED_PREFIX) else ""
    first = ctx.run.seen.setdefault(name, {}).setdefault(f"{scope}\0{value}", ctx.key)
    if first != ctx.key:
        # Never print the value: access tokens are secrets.
        raise DuplicateValue(
            f"a {name} unique across the run", f"the {name} already returned to case {first}"
        )
    return None


def _error_message(ctx: CheckContext) -> str:
    body = ctx.received
    message = body.get("message") if isinstance(body, dict) else None
    return f" ({_clip(message)})" if isinstance(message, str) and message else ""


def _violation(error: Any) -> Violation:
    path = ".".join(str(part) for part in error.absolute_path)
    return Violation(path, f"schema.{error.validator}", _clip(error.message))


def _is_json_type(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def _charset(content_type: str) -> str:
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"') or "utf-8"
    return "utf-8"


def _describe_body(body: bytes) -> str:
    return (
        "an empty body" if not body else f"a body that is not JSON: {_clip(body.decode('utf-8', 'replace'))}"
    )


def _show(value: Any) -> str:
    return _clip(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


def _clip(text: str) -> str:
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
