"""What a mock serves: agents, keys, seed, faults and limits, checked when it is built."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from retell_contract._json_semantics import is_int
from retell_contract.contracts import LATEST, LATEST_PUBLISHED, Agent, Contract
from retell_contract.errors import UsageError

DEFAULT_API_KEY = "key_retell_contract_test"
DEFAULT_TOKEN_TTL_SECONDS = 30.0
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_MAX_STORED_CALLS = 100_000


class MockConfigError(UsageError, ValueError):
    """A :class:`MockConfig` value (or a ``retell-contract mock`` flag) the mock cannot use."""


@dataclass(frozen=True)
class MockConfig:
    """Configuration of the mock Retell API; every value is checked on construction.

    ``agents=None`` serves the contract's default agent. Keys in ``payment_required_keys``
    authenticate but are always answered 402. Rates are probabilities in [0, 1], drawn per
    request (reproducibly when ``seed`` is set). ``extra_call_fields`` is merged last into
    every call object served, e.g. to imitate a newer API that returns more fields.
    ``clock`` returns seconds since the epoch; tests pass a fake one to move time.
    ``commit_then_fail_rate`` is the fraction of successful creates that are stored and then
    answered 500 anyway (clients that retry then create duplicates). ``calls`` preloads
    partial call objects (see :func:`retell_contract.server.load_calls_file`); the mock
    completes them when it starts.
    ``webhook_url`` (and per agent id ``agent_webhook_urls``, which wins) receives signed
    call events, signed with ``webhook_key`` (default: the first API key);
    ``webhook_retry_delay`` seconds times the attempt number pass before a retry.
    """

    agents: tuple[Agent, ...] | None = None
    api_keys: tuple[str, ...] = (DEFAULT_API_KEY,)
    seed: int | None = None
    rate_limit_rate: float = 0.0
    retry_after: int = 1
    payment_required_keys: tuple[str, ...] = ()
    server_error_rate: float = 0.0
    commit_then_fail_rate: float = 0.0
    latency_seconds: float = 0.0
    token_ttl_seconds: float = DEFAULT_TOKEN_TTL_SECONDS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_stored_calls: int = DEFAULT_MAX_STORED_CALLS
    extra_call_fields: Mapping[str, Any] = field(default_factory=dict, hash=False)
    control: bool = False
    calls: tuple[Mapping[str, Any], ...] = field(default=(), hash=False)
    webhook_url: str | None = None
    webhook_key: str | None = None
    agent_webhook_urls: Mapping[str, str] = field(default_factory=dict, hash=False)
    webhook_retry_delay: float = 1.0
    clock: Callable[[], float] = field(default=time.time, hash=False, compare=False)

    def __post_init__(self) -> None:
        if self.agents is not None:
            object.__setattr__(self, "agents", _checked_agents(self.agents))
        object.__setattr__(self, "api_keys", _checked_keys("api_keys", self.api_keys, allow_empty=False))
        object.__setattr__(
            self, "payment_required_keys", _checked_keys("payment_required_keys", self.payment_required_keys)
        )
        if self.seed is not None and not is_int(self.seed):
            raise MockConfigError(f"seed must be an integer or None, not {self.seed!r}")
        for name in ("rate_limit_rate", "server_error_rate", "commit_then_fail_rate"):
            _check_number(name, getattr(self, name), low=0.0, high=1.0)
        _check_int("retry_after", self.retry_after, low=0)
        _check_number("latency_seconds", self.latency_seconds, low=0.0)
        _check_number("token_ttl_seconds", self.token_ttl_seconds, low=0.0, low_open=True)
        _check_int("max_body_bytes", self.max_body_bytes, low=1)
        _check_int("max_stored_calls", self.max_stored_calls, low=1)
        object.__setattr__(self, "extra_call_fields", _checked_extra_fields(self.extra_call_fields))
        object.__setattr__(self, "calls", _checked_calls(self.calls))
        if not isinstance(self.control, bool):
            raise MockConfigError(f"control must be True or False, not {self.control!r}")
        _check_webhooks(self)
        if not callable(self.clock):
            raise MockConfigError(f"clock must be a callable returning seconds, not {self.clock!r}")

    @property
    def webhooks_enabled(self) -> bool:
        return self.webhook_url is not None or bool(self.agent_webhook_urls)

    @property
    def signing_key(self) -> str:
        """The key webhooks are signed with."""
        return self.webhook_key if self.webhook_key is not None else self.api_keys[0]

    def webhook_url_for(self, agent_id: str) -> str | None:
        """Where this agent's events go (None: nowhere)."""
        return self.agent_webhook_urls.get(agent_id, self.webhook_url)

    @property
    def accepted_keys(self) -> frozenset[str]:
        """Every key that authenticates (including those answered 402)."""
        return frozenset(self.api_keys) | frozenset(self.payment_required_keys)

    def agents_for(self, contract: Contract) -> tuple[Agent, ...]:
        """The configured agents, or the contract's default agent when none are configured."""
        if self.agents is not None:
            return self.agents
        default = contract.default_agent
        if default.versions:
            return (default,)
        # A contract without x-default-agent names an agent but not its versions.
        return (Agent(default.agent_id, contract.example_versions or (1,)),)


def parse_agent(spec: str) -> Agent:
    """Parse a command-line agent, ``ID`` (version 1) or ``ID:1,2,3``, into an :class:`Agent`."""
    try:
        agent = Agent.from_spec(spec)
    except UsageError as error:
        raise MockConfigError(str(error)) from None
    # The mock must serve some version; an agent named without versions has version 1.
    return _checked_agents((agent if agent.versions else Agent(agent.agent_id, (1,)),))[0]


