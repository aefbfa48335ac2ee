"""pytest plugin (``pytest11`` entry point): options, markers and fixtures for Retell contract tests.

Only hooks, options, markers and small fixtures live here; the work is in
:mod:`retell_contract._pytest_support`, :mod:`retell_contract.testing` and the modules
they call. Every pytest run loads this module, so fixtures import httpx and the checks
only when a test asks for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from retell_contract import _pytest_support as support
from retell_contract._secrets import API_KEY_VARIABLE
from retell_contract.errors import RetellContractError

if TYPE_CHECKING:
    import httpx

    from retell_contract.contracts import Contract
    from retell_contract.testing import Conformance
    from retell_contract.webhooks import WebhookPoster, WebhookReceiver

LIVE_MARKER = "retell_live"
_CONTRACT_KEY = pytest.StashKey["Contract"]()
_HYPOTHESIS_BEFORE = pytest.StashKey[Any]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("retell", "retell-contract (Retell create-web-call contract tests)")
    group.addoption(
        "--retell-target",
        choices=support.TARGETS,
        default=None,
        help="What retell_client talks to: the in-process mock (default), cassettes, or a live API.",
    )
    group.addoption(
        "--retell-base-url", default=None, help="Base URL for live and replay (default: contract's server)."
    )
    group.addoption(
        "--retell-record-mode",
        choices=tuple(support.RECORD_MODES),
        default=None,
        help="Record live exchanges to cassettes: none (default), new (only missing cassettes), overwrite.",
    )
    group.addoption(
        "--retell-contract", default=None, help="Contract file to use instead of the built-in one."
    )
    group.addoption(
        "--retell-cassette-dir",
        default=None,
        help="Cassette directory (default: cassettes/ beside each test file).",
    )
    group.addoption(
        "--retell-scrub-field",
        action="append",
        default=[],
        metavar="PATH",
        help="Dotted JSON path scrubbed from recordings, e.g. metadata.email (repeatable).",
    )
    group.addoption(
        "--retell-hypothesis-db",
        default=None,
        metavar="DIR|redis://HOST:PORT/DB",
        help="Shared Hypothesis example database, so failures found elsewhere replay first.",
    )
    group.addoption(
        "--retell-hypothesis-db-readonly",
        action="store_true",
        help="Only read the shared database (e.g. in PR runs); new failures go to the local one.",
    )
    for name, (help_text, kind, _) in support.INI_OPTIONS.items():
        parser.addini(name, help_text, type=kind, default=None)


@pytest.hookimpl(trylast=True)  # after Hypothesis's own plugin has loaded --hypothesis-profile
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{LIVE_MARKER}: needs the live Retell API; skipped without RETELL_API_KEY."
    )
    option = config.getoption
    try:
        support.apply_ini_options(config)
        contract = support.checked_options(
            target=option("--retell-target"),
            record_mode=option("--retell-record-mode"),
            contract_path=option("--retell-contract"),
            scrub_fields=option("--retell-scrub-field"),
        )
        if contract is not None:
            config.stash[_CONTRACT_KEY] = contract
        support.checked_database_options(
            option("--retell-hypothesis-db"), read_only=option("--retell-hypothesis-db-readonly")
        )
        if option("--retell-hypothesis-db"):
            config.stash[_HYPOTHESIS_BEFORE] = support.use_hypothesis_database(
                option("--retell-hypothesis-db"), read_only=option("--retell-hypothesis-db-readonly")
            )
    except RetellContractError as error:
        raise pytest.UsageError(str(error)) from None


def pytest_unconfigure(config: pytest.Config) -> None:
    if _HYPOTHESIS_BEFORE in config.stash:
        support.restore_hypothesis_settings(config.stash[_HYPOTHESIS_BEFORE])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    option = config.getoption
    if support.cassette_record_mode(option("--retell-target"), option("--retell-record-mode")):
        support.seed_cassette_tests(items)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Around a test using retell_shared_client: its cassette, for all of its examples."""
    if "retell_shared_client" not in getattr(item, "fixturenames", ()):
        return (yield)
    context = _cassette_or_fail(item, item.config.getoption("--retell-target"))
    if context is None:
        return (yield)
    with context:
        return (yield)


def _cassette_or_fail(item: pytest.Item, target: str) -> Any | None:
    try:
        return support.cassette_for(item, target)
    except RetellContractError as error:
        message = str(error)
    # Failed outside the except block: inside it, pytest would print the message twice
    # ("During handling of the above exception, another exception occurred").
    pytest.fail(message, pytrace=False)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker(LIVE_MARKER) is not None and support.live_api_key() is None:
        pytest.skip(f"live-only test: {API_KEY_VARIABLE} is not set")


@pytest.fixture(scope="session")
def retell_contract(pytestconfig: pytest.Config) -> Contract:
    """The contract in use (the built-in one unless --retell-contract names a file)."""
    from retell_contract.contracts import load_contract

    return pytestconfig.stash.get(_CONTRACT_KEY, None) or load_contract()


@pytest.fixture(scope="session")
def retell_target(pytestconfig: pytest.Config) -> str:
    """What retell_client talks to: "mock", "replay" or "live"."""
    return str(pytestconfig.getoption("--retell-target"))


@pytest.fixture(scope="session")
def retell_mock_app(retell_contract: Contract, retell_api_key: str) -> Any:
    """The mock API as a Starlette app (shared by the session's in-process clients)."""
    return support.mock_app(retell_contract, retell_api_key)


