"""``Violation``: one problem found in a body or call object.

Its own module so that both validation levels (the schema in :mod:`retell_contract.validation`
and the rules in :mod:`retell_contract.consistency`) name problems the same way without
importing each other; users import it from :mod:`retell_contract.validation`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Violation:
    """One problem: ``rule`` is ``schema.<keyword>`` or a consistency rule's name."""

    path: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '<root>'}: {self.message} [{self.rule}]"