def _check_number(
    name: str, value: object, *, low: float, high: float | None = None, low_open: bool = False
) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise MockConfigError(f"{name} must be a finite number, not {value!r}")
    too_low = value <= low if low_open else value < low
    if too_low or (high is not None and value > high):
        bounds = f"{'>' if low_open else '>='} {low:g}" + (f" and <= {high:g}" if high is not None else "")
        raise MockConfigError(f"{name} must be {bounds}, not {value!r}")


def _check_int(name: str, value: object, *, low: int) -> None:
    if not is_int(value):
        raise MockConfigError(f"{name} must be an integer, not {value!r}")
    if value < low:
        raise MockConfigError(f"{name} must be >= {low}, not {value!r}")


def _as_tuple(name: str, values: object) -> tuple[Any, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise MockConfigError(f"{name} must be a tuple, not {values!r}")
    return tuple(values)


def _checked_keys(name: str, values: object, *, allow_empty: bool = True) -> tuple[str, ...]:
    keys = _as_tuple(name, values)
    if not keys and not allow_empty:
        raise MockConfigError(f"{name} must hold at least one key")
    for key in keys:
        # A key with spaces or control characters could never arrive in an Authorization header.
        if not isinstance(key, str) or not key or not key.isprintable() or any(c.isspace() for c in key):
            raise MockConfigError(f"{name}: {key!r} is not a usable API key (non-empty, no spaces)")
    return keys


def _checked_agents(values: object) -> tuple[Agent, ...]:
    agents = _as_tuple("agents", values)
    seen: set[str] = set()
    for agent in agents:
        if not isinstance(agent, Agent):
            raise MockConfigError(f"agents must hold Agent(agent_id, versions) values, not {agent!r}")
        if not isinstance(agent.agent_id, str) or not agent.agent_id:
            raise MockConfigError(f"agent id must be a non-empty string, not {agent.agent_id!r}")
        if agent.agent_id in seen:
            raise MockConfigError(f"agent {agent.agent_id!r} is configured twice")
        seen.add(agent.agent_id)
        versions = agent.versions
        if not versions:
            raise MockConfigError(f"agent {agent.agent_id!r} has no versions; give at least one, e.g. (1,)")
        if not all(is_int(v) and v >= 0 for v in versions) or list(versions) != sorted(set(versions)):
            raise MockConfigError(
                f"agent {agent.agent_id!r}: versions must be distinct non-negative integers in ascending "
                f"order, not {versions!r}"
            )
        _check_names(agent)
    return agents


def _check_names(agent: Agent) -> None:
    """``published`` and every tag must name a version the agent has."""
    named = {"published": agent.published} if agent.published is not None else {}
    named.update(agent.tags)
    for name, version in named.items():
        if version not in agent.versions:
            raise MockConfigError(
                f"agent {agent.agent_id!r}: {name} names version {version!r}, which it does not have"
            )
        if name in (LATEST, LATEST_PUBLISHED):
            raise MockConfigError(f"agent {agent.agent_id!r}: {name!r} is resolved by the API; not a tag")


def _checked_extra_fields(values: object) -> Mapping[str, Any]:
    if not isinstance(values, Mapping):
        raise MockConfigError(f"extra_call_fields must be a mapping, not {values!r}")
    for name in values:
        if not isinstance(name, str):
            raise MockConfigError(f"extra_call_fields keys must be strings, not {name!r}")
    try:
        encoded = json.dumps(dict(values), allow_nan=False)
    except (TypeError, ValueError) as error:
        raise MockConfigError(f"extra_call_fields must be JSON-serialisable ({error})") from None
    # Decoded again: a deep copy the caller cannot change, holding only JSON types.
    return MappingProxyType(json.loads(encoded))


def _checked_calls(values: object) -> tuple[Mapping[str, Any], ...]:
    """Preloaded calls: JSON objects (their fields are checked when the mock completes them)."""
    entries = _as_tuple("calls", values)
    checked = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise MockConfigError(f"calls entry {index}: a call object (mapping) is required, not {entry!r}")
        try:
            checked.append(json.loads(json.dumps(dict(entry), allow_nan=False)))
        except (TypeError, ValueError) as error:
            raise MockConfigError(f"calls entry {index}: not JSON-serialisable ({error})") from None
    return tuple(checked)


def _check_url(name: str, url: object) -> None:
    parts = urlsplit(url) if isinstance(url, str) and url.isprintable() else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise MockConfigError(f"{name} must be an absolute http(s) URL, not {url!r}")


def _check_webhooks(config: MockConfig) -> None:
    if config.webhook_url is not None:
        _check_url("webhook_url", config.webhook_url)
    if config.webhook_key is not None:
        _checked_keys("webhook_key", (config.webhook_key,))
    if not isinstance(config.agent_webhook_urls, Mapping):
        raise MockConfigError(
            f"agent_webhook_urls must map agent ids to URLs, not {config.agent_webhook_urls!r}"
        )
    for agent_id, url in config.agent_webhook_urls.items():
        if not isinstance(agent_id, str) or not agent_id:
            raise MockConfigError(f"agent_webhook_urls: {agent_id!r} is not an agent id")
        _check_url(f"agent_webhook_urls[{agent_id!r}]", url)
    object.__setattr__(config, "agent_webhook_urls", MappingProxyType(dict(config.agent_webhook_urls)))
    _check_number("webhook_retry_delay", config.webhook_retry_delay, low=0.0)
