"""Helpers for a user's own tests: run the contract checks on a response in one call.

>>> from retell_contract.testing import assert_conforms
>>> response = client.post("/v2/create-web-call", json={"agent_id": agent})  # doctest: +SKIP
>>> assert_conforms(response)                                              # doctest: +SKIP

The pytest plugin wraps these in fixtures (``retell_conforms``, ``retell_vcr_config``);
they work just as well without it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

import httpx

from retell_contract.cassettes import Scrubber
from retell_contract.cassettes._format import from_vcr, to_vcr_request, to_vcr_response
from retell_contract.cassettes._match import bodies_match, restore_echoes
from retell_contract.checks import NOTE_CASE, CaseKind, RunContext, Status, run_checks
from retell_contract.contracts import Agent, Contract, load_contract
from retell_contract.exchange import Exchange, RecordedRequest, RecordedResponse

# vcrpy's default matchers, plus a body matcher: a cassette answers each distinct request
# with the response recorded for it, not merely the next response for the same URL.
VCR_MATCH_ON = ("method", "scheme", "host", "port", "path", "query")
BODY_MATCHER = "retell_body"


class ContractViolation(AssertionError):
    """Raised by :func:`assert_conforms`; ``failures`` lists every check that failed."""

    def __init__(self, failures: list[str]) -> None:
        self.failures = failures
        super().__init__("response breaks the contract:\n" + "\n".join(f"  - {f}" for f in failures))


def exchange_from_response(response: httpx.Response, *, notes: Mapping[str, str] | None = None) -> Exchange:
    """The :class:`Exchange` an httpx response and the request that produced it make up."""
    request = response.request
    return Exchange(
        RecordedRequest(request.method, str(request.url), dict(request.headers), request.read()),
        RecordedResponse(response.status_code, dict(response.headers), response.read()),
        dict(notes or {}),
    )


class Conformance:
    """Checks responses against a contract, remembering call ids and tokens across calls.

    Calling it twice with the same access_token fails the uniqueness check, as a run would.
    """

    def __init__(self, contract: Contract | None = None, *, agents: Iterable[Agent] = ()) -> None:
        self.contract = contract or load_contract()
        self._run = RunContext(self.contract, {agent.agent_id: agent for agent in agents})
        self._calls = 0

    def __call__(self, response: httpx.Response | Exchange, *, case: str | None = None) -> None:
        """Raise :class:`ContractViolation` unless ``response`` passes every applicable check.

        ``case`` names what the request was built to provoke (``"positive"``,
        ``"invalid_body"``, ``"bad_auth"``, ...); without it the case is inferred from the
        request, which accepts any documented outcome of a valid-looking request.
        """
        exchange = response if isinstance(response, Exchange) else exchange_from_response(response)
        exchange = self._unscrubbed(exchange)
        if case is not None:
            kind = _case_kind(case)
            exchange = Exchange(exchange.request, exchange.response, {**exchange.notes, NOTE_CASE: kind})
        self._calls += 1  # each call is its own case, so a repeated token is caught
        ctx = self._run.context_for(exchange, key=f"#{self._calls}")
        failures = [
            f"{outcome.check}: {outcome.failure}"
            for outcome in run_checks(ctx, exchange)
            if outcome.status is Status.FAILED
        ]
        if failures:
            raise ContractViolation(failures)

    def _unscrubbed(self, exchange: Exchange) -> Exchange:
        """Put sent values back where a replayed response holds scrubbing placeholders."""
        received = exchange.response.json()
        restored = restore_echoes(exchange.request.json(), received, self.contract.echoed_fields)
        if restored == received:
            return exchange
        body = json.dumps(restored, ensure_ascii=False).encode("utf-8")
        return Exchange(exchange.request, replace(exchange.response, body=body), exchange.notes)


def assert_conforms(
    response: httpx.Response | Exchange, *, case: str | None = None, contract: Contract | None = None
) -> None:
    """Run every contract check on one response; raise :class:`ContractViolation` if any fails."""
    Conformance(contract)(response, case=case)


def scrubbing_hook(scrubber: Scrubber) -> Callable[[Any, Any], tuple[Any, Any]]:
    """A vcrpy ``before_save_interaction`` hook that scrubs each interaction with ``scrubber``."""

    def scrub(request: Any, response: Any) -> tuple[Any, Any]:
        scrubbed = scrubber.scrub(from_vcr(request, response, {}))
        return to_vcr_request(scrubbed.request), to_vcr_response(scrubbed.response)

    return scrub


def vcr_config(*, secrets: Iterable[str] = (), scrub_fields: Iterable[str] = ()) -> dict[str, Any]:
    """Keyword arguments for ``vcr.use_cassette`` (or pytest-recording's ``vcr_config``).

    Recorded interactions are scrubbed as ``retell-contract run --record`` scrubs them.
    """
    return {"before_save_interaction": scrubbing_hook(Scrubber(secrets=secrets, fields=scrub_fields))}


def retell_vcr(
    *, record_mode: str = "none", secrets: Iterable[str] = (), scrub_fields: Iterable[str] = ()
) -> Any:
    """A ``vcr.VCR`` that scrubs what it saves and matches requests by their body too.

    Bodies are compared as JSON with scrubbed values blanked on both sides, so a request
    whose ``metadata.email`` was scrubbed on disk still finds its recorded response.
    """
    import vcr

    fields = tuple(scrub_fields)
    recorder = vcr.VCR(
        record_mode=record_mode,
        match_on=(*VCR_MATCH_ON, BODY_MATCHER),
        **vcr_config(secrets=secrets, scrub_fields=fields),
    )
    recorder.register_matcher(BODY_MATCHER, body_matcher(fields))
    return recorder


def body_matcher(scrub_fields: Iterable[str] = ()) -> Callable[[Any, Any], None]:
    """A vcrpy matcher: equal JSON bodies, where a recorded placeholder matches any value."""
    fields = tuple(scrub_fields)

    def same_body(incoming: Any, recorded: Any) -> None:
        live, stored = _vcr_body(incoming), _vcr_body(recorded)
        if not bodies_match(live, stored, scrub_fields=fields):
            raise AssertionError(f"bodies differ: {live[:200]!r} != {stored[:200]!r}")

    return same_body


def _vcr_body(request: Any) -> bytes:
    body = getattr(request, "body", None)
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    return body if isinstance(body, bytes) else bytes(getattr(request, "body_bytes", b"") or b"")


def _case_kind(case: str) -> str:
    try:
        return CaseKind(case).value
    except ValueError:
        known = ", ".join(kind.value for kind in CaseKind)
        raise ValueError(f"case must be one of {known}, not {case!r}") from None
