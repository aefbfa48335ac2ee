"""Hand-picked requests every run sends first: edge payloads and one probe per bad input.

Each one targets a fault a random draw may miss for a long time (unicode that crashes a
handler, a scheme spelt in lower case, an agent id that only differs in case, a body
that is JSON but not an object). They are cheap, so they go first and catch most faults
within the first few dozen requests.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from retell_contract.checks import OVERSIZED_BODY, CaseKind, CaseNotes
from retell_contract.contracts import Agent, Contract, Operation

JSON = "application/json"
# A request field no contract lists (the real API ignores fields it does not know).
UNLISTED_FIELD = "x_retell_contract_unlisted"
OTHER_METHODS = ("GET", "PUT", "PATCH", "DELETE")
# agent_version numbers past 32 and 64 bits, and past what a double holds exactly: a server
# must answer them (422: no such version), never crash on them.
HUGE_VERSIONS = (2**31, 2**63, 2**64, 10**30)
UNKNOWN_VERSION_NAME = "no_such_version_tag"


def _nested(depth: int) -> dict[str, Any]:
    value: Any = "deep"
    for _ in range(depth):
        value = {"level": value}
    return dict(value)


# Values for object-typed request fields (metadata, dynamic variables): what real clients
# send and what breaks naive handlers.
EDGE_OBJECTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("empty_object", {}),
    (
        "unicode",
        {
            "name": "Zoë Ñúñez",
            # The same name decomposed (NFD, as macOS keyboards send it): a store that
            # normalises text gives back other bytes than it was sent.
            "decomposed": "Zoe\u0308 N\u0303u\u0301n\u0303ez",
            "emoji": "📞😀",
            "cjk": "中文字符",
            "rtl": "עברית",
            "ключ_😀": "значение",
        },
    ),
    ("nested", {"order": {"items": [1, 2.5, -3, True, False, None, {"sku": "A-1"}], "note": None}}),
    ("numbers", {"zero": 0, "negative": -1, "float": 0.1, "tiny": 1e-7, "huge": 1.5e300, "int32": 2**31}),
    ("big_integers", {"beyond_double": 2**53 + 1, "beyond_int64": 2**64, "negative": -(2**63) - 1}),
    ("strings", {"empty": "", "quotes": "\"'\\`", "control": "a\nb\tc\u0000d", "html": "<b>&amp;</b>"}),
    ("padded_strings", {"padded": "  spaces around  ", "newline_end": "line\n", "tab_start": "\tx"}),
    ("deep_nesting", _nested(12)),
    ("long_text", {"transcript_hint": "word " * 2000}),
)


@dataclass(frozen=True)
class PlannedCase:
    """One request the run will send, with the case it belongs to."""

    kind: CaseKind
    detail: str
    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes = b""
    versions: tuple[int, ...] = ()
    operation: str = ""  # the contract operation it is sent to ("" for none: unknown paths)
    resolved: int | None = None  # the version a sent agent_version must come back as
    follows: int | None = None  # a retrieve: the case whose new call it reads

    def case_notes(self, case_id: int) -> CaseNotes:
        """What an Exchange of this case carries, so it can be re-checked offline."""
        return CaseNotes(
            kind=self.kind,
            detail=self.detail,
            case_id=str(case_id),
            versions=self.versions,
            operation=self.operation,
            resolved=self.resolved,
            follows="" if self.follows is None else str(self.follows),
        )


class Builder:
    """Makes planned cases for one contract, key, agent list and create operation."""

    def __init__(
        self,
        contract: Contract,
        agents: tuple[Agent, ...],
        api_key: str,
        seed: int,
        operation: Operation | None = None,
    ) -> None:
        self.contract = contract
        self.agents = agents
        self.api_key = api_key
        self.rng = random.Random(seed)
        self.operation = operation or contract.primary

    def auth(self, value: str | None = None) -> dict[str, str]:
        return {"Authorization": value if value is not None else f"Bearer {self.api_key}"}

    def json_case(
        self,
        kind: CaseKind,
        detail: str,
        body: Any,
        *,
        headers: Mapping[str, str] | None = None,
        versions: tuple[int, ...] = (),
        resolved: int | None = None,
    ) -> PlannedCase:
        wire = encode(body)
        sent = {**self.auth(), "Content-Type": JSON} if headers is None else dict(headers)
        return self.case(kind, detail, sent, wire, versions=versions, resolved=resolved)

    def case(
        self,
        kind: CaseKind,
        detail: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        method: str | None = None,
        path: str | None = None,
        versions: tuple[int, ...] = (),
        resolved: int | None = None,
    ) -> PlannedCase:
        """A case for this builder's operation (or another method or path of the API)."""
        return PlannedCase(
            kind,
            detail,
            method or self.operation.method,
            path or self.operation.path,
            headers,
            body,
            versions,
            operation=self.operation.name if path is None and method is None else "",
            resolved=resolved,
        )

    def valid_case(self, body: dict[str, Any], detail: str, **options: Any) -> PlannedCase:
        """A valid body: positive when its version (a number or a name) is known to exist."""
        agent = self.agent(body.get("agent_id"))
        versions = agent.versions if agent is not None else ()
        version = body.get("agent_version")
        resolved = agent.resolve(version) if agent is not None and versions else None
        if version is None or resolved is not None:
            kind = CaseKind.POSITIVE
        elif versions:
            kind = CaseKind.UNKNOWN_VERSION
        else:
            kind = CaseKind.UNVERIFIED_VERSION
        return self.json_case(kind, detail, body, versions=versions, resolved=resolved, **options)

    @cached_property
    def takes_version_names(self) -> bool:
        """Whether the request schema accepts agent_version as a string (today's API)."""
        agent_id = self.agents[0].agent_id
        return bool(
            self.contract.request_validator.is_valid({"agent_id": agent_id, "agent_version": "latest"})
        )

    def agent(self, agent_id: Any) -> Agent | None:
        return next((agent for agent in self.agents if agent.agent_id == agent_id), None)

    def example_versions(self) -> tuple[int, ...]:
        return self.contract.example_versions or (1,)

    def object_fields(self) -> tuple[str, ...]:
        """Request fields typed as objects (read from the contract, not listed here)."""
        properties = self.contract.request_schema.get("properties", {})
        return tuple(name for name, schema in properties.items() if schema.get("type") == "object")


