"""The typed failures a check raises.

Every failure says what was expected and what came back, in words a report can print
as-is. ``signature`` groups repeats of one fault (e.g. "metadata is not echoed" found on
forty cases) into one distinct failure; it never contains a secret or a generated value.
"""

from __future__ import annotations

from collections.abc import Iterable

from retell_contract.validation import Violation


class CheckFailed(AssertionError):
    """A response broke one check. Subclasses say which kind of expectation failed.

    ``check`` is filled in by the registry with the name of the check that raised it.
    ``field`` names the call-object or request field concerned ('' when none).
    """

    def __init__(self, expected: str, actual: str, *, field: str = "", check: str = "") -> None:
        self.expected = expected
        self.actual = actual
        self.field = field
        self.check = check
        super().__init__(f"expected {expected}; got {actual}")

    @property
    def signature(self) -> str:
        """What makes two failures of one check the same fault."""
        return f"{self.check}:{type(self).__name__}:{self.field}"


class UnexpectedStatus(CheckFailed):
    """The status code is not one this case allows."""

    def __init__(self, expected: str, actual: str, *, status: int, case: str, check: str = "") -> None:
        super().__init__(expected, actual, check=check)
        self.status = status
        self.case = case

    @property
    def signature(self) -> str:
        return f"{self.check}:{self.case}:{self.status}"


class WrongContentType(CheckFailed):
    """The Content-Type is missing or wrong, or the body is not what it says."""


class SchemaMismatch(CheckFailed):
    """A body does not match its schema (or a consistency rule); lists every violation."""

    def __init__(self, expected: str, violations: Iterable[Violation], *, check: str = "") -> None:
        self.violations = sorted(set(violations))
        shown = "; ".join(str(v) for v in self.violations[:5])
        more = f" (+{len(self.violations) - 5} more)" if len(self.violations) > 5 else ""
        super().__init__(expected, shown + more, check=check)

    @property
    def signature(self) -> str:
        rules = sorted({f"{_generalise(v.path)}[{v.rule}]" for v in self.violations})
        return f"{self.check}:{','.join(rules)}"


class FieldMismatch(CheckFailed):
    """A call-object field holds the wrong value (an echo, a status, a type marker)."""


class DuplicateValue(CheckFailed):
    """A value that must be unique across the run was returned twice."""


NO_RESPONSE = "response_received"
NO_RESPONSE_DESCRIPTION = "Every request got an HTTP response (dropped connections and timeouts fail here)."


class NoResponse(CheckFailed):
    """The request got no HTTP response at all (connection dropped, timeout).

    No check raises it: with no response there is nothing to judge, so the run records it
    itself, under ``check`` (default ``response_received``), and it never counts a pass.
    """

    def __init__(self, expected: str, actual: str, *, check: str = NO_RESPONSE) -> None:
        super().__init__(expected, actual, check=check)


def _generalise(path: str) -> str:
    """``transcript_object.3.words`` -> ``transcript_object.*.words``: one fault, any index."""
    return ".".join("*" if part.isdigit() else part for part in path.split("."))
