"""An interrupt that something swallowed is not lost: loops that must stop see it next step."""

from __future__ import annotations

import gc
import signal

import pytest

from retell_contract._signals import Terminated, delivered, interrupts_as_exceptions, raise_pending
from retell_contract.runner import RunOptions, run


@pytest.fixture(autouse=True)
def _python_sigint_handler():
    """A test run started in the background (``pytest &``) inherits SIGINT ignored, which
    ``interrupts_as_exceptions()`` rightly leaves alone; these tests need Python's own."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _raise_now(signum: int) -> None:
    signal.raise_signal(signum)
    sum(range(1000))  # Python runs the handler at the next bytecode boundary: here


def _swallowed_in_gc(signum: int) -> None:
    """Deliver ``signum`` while a gc callback runs: the exception it raises there is dropped."""
    ran: list[bool] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and not ran:
            ran.append(True)
            _raise_now(signum)  # inside the callback, so gc drops the exception

    gc.callbacks.append(callback)
    try:
        gc.collect()
    finally:
        gc.callbacks.remove(callback)
    assert ran


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the swallowing itself
@pytest.mark.parametrize(
    ("signum", "kind"), [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, Terminated)]
)
def test_an_interrupt_swallowed_by_a_gc_callback_is_raised_at_the_next_step(signum, kind):
    with interrupts_as_exceptions():
        _swallowed_in_gc(signum)  # no exception escapes: gc printed it as "ignored"
        with pytest.raises(kind):
            raise_pending()
        raise_pending()  # raised once: nothing left


def test_a_handled_interrupt_is_not_raised_again():
    with interrupts_as_exceptions():
        with pytest.raises(KeyboardInterrupt):
            _raise_now(signal.SIGINT)
        delivered()
        raise_pending()


def test_the_previous_handlers_come_back_and_an_ignored_sigint_stays_ignored():
    before = signal.getsignal(signal.SIGTERM)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with interrupts_as_exceptions():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) is not before
        assert signal.getsignal(signal.SIGTERM) is before
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_run_stops_at_the_next_case_after_a_swallowed_interrupt():
    seen: list[int] = []

    def progress(done: int, planned: int, failures: int) -> None:
        seen.append(done)
        if done == 60:  # past the probes, among the drawn cases
            _swallowed_in_gc(signal.SIGINT)

    with interrupts_as_exceptions():
        result = run(RunOptions(seed=1, on_progress=progress))
    assert isinstance(result.interrupted, KeyboardInterrupt)
    assert seen[-1] == 60  # the next case raised it before it was counted
