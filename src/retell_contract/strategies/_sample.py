"""Draw one example from a strategy, deterministically, anywhere.

``strategy.example()`` refuses to run inside ``@given``, warns outside a REPL and is
random. :func:`sample` instead runs a one-off ``@seed``/``@given`` test through
Hypothesis's public API and keeps the example it was called with. That inner test runs
on one private worker thread: Hypothesis keeps its running test in thread-local state,
so the inner run never nests in (nor writes into) a ``@given`` test that called us, and
calls from many threads take their turn instead of sharing one engine.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as seeded
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from hypothesis.strategies import SearchStrategy

from retell_contract.strategies._args import check_seed

T = TypeVar("T")

# Hypothesis's generate phase always tries the simplest example first, then draws
# examples that differ from those it has tried at their first choice. So the strategy
# is drawn after a throwaway wide integer, the choice that absorbs that rule; the
# second example is the strategy drawn freely from the seed.
_EXAMPLES = 2
_THROWAWAY = st.integers(min_value=0, max_value=2**64)
_SETTINGS = settings(
    database=None,
    max_examples=_EXAMPLES,
    derandomize=False,  # the seed decides, not the test function's name
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
    deadline=None,
    verbosity=Verbosity.quiet,
    backend="hypothesis",
    print_blob=False,
)
_on_worker = threading.local()  # set in the worker's thread only (its initializer)
_worker_lock = threading.Lock()
_worker: ThreadPoolExecutor | None = None


def sample(strategy: SearchStrategy[T], *, seed: int) -> T:
    """One example of ``strategy``; the same ``seed`` gives the same example.

    The same in every thread and, for a given version of Hypothesis and of the strategy,
    in every run of the same program. Hypothesis also draws literals found in the
    process's own (non-installed) modules, so a process that has imported other local
    modules may draw another example for the same seed.

    Works outside ``@given``, inside a running ``@given`` test, from worker threads and
    from a strategy that is itself being sampled (a ``.map`` that calls ``sample``).
    Examples are drawn as ``@given`` would draw a fresh test case (not shrunk).
    Raises ValueError when the strategy rejects every example it draws.
    """
    if not isinstance(strategy, SearchStrategy):
        raise TypeError(f"strategy must be a Hypothesis SearchStrategy, not {strategy!r}")
    check_seed(seed)
    strategy.validate()
    if getattr(_on_worker, "thread", False):
        # Called while the worker draws (a strategy that samples): waiting for the worker
        # would wait for ourselves. The worker holds no test of the caller's: run here.
        return _run_inner_test(strategy, seed)
    return _sampler().submit(_run_inner_test, strategy, seed).result()


def _sampler() -> ThreadPoolExecutor:
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="retell-contract-sample", initializer=_mark_worker
            )
        return _worker


def _mark_worker() -> None:
    _on_worker.thread = True


def _run_inner_test(strategy: SearchStrategy[T], seed: int) -> T:
    drawn: list[T] = []

    @seeded(seed)
    @_SETTINGS
    @given(_THROWAWAY, strategy)
    def keep(_: int, value: T) -> None:
        drawn.append(value)

    try:
        keep()
    except Unsatisfiable:
        drawn.clear()
    if not drawn:
        raise ValueError(f"{strategy!r} rejected every example it drew (seed={seed})")
    return drawn[-1]
