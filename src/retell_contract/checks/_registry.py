"""The check registry: small named functions over (context, exchange), as in schemathesis.

A check returns ``None`` when it passed, ``SKIP`` (true, schemathesis's convention) when it
does not apply to the exchange, and raises a :class:`CheckFailed` when it failed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import overload

from retell_contract.checks._context import CheckContext
from retell_contract.checks._failures import CheckFailed
from retell_contract.exchange import Exchange

CheckResult = bool | None
CheckFunction = Callable[[CheckContext, Exchange], CheckResult]
SKIP = True


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Check:
    """A registered check: its name, one-line description and function.

    ``stateful`` checks judge an exchange against earlier ones (uniqueness across a run):
    re-sending one request cannot reproduce their failures, so a run does not shrink them.
    """

    name: str
    description: str
    function: CheckFunction
    stateful: bool = False


@dataclass(frozen=True)
class Outcome:
    """What one check made of one exchange."""

    check: str
    status: Status
    failure: CheckFailed | None = None


_REGISTRY: dict[str, Check] = {}


@overload
def check(function: CheckFunction, /) -> CheckFunction: ...
@overload
def check(*, stateful: bool = False) -> Callable[[CheckFunction], CheckFunction]: ...


def check(
    function: CheckFunction | None = None, /, *, stateful: bool = False
) -> CheckFunction | Callable[[CheckFunction], CheckFunction]:
    """Register ``function`` under its own name; its failures get that name as ``check``.

    Use as ``@check``, or ``@check(stateful=True)`` for a check that compares an exchange
    with earlier ones (see :class:`Check`).
    """
    if function is None:
        return lambda inner: _register(inner, stateful=stateful)
    return _register(function, stateful=stateful)


def _register(function: CheckFunction, *, stateful: bool) -> CheckFunction:
    name = function.__name__
    if name in _REGISTRY and _REGISTRY[name].function.__module__ != function.__module__:
        raise ValueError(f"a check named {name!r} is already registered")

    @wraps(function)
    def named(ctx: CheckContext, exchange: Exchange) -> CheckResult:
        try:
            return function(ctx, exchange)
        except CheckFailed as failure:
            failure.check = failure.check or name
            raise

    description = (function.__doc__ or name).strip().splitlines()[0]
    _REGISTRY[name] = Check(name=name, description=description, function=named, stateful=stateful)
    return named


def registered_checks() -> tuple[Check, ...]:
    """Every registered check, in registration order."""
    return tuple(_REGISTRY.values())


def get_check(name: str) -> Check:
    """The check registered as ``name``; ValueError naming the known ones otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(_REGISTRY)
        raise ValueError(f"unknown check {name!r} (known: {known})") from None


def run_checks(ctx: CheckContext, exchange: Exchange, checks: Iterable[Check] | None = None) -> list[Outcome]:
    """Run ``checks`` (all registered ones by default) on one exchange, in order."""
    outcomes = []
    for item in registered_checks() if checks is None else checks:
        try:
            skipped = item.function(ctx, exchange)
        except CheckFailed as failure:
            outcomes.append(Outcome(item.name, Status.FAILED, failure))
        else:
            outcomes.append(Outcome(item.name, Status.SKIPPED if skipped else Status.PASSED))
    return outcomes
