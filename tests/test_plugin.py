"""The pytest plugin, exercised from throwaway projects that install nothing but the plugin."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

from retell_contract.cassettes._match import bodies_match, restore_echoes
from retell_contract.contracts import load_contract
from retell_contract.server import MockConfig, MockServer
from retell_contract.testing import Conformance, ContractViolation, assert_conforms

pytest_plugins = ["pytester"]

CONTRACT = load_contract()
FAKE_KEY = "key_PLUGIN_fake_7f3a9c_distinctive"
EMAIL = "plugin.person@example.org"

# Blocks every outgoing connection while BLOCK_NETWORK is set: replay must not need one.
GUARD_CONFTEST = """
import os, socket
import pytest

@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    if os.environ.get("BLOCK_NETWORK"):
        def refuse(*args, **kwargs):
            raise OSError("network blocked by the test project's conftest")
        monkeypatch.setattr(socket.socket, "connect", refuse)
        monkeypatch.setattr(socket.socket, "connect_ex", refuse)
        monkeypatch.setattr(socket, "create_connection", refuse)
"""

FIXTURE_TESTS = """
import httpx, pytest
from hypothesis import given, settings
from retell_contract.strategies import request_bodies
from retell_contract.testing import ContractViolation, exchange_from_response
from retell_contract.exchange import Exchange, RecordedResponse

def body(contract):
    return {"agent_id": contract.default_agent.agent_id}

def test_contract(retell_contract):
    assert retell_contract.path == "/v2/create-web-call"

def test_target_and_cassette(retell_target, retell_cassette, retell_base_url):
    assert (retell_target, retell_cassette) == ("mock", None)
    assert retell_base_url.startswith("http")

def test_client_and_conforms(retell_client, retell_contract, retell_conforms):
    response = retell_client.post(retell_contract.path, json=body(retell_contract))
    assert response.status_code == 201
    retell_conforms(response, case="positive")

def test_conforms_catches_a_wrong_call(retell_client, retell_contract, retell_conforms):
    response = retell_client.post(retell_contract.path, json=body(retell_contract))
    call = {**response.json(), "call_status": "ended"}
    exchange = exchange_from_response(response)
    content = httpx.Response(201, json=call).content
    wrong = Exchange(exchange.request, RecordedResponse(201, exchange.response.headers, content))
    with pytest.raises(ContractViolation, match="call_status_is_registered"):
        retell_conforms(wrong, case="positive")

def test_transport(retell_mock_transport, retell_api_key, retell_contract):
    with httpx.Client(transport=retell_mock_transport, base_url="http://in-process") as client:
        response = client.post(retell_contract.path, json=body(retell_contract),
                               headers={"Authorization": f"Bearer {retell_api_key}"})
    assert response.status_code == 201

def test_real_http(retell_mock_server, retell_api_key, retell_contract):
    response = httpx.post(retell_mock_server.url + retell_contract.path, json=body(retell_contract),
                          headers={"Authorization": f"Bearer {retell_api_key}"})
    assert response.status_code == 201

def test_vcr_config(retell_vcr_config):
    assert callable(retell_vcr_config["before_save_interaction"])

@settings(max_examples=5, deadline=None)
@given(request_bodies())
def test_strategies_with_given(retell_contract, value):
    from retell_contract.validation import validate_request_body
    assert validate_request_body(value, contract=retell_contract) == []

@pytest.mark.retell_live
def test_only_live():
    pass
"""

RECORDED_TEST = """
def test_create(retell_client, retell_contract, retell_conforms, retell_target):
    response = retell_client.post(
        retell_contract.path,
        json={"agent_id": retell_contract.default_agent.agent_id, "metadata": {"email": "EMAIL"}},
    )
    assert response.status_code == 201
    retell_conforms(response, case="positive")  # echo check holds even with email scrubbed
""".replace("EMAIL", EMAIL)

PROPERTY_TEST = """
import os
from hypothesis import Phase, given, settings, strategies as st

PHASES = [Phase.reuse] if os.environ.get("REUSE_ONLY") else [Phase.reuse, Phase.generate, Phase.shrink]

@settings(phases=PHASES, deadline=None)
@given(st.integers())
def test_property(x):
    assert x < 1000
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(GUARD_CONFTEST)
    return pytester


@pytest.fixture
def fake_key_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[MockServer]:
    """The mock over HTTP, accepting only a distinctive fake key (exported as RETELL_API_KEY)."""
    monkeypatch.setenv("RETELL_API_KEY", FAKE_KEY)
    with MockServer(MockConfig(api_keys=(FAKE_KEY,), seed=5)) as server:
        yield server


