"""``retell-contract run`` on the command line: exit codes, output, JUnit, secrets."""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from retell_contract.checks import registered_checks
from retell_contract.cli import main
from retell_contract.server import AppServer
from run_support import SECRET_KEY, drop_metadata, mock_app, rewrite_call_object

QUICK = ["--max-examples", "10", "--seed", "3"]


def invoke(*arguments: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["run", *arguments], env=env)


def everything(result: Result, *paths: Path) -> str:
    return result.stdout + result.stderr + "".join(path.read_text() for path in paths if path.exists())


def test_default_run_passes_and_prints_the_summary():
    result = invoke(*QUICK)
    assert result.exit_code == 0, result.output
    for item in registered_checks():
        assert item.name in result.stdout
    assert "No contract violation" in result.stdout
    assert "seed 3" in result.stdout


@pytest.mark.parametrize(
    "arguments",
    [
        ["--max-examples", "0"],
        ["--workers", "0"],
        ["--bogus-flag"],
        ["--seed", "minus-one"],
        ["--agent-id", ":1"],
        ["--agent-id", "agent:one"],
        ["--record-mode", "sometimes"],
        ["--record-mode", "overwrite"],  # without --record it would be silently ignored
        ["--record-mode", "new"],
        ["--scrub-field", "metadata.email"],
        ["--junit", "/no/such/directory/report.xml"],
    ],
)
def test_bad_usage_exits_2_with_one_line(arguments):
    result = invoke(*QUICK, *arguments)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("retell-contract: error:")


def test_bad_contract_exits_2(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.1.0\npaths: [oops\n")
    for path in (broken, tmp_path / "missing.yaml"):
        result = invoke(*QUICK, "--contract", str(path))
        assert result.exit_code == 2, result.output
        assert str(path.name) in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_unreachable_url_exits_2():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = invoke(*QUICK, "--url", f"http://127.0.0.1:{port}", "--api-key", SECRET_KEY)
    assert result.exit_code == 2
    assert "cannot reach" in result.stderr
    assert SECRET_KEY not in everything(result)


def test_url_without_a_key_exits_2():
    result = invoke(*QUICK, "--url", "http://127.0.0.1:9", env={"RETELL_API_KEY": ""})
    assert result.exit_code == 2
    assert "API key" in result.stderr


@pytest.fixture
def faulty_server():
    """The mock over HTTP, dropping the metadata echo, accepting only the secret key."""
    with AppServer(rewrite_call_object(mock_app(SECRET_KEY), drop_metadata)) as server:
        yield server


def test_violation_exits_1_with_a_reproducer_and_the_key_nowhere(faulty_server, tmp_path):
    junit = tmp_path / "junit.xml"
    result = invoke(
        *QUICK,
        "--url",
        faulty_server.url,
        "--agent-id",
        "oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD:1",
        "--rate-limit",
        "0",
        "--junit",
        str(junit),
        env={"RETELL_API_KEY": SECRET_KEY},
    )
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "FAILED request_fields_echoed" in out
    assert "curl -X POST" in out
    assert "${RETELL_API_KEY}" in out
    assert "retell-contract run --seed 3 --url" in out
    assert SECRET_KEY not in everything(result, junit)
    root = ET.parse(junit).getroot()
    suite = root.find("testsuite")
    assert suite is not None
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {item.name for item in registered_checks()}
    assert cases["request_fields_echoed"].find("failure") is not None
    assert cases["call_id_unique"].find("failure") is None
    assert int(suite.get("failures", "0")) == 1


def test_passing_run_writes_junit_without_failures(tmp_path):
    junit = tmp_path / "junit.xml"
    result = invoke(*QUICK, "--junit", str(junit), "--api-key", SECRET_KEY)
    assert result.exit_code == 0, result.output
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "0"
    assert SECRET_KEY not in everything(result, junit)


# Root writes through permission bits; a read-only kernel filesystem refuses everyone.
UNWRITABLE = Path("/sys/kernel/retell-contract-recordings")


@pytest.mark.skipif(not UNWRITABLE.parent.is_dir(), reason="needs Linux's read-only /sys")
def test_record_into_an_unwritable_folder_fails_before_the_first_request():
    target = UNWRITABLE
    requests: list[str] = []
    app = mock_app(SECRET_KEY)

    async def counting(scope, receive, send):
        requests.append(scope["path"])
        await app(scope, receive, send)

    with AppServer(counting) as server:
        result = invoke(*QUICK, "--url", server.url, "--api-key", SECRET_KEY, "--record", str(target))
    assert result.exit_code == 2, result.output
    assert "cannot write in" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert requests == []


def test_a_successful_record_says_where_it_wrote(tmp_path):
    result = invoke(*QUICK, "--record", str(tmp_path / "rec"))
    assert result.exit_code == 0, result.output
    cassette = tmp_path / "rec" / "create-web-call.yaml"
    assert cassette.is_file()
    assert f"exchanges to {cassette}" in " ".join(result.stderr.split())
