"""The schemathesis extension: ``schemathesis run`` with our body strategy and our checks."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from retell_contract.contracts import BUILTIN_CONTRACTS
from retell_contract.server import DEFAULT_API_KEY, AppServer
from run_support import drop_metadata, mock_app, rewrite_call_object

CONTRACT_FILE = (
    Path(__file__).resolve().parents[1] / "src" / "retell_contract" / "contracts" / BUILTIN_CONTRACTS["today"]
)
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CACHE_DIR = Path(tempfile.mkdtemp(prefix="retell-contract-schemathesis-"))


def schemathesis_run(url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(SCHEMATHESIS), "run", str(CONTRACT_FILE), "--url", url, "--mode", "positive",
        "-H", f"Authorization: Bearer {DEFAULT_API_KEY}", "-n", "15", "--seed", "1",
        "--exclude-checks", "positive_data_acceptance", *extra,
    ]  # fmt: skip
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "retell_contract.extension", "NO_COLOR": "1"}
    # Elsewhere than the checkout: schemathesis keeps a .schemathesis/ cache in its working directory.
    return subprocess.run(
        command, capture_output=True, text=True, timeout=300, env=env, check=False, cwd=CACHE_DIR
    )


@pytest.fixture(scope="module")
def correct_url():
    with AppServer(mock_app()) as server:
        yield server.url


def test_schemathesis_with_our_extension_passes_a_correct_server(correct_url):
    done = schemathesis_run(correct_url)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "No issues found" in done.stdout


def test_schemathesis_with_our_extension_finds_what_only_our_checks_see():
    with AppServer(rewrite_call_object(mock_app(), drop_metadata)) as server:
        done = schemathesis_run(server.url, "--include-operation-id", "createWebCall")
    assert done.returncode == 1, done.stdout[-3000:]
    assert "retell_request_fields_echoed" in done.stdout
