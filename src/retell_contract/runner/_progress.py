"""How ``retell-contract run`` shows its progress on stderr.

On a terminal, a rich bar that says "drawing bodies" until the plan is drawn, then counts
cases. Off a terminal (CI logs, pipes), plain lines: one when the plan is drawn, then one
at every quarter of the plan or every few seconds, whichever comes first, and none of rich's
cursor control (which leaves blank lines behind in a log).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

ProgressUpdate = Callable[[int, int, int], None]  # (cases done, cases planned, distinct failures)
LINE_EVERY_SECONDS = 5.0


@contextlib.contextmanager
def progress(console: Console) -> Iterator[ProgressUpdate]:
    """An update function for the run's ``on_progress`` hook, drawing on ``console``."""
    if console.is_terminal:
        with _bar(console) as update:
            yield update
    else:
        yield _Lines(console).update


@contextlib.contextmanager
def _bar(console: Console) -> Iterator[ProgressUpdate]:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn  # terminals only

    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[counts]}"),  # empty while drawing: no "0/?" before the plan exists
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("drawing bodies", total=None, counts="")

        def update(done: int, total: int, failures: int) -> None:
            counts = f"{done}/{total} cases, {failures} distinct failures"
            first = bar.tasks[0].total is None
            bar.update(task, description="run", completed=done, total=total, counts=counts)
            if first:
                bar.refresh()  # show the plan's size at once, not at the next tick

        yield update


class _Lines:
    """Progress as plain lines, throttled so a long run logs a few dozen lines at most."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.started = self.last_time = time.monotonic()
        self.last_done = -1

    def update(self, done: int, total: int, failures: int) -> None:
        now = time.monotonic()
        step = max(1, total // 4)
        if done in (0, total) or done - self.last_done >= step or now - self.last_time >= LINE_EVERY_SECONDS:
            self.last_done, self.last_time = done, now
            self.console.print(
                f"run: {done}/{total} cases, {failures} distinct failures, {now - self.started:.1f} s",
                markup=False,
                highlight=False,
            )
