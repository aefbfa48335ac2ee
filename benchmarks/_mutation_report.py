"""Results of the mutation benchmark and how they are printed.

Vanilla schemathesis fails the correct mock too (random agent ids get 422, which it calls
"schema-valid request rejected"), so a non-zero exit says nothing about a fault. A fault
counts as found by it only when a check failed that does not also fail on the correct
mock ("beyond its false alarms"); its time to detect is that check's first failure.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from benchmarks.mutants import Mutant

PLAIN = "plain_mock"  # the correct mock as it is: the baseline of every comparison
BUDGET = 200  # requests: what a polite run against the live API may send


@dataclass
class Outcome:
    """One tool against one server."""

    failed: bool | None  # None: the tool did not finish (timeout, crash, setup error)
    detect: float | None = None  # seconds from engine start to the first failure
    cases: int = 0
    seconds: float = 0.0  # engine time
    wall: float = 0.0  # process start to exit
    checks: tuple[str, ...] = ()
    first_by_check: dict[str, float] = field(default_factory=dict)
    first_request_by_check: dict[str, int] = field(default_factory=dict)  # 1 = the first request
    body_by_check: dict[str, int] = field(default_factory=dict)  # bytes of the reported example
    within_budget: bool | None = None  # ours: failed with --max-requests BUDGET (None: not run)
    seed: str = ""
    error: str = ""

    def found(self, baseline: set[str]) -> bool:
        """Whether a check failed that does not also fail on the correct mock."""
        return bool(set(self.checks) - baseline)

    def detect_beyond(self, baseline: set[str]) -> float | None:
        times = [t for name, t in self.first_by_check.items() if name not in baseline]
        return min(times) if times else None

    def found_within(self, baseline: set[str], budget: int) -> bool:
        """Whether a check beyond ``baseline`` first failed within the first ``budget`` requests."""
        if self.within_budget is not None:
            return self.within_budget
        return any(n <= budget for name, n in self.first_request_by_check.items() if name not in baseline)

    def bodies_beyond(self, baseline: set[str]) -> list[int]:
        return [size for name, size in self.body_by_check.items() if name not in baseline]


@dataclass
class Row:
    mutant: Mutant
    ours: Outcome
    vanilla: Outcome | None

    @property
    def ours_wrong(self) -> bool:
        """retell-contract missed this fault, failed this correct server, or did not finish."""
        return self.ours.failed is None or self.ours.failed != self.mutant.faulty


@dataclass(frozen=True)
class Pair:
    """Both tools on a fresh plain mock, one after the other: a throughput sample."""

    ours: Outcome
    vanilla: Outcome

    @property
    def ours_rate(self) -> float:
        return _rate(self.ours)

    @property
    def vanilla_rate(self) -> float:
        return _rate(self.vanilla)

    @property
    def ratio(self) -> float:
        return self.ours_rate / self.vanilla_rate if self.vanilla_rate else 0.0


def baseline_of(rows: Sequence[Row]) -> set[str]:
    """The checks vanilla schemathesis fails on the plain, correct mock."""
    for row in rows:
        if row.mutant.name == PLAIN and row.vanilla is not None:
            return set(row.vanilla.checks)
    return set()


def ours_verdict(row: Row) -> str:
    outcome = row.ours
    if outcome.failed is None:
        return "ERROR"
    if row.mutant.faulty:
        return "caught" if outcome.failed else "MISSED"
    return "FALSE ALARM" if outcome.failed else "passed"


def vanilla_verdict(row: Row, baseline: set[str]) -> str:
    outcome = row.vanilla
    if outcome is None:
        return "-"
    if outcome.failed is None:
        return "ERROR"
    if not row.mutant.faulty:
        return "FALSE ALARM" if outcome.failed else "passed"
    if outcome.found(baseline):
        return "caught"
    return "only its FA" if outcome.failed else "missed"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def row_line(row: Row, baseline: set[str]) -> str:
    vanilla = row.vanilla
    found = vanilla is not None and row.mutant.faulty and vanilla.found(baseline)
    vanilla_time = vanilla.detect_beyond(baseline) if found and vanilla else None
    beyond = ",".join(sorted(set(vanilla.checks) - baseline)) if vanilla else ""
    return (
        f"{row.mutant.name:34} {row.mutant.family:11} {'yes' if row.mutant.faulty else 'no':5} "
        f"{ours_verdict(row):11} {_seconds(row.ours.detect):>5}  "
        f"{vanilla_verdict(row, baseline):11} {_seconds(vanilla_time):>5}  "
        f"{','.join(row.ours.checks) or '-'} | {beyond or '-'}"
    )


def print_table(rows: Sequence[Row]) -> None:
    baseline = baseline_of(rows)
    header = (
        f"{'server':34} {'family':11} {'fault':5} {'ours':11} {'ttd s':>5}  "
        f"{'schemathesis':11} {'ttd s':>5}  failed checks: ours | schemathesis's beyond its false alarms"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(row_line(row, baseline))
    print()
    if baseline:
        print(f"vanilla schemathesis's failures on the plain, correct mock: {', '.join(sorted(baseline))}")
    for row in rows:
        if row.ours_wrong:
            verdict = ours_verdict(row)
            print(f"retell-contract {verdict} on {row.mutant.name}: seed {row.ours.seed} {row.ours.error}")


def print_totals(
    rows: Sequence[Row], clean: list[tuple[float, float, int]], pairs: Sequence[Pair] = ()
) -> None:
    baseline = baseline_of(rows)
    faulty = [r for r in rows if r.mutant.faulty]
    correct = [r for r in rows if not r.mutant.faulty]
    print(
        f"{'totals':22} caught/faulty  false alarms/correct  median ttd s  max ttd s"
        f"  within {BUDGET} req  median shrunk body B  mean wall s"
    )
    caught = [r for r in faulty if r.ours.failed]
    _totals_line(
        "retell-contract run",
        (len(caught), len(faulty)),
        (sum(1 for r in correct if r.ours.failed), len(correct)),
        [r.ours.detect for r in caught if r.ours.detect is not None],
        sum(1 for r in caught if r.ours.found_within(set(), BUDGET)),
        [size for r in caught for size in r.ours.bodies_beyond(set())],
        [r.ours.wall for r in rows],
    )
    vanilla_rows = [r for r in rows if r.vanilla is not None]
    if vanilla_rows:  # out of the servers it ran on (rows loaded from runs in parts may lack it)
        faulty = [r for r in faulty if r.vanilla is not None]
        correct = [r for r in correct if r.vanilla is not None]
        found = [r.vanilla for r in faulty if r.vanilla and r.vanilla.found(baseline)]
        _totals_line(
            "schemathesis run",
            (len(found), len(faulty)),
            (sum(1 for r in correct if r.vanilla and r.vanilla.failed), len(correct)),
            [t for v in found if (t := v.detect_beyond(baseline)) is not None],
            sum(1 for v in found if v.found_within(baseline, BUDGET)),
            [size for v in found for size in v.bodies_beyond(baseline)],
            [r.vanilla.wall for r in vanilla_rows if r.vanilla],
        )
        exits = sum(1 for r in faulty if r.vanilla and r.vanilla.failed)
        print(f"  (schemathesis exits non-zero on {exits}/{len(faulty)} faulty servers, correct ones too)")
    _print_throughput(rows, pairs)
    if clean:
        walls = [wall for wall, _, _ in clean]
        engines = [engine for _, engine, _ in clean]
        print(
            f"clean default run against the embedded mock (`retell-contract run`, {len(clean)} runs): "
            f"median {statistics.median(walls):.2f} s wall (max {max(walls):.2f} s), "
            f"{statistics.median(engines):.2f} s in the engine, {clean[0][2]} cases"
        )


def _totals_line(
    tool: str,
    caught: tuple[int, int],
    alarms: tuple[int, int],
    times: Sequence[float],
    within: int,
    bodies: Sequence[int],
    walls: Sequence[float],
) -> None:
    median_body = f"{statistics.median(bodies):.0f}" if bodies else "-"
    print(
        f"{tool:22} {caught[0]:>6}/{caught[1]:<7} {alarms[0]:>11}/{alarms[1]:<9}"
        f" {_seconds(statistics.median(times) if times else None):>12}"
        f" {_seconds(max(times) if times else None):>10}"
        f" {within:>7}/{caught[1]:<6} {median_body:>20}"
        f" {_seconds(statistics.mean(walls) if walls else None):>12}"
    )


def _print_throughput(rows: Sequence[Row], extra: Sequence[Pair]) -> None:
    """Test cases per wall-clock second of each tool's process on the plain mock: the plain
    row's pair, then the median over it and the ``--throughput-runs`` pairs."""
    plain = next((r for r in rows if r.mutant.name == PLAIN), None)
    if plain is None or not plain.ours.wall:
        return
    text = "throughput on the plain mock over HTTP, start-up included: "
    text += f"retell-contract {_rate(plain.ours):.0f} cases/s"
    text += f" ({plain.ours.cases} cases in {plain.ours.wall:.1f} s)"
    pair = Pair(plain.ours, plain.vanilla) if plain.vanilla and plain.vanilla.wall else None
    if pair is not None:
        text += f", schemathesis {pair.vanilla_rate:.0f} cases/s"
        text += f" ({pair.vanilla.cases} cases in {pair.vanilla.wall:.1f} s): {pair.ratio:.2f}x"
    print(text)
    if pair is not None and extra:
        _print_pairs([pair, *extra])


def _rate(outcome: Outcome) -> float:
    return outcome.cases / outcome.wall if outcome.wall else 0.0


def _print_pairs(pairs: Sequence[Pair]) -> None:
    ratios = [pair.ratio for pair in pairs]
    print(
        f"throughput over {len(pairs)} paired runs: retell-contract median "
        f"{statistics.median(p.ours_rate for p in pairs):.0f} cases/s, schemathesis median "
        f"{statistics.median(p.vanilla_rate for p in pairs):.0f} cases/s; ratio median "
        f"{statistics.median(ratios):.2f}x (lowest {min(ratios):.2f}x, highest {max(ratios):.2f}x)"
    )
