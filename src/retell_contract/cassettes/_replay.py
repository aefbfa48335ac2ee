"""``retell-contract replay``: re-check recorded exchanges offline, with the run's own checks.

Nothing here touches the network: the exchanges come from cassettes, and the verdict
comes from :func:`retell_contract.checks.verify_exchanges`, the same checks ``run``
applies live. The output holds no timings or dates, so the same cassettes and contract
always print the same bytes.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rich.console import Console

from retell_contract.cassettes._reader import CassetteEntry, read_cassette_entries
from retell_contract.checks import NOTE_CASSETTE, RunReport, verify_exchanges
from retell_contract.contracts import Contract
from retell_contract.errors import CassetteError
from retell_contract.exchange import Exchange


def replay(path: str | Path, *, contract: Contract) -> RunReport:
    """Check every exchange recorded under ``path`` against ``contract``.

    Raises CassetteError when ``path`` holds no cassettes, a cassette is unreadable, or
    the cassettes hold no exchange at all.
    """
    entries = read_cassette_entries(path)
    if not entries:
        raise CassetteError(f"{path}: the cassettes hold no recorded exchanges")
    return verify_exchanges([_from_file(entry) for entry in entries], contract=contract)


def _from_file(entry: CassetteEntry) -> Exchange:
    """The exchange, noting its file: failures name it, and placeholders are scoped to it."""
    exchange = entry.exchange
    return replace(exchange, notes={**exchange.notes, NOTE_CASSETTE: str(entry.path)})


def replay_headline(path: str | Path, report: RunReport, contract: Contract) -> str:
    """One line saying what was replayed against what."""
    cases = ", ".join(f"{count} {case}" for case, count in report.cases.items())
    return f"replay of {path}: {report.exchanges} recorded exchanges ({cases}) against {contract.source}"


def print_replay(path: str | Path, report: RunReport, contract: Contract, *, console: Console) -> None:
    """Print the report exactly as ``run`` prints its own (shared printer, same checks)."""
    from retell_contract.report import print_report

    print_report(
        report,
        console=console,
        headline=replay_headline(path, report, contract),
        rerun=f"retell-contract replay {path}",
    )