def test_every_fixture_and_the_marker_in_a_throwaway_project(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RETELL_API_KEY", raising=False)
    project.makepyfile(test_fixtures=FIXTURE_TESTS)
    result = project.runpytest_inprocess("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(passed=8, skipped=1)
    result.stdout.fnmatch_lines(["*live-only test: RETELL_API_KEY is not set*"])


def test_the_project_runs_under_xdist(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RETELL_API_KEY", raising=False)
    project.makepyfile(test_fixtures=FIXTURE_TESTS)
    # schemathesis's own pytest plugin is not needed here and doubles each worker's start-up.
    result = project.runpytest_inprocess(
        "-p", "xdist", "-n", "2", "-p", "no:cacheprovider", "-p", "no:schemathesis"
    )
    result.assert_outcomes(passed=8, skipped=1)


def test_record_live_then_replay_offline_with_no_secret_on_disk(
    project: pytest.Pytester, fake_key_server: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.makepyfile(test_recorded=RECORDED_TEST)
    url = fake_key_server.url
    record = ["--retell-target", "live", "--retell-base-url", url, "--retell-record-mode", "new"]
    result = project.runpytest_inprocess(
        *record, "--retell-scrub-field", "metadata.email", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=1)
    cassette = project.path / "cassettes" / "test_recorded" / "test_create.yaml"
    recorded = cassette.read_bytes()
    written = [path for path in project.path.rglob("*") if path.is_file() and path.suffix != ".py"]
    assert cassette in written
    for path in project.path.rglob("*"):
        if path.is_file():
            assert FAKE_KEY.encode() not in path.read_bytes(), path
    for path in written:
        assert EMAIL.encode() not in path.read_bytes(), path

    fake_key_server.stop()
    monkeypatch.delenv("RETELL_API_KEY")
    monkeypatch.setenv("BLOCK_NETWORK", "1")
    replay = project.runpytest_inprocess(
        "--retell-target", "replay", "--retell-base-url", url, "-p", "no:cacheprovider"
    )
    replay.assert_outcomes(passed=1)
    assert cassette.read_bytes() == recorded


MOCK_KEY_TESTS = """
import httpx

def post(url, key, contract):
    return httpx.post(url + contract.path, json={"agent_id": contract.default_agent.agent_id},
                      headers={"Authorization": f"Bearer {key}"})

def test_the_mock_takes_retell_api_key(retell_mock_server, retell_api_key, retell_contract):
    assert post(retell_mock_server.url, retell_api_key, retell_contract).status_code == 201

def test_the_mock_takes_its_own_key(retell_mock_server, retell_mock_api_key, retell_contract):
    assert retell_mock_api_key == "key_retell_contract_test"
    assert post(retell_mock_server.url, retell_mock_api_key, retell_contract).status_code == 201

def test_in_process_too(retell_mock_transport, retell_api_key, retell_mock_api_key, retell_contract):
    body = {"agent_id": retell_contract.default_agent.agent_id}
    with httpx.Client(transport=retell_mock_transport, base_url="http://in-process") as client:
        for key in (retell_api_key, retell_mock_api_key):
            headers = {"Authorization": f"Bearer {key}"}
            assert client.post(retell_contract.path, json=body, headers=headers).status_code == 201
"""


@pytest.mark.parametrize("target", ["mock", "replay", "live"])
def test_the_mock_fixtures_accept_retell_api_key_under_every_target(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    monkeypatch.setenv("RETELL_API_KEY", FAKE_KEY)  # the live target needs one; nothing is sent to it
    project.makepyfile(test_mock_key=MOCK_KEY_TESTS)
    result = project.runpytest_inprocess("--retell-target", target, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


GIVEN_TESTS = """
import os
from hypothesis import given, settings
from retell_contract.strategies import request_bodies

def check(client, contract, conforms, body):
    if os.environ.get("FAIL_WITH_METADATA"):  # a failure for the example database to keep
        assert "metadata" not in body
    response = client.post(contract.path, json=body)
    assert response.status_code == 201
    conforms(response, case="positive")

@settings(max_examples=12, deadline=None)
@given(request_bodies())
def test_bodies_one(retell_shared_client, retell_contract, retell_shared_conforms, body):
    check(retell_shared_client, retell_contract, retell_shared_conforms, body)

@settings(max_examples=12, deadline=None)
@given(body=request_bodies())
def test_bodies_two(retell_shared_client, retell_contract, retell_shared_conforms, body):
    check(retell_shared_client, retell_contract, retell_shared_conforms, body)
"""


def test_given_tests_record_under_xdist_and_replay_serially_every_time(
    project: pytest.Pytester, fake_key_server: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """@given with the shared fixtures: no health-check failure, and replay matches every example.

    Each run is a process of its own, as CI jobs are (Hypothesis mixes literals of the
    project's loaded modules into its draws, so one long-lived process is not a CI job).
    """
    project.makepyfile(test_given=GIVEN_TESTS)
    url = fake_key_server.url
    no_plugins = ["-p", "no:cacheprovider", "-p", "no:schemathesis"]
    record = ["--retell-target", "live", "--retell-base-url", url, "--retell-record-mode", "new"]
    recorded = project.runpytest_subprocess(*record, "-p", "xdist", "-n", "2", *no_plugins)
    recorded.assert_outcomes(passed=2)
    cassettes = sorted((project.path / "cassettes" / "test_given").glob("*.yaml"))
    assert [path.name for path in cassettes] == ["test_bodies_one.yaml", "test_bodies_two.yaml"]

    fake_key_server.stop()
    monkeypatch.delenv("RETELL_API_KEY")
    monkeypatch.setenv("FAIL_WITH_METADATA", "1")  # against the mock: failures the database keeps
    # A developer's machine: under CI (the CI variable) Hypothesis keeps no example database.
    monkeypatch.delenv("CI", raising=False)
    against_mock = project.runpytest_subprocess(*no_plugins)
    against_mock.assert_outcomes(failed=2)
    against_mock.stdout.fnmatch_lines(["*assert 'metadata' not in*"])
    assert any((project.path / ".hypothesis" / "examples").iterdir())

    monkeypatch.delenv("FAIL_WITH_METADATA")
    monkeypatch.setenv("BLOCK_NETWORK", "1")
    before = [path.read_bytes() for path in cassettes]
    replay_options = ["--retell-target", "replay", "--retell-base-url", url, *no_plugins]
    for ci in (False, True):  # neither the saved failures nor a new random seed change what is sent
        if ci:  # and a CI job (Hypothesis's own "ci" profile) replays the same cassettes
            monkeypatch.setenv("CI", "true")
        replay = project.runpytest_subprocess(*replay_options)
        replay.assert_outcomes(passed=2)
    assert [path.read_bytes() for path in cassettes] == before


PYTEST_RECORDING_TEST = """
import httpx, os, pytest

@pytest.fixture
def vcr_config(retell_vcr_config):
    return retell_vcr_config

@pytest.mark.vcr
def test_with_pytest_recording(retell_contract):
    response = httpx.post(os.environ["MOCK_URL"] + retell_contract.path,
                          json={"agent_id": retell_contract.default_agent.agent_id},
                          headers={"Authorization": "Bearer " + os.environ["RETELL_API_KEY"]})
    assert response.status_code == 201
"""


def test_pytest_recording_cassettes_are_scrubbed_through_vcr_config(
    project: pytest.Pytester, fake_key_server: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pytest_recording")  # a test extra, not a dependency
    monkeypatch.setenv("MOCK_URL", fake_key_server.url)
    project.makepyfile(test_pr=PYTEST_RECORDING_TEST)
    result = project.runpytest_inprocess("--record-mode", "once", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    [cassette] = (project.path / "cassettes").rglob("*.yaml")
    text = cassette.read_text()
    assert FAKE_KEY not in text
    assert "scrubbed-api-key-1" in text
    assert "scrubbed-access-token-1" in text


def test_replay_without_a_cassette_fails_with_one_line(project: pytest.Pytester) -> None:
    project.makepyfile(test_recorded=RECORDED_TEST)
    result = project.runpytest_inprocess("--retell-target", "replay", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    hint = "no cassette for this test; record it with --retell-target live --retell-record-mode new"
    result.stdout.fnmatch_lines([f"*test_create.yaml: {hint} (RETELL_API_KEY set)"])
    said = [line for line in result.outlines if hint in line and not line.startswith("ERROR ")]
    assert len(said) == 1, said  # once in the error report (the summary line aside)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--retell-record-mode", "new"], "*--retell-record-mode new records live exchanges*"),
        (["--retell-target", "live"], "*--retell-target live needs RETELL_API_KEY*"),
        (["--retell-contract", "missing.yaml"], "*missing.yaml: contract file not found*"),
        (["--retell-scrub-field", "a..b"], "*scrub field 'a..b': empty segment*"),
        (["--retell-hypothesis-db", "redis://[bad"], "*--retell-hypothesis-db redis://[bad*"),
        (["--retell-hypothesis-db-readonly"], "*-readonly needs --retell-hypothesis-db DIR|URL*"),
        (["--retell-hypothesis-db", "conftest.py/db"], "*-db conftest.py/db: not a usable directory*"),
        (["--retell-hypothesis-db", "test_nothing.py"], "*test_nothing.py: exists and is not a directory*"),
    ],
)
def test_bad_options_are_usage_errors(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, arguments: list[str], message: str
) -> None:
    monkeypatch.delenv("RETELL_API_KEY", raising=False)
    project.makepyfile(test_nothing="def test_nothing(): pass")
    result = project.runpytest_inprocess(*arguments)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


@pytest.fixture
def local_hypothesis_db(project: pytest.Pytester) -> Iterator[Path]:
    """Point this process's own Hypothesis database into the throwaway project, then restore."""
    local = project.path / "local-db"
    before = settings()
    settings.register_profile(
        "plugin-test-local", parent=before, database=DirectoryBasedExampleDatabase(local)
    )
    settings.load_profile("plugin-test-local")
    yield local
    settings.register_profile("plugin-test-restored", parent=before)
    settings.load_profile("plugin-test-restored")


def test_a_failure_in_the_shared_database_replays_first(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, local_hypothesis_db: Path
) -> None:
    shared = tmp_path / "shared-db"
    project.makepyfile(test_property=PROPERTY_TEST)
    nightly = project.runpytest_inprocess("--retell-hypothesis-db", str(shared))
    nightly.assert_outcomes(failed=1)
    saved = sorted(p.relative_to(shared) for p in shared.rglob("*"))
    assert saved
    assert not local_hypothesis_db.exists()  # the shared database took the failure

    monkeypatch.setenv("REUSE_ONLY", "1")  # no generation: only a stored example can fail it
    pull_request = project.runpytest_inprocess(
        "--retell-hypothesis-db", str(shared), "--retell-hypothesis-db-readonly"
    )
    pull_request.assert_outcomes(failed=1)
    pull_request.stdout.fnmatch_lines(["*assert 1000 < 1000*"])
    assert sorted(p.relative_to(shared) for p in shared.rglob("*")) == saved  # read, never written

    shutil.rmtree(local_hypothesis_db)  # where the PR run kept its own copy
    without = project.runpytest_inprocess()
    without.assert_outcomes(skipped=1)  # nothing stored, nothing generated: nothing to fail


def test_a_redis_database_is_shared_between_runs(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, local_hypothesis_db: Path
) -> None:
    """A redis:// URL gives Hypothesis's RedisExampleDatabase; fakeredis stands in for the server."""
    fakeredis = pytest.importorskip("fakeredis")
    redis = pytest.importorskip("redis")
    server = fakeredis.FakeServer()
    monkeypatch.setattr(
        redis.Redis, "from_url", classmethod(lambda cls, url: fakeredis.FakeRedis(server=server))
    )
    url = "redis://redis.internal:6379/0"
    project.makepyfile(test_property=PROPERTY_TEST)
    project.runpytest_inprocess("--retell-hypothesis-db", url).assert_outcomes(failed=1)
    stored = fakeredis.FakeRedis(server=server).keys("*")
    assert stored  # the nightly failure went to Redis

    monkeypatch.setenv("REUSE_ONLY", "1")  # only a stored example can fail the test now
    pull_request = project.runpytest_inprocess(
        "--retell-hypothesis-db", url, "--retell-hypothesis-db-readonly"
    )
    pull_request.assert_outcomes(failed=1)
    pull_request.stdout.fnmatch_lines(["*assert 1000 < 1000*"])
    assert fakeredis.FakeRedis(server=server).keys("*") == stored


# -- the helpers behind the fixtures, used directly ---------------------------------------


def mock_response(transport_app: object, body: dict[str, object]) -> httpx.Response:
    from retell_contract.server import DEFAULT_API_KEY, mock_transport

    with httpx.Client(transport=mock_transport(transport_app), base_url="http://in-process") as client:
        return client.post(CONTRACT.path, json=body, headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"})


def test_conformance_catches_a_token_returned_twice() -> None:
    from retell_contract.server import create_app

    response = mock_response(create_app(contract=CONTRACT), {"agent_id": CONTRACT.default_agent.agent_id})
    assert_conforms(response, case="positive")
    conforms = Conformance(CONTRACT)
    conforms(response, case="positive")
    with pytest.raises(ContractViolation, match="access_token_unique"):
        conforms(response, case="positive")
    with pytest.raises(ValueError, match="case must be one of"):
        assert_conforms(response, case="happy")


def test_a_replayed_placeholder_stands_for_what_was_sent() -> None:
    sent = {"agent_id": "a", "metadata": {"email": "x@y.z", "n": 1}}
    recorded = {"agent_id": "a", "metadata": {"email": "scrubbed-email-1", "n": 1}, "access_token": "t"}
    assert not bodies_match(json.dumps(sent).encode(), json.dumps(recorded).encode())  # extra key
    recorded_request = {"agent_id": "a", "metadata": {"email": "scrubbed-email-1", "n": 1}}
    assert bodies_match(json.dumps(sent).encode(), json.dumps(recorded_request).encode())
    other = {"agent_id": "b", "metadata": {"email": "x@y.z", "n": 1}}
    assert not bodies_match(json.dumps(other).encode(), json.dumps(recorded_request).encode())
    restored = restore_echoes(sent, recorded, CONTRACT.echoed_fields)
    assert restored["metadata"] == sent["metadata"]
    assert restored["access_token"] == "t"
