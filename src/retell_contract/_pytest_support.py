"""The work behind :mod:`retell_contract.plugin`: targets, cassettes, Hypothesis databases.

Kept apart from the plugin so that it holds only hooks, options, markers and fixtures.
The plugin loads in every pytest run of every project that installs the package, so
httpx, vcrpy, Hypothesis and the checks are imported only by the functions that use them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retell_contract._secrets import API_KEY_VARIABLE
from retell_contract.errors import UsageError

if TYPE_CHECKING:
    import httpx
    import pytest
    from hypothesis import settings
    from hypothesis.database import ExampleDatabase

    from retell_contract.contracts import Contract

TARGETS = ("mock", "replay", "live")
# The plugin's record modes, as vcrpy spells them: "new" records a test's cassette only
# when it has none (vcrpy "once"); "overwrite" records it afresh (vcrpy "all", dropping
# what was not replayed); "none" never writes.
RECORD_MODES = {"none": "none", "new": "once", "overwrite": "all"}
HYPOTHESIS_PROFILE = "retell-contract"
# What stands in for the key when replaying: cassettes hold this placeholder, not a key.
REPLAY_API_KEY = "scrubbed-api-key-1"
# In-process requests never leave the process; the host only has to be a valid URL.
MOCK_BASE_URL = "http://retell-mock.invalid"
_UNSAFE_FILE_CHARACTERS = re.compile(r"[<>?%*:|\"'/\\\s\[\]]")
# The fixtures whose requests go through the test's cassette.
CASSETTE_FIXTURES = ("retell_cassette", "retell_shared_client")
# The seed of every @given test that records or replays a cassette: a fixed one, so the
# examples a replay draws are the examples the recording drew, on any worker.
CASSETTE_SEED = 0


def checked_options(
    *, target: str, record_mode: str, contract_path: str | None, scrub_fields: Sequence[str]
) -> Contract | None:
    """Refuse contradictory plugin options (UsageError); load ``contract_path`` if given.

    Loading the contract here makes a bad file stop pytest at start-up rather than in the
    first test that uses it.
    """
    if record_mode != "none" and target != "live":
        raise UsageError(
            f"--retell-record-mode {record_mode} records live exchanges: add --retell-target live"
        )
    if target == "live" and live_api_key() is None:
        raise UsageError(f"--retell-target live needs {API_KEY_VARIABLE} set to an API key")
    if scrub_fields:
        from retell_contract.cassettes import parse_field_path

        for path in scrub_fields:
            parse_field_path(path)
    if not contract_path:
        return None
    from retell_contract.contracts import load_contract

    return load_contract(contract_path)


def live_api_key(environ: Any = os.environ) -> str | None:
    """The API key for the live target (``RETELL_API_KEY``), or None when unset or empty."""
    value = environ.get(API_KEY_VARIABLE, "")
    return value.strip() or None


def api_key_for(target: str) -> str:
    """The key a client for ``target`` sends."""
    if target == "live":
        key = live_api_key()
        if key is None:
            raise UsageError(f"the live target needs {API_KEY_VARIABLE} set to an API key")
        return key
    if target == "replay":
        return REPLAY_API_KEY
    return mock_api_key()


def base_url_for(target: str, option: str | None, contract: Contract) -> str:
    """The base URL a client for ``target`` uses (``option`` overrides live and replay)."""
    if target == "mock":
        return MOCK_BASE_URL
    return option.rstrip("/") if option else default_base_url(contract)


def mock_config(api_key: str) -> Any:
    """The mock's settings: its own key, and ``api_key`` (what retell_api_key gives) too.

    So a test that sends retell_api_key to the mock is let in under every target.
    """
    from retell_contract.server import DEFAULT_API_KEY, MockConfig

    return MockConfig(api_keys=tuple(dict.fromkeys((DEFAULT_API_KEY, api_key))))


def mock_app(contract: Contract, api_key: str) -> Any:
    """The mock as an ASGI app (imported lazily: most test sessions never start one)."""
    from retell_contract.server import create_app

    return create_app(mock_config(api_key), contract=contract)


def mock_transport(app: Any) -> httpx.BaseTransport:
    """A sync in-process httpx transport to ``app``."""
    from retell_contract.server import mock_transport as transport

    result: httpx.BaseTransport = transport(app)
    return result


def mock_server(contract: Contract, api_key: str) -> Any:
    """An unstarted real-HTTP mock server on 127.0.0.1 (a context manager with ``.url``)."""
    from retell_contract.server import MockServer

    return MockServer(mock_config(api_key), contract=contract)


def mock_api_key() -> str:
    """The mock's own key (``key_retell_contract_test``)."""
    from retell_contract.server import DEFAULT_API_KEY

    return DEFAULT_API_KEY


