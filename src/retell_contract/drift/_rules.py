"""The severity rules: one table, read by the detector and printed in the README.

A change breaks a client when something the client sends may now be refused, or
something the client reads may now surprise it. Requests and responses therefore
mirror each other: widening what a request accepts is safe and widening what a
response may contain is not. The rules follow oasdiff's where it has one, with one
deliberate difference: a removed response field is breaking even when it was optional.
"""

from __future__ import annotations

from dataclasses import dataclass

from retell_contract.drift._model import ChangeKind, Direction, Severity

K, D = ChangeKind, Direction
BREAKING, SAFE = Severity.BREAKING, Severity.NON_BREAKING

# Conditions that split one kind and direction into several rules.
ALWAYS = ""
OPTIONAL = "optional"
REQUIRED = "required"
OPEN_OBJECT = "object still open"
CLOSED_OBJECT = "object now closed"
PARAMETER = "a parameter"
WIDENED = "widened"
NARROWED = "narrowed"
OTHER = "otherwise"
SUCCESS = "2xx"
NOT_SUCCESS = "not 2xx"
DECLARED = "between contracts"
OBSERVED = "seen in a recording"
SUCCESSOR = "in the successor"


@dataclass(frozen=True)
class Rule:
    """Severity of one kind of change in one direction (under ``condition``), and why."""

    kind: ChangeKind
    direction: Direction
    condition: str
    severity: Severity
    reason: str


