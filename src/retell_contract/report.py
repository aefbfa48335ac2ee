"""Print a :class:`~retell_contract.checks.RunReport` for people (rich) and for CI (JUnit XML).

Used by ``run`` and ``replay`` alike. Secrets never get through: every API key passed as
``secrets`` is masked wherever it appears (in a reproducing ``curl`` it becomes
``$RETELL_API_KEY``), and access tokens in bodies are replaced by ``***``.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from retell_contract._secrets import (
    API_KEY_VARIABLE,
    ICE_CREDENTIAL_PATH,
    SIGNATURE_HEADER_NAME,
    TOKEN_FIELD,
    map_field,
    map_path,
    secrets_pattern,
)
from retell_contract.checks import CaseNotes, FailureSummary, RunReport
from retell_contract.errors import UsageError
from retell_contract.exchange import RecordedRequest, RecordedResponse

MASK = "***"
# Headers a reproducing curl does not need: curl sets its own or they only label the run.
_NOISE_HEADERS = frozenset(
    {
        "host",
        "user-agent",
        "accept",
        "accept-encoding",
        "connection",
        "content-length",
        "x-schemathesis-testcaseid",
    }
)
_BODY_SHOWN = 400
# Characters XML 1.0 cannot hold; fuzzed bodies contain them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def mask(text: str, secrets: Iterable[str], replacement: str = MASK) -> str:
    """``text`` with every secret (longest first) replaced where it stands as a value."""
    pattern = secrets_pattern(secrets)
    return text if pattern is None else pattern.sub(lambda _: replacement, text)


def masked_body(body: bytes, secrets: Iterable[str] = (), *, limit: int | None = _BODY_SHOWN) -> str:
    """A body as text for a report: access tokens, TURN credentials and secrets masked,
    clipped to ``limit``."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        text = body.decode("utf-8", "replace")
    else:
        text = json.dumps(_mask_fields(document), ensure_ascii=False, sort_keys=True)
    text = mask(text, secrets)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def curl_command(request: RecordedRequest, *, secrets: Iterable[str] = ()) -> str:
    """A minimal shell command that sends ``request`` again, with every secret masked.

    A secret inside a header becomes ``$RETELL_API_KEY`` (so the command runs once the
    variable is set); anywhere else it becomes ``***``.
    """
    secrets = tuple(secrets)
    parts = ["curl", "-X", request.method, shlex.quote(mask(request.url, secrets))]
    for name, value in request.headers.items():
        if name in _NOISE_HEADERS:
            continue
        if name == SIGNATURE_HEADER_NAME:  # a webhook signature is a credential for five minutes
            value = MASK
        if (pattern := secrets_pattern(secrets)) is not None and pattern.search(value):
            parts += ["-H", _double_quoted(f"{_header_name(name)}: {value}", secrets)]
        else:
            parts += ["-H", shlex.quote(f"{_header_name(name)}: {value}")]
    if request.body and "content-type" not in request.headers:
        parts += ["-H", shlex.quote("Content-Type:")]  # stop curl adding its own
    if not request.body:
        return " ".join(parts)
    body = request.body
    if any(secret.encode() in body for secret in secrets if secret):
        body = mask(body.decode("utf-8", "replace"), secrets).encode()
    if _is_plain_text(body):
        return " ".join([*parts, "--data-raw", shlex.quote(body.decode())])
    return f"printf {shlex.quote(_printf_escape(body))} | " + " ".join([*parts, "--data-binary", "@-"])


def make_console(*, stderr: bool = False) -> Console:
    """A console for the report or messages: off a terminal, lines are never wrapped (a log
    or CI output keeps each phrase on one line); on a terminal, rich fits them as usual."""
    console = Console(stderr=stderr, highlight=False)
    console.soft_wrap = not console.is_terminal
    return console


