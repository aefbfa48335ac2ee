"""Draw one example from a strategy, deterministically, anywhere.

``strategy.example()`` refuses to run inside ``@given``, warns outside a REPL and is
random. :func:`sample` instead drives Hypothesis's own engine primitive, a
``ConjectureData`` fed by a seeded ``random.Random``, the way ``@given`` draws a fresh
test case. It touches no global or thread-local state of a running test, so it works
inside ``@given`` tests and from any thread.
"""

from __future__ import annotations

from random import Random
from typing import Any, TypeVar

from hypothesis.control import BuildContext
from hypothesis.errors import StopTest, UnsatisfiedAssumption
from hypothesis.internal.conjecture.data import ConjectureData
from hypothesis.internal.conjecture.providers import HypothesisProvider
from hypothesis.strategies import SearchStrategy

from retell_contract.strategies._args import check_seed

T = TypeVar("T")
# A draw is retried (with a seed derived from the given one) when the strategy rejects
# what it drew (filter, assume) or outgrows Hypothesis's size limit.
MAX_ATTEMPTS = 100


class _SeededProvider(HypothesisProvider):
    """Hypothesis's provider without its "local constants" pool.

    That pool holds literals scraped from whichever modules the process has imported,
    so it differs between processes (and changes as modules load); drawing from it would
    make a seed mean different values in the mock server and in a test.
    """

    def _maybe_draw_constant(self, *args: Any, **kwargs: Any) -> None:
        return None


def sample(strategy: SearchStrategy[T], *, seed: int) -> T:
    """One example of ``strategy``; the same ``seed`` gives the same example.

    The same in every process and thread, for a given version of Hypothesis and of the
    strategy.

    Works outside ``@given``, inside a running ``@given`` test and from worker threads.
    Examples are drawn as ``@given`` would draw a fresh test case (not shrunk).
    Raises ValueError when the strategy rejects every one of its attempts.
    """
    if not isinstance(strategy, SearchStrategy):
        raise TypeError(f"strategy must be a Hypothesis SearchStrategy, not {strategy!r}")
    check_seed(seed)
    strategy.validate()
    for attempt in range(MAX_ATTEMPTS):
        random = Random(seed) if attempt == 0 else Random(f"{seed}/{attempt}")
        data = ConjectureData(random=random, provider=_SeededProvider)
        try:
            # Our own build context (thread-local, restored on exit): some strategies
            # record how they built values there, and must not write into a running test's.
            with BuildContext(data, is_final=False, wrapped_test=sample):
                return data.draw(strategy)
        except (StopTest, UnsatisfiedAssumption):
            continue
        finally:
            data.freeze()
    raise ValueError(f"{strategy!r} rejected every example in {MAX_ATTEMPTS} attempts (seed={seed})")