RULES: tuple[Rule, ...] = (
    Rule(K.PATH_ADDED, D.OPERATION, ALWAYS, SAFE, "existing clients do not call it"),
    Rule(K.PATH_REMOVED, D.OPERATION, ALWAYS, BREAKING, "clients calling it get an error"),
    Rule(K.METHOD_ADDED, D.OPERATION, ALWAYS, SAFE, "existing clients do not call it"),
    Rule(K.METHOD_REMOVED, D.OPERATION, ALWAYS, BREAKING, "clients calling it get an error"),
    Rule(K.DEPRECATED, D.OPERATION, ALWAYS, SAFE,
         "it still works for now; clients should move to its successor before the sunset date"),
    Rule(K.STATUS_CODE_ADDED, D.RESPONSE, ALWAYS, SAFE,
         "clients judge success by range and must handle unexpected errors anyway"),
    Rule(K.STATUS_CODE_REMOVED, D.RESPONSE, SUCCESS, BREAKING,
         "clients waiting for this success status no longer get it"),
    Rule(K.STATUS_CODE_REMOVED, D.RESPONSE, NOT_SUCCESS, SAFE,
         "the error no longer happens; code handling it just goes unused"),
    Rule(K.CONTENT_TYPE_ADDED, D.REQUEST, ALWAYS, SAFE, "clients may also send the new media type"),
    Rule(K.CONTENT_TYPE_ADDED, D.RESPONSE, DECLARED, SAFE, "only clients that ask for it (Accept) get it"),
    Rule(K.CONTENT_TYPE_ADDED, D.RESPONSE, OBSERVED, BREAKING,
         "clients received a media type the contract does not declare"),
    Rule(K.CONTENT_TYPE_REMOVED, D.REQUEST, ALWAYS, BREAKING, "clients sending this media type are refused"),
    Rule(K.CONTENT_TYPE_REMOVED, D.RESPONSE, ALWAYS, BREAKING,
         "clients that ask for this media type no longer get it"),
    Rule(K.FIELD_ADDED, D.REQUEST, OPTIONAL, SAFE, "clients that do not send it keep working"),
    Rule(K.FIELD_ADDED, D.REQUEST, REQUIRED, BREAKING, "clients that do not send the new field are refused"),
    Rule(K.FIELD_ADDED, D.RESPONSE, ALWAYS, SAFE, "clients ignore fields they do not know"),
    Rule(K.FIELD_REMOVED, D.REQUEST, OPEN_OBJECT, SAFE,
         "the server ignores it when old clients still send it"),
    Rule(K.FIELD_REMOVED, D.REQUEST, CLOSED_OBJECT, BREAKING,
         "clients still sending it are refused (additionalProperties: false)"),
    Rule(K.FIELD_REMOVED, D.REQUEST, PARAMETER, SAFE, "the server ignores a parameter it no longer reads"),
    Rule(K.FIELD_REMOVED, D.RESPONSE, ALWAYS, BREAKING, "clients reading the field find it missing"),
    Rule(K.FIELD_REMOVED, D.RESPONSE, SUCCESSOR, BREAKING,
         "clients that read it from the deprecated operation must fetch it another way after moving"),
    Rule(K.TYPE_CHANGED, D.REQUEST, WIDENED, SAFE, "every value clients sent before is still accepted"),
    Rule(K.TYPE_CHANGED, D.REQUEST, OTHER, BREAKING, "values clients send may now be refused"),
    Rule(K.TYPE_CHANGED, D.RESPONSE, NARROWED, SAFE,
         "every value returned is still of a type clients handle"),
    Rule(K.TYPE_CHANGED, D.RESPONSE, OTHER, BREAKING, "clients may receive a type they do not handle"),
    Rule(K.REQUIRED_ADDED, D.REQUEST, ALWAYS, BREAKING, "clients that omit the field are refused"),
    Rule(K.REQUIRED_ADDED, D.RESPONSE, ALWAYS, SAFE, "the field is now always present"),
    Rule(K.REQUIRED_REMOVED, D.REQUEST, ALWAYS, SAFE, "clients may now omit the field"),
    Rule(K.REQUIRED_REMOVED, D.RESPONSE, ALWAYS, BREAKING,
         "clients relying on the field may find it missing"),
    Rule(K.ENUM_VALUE_ADDED, D.REQUEST, ALWAYS, SAFE, "clients may send more values than before"),
    Rule(K.ENUM_VALUE_ADDED, D.RESPONSE, ALWAYS, BREAKING,
         "clients that switch over the values meet one they do not know"),
    Rule(K.ENUM_VALUE_REMOVED, D.REQUEST, ALWAYS, BREAKING, "clients sending the removed value are refused"),
    Rule(K.ENUM_VALUE_REMOVED, D.RESPONSE, ALWAYS, SAFE, "clients handle a value that no longer comes"),
    Rule(K.VARIANT_ADDED, D.REQUEST, ALWAYS, SAFE, "clients may send another shape than before"),
    Rule(K.VARIANT_ADDED, D.RESPONSE, ALWAYS, BREAKING,
         "clients that handle the known variants meet one they do not know"),
    Rule(K.VARIANT_REMOVED, D.REQUEST, ALWAYS, BREAKING, "clients sending this shape are refused"),
    Rule(K.VARIANT_REMOVED, D.RESPONSE, ALWAYS, SAFE, "clients handle a shape that no longer comes"),
    Rule(K.CONSTRAINT_TIGHTENED, D.REQUEST, ALWAYS, BREAKING, "values clients send may now be refused"),
    Rule(K.CONSTRAINT_TIGHTENED, D.RESPONSE, ALWAYS, SAFE, "responses stay within what clients expect"),
    Rule(K.CONSTRAINT_LOOSENED, D.REQUEST, ALWAYS, SAFE, "every value clients sent before is still accepted"),
    Rule(K.CONSTRAINT_LOOSENED, D.RESPONSE, ALWAYS, BREAKING,
         "responses may fall outside what clients expect"),
    Rule(K.CONSTRAINT_CHANGED, D.REQUEST, ALWAYS, BREAKING,
         "neither constraint contains the other: values clients send may be refused"),
    Rule(K.CONSTRAINT_CHANGED, D.RESPONSE, ALWAYS, BREAKING,
         "neither constraint contains the other: responses may surprise clients"),
)  # fmt: skip

_BY_KEY = {(rule.kind, rule.direction, rule.condition): rule for rule in RULES}


def judge(kind: ChangeKind, direction: Direction, condition: str = ALWAYS) -> Rule:
    """The rule for ``kind`` in ``direction`` under ``condition`` (KeyError if none: a bug)."""
    return _BY_KEY[(kind, direction, condition)]


def rules_table() -> str:
    """The rules as a Markdown table (the README shows exactly this)."""
    lines = [
        "| change | in | when | severity | why |",
        "|---|---|---|---|---|",
    ]
    for rule in RULES:
        lines.append(
            f"| {rule.kind.value} | {rule.direction.value} | {rule.condition or 'always'} "
            f"| {rule.severity.value} | {rule.reason} |"
        )
    return "\n".join(lines)