def default_base_url(contract: Contract) -> str:
    """The first server URL the contract declares (Retell's production API)."""
    if contract.server_url is None:
        raise UsageError(f"{contract.source}: declares no server URL; pass --retell-base-url")
    return contract.server_url


def cassette_record_mode(target: str, record_mode: str) -> str | None:
    """The plugin record mode of a test's cassette for ``target``, or None when there is none."""
    if target == "replay":
        return "none"
    if target == "live" and record_mode != "none":
        return record_mode
    return None


def cassette_for(item: pytest.Item, target: str) -> Any | None:
    """The vcrpy cassette context of ``item`` (a test), or None when the target uses none.

    Raises UsageError for a missing or corrupt cassette when replaying.
    """
    config = item.config
    record_mode = cassette_record_mode(target, config.getoption("--retell-record-mode"))
    if record_mode is None:
        return None
    directory = config.getoption("--retell-cassette-dir")
    base = Path(directory) if directory else item.path.parent / "cassettes"
    path = cassette_path(base, item.path.stem, item.name)
    if record_mode != "none":
        # vcrpy checks for the folder, then makes it: two xdist workers race there.
        path.parent.mkdir(parents=True, exist_ok=True)
    return open_cassette(
        path,
        record_mode=record_mode,
        secrets=[api_key_for(target)] if target == "live" else [],
        scrub_fields=config.getoption("--retell-scrub-field"),
    )


def webhook_cassette_path(item: pytest.Item) -> Path:
    """Where ``item``'s recorded webhook deliveries live (``--retell-cassette-dir`` honoured)."""
    directory = item.config.getoption("--retell-cassette-dir")
    base = Path(directory) if directory else item.path.parent / "cassettes"
    return cassette_path(base / "webhooks", item.path.stem, item.name)


def seed_cassette_tests(items: Iterable[pytest.Item]) -> None:
    """Seed each ``@given`` test that uses a cassette with :data:`CASSETTE_SEED`.

    ``hypothesis.seed`` also takes the example database out of the test: an example saved
    by another run (a failure found against the mock, say) was never recorded, so it could
    not be replayed. Seeded, recording and replay draw the same examples in the same order,
    serially or under xdist, every time.
    """
    from hypothesis import is_hypothesis_test, seed

    for item in items:
        function = getattr(item, "function", None)
        uses_cassette = any(name in getattr(item, "fixturenames", ()) for name in CASSETTE_FIXTURES)
        if uses_cassette and function is not None and is_hypothesis_test(function):
            seed(CASSETTE_SEED)(function)


def cassette_path(directory: Path, module: str, test_name: str) -> Path:
    """``directory/<module>/<test name>.yaml``, the test name made safe for a file name."""
    return directory / module / f"{_UNSAFE_FILE_CHARACTERS.sub('-', test_name)}.yaml"


def open_cassette(
    path: Path, *, record_mode: str, secrets: Iterable[str] = (), scrub_fields: Iterable[str] = ()
) -> Any:
    """A vcrpy cassette context for one test; recordings are scrubbed before they are saved.

    Replaying (``record_mode="none"``) checks the cassette first, so a missing or corrupt
    one is a one-line error rather than a confusing "cannot overwrite" from vcrpy.
    """
    from retell_contract.cassettes import read_cassettes
    from retell_contract.testing import retell_vcr

    if record_mode == "none":
        if not path.is_file():
            raise UsageError(
                f"{path}: no cassette for this test; record it with"
                f" --retell-target live --retell-record-mode new ({API_KEY_VARIABLE} set)"
            )
        read_cassettes(path)  # raises CassetteError naming what is wrong
    vcr_mode = RECORD_MODES[record_mode]
    recorder = retell_vcr(record_mode=vcr_mode, secrets=secrets, scrub_fields=scrub_fields)
    return recorder.use_cassette(str(path), drop_unused_requests=vcr_mode == "all")


def hypothesis_database(spec: str) -> ExampleDatabase:
    """An example database from ``DIR`` or ``redis://host:port/db`` (rediss:// too)."""
    from hypothesis.database import DirectoryBasedExampleDatabase

    if spec.startswith(("redis://", "rediss://", "unix://")):
        try:
            from hypothesis.extra.redis import RedisExampleDatabase
            from redis import Redis
        except ImportError:
            raise UsageError(f"--retell-hypothesis-db {spec}: needs the 'redis' package installed") from None
        try:
            return RedisExampleDatabase(Redis.from_url(spec))
        except ValueError as error:
            raise UsageError(f"--retell-hypothesis-db {spec}: {error}") from None
    location = Path(spec).expanduser()
    if location.exists() and not location.is_dir():
        raise UsageError(f"--retell-hypothesis-db {spec}: exists and is not a directory")
    try:  # Hypothesis would skip an unwritable database silently: every failure lost
        location.mkdir(parents=True, exist_ok=True)
        probe = location / ".retell-contract-write-check"
        probe.touch()
        probe.unlink()
    except OSError as error:
        problem = f"not a usable directory ({error.strerror})"
        raise UsageError(f"--retell-hypothesis-db {spec}: {problem}") from None
    return DirectoryBasedExampleDatabase(location)


