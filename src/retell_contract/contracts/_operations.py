"""One operation of a contract: its route, request and response schemas, and its standing.

The API's operations are known by role, from their path: create-web-call v2 and v3 and
get-call. A contract may declare any subset (Retell's own spec for a path has one,
the seed-era contract has create-v2, today's has all three).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from jsonschema import Draft202012Validator

from retell_contract.contracts._normalize import JsonSchema

CREATE_V2, CREATE_V3, GET_CALL = "create-v2", "create-v3", "get-call"
# Role by path template: the path is what identifies an operation of Retell's API.
ROLES = {
    "/v2/create-web-call": CREATE_V2,
    "/v3/create-web-call": CREATE_V3,
    "/v2/get-call/{call_id}": GET_CALL,
}
OPERATION_NAMES = tuple(ROLES.values())


@dataclass(frozen=True)
class Operation:
    """One declared operation, with self-contained JSON Schemas.

    ``name`` is its role (``create-v2``, ``create-v3``, ``get-call``, or
    ``METHOD path`` for an operation retell-contract has no role for). ``successor``
    is the name of the operation that replaces a deprecated one (``x-successor``),
    ``sunset`` its announced deprecation date (``x-sunset``).
    """

    name: str
    operation_id: str | None
    method: str
    path: str
    request_schema: JsonSchema | None = field(repr=False)
    response_schemas: Mapping[int, JsonSchema | None] = field(repr=False)
    error_examples: Mapping[int, str] = field(repr=False)
    success_status: int
    deprecated: bool = False
    sunset: str | None = None
    successor: str | None = None

    @property
    def status_codes(self) -> tuple[int, ...]:
        """Every documented status code, ascending."""
        return tuple(sorted(self.response_schemas))

    @property
    def error_status_codes(self) -> tuple[int, ...]:
        """Documented status codes other than the success one."""
        return tuple(code for code in self.status_codes if code != self.success_status)

    @property
    def success_schema(self) -> JsonSchema | None:
        return self.response_schemas.get(self.success_status)

    @cached_property
    def response_validators(self) -> Mapping[int, Draft202012Validator]:
        """JSON Schema validators for each documented response body (built once)."""
        return {code: Draft202012Validator(s) for code, s in self.response_schemas.items() if s is not None}

    def response_schema(self, status: int) -> JsonSchema | None:
        """Schema documented for ``status``, or None when undocumented or bodiless."""
        return self.response_schemas.get(status)

    def error_message(self, status: int) -> str:
        """The documented example message for an error status (a generic one if none)."""
        return self.error_examples.get(status, f"Request failed with status {status}.")

    def matches(self, method: str, path: str) -> bool:
        """Whether a request line is this operation (path parameters match any one segment)."""
        if method.upper() != self.method:
            return False
        want, got = self.path.strip("/").split("/"), path.rstrip("/").strip("/").split("/")
        return len(want) == len(got) and all(
            w == g or (w.startswith("{") and w.endswith("}") and g) for w, g in zip(want, got, strict=True)
        )

    def url_path(self, **parameters: str) -> str:
        """The path with its ``{parameters}`` filled in (percent-encoded)."""
        from urllib.parse import quote

        path = self.path
        for name, value in parameters.items():
            path = path.replace("{" + name + "}", quote(value, safe=""))
        return path