def print_report(
    report: RunReport,
    *,
    console: Console,
    secrets: Iterable[str] = (),
    headline: str = "",
    rerun: str = "",
) -> None:
    """Print the per-check summary, then each distinct failure with a reproducing curl."""
    secrets = tuple(secrets)
    if headline:
        console.print(Text(mask(headline, secrets), style="bold"))
    console.print(_summary_table(report))
    for number, failure in enumerate(report.failures, start=1):
        _print_failure(console, number, failure, report.exchanges, secrets, rerun)
    console.print(_verdict(report))


def junit_xml(
    report: RunReport, *, secrets: Iterable[str] = (), suite: str = "retell-contract", rerun: str = ""
) -> bytes:
    """The report as JUnit XML: one test case per check, failing with its distinct failures."""
    secrets = tuple(secrets)
    failed = sum(1 for summary in report.checks if summary.failed)
    import xml.etree.ElementTree as ET  # only --junit needs it

    root = ET.Element("testsuites", name=suite, tests=str(len(report.checks)), failures=str(failed))
    testsuite = ET.SubElement(
        root, "testsuite", name=suite, tests=str(len(report.checks)), failures=str(failed), errors="0"
    )
    properties = ET.SubElement(testsuite, "properties")
    ET.SubElement(properties, "property", name="exchanges", value=str(report.exchanges))
    if rerun:
        ET.SubElement(properties, "property", name="rerun", value=_xml_text(mask(rerun, secrets)))
    by_check: dict[str, list[FailureSummary]] = {}
    for failure in report.failures:
        by_check.setdefault(failure.check, []).append(failure)
    for summary in report.checks:
        case = ET.SubElement(testsuite, "testcase", classname="retell_contract.checks", name=summary.name)
        failures = by_check.get(summary.name)
        if failures:
            element = ET.SubElement(
                case,
                "failure",
                message=_xml_text(
                    mask(f"expected {failures[0].expected}; got {failures[0].actual}", secrets)
                ),
                type=summary.name,
            )
            element.text = _xml_text("\n\n".join(_failure_text(f, secrets) for f in failures))
        elif not summary.cases:
            ET.SubElement(case, "skipped", message="no exchange this check applies to")
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def report_json(report: RunReport, *, secrets: Iterable[str] = (), rerun: str = "", **facts: Any) -> str:
    """The report as one JSON document for scripts (``--format json``), secrets masked.

    ``facts`` (command, target, seed, counts) go in as they are; every value here is
    also in the text report. Keys are only added in minor releases, never renamed.
    """
    secrets = tuple(secrets)
    failures = [
        {
            "check": f.check,
            "case": f.case,
            "expected": mask(f.expected, secrets),
            "actual": mask(f.actual, secrets),
            "occurrences": f.occurrences,
            "example_index": f.index,
            "request": {
                "method": f.request.method,
                "url": mask(f.request.url, secrets),
                "body": masked_body(f.request.body, secrets, limit=None),
            },
            "response": None
            if f.response is None
            else {"status": f.response.status, "body": masked_body(f.response.body, secrets, limit=None)},
            "reproduce": curl_command(f.request, secrets=secrets),
        }
        for f in report.failures
    ]
    document = {
        **facts,
        "ok": report.ok,
        "exchanges": report.exchanges,
        "rate_limited": report.rate_limited,
        "checks": [{"name": c.name, "passed": c.passed, "failed": c.failed} for c in report.checks],
        "failed_checks": list(report.failed_checks),
        "failures": failures,
        "rerun": mask(rerun, secrets),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def write_junit(report: RunReport, path: Path, **options: Any) -> None:
    """Write :func:`junit_xml` to ``path`` (UsageError when it cannot be written)."""
    try:
        path.write_bytes(junit_xml(report, **options))
    except OSError as error:
        raise UsageError(f"{path}: cannot write JUnit XML ({error.strerror or error})") from None


def describe_response(response: RecordedResponse | None, secrets: Sequence[str] = ()) -> str:
    """``201 application/json {...}`` with secrets masked; 'no response' when there was none."""
    if response is None:
        return "no response"
    media = response.content_type or "no Content-Type"
    body = masked_body(response.body, secrets)
    return f"{response.status} {media}" + (f" {body}" if body else " (empty body)")


def _summary_table(report: RunReport) -> Table:
    table = Table(title=None, show_edge=False, pad_edge=False)
    table.add_column("check")
    for column in ("passed", "failed", "cases"):
        table.add_column(column, justify="right")
    for summary in report.checks:
        style = "red" if summary.failed else ("dim" if not summary.cases else "")
        table.add_row(summary.name, str(summary.passed), str(summary.failed), str(summary.cases), style=style)
    return table


def _print_failure(
    console: Console, number: int, failure: FailureSummary, total: int, secrets: tuple[str, ...], rerun: str
) -> None:
    console.print()
    title = Text(f"{number}. FAILED {failure.check}", style="bold red")
    title.append(f"  ({failure.occurrences} of {total} exchanges, e.g. #{failure.index})", style="default")
    console.print(title)
    for label, value in _failure_lines(failure, secrets, rerun):
        line = Text(f"   {label:<10}", style="bold")
        line.append(value)
        console.print(line, soft_wrap=True)


def _failure_lines(failure: FailureSummary, secrets: tuple[str, ...], rerun: str) -> list[tuple[str, str]]:
    noted = CaseNotes.from_notes(failure.notes)
    detail = noted.detail
    lines = [
        ("case", f"{failure.case} ({detail})" if detail else failure.case),
        ("expected", mask(failure.expected, secrets)),
        ("got", mask(failure.actual, secrets)),
        ("response", describe_response(failure.response, secrets)),
        ("reproduce", curl_command(failure.request, secrets=secrets)),
    ]
    if noted.cassette:
        lines.insert(0, ("cassette", noted.cassette))
    if rerun:
        lines.append(("rerun", mask(rerun, secrets)))
    return lines


def _failure_text(failure: FailureSummary, secrets: tuple[str, ...]) -> str:
    return "\n".join(f"{label}: {value}" for label, value in _failure_lines(failure, secrets, ""))


def _verdict(report: RunReport) -> Text:
    limited = f"; {report.rate_limited} rate-limited (429) responses retried" if report.rate_limited else ""
    if report.ok:
        return Text(f"\nNo contract violation in {report.exchanges} exchanges{limited}.", style="bold green")
    checks = len(report.failed_checks)
    return Text(
        f"\n{len(report.failures)} distinct failure(s) in {checks} check(s) over {report.exchanges} exchanges"
        f"{limited}.",
        style="bold red",
    )


def _mask_fields(document: Any) -> Any:
    """Access tokens and TURN credentials masked: the fields cassettes scrub too."""
    document = map_path(document, ICE_CREDENTIAL_PATH, _masked_token)
    return map_field(document, TOKEN_FIELD, _masked_token)


def _masked_token(value: Any) -> Any:
    # A non-string token is a finding worth seeing; anything nested in it is still masked.
    return MASK if isinstance(value, str) else _mask_fields(value)


def _double_quoted(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` in double quotes with each secret as ``${RETELL_API_KEY}``, the rest literal."""
    pattern = secrets_pattern(secrets)
    pieces = [text] if pattern is None else pattern.split(text)
    escaped = (re.sub(r'([\\"`$])', r"\\\1", piece) for piece in pieces)
    return '"' + ("${" + API_KEY_VARIABLE + "}").join(escaped) + '"'


def _header_name(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def _is_plain_text(body: bytes) -> bool:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(char.isprintable() or char in "\n\t" for char in text)


def _printf_escape(body: bytes) -> str:
    """printf(1) format that prints ``body`` exactly (octal escapes work in every printf)."""
    out = []
    for byte in body:
        char = chr(byte)
        if char == "%":
            out.append("%%")
        elif char == "\\":
            out.append("\\\\")
        elif 0x20 <= byte < 0x7F:
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return "".join(out)


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
