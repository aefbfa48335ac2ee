"""Print a drift report as text, JSON or Markdown.

Text and Markdown are for people: within each operation, breaking changes come first,
and a change repeated identically under several response statuses (say, ``message``
no longer required in every error response) is shown once, naming all the statuses.
JSON keeps one record per change, for machines.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from retell_contract.drift._model import LOCATION_SEPARATOR, Change, DriftReport

FORMATS = ("text", "json", "markdown")
# Control characters, line and paragraph separators and lone surrogates (keys a fuzzer sent
# as metadata, say) would break lines or drive the terminal: shown escaped instead.
_UNPRINTABLE = frozenset({"Cc", "Zl", "Zp", "Cs"})
_RESPONSE_HEAD = re.compile(r"response (\S+)")


@dataclass(frozen=True)
class Row:
    """One line of a human-readable report: a change, or identical changes under several statuses."""

    where: str
    change: Change


def render(report: DriftReport, fmt: str = "text") -> str:
    """The report in ``fmt`` ("text", "json" or "markdown"), ending with a newline."""
    if fmt == "json":
        return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return _markdown(report)
    if fmt == "text":
        return _text(report)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def rows(changes: Iterable[Change]) -> list[Row]:
    """Changes merged across response statuses; within each operation, breaking ones first."""
    merged: dict[tuple[object, ...], list[Change]] = {}
    for change in changes:
        head = change.location[0] if change.location else ""
        key: tuple[object, ...] = (
            (
                change.operation,
                change.location[1:],
                change.kind,
                change.severity,
                change.reason,
                change.detail,
            )
            if _RESPONSE_HEAD.fullmatch(head)
            else (change,)
        )
        merged.setdefault(key, []).append(change)
    result = [_row(group) for group in merged.values()]
    # Within an operation: what happened to the operation itself (added, deprecated) first.
    return sorted(
        result, key=lambda row: (row.change.operation, bool(row.change.location), not row.change.breaking)
    )


def _row(group: list[Change]) -> Row:
    first = group[0]
    if len(group) == 1:
        return Row(first.where, first)
    codes = ", ".join(change.location[0].split(" ", 1)[1] for change in group)
    return Row(LOCATION_SEPARATOR.join((f"responses {codes}", *first.location[1:])), first)


def _verdict(report: DriftReport) -> str:
    counts = report.counts()
    if not report.changes:
        return "no changes"
    return (
        f"{len(report.changes)} change{'s' if len(report.changes) != 1 else ''}: "
        f"{counts['breaking']} breaking, {counts['non-breaking']} non-breaking"
    )


def _by_operation(report: DriftReport) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = {}
    for row in rows(report.changes):
        grouped.setdefault(row.change.operation, []).append(row)
    return grouped


def _text(report: DriftReport) -> str:
    lines = [
        f"retell-contract diff ({report.mode})",
        f"  old: {report.old} ({report.notes.get('old', '')})",
        f"  new: {report.new} ({report.notes.get('new', '')})",
    ]
    if "scope" in report.notes:
        lines.append(f"  scope: {report.notes['scope']}")
    for operation, operation_rows in _by_operation(report).items():
        lines += ["", operation]
        for row in operation_rows:
            change = row.change
            what = f"{change.kind.value}" + (f": {change.detail}" if change.detail else "")
            lines.append(
                f"  {change.severity.value.upper():<13} {f'{row.where}: ' if row.where else ''}{what}"
            )
            lines.append(f"  {'':<13}   {change.reason}")
    lines += ["", _verdict(report)]
    return _joined(lines)


def _markdown(report: DriftReport) -> str:
    lines = [
        "# API drift report",
        "",
        f"- **old:** `{report.old}` ({report.notes.get('old', '')})",
        f"- **new:** `{report.new}` ({report.notes.get('new', '')})",
        f"- **comparison:** {report.mode}",
    ]
    if "scope" in report.notes:
        lines.append(f"- **scope:** {report.notes['scope']}")
    lines.append(f"- **verdict:** {_verdict(report)}")
    for operation, operation_rows in _by_operation(report).items():
        lines += ["", f"## `{operation}`", ""]
        lines += [
            "| severity | location | change | detail | why it matters to a client |",
            "|---|---|---|---|---|",
        ]
        for row in operation_rows:
            change = row.change
            severity = f"**{change.severity.value}**" if change.breaking else change.severity.value
            cells = [
                severity,
                f"`{row.where}`" if row.where else "(the operation)",
                change.kind.value,
                _cell(change.detail),
                _cell(change.reason),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return _joined(lines)


def _joined(lines: list[str]) -> str:
    return "".join(_escaped(line) + "\n" for line in lines)


def _escaped(text: str) -> str:
    """``text`` with each unprintable character as its Python escape (``\\n``, ``\\x05``)."""
    return "".join(ascii(c)[1:-1] if unicodedata.category(c) in _UNPRINTABLE else c for c in text)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