def checked_database_options(spec: str | None, *, read_only: bool) -> None:
    """Refuse --retell-hypothesis-db-readonly without a database to read (UsageError)."""
    if read_only and not spec:
        raise UsageError("--retell-hypothesis-db-readonly needs --retell-hypothesis-db DIR|URL to read")


def use_hypothesis_database(spec: str, *, read_only: bool) -> settings:
    """Load a Hypothesis profile that adds the shared database to the current settings.

    Read-only sharing (a PR run) keeps the local database for writing and only reads the
    shared one, so failures found nightly replay first without PR runs changing it.
    Returns the settings in force before, for :func:`restore_hypothesis_settings`.
    """
    from hypothesis import settings
    from hypothesis.database import MultiplexedDatabase, ReadOnlyDatabase

    shared = hypothesis_database(spec)
    previous = settings()
    database: ExampleDatabase = shared
    if read_only:
        database = ReadOnlyDatabase(shared)
        if previous.database is not None:
            database = MultiplexedDatabase(previous.database, database)
    settings.register_profile(HYPOTHESIS_PROFILE, parent=previous, database=database)
    settings.load_profile(HYPOTHESIS_PROFILE)
    return previous


def restore_hypothesis_settings(previous: settings) -> None:
    """Put back the settings :func:`use_hypothesis_database` replaced (at session end)."""
    from hypothesis import settings

    settings.register_profile(f"{HYPOTHESIS_PROFILE}-before", parent=previous)
    settings.load_profile(f"{HYPOTHESIS_PROFILE}-before")


# pytest ini options (``[tool.pytest.ini_options]``, pytest.ini, ...): the command line wins.
# name -> (help, ini type, the option it sets, with its default when neither says)
INI_OPTIONS: dict[str, tuple[str, Any, tuple[str, Any]]] = {
    "retell_target": (
        "Default of --retell-target: mock, replay or live.",
        "string",
        ("retell_target", "mock"),
    ),
    "retell_base_url": ("Default of --retell-base-url.", "string", ("retell_base_url", None)),
    "retell_record_mode": ("Default of --retell-record-mode.", "string", ("retell_record_mode", "none")),
    "retell_contract": (
        "Default of --retell-contract (a file, or today / seed).",
        "string",
        ("retell_contract", None),
    ),
    "retell_cassette_dir": ("Default of --retell-cassette-dir.", "string", ("retell_cassette_dir", None)),
    "retell_scrub_fields": (
        "Paths scrubbed from recordings, one a line (added to --retell-scrub-field).",
        "linelist",
        ("retell_scrub_field", []),
    ),
    "retell_hypothesis_db": ("Default of --retell-hypothesis-db.", "string", ("retell_hypothesis_db", None)),
}
_INI_CHOICES = {"retell_target": TARGETS, "retell_record_mode": tuple(RECORD_MODES)}


def apply_ini_options(config: pytest.Config) -> None:
    """Fill options the command line left unset from the ini file, checked like flags.

    Raises UsageError naming the ini key and the bad value.
    """
    for name, (_, _, (dest, default)) in INI_OPTIONS.items():
        given = getattr(config.option, dest, None)
        value = config.getini(name)
        if name == "retell_scrub_fields":
            setattr(config.option, dest, [*(value or []), *(given or [])])
            continue
        if given is not None:
            continue
        if value is not None and name in _INI_CHOICES and value not in _INI_CHOICES[name]:
            choices = ", ".join(_INI_CHOICES[name])
            raise UsageError(f"ini option {name} = {value!r} is not one of {choices}")
        if name in _INI_PATHS and value and config.inipath is not None:
            value = _beside(config.inipath.parent, value)  # relative to the ini file, as pytest's own are
        setattr(config.option, dest, value if value not in (None, "") else default)


_INI_PATHS = ("retell_contract", "retell_cassette_dir")
_BUILTIN_NAMES = ("today", "seed")


def _beside(directory: Path, value: str) -> str:
    if value in _BUILTIN_NAMES or Path(value).is_absolute():
        return value
    return str(directory / value)