@pytest.fixture
def retell_mock_transport(retell_mock_app: Any) -> httpx.BaseTransport:
    """An in-process httpx transport to the mock: no socket, no thread."""
    return support.mock_transport(retell_mock_app)


@pytest.fixture(scope="session")
def retell_mock_server(retell_contract: Contract, retell_api_key: str) -> Iterator[Any]:
    """The mock on a real HTTP port of 127.0.0.1 (``.url``), for clients that need a URL."""
    with support.mock_server(retell_contract, retell_api_key) as server:
        yield server


@pytest.fixture(scope="session")
def retell_mock_api_key() -> str:
    """The mock's own key, which the mock fixtures accept under every target."""
    return support.mock_api_key()


@pytest.fixture(scope="session")
def retell_api_key(retell_target: str) -> str:
    """The key retell_client sends (the mock's, $RETELL_API_KEY, or the cassettes' placeholder).

    The mock fixtures accept it under every target.
    """
    return support.api_key_for(retell_target)


@pytest.fixture(scope="session")
def retell_base_url(pytestconfig: pytest.Config, retell_target: str, retell_contract: Contract) -> str:
    """Base URL of the target (a fixed in-process URL for the mock)."""
    return support.base_url_for(retell_target, pytestconfig.getoption("--retell-base-url"), retell_contract)


@pytest.fixture
def retell_cassette(request: pytest.FixtureRequest, retell_target: str) -> Iterator[Any]:
    """The vcrpy cassette of this test (replay, or live with recording); None otherwise."""
    context = _cassette_or_fail(request.node, retell_target)
    if context is None:
        yield None
        return
    with context as cassette:
        yield cassette


@pytest.fixture
def retell_client(
    request: pytest.FixtureRequest,
    retell_target: str,
    retell_base_url: str,
    retell_api_key: str,
    retell_cassette: Any,
) -> Iterator[httpx.Client]:
    """An httpx client for the chosen target, authenticated, with this test's cassette active."""
    import httpx

    transport = request.getfixturevalue("retell_mock_transport") if retell_target == "mock" else None
    headers = {"Authorization": f"Bearer {retell_api_key}"}
    with httpx.Client(base_url=retell_base_url, headers=headers, transport=transport) as client:
        yield client


@pytest.fixture(scope="session")
def retell_shared_client(
    request: pytest.FixtureRequest, retell_target: str, retell_base_url: str, retell_api_key: str
) -> Iterator[httpx.Client]:
    """retell_client for @given tests: one client for the session, each test's cassette active."""
    import httpx

    transport = None
    if retell_target == "mock":
        transport = support.mock_transport(request.getfixturevalue("retell_mock_app"))
    headers = {"Authorization": f"Bearer {retell_api_key}"}
    with httpx.Client(base_url=retell_base_url, headers=headers, transport=transport) as client:
        yield client


@pytest.fixture(scope="session")
def retell_shared_conforms(retell_contract: Contract) -> Callable[..., None]:
    """retell_conforms for @given tests: checks each response on its own (no memory across calls)."""
    from retell_contract.testing import assert_conforms

    def conforms(response: Any, *, case: str | None = None) -> None:
        assert_conforms(response, case=case, contract=retell_contract)

    return conforms


@pytest.fixture
def retell_conforms(retell_contract: Contract) -> Conformance:
    """Call it on a response to run every contract check: ``retell_conforms(response)``."""
    from retell_contract.testing import Conformance

    return Conformance(retell_contract)


@pytest.fixture(scope="session")
def retell_vcr_config(pytestconfig: pytest.Config) -> dict[str, Any]:
    """vcrpy settings that scrub recordings; return it from pytest-recording's ``vcr_config``."""
    from retell_contract.testing import vcr_config

    key = support.live_api_key()
    return vcr_config(
        secrets=[key] if key else [], scrub_fields=pytestconfig.getoption("--retell-scrub-field")
    )


@pytest.fixture(scope="session")
def retell_webhook_key() -> str:
    """The key webhook deliveries are signed with: the mock's, which it also signs with by default.

    Override it to return the key your handler verifies with.
    """
    return support.mock_api_key()


@pytest.fixture
def retell_webhook_client(retell_webhook_key: str) -> Iterator[Callable[..., WebhookPoster]]:
    """``retell_webhook_client(app)``: posts signed deliveries to an ASGI or WSGI app in-process.

    Each ``.post(delivery)``, ``.post_event(event, call)`` and ``.replay(cassette)`` is
    signed with retell_webhook_key when it is sent.
    """
    from retell_contract.webhooks import WebhookPoster

    posters: list[WebhookPoster] = []

    def make(app: Any, **options: Any) -> WebhookPoster:
        posters.append(WebhookPoster(app, api_key=retell_webhook_key, **options))
        return posters[-1]

    yield make
    for poster in posters:
        poster.close()


@pytest.fixture
def retell_webhook_receiver() -> Iterator[WebhookReceiver]:
    """A receiver on 127.0.0.1 for the mock's deliveries: ``.url``, ``.deliveries``, ``.wait_for(n)``."""
    from retell_contract.webhooks import WebhookReceiver

    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def retell_webhook_cassette(request: pytest.FixtureRequest) -> Any:
    """This test's webhook cassette path: ``cassettes/webhooks/<module>/<test>.yaml`` beside it."""
    return support.webhook_cassette_path(request.node)
