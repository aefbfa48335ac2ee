"""Checks of today's operations: v3's connection details, version names, get-call read-backs.

Registered after the built-in ones, so a report lists them after the call-object checks.
Each applies only where its operation answered; an exchange of another operation skips.
"""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime

from retell_contract._json_semantics import is_int
from retell_contract.checks._builtin import VERSION, _call_and_request, _show, _violation
from retell_contract.checks._context import CaseNotes, CheckContext
from retell_contract.checks._failures import FieldMismatch, SchemaMismatch
from retell_contract.checks._registry import SKIP, CheckResult, check
from retell_contract.exchange import Exchange

# A v3 token lives seconds (30 at Retell); anything past an hour, or already over, is wrong.
MAX_TOKEN_LIFETIME_MS = 60 * 60 * 1000
CLOCK_SKEW_MS = 5_000  # between the server's clock and the one that noted when it sent
# Epoch milliseconds of 2001-09-09 and 2286-11-20: seconds or microseconds fall outside.
_MS_RANGE = (10**12, 10**13)
_ICE_URL = re.compile(r"(stun|stuns|turn|turns):[^\s]+")


@check
def connection_details_schema(ctx: CheckContext, exchange: Exchange) -> CheckResult:
    """v3's 201 matches the contract's connection details (extra fields allowed: that is drift)."""
    details = ctx.new_connection
    if details is None:
        return SKIP
    validator = ctx.operation.response_validators.get(ctx.operation.success_status)
    violations = [_violation(error) for error in validator.iter_errors(details)] if validator else []
    if violations:
        raise SchemaMismatch("connection details matching the contract", violations)
    return None


@check
def expires_at_in_milliseconds(ctx: CheckContext, exchange: Exchange) -> CheckResult:
    """v3's expires_at is epoch milliseconds, after the request and within an hour of it."""
    details = ctx.new_connection
    if details is None or not is_int(details.get("expires_at")):
        return SKIP  # a missing or mistyped expires_at is connection_details_schema's to report
    expires = details["expires_at"]
    if not _MS_RANGE[0] <= expires < _MS_RANGE[1]:
        unit = "seconds" if expires < _MS_RANGE[0] else "a finer unit than milliseconds"
        raise FieldMismatch(
            "expires_at in epoch milliseconds", f"{expires} (looks like {unit})", field="expires_at"
        )
    sent_at = _sent_at(exchange)
    if sent_at is None:
        return None
    ahead = expires - sent_at
    if ahead <= -CLOCK_SKEW_MS or ahead > MAX_TOKEN_LIFETIME_MS + CLOCK_SKEW_MS:
        when = f"{ahead / 1000:+.0f} s from the request"
        raise FieldMismatch(
            "expires_at in the future, at most an hour after the request", when, field="expires_at"
        )
    return None


@check
def ice_servers_usable(ctx: CheckContext, exchange: Exchange) -> CheckResult:
    """v3's ice_servers is a non-empty list of stun:/turn:/turns: URLs; TURN ones carry credentials."""
    details = ctx.new_connection
    if details is None or "ice_servers" not in details:
        return SKIP
    servers = details["ice_servers"]
    if not isinstance(servers, list) or not servers:
        raise FieldMismatch("a non-empty list of ICE servers", _show(servers), field="ice_servers")
    for index, server in enumerate(servers):
        where = f"ice_servers.{index}"
        urls = server.get("urls") if isinstance(server, dict) else None
        listed = [urls] if isinstance(urls, str) else urls
        if (
            not isinstance(listed, list)
            or not listed
            or not all(isinstance(u, str) and _ICE_URL.fullmatch(u) for u in listed)
        ):
            raise FieldMismatch(
                "urls: a stun:, turn: or turns: URL or a list of them", _show(urls), field=f"{where}.urls"
            )
        if any(u.startswith("turn") for u in listed):
            for member in ("username", "credential"):
                if not isinstance(server.get(member), str) or not server[member]:
                    # Never print the credential itself: it is a relay password.
                    raise FieldMismatch(
                        f"a TURN server with a {member}", f"no usable {member}", field=f"{where}.{member}"
                    )
    return None


@check
def agent_version_resolved(ctx: CheckContext, exchange: Exchange) -> CheckResult:
    """A version name (latest, latest_published, a tag) comes back as the number it resolves to."""
    call, sent = _call_and_request(ctx)
    if call is None or sent is None or not isinstance(sent.get(VERSION), str) or VERSION not in call:
        return SKIP
    version = call[VERSION]
    if not is_int(version):
        raise FieldMismatch(
            f"an integer agent_version for {_show(sent[VERSION])}", _show(version), field=VERSION
        )
    expected = ctx.case.resolved if ctx.creation is None else ctx.creation.resolved
    agent_id = sent.get("agent_id")
    agent = ctx.run.agents.get(agent_id) if isinstance(agent_id, str) else None
    if expected is None and agent is not None and agent.versions:
        expected = agent.resolve(sent[VERSION])  # not noted: what the run knows of the agent
    if expected is not None and version != expected:
        raise FieldMismatch(
            f"agent_version {expected}, what {_show(sent[VERSION])} names", str(version), field=VERSION
        )
    return None


@check
def created_call_retrievable(ctx: CheckContext, exchange: Exchange) -> CheckResult:
    """get-call of a call just created (by v2 or v3) answers that call: the same call_id."""
    if ctx.creation is None:
        return SKIP
    call = ctx.retrieved_call
    if call is None:
        return SKIP  # a wrong status is status_code_for_case's to report
    got = call.get("call_id")
    if got != ctx.requested_call_id:
        raise FieldMismatch("the call_id that was asked for", _show(got), field="call_id")
    return None


def _sent_at(exchange: Exchange) -> int | None:
    """When the request left (noted by the run), else the response's Date header, in ms."""
    noted = CaseNotes.from_notes(exchange.notes).sent_at_ms
    if noted is not None:
        return noted
    date = exchange.response.headers.get("date")
    if not date:
        return None
    try:
        return int(parsedate_to_datetime(date).timestamp() * 1000)
    except (TypeError, ValueError):
        return None