def encode(body: Any) -> bytes:
    """Compact UTF-8 JSON, as the official clients send it."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def edge_cases(builder: Builder) -> Iterator[PlannedCase]:
    """Valid requests with edge payloads, every known version, and header spellings."""
    fields = builder.object_fields()
    first = builder.agents[0]
    for agent in builder.agents:
        yield builder.valid_case({"agent_id": agent.agent_id}, "agent_without_version")
        # Versions not known: ask for the contract's example version; 201 or 422 are both right.
        for version in agent.versions or builder.example_versions():
            yield builder.valid_case({"agent_id": agent.agent_id, "agent_version": version}, "each_version")
        if builder.takes_version_names:
            for name in agent.version_names:
                yield builder.valid_case({"agent_id": agent.agent_id, "agent_version": name}, "version_name")
    for name, value in EDGE_OBJECTS:
        yield builder.valid_case({"agent_id": first.agent_id, **dict.fromkeys(fields, value)}, name)
    body = {"agent_id": first.agent_id}
    yield builder.valid_case(
        body, "lowercase_scheme", headers={**builder.auth(f"bearer {builder.api_key}"), "Content-Type": JSON}
    )
    yield builder.valid_case(
        body, "json_charset", headers={**builder.auth(), "Content-Type": f"{JSON}; charset=utf-8"}
    )
    # The request schema is open: a field it does not list must not turn a 201 into a 400.
    yield builder.valid_case({"agent_id": first.agent_id, UNLISTED_FIELD: "ignored"}, "unlisted_field")
    padding = {"padding": "x" * (OVERSIZED_BODY + 1024)}
    yield builder.valid_case({"agent_id": first.agent_id, **dict.fromkeys(fields[:1], padding)}, "large_body")


def probe_cases(builder: Builder) -> Iterator[PlannedCase]:
    """One request per kind of bad input the contract says must be refused."""
    yield from _auth_probes(builder)
    yield from _input_probes(builder)
    yield from _asset_probes(builder)
    yield from _leniency_probes(builder)
    first = builder.agents[0]
    for method in OTHER_METHODS:
        body = b"" if method in ("GET", "DELETE") else encode({"agent_id": first.agent_id})
        headers = {**builder.auth(), **({"Content-Type": JSON} if body else {})}
        path = builder.operation.path
        yield builder.case(CaseKind.OTHER_METHOD, method, headers, body, method=method, path=path)
    path = builder.operation.path.rstrip("/") + "-unknown"
    headers = {**builder.auth(), "Content-Type": JSON}
    body = encode({"agent_id": first.agent_id})
    yield builder.case(CaseKind.UNKNOWN_PATH, path, headers, body, method=builder.operation.method, path=path)


def _auth_probes(builder: Builder) -> Iterator[PlannedCase]:
    key = builder.api_key
    wrong = "".join(
        builder.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(max(len(key), 16))
    )
    variants: list[tuple[str, dict[str, str]]] = [
        ("missing", {}),
        ("scheme_only", builder.auth("Bearer")),
        ("empty_token", builder.auth("Bearer ")),
        ("wrong_key", builder.auth(f"Bearer key_{wrong}")),
        ("key_with_suffix", builder.auth(f"Bearer {key}x")),
        ("no_scheme", builder.auth(key)),
        ("basic_scheme", builder.auth("Basic " + base64.b64encode(f"{key}:".encode()).decode())),
        ("token_scheme", builder.auth(f"Token {key}")),
    ]
    if key.swapcase() != key:
        variants.append(("key_in_other_case", builder.auth(f"Bearer {key.swapcase()}")))
    body = {"agent_id": builder.agents[0].agent_id}
    for detail, headers in variants:
        yield builder.json_case(CaseKind.BAD_AUTH, detail, body, headers={**headers, "Content-Type": JSON})


def _input_probes(builder: Builder) -> Iterator[PlannedCase]:
    agent_id = builder.agents[0].agent_id
    valid = encode({"agent_id": agent_id})
    raw: list[tuple[str, bytes, str | None]] = [
        ("malformed_json", valid[:-1], JSON),
        ("malformed_json", b"{'agent_id': '" + agent_id.encode() + b"'}", JSON),
        ("malformed_json", valid[:-1] + b",}", JSON),
        ("malformed_json", b'{"agent_id":"' + agent_id.encode() + b'","agent_version":NaN}', JSON),
        ("malformed_json", b"\xff\xfe" + valid, JSON),
        ("empty_body", b"", JSON),
        ("wrong_content_type", valid, "text/plain"),
        ("wrong_content_type", b"agent_id=" + agent_id.encode(), "application/x-www-form-urlencoded"),
        ("no_content_type", valid, None),
    ]
    for value in ([], [{"agent_id": agent_id}], agent_id, 1, None, True):
        raw.append(("non_object_body", encode(value), JSON))
    for detail, body, media_type in raw:
        headers = {**builder.auth(), **({"Content-Type": media_type} if media_type else {})}
        yield builder.case(CaseKind.BAD_INPUT, detail, headers, body)


def _asset_probes(builder: Builder) -> Iterator[PlannedCase]:
    """Agents that do not exist (including near misses of real ids) and versions they lack."""
    known = {agent.agent_id for agent in builder.agents}
    first = builder.agents[0].agent_id
    suffix = "".join(builder.rng.choice("0123456789abcdef") for _ in range(24))
    near_misses = [f"agent_{suffix}", first.swapcase(), first[:-1], first + "0"]
    # Ids that break naive lookups: non-ASCII, SQL-ish quoting, a very long one.
    near_misses += ["agént_ünïcødé_📞", "' OR '1'='1", "a" * 4096]
    for agent_id in dict.fromkeys(near_misses):
        # Only ids the schema accepts: an unknown agent is a 422 only when the body is valid
        # (a one-letter id's first[:-1] is "", which is a 400).
        if agent_id not in known and builder.contract.request_validator.is_valid({"agent_id": agent_id}):
            yield builder.json_case(CaseKind.UNKNOWN_AGENT, "unknown_agent_id", {"agent_id": agent_id})
    for agent in builder.agents:
        lacking = _missing_versions(agent.versions)
        for version in lacking:
            body = {"agent_id": agent.agent_id, "agent_version": version}
            yield builder.json_case(
                CaseKind.UNKNOWN_VERSION, "version_it_lacks", body, versions=agent.versions
            )
    primary = builder.agents[0]
    # Unknown when the agent's versions are known; otherwise a 201 or a 422 are both right.
    kind = CaseKind.UNKNOWN_VERSION if primary.versions else CaseKind.UNVERIFIED_VERSION
    for huge in HUGE_VERSIONS:
        body = {"agent_id": primary.agent_id, "agent_version": huge}
        yield builder.json_case(kind, "huge_version", body, versions=primary.versions)
    if builder.takes_version_names and primary.versions:
        body = {"agent_id": primary.agent_id, "agent_version": UNKNOWN_VERSION_NAME}
        yield builder.json_case(
            CaseKind.UNKNOWN_VERSION, "unknown_version_name", body, versions=primary.versions
        )


def _leniency_probes(builder: Builder) -> Iterator[PlannedCase]:
    """Values a lenient server quietly "fixes" instead of refusing: a version sent as a
    numeric string (coerced), a negative version (an unsigned column), an agent id with
    spaces around it (trimmed before the lookup)."""
    first = builder.agents[0]
    version = (first.versions or builder.example_versions() or (1,))[-1]
    numeric_string = {"agent_id": first.agent_id, "agent_version": str(version)}
    if not builder.takes_version_names:
        yield builder.json_case(CaseKind.INVALID_BODY, "agent_version_numeric_string", numeric_string)
    elif first.versions:  # a string is a name there, and no agent has a tag "1": 422, not coerced
        yield builder.json_case(
            CaseKind.UNKNOWN_VERSION, "agent_version_numeric_string", numeric_string, versions=first.versions
        )
    negative = {"agent_id": first.agent_id, "agent_version": -1}
    yield builder.json_case(CaseKind.UNKNOWN_VERSION, "negative_version", negative, versions=first.versions)
    yield builder.json_case(CaseKind.UNKNOWN_AGENT, "padded_agent_id", {"agent_id": f" {first.agent_id} "})


def _missing_versions(versions: tuple[int, ...]) -> list[int]:
    if not versions:
        return [2**31 - 1]  # nothing known: only a version no agent plausibly has
    gaps = [v for v in range(min(versions), max(versions)) if v not in versions][:1]
    return [max(versions) + 1, *gaps]
