"""Ctrl-C and SIGTERM as exceptions that cannot be lost.

Python's default for SIGTERM ends the process at once: no summary, no clean-up. Under
:func:`interrupts_as_exceptions` it raises :class:`Terminated`, a ``KeyboardInterrupt``, so
the code that handles Ctrl-C (a partial report, nothing half-written) handles both; the
command line then exits 143 instead of 130.

A signal's exception is raised wherever the main thread happens to be, and some places
swallow it: an exception raised inside a garbage-collector callback (Hypothesis installs
one) is printed as "Exception ignored" and dropped, and the run would go on. So the handler
also remembers the interrupt, and loops that must stop call :func:`raise_pending` between
steps; whoever handles the interrupt calls :func:`delivered`.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """The process got SIGTERM."""


def exit_code(interrupt: KeyboardInterrupt) -> int:
    return EXIT_TERMINATED if isinstance(interrupt, Terminated) else EXIT_INTERRUPTED


_pending: list[KeyboardInterrupt] = []  # the interrupt raised but not yet handled, if any


def _interrupt(signum: int, frame: FrameType | None) -> None:
    interrupt = Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()
    _pending[:] = [interrupt]
    raise interrupt


def raise_pending() -> None:
    """Raise the interrupt a signal raised, if something swallowed it before it was handled."""
    if _pending:
        raise _pending.pop()


def delivered() -> None:
    """The interrupt reached its handler: :func:`raise_pending` must not raise it again."""
    _pending.clear()


@contextlib.contextmanager
def interrupts_as_exceptions() -> Iterator[None]:
    """While inside, SIGTERM raises :class:`Terminated` and both it and Ctrl-C are remembered
    until :func:`delivered` (in the main thread; elsewhere a no-op). A SIGINT that the parent
    process made ignored stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signums = [signal.SIGTERM]
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signums.append(signal.SIGINT)
    previous = {signum: signal.signal(signum, _interrupt) for signum in signums}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        delivered()
