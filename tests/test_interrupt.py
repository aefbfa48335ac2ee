"""Ctrl-C and SIGTERM: run exits 130/143 with what it checked, writes nothing; mock stops cleanly."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from retell_contract.server import AppServer
from run_support import SECRET_KEY, mock_app

# Python ignores SIGINT in a child whose parent ignored it; restore Ctrl-C's usual meaning.
ENTRY = (
    "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from retell_contract.cli import main; main(sys.argv[1:], prog_name='retell-contract')"
)


def start(*arguments: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", ENTRY, *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_line(stream: object, prefix: str) -> list[str]:
    seen = []
    for line in stream:  # type: ignore[attr-defined]
        seen.append(line)
        if line.startswith(prefix):
            return seen
    raise AssertionError(f"no line starting {prefix!r}: {seen}")


@pytest.mark.parametrize(
    ("signum", "code", "word"), [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")]
)
def test_an_interrupted_run_reports_what_it_checked_and_writes_nothing(tmp_path: Path, signum, code, word):
    records, junit = tmp_path / "records", tmp_path / "junit.xml"
    with AppServer(mock_app(SECRET_KEY, latency_seconds=0.2)) as server:
        process = start(
            "run",
            "--url",
            server.url,
            "--api-key",
            SECRET_KEY,
            "--seed",
            "1",
            "--record",
            str(records),
            "--junit",
            str(junit),
        )
        assert process.stderr is not None
        wait_for_line(process.stderr, "run: 0/")
        process.send_signal(signum)
        out, err = process.communicate(timeout=60)
    assert process.returncode == code, out + err
    assert f"retell-contract run: {word}" in err
    assert "partial summary below, no cassette or JUnit file written" in err
    assert "no_server_error" in out  # the partial summary
    assert f"({word}" in " ".join(out.split())
    assert not junit.exists()
    assert not records.exists() or list(records.iterdir()) == []  # no cassette, no temporary file
    assert SECRET_KEY not in out + err


def test_the_mock_stops_cleanly_on_sigterm():
    process = start("mock", "--port", "0")
    assert process.stdout is not None
    wait_for_line(process.stdout, "retell-contract mock: serving")
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "retell-contract mock: stopped" in out
