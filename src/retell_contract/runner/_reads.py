"""get-call in a run: read back every call the run created, and probe ids no call has.

A read-back is planned when its create answered, so it is sent right after that create
and checked against what the create sent (see ``RunContext.created``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from retell_contract.checks import ACCEPTING_KINDS, CaseKind
from retell_contract.contracts import GET_CALL, Contract, Operation
from retell_contract.exchange import NOT_JSON
from retell_contract.runner._probes import Builder, PlannedCase, encode
from retell_contract.runner._send import Attempts
from retell_contract.runner._target import Target

# Ids no call has, chosen to break naive lookups: unicode, a path-looking one, a long one.
_ODD_IDS = ("call_does_not_exist", "📞-ünïcødé", "../create-web-call", "' OR '1'='1", "c" * 1024)


def retrieve_case(builder: Builder, get_call: Operation, call_id: str, follows: int) -> PlannedCase:
    """get-call of a call this run just created (case ``follows``)."""
    case = _at(builder, get_call, CaseKind.RETRIEVE, "created_call", builder.auth(), call_id)
    return replace(case, follows=follows)


def retrieves_after(
    builder: Builder, get_call: Operation, planned: PlannedCase, attempts: Attempts, case_id: int
) -> Iterator[PlannedCase]:
    """The read-back a create's answer calls for: one per new call it reported."""
    contract = builder.contract
    sent_to = contract.operation(planned.operation) if contract.has_operation(planned.operation) else None
    if planned.kind not in ACCEPTING_KINDS or sent_to is None or not attempts.exchanges:
        return
    response = attempts.exchanges[-1].response
    body = response.json(NOT_JSON)
    created = response.status == sent_to.success_status and isinstance(body, dict)
    call_id = body.get("call_id") if created else None
    if isinstance(call_id, str) and call_id:
        yield retrieve_case(builder, get_call, call_id, case_id)


def get_call_probes(builder: Builder, get_call: Operation) -> Iterator[PlannedCase]:
    """Ids no call has (404), and bad credentials (401, whatever the id)."""
    suffix = "".join(builder.rng.choice("0123456789abcdef") for _ in range(32))
    for call_id in (suffix, *_ODD_IDS):
        yield _at(builder, get_call, CaseKind.UNKNOWN_CALL, "unknown_call_id", builder.auth(), call_id)
    for detail, headers in (("missing", {}), ("wrong_key", builder.auth(f"Bearer key_{suffix}"))):
        yield _at(builder, get_call, CaseKind.BAD_AUTH, detail, headers, suffix)
    headers = {**builder.auth(), "Content-Type": "application/json"}
    for method in ("POST", "DELETE"):
        body = encode({"agent_id": builder.agents[0].agent_id}) if method == "POST" else b""
        yield builder.case(
            CaseKind.OTHER_METHOD,
            method,
            headers,
            body,
            method=method,
            path=get_call.url_path(call_id=suffix),
        )


def _at(
    builder: Builder, get_call: Operation, kind: CaseKind, detail: str, headers: dict[str, str], call_id: str
) -> PlannedCase:
    """A get-call case for ``call_id``, labelled with the get-call operation."""
    path = get_call.url_path(call_id=call_id)
    return _with_operation(
        builder.case(kind, detail, headers, b"", method=get_call.method, path=path), get_call
    )


def _with_operation(case: PlannedCase, operation: Operation) -> PlannedCase:
    return replace(case, operation=operation.name)


class ReadBacks:
    """Plans a get-call of every call a create made, sent right after that create."""

    def __init__(self, builder: Builder | None, get_call: Operation | None, first_id: int) -> None:
        self.builder, self.get_call, self.next_id = builder, get_call, first_id
        self.planned = 0  # read-backs planned so far (the run counts them as planned cases)

    @classmethod
    def for_run(
        cls, contract: Contract, operations: tuple[str, ...], target: Target, seed: int, *, first_id: int
    ) -> ReadBacks:
        if GET_CALL not in operations or not contract.has_operation(GET_CALL):
            return cls(None, None, first_id)
        builder = Builder(contract, target.agents, target.api_key, seed)
        return cls(builder, contract.operation(GET_CALL), first_id)

    def after(
        self, planned: PlannedCase, attempts: Attempts, case_id: int
    ) -> Iterator[tuple[int, PlannedCase]]:
        """(case id, case) of each read-back ``attempts`` calls for."""
        for read in self.uncounted_after(planned, attempts, case_id):
            self.next_id += 1
            self.planned += 1
            yield self.next_id - 1, read

    def uncounted_after(
        self, planned: PlannedCase, attempts: Attempts, case_id: int
    ) -> Iterator[PlannedCase]:
        """The read-backs ``attempts`` calls for, not planned as cases (a re-send while shrinking)."""
        if self.builder is None or self.get_call is None:
            return
        yield from retrieves_after(self.builder, self.get_call, planned, attempts, case_id)
