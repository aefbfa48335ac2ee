"""``retell-contract webhook``: correct receivers pass, each faulty one is caught (benchmark's small run)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.applications import Starlette

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from _webhook_receivers import Receiver, asgi_app
from retell_contract.cli import main
from retell_contract.server import AppServer


@pytest.mark.parametrize(("fault", "code"), [("", 0), ("accepts_bad_signatures", 1)])
def test_the_command_over_http_exits_0_or_1_and_masks_the_key(fault: str, code: int, tmp_path: Path) -> None:
    key = "key_cli_webhook_secret_99"
    app: Starlette = asgi_app(Receiver("r", key, fault=fault))
    junit = tmp_path / "w.xml"
    with AppServer(app) as server:
        args = ["webhook", "--url", f"{server.url}/webhook", "--api-key", key, "--max-examples", "2"]
        result = CliRunner().invoke(main, [*args, "--junit", str(junit)])
    assert result.exit_code == code, result.output
    assert key not in result.output
    assert key not in junit.read_text()
    if code:
        assert "refuses_invalid_delivery" in result.output


def test_an_unreachable_receiver_is_a_setup_error() -> None:
    result = CliRunner().invoke(main, ["webhook", "--url", "http://127.0.0.1:9/x", "--api-key", "k"])
    assert result.exit_code == 2
    assert "cannot reach the receiver" in result.output
