"""Stop a run early when the setup, not the server's behaviour, is at fault.

A rejected key (401/402 on every valid request) or a server that never answers would
otherwise be reported as dozens of contract violations, after every request was sent
(against the live API each one is a real call). Both are setup errors: exit 2.
"""

from __future__ import annotations

from retell_contract.checks import CaseKind
from retell_contract.errors import SetupError
from retell_contract.runner._limits import TIMEOUTS_TO_STOP
from retell_contract.runner._send import Attempts

# Statuses that mean the key itself is refused: wrong or revoked (401), unpaid account (402).
KEY_REJECTED = frozenset({401, 402})
# Valid requests that must all be refused before the key is judged rejected.
REJECTED_TO_STOP = 3
_VALID_KINDS = frozenset({CaseKind.POSITIVE, CaseKind.UNVERIFIED_VERSION})


class SetupGuard:
    """Watches each case as it is checked; raises :class:`SetupError` when the setup is at fault."""

    def __init__(self, *, timeout: float) -> None:
        self.timeout = timeout
        self.valid = 0
        self.rejected: set[int] = set()
        self.all_rejected = True
        self.timeouts_in_a_row = 0

    def observe(self, kind: CaseKind, attempts: Attempts) -> None:
        self._observe_timeouts(attempts)
        if kind in _VALID_KINDS and attempts.exchanges:
            status = attempts.exchanges[-1].response.status
            self.valid += 1
            if status in KEY_REJECTED:
                self.rejected.add(status)
            else:
                self.all_rejected = False
            if self.valid >= REJECTED_TO_STOP:
                self.finish()

    def finish(self) -> None:
        """At the end of the run (or once enough valid cases were seen): judge the key."""
        if self.valid and self.all_rejected:
            codes = "/".join(str(code) for code in sorted(self.rejected))
            raise SetupError(
                f"the key was rejected: every valid request ({self.valid}) was answered {codes}; "
                "check --api-key / RETELL_API_KEY (402: the account needs credit)"
            )

    def _observe_timeouts(self, attempts: Attempts) -> None:
        if not attempts.timed_out:
            self.timeouts_in_a_row = 0
            return
        self.timeouts_in_a_row += 1
        if self.timeouts_in_a_row >= TIMEOUTS_TO_STOP:
            raise SetupError(
                f"the server did not answer {self.timeouts_in_a_row} requests in a row within "
                f"{self.timeout:g} s (--timeout); stopping"
            )
