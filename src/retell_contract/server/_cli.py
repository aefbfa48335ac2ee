"""Options and body of ``retell-contract mock``; ``retell_contract.cli`` only wires them in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from retell_contract.contracts import Agent, Contract
from retell_contract.server._app import CONTROL_PREFIX, create_app, served_operations
from retell_contract.server._config import (
    DEFAULT_API_KEY,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_TOKEN_TTL_SECONDS,
    MockConfig,
    MockConfigError,
    parse_agent,
)
from retell_contract.server._preload import load_calls_file
from retell_contract.server._state import MockState

F = TypeVar("F", bound=Callable[..., Any])
# MockConfig names fields; on the command line the user typed flags.
_FLAG_FOR_FIELD = {
    "payment_required_keys": "--payment-required-key",
    "api_keys": "--api-key",
    "webhook_url": "--webhook-url",
    "webhook_key": "--webhook-key",
    "agent_webhook_urls": "--agent-webhook-url",
}
_RATE = click.FloatRange(0.0, 1.0)
_OPTIONS = [
    click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on."),
    click.option(
        "--port",
        type=click.IntRange(0, 65535),
        default=8080,
        show_default=True,
        help="Port; 0 picks a free one.",
    ),
    click.option(
        "--api-key",
        "api_keys",
        multiple=True,
        metavar="KEY",
        help=f"Accepted API key (repeatable). Default: the test key {DEFAULT_API_KEY}.",
    ),
    click.option(
        "--agent",
        "--agent-id",
        "agent_specs",
        multiple=True,
        metavar="ID[:V,...[:published=V,TAG=V,...]]",
        help="Agent that exists, with its versions, published version and version tags "
        "(repeatable; default versions: 1; published: the highest), e.g. ID:1,2,5:published=2,prod=5. "
        "Default: the contract's example agent.",
    ),
    click.option(
        "--calls",
        "calls_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        metavar="FILE",
        help="Preload calls: a JSON or YAML list of (partial) call objects, completed per call_status.",
    ),
    click.option(
        "--seed", type=int, default=None, help="Seed for reproducible ids, faults and generated calls."
    ),
    click.option("--rate-limit", type=_RATE, default=0.0, help="Fraction of requests answered 429."),
    click.option(
        "--retry-after",
        type=click.IntRange(min=0),
        default=1,
        show_default=True,
        help="Retry-After seconds on 429.",
    ),
    click.option(
        "--payment-required-key",
        "payment_required_keys",
        multiple=True,
        metavar="KEY",
        help="API key whose requests are answered 402 (repeatable).",
    ),
    click.option("--server-error-rate", type=_RATE, default=0.0, help="Fraction of requests answered 500."),
    click.option(
        "--commit-then-fail-rate",
        type=_RATE,
        default=0.0,
        help="Fraction of creates that store the call and then answer 500 (retries make duplicates).",
    ),
    click.option(
        "--latency",
        type=click.FloatRange(min=0.0),
        default=0.0,
        help="Seconds added before every API answer.",
    ),
    click.option(
        "--token-ttl",
        type=click.FloatRange(min=0.0, min_open=True),
        default=DEFAULT_TOKEN_TTL_SECONDS,
        show_default=True,
        help="Seconds before an unused access token expires the call.",
    ),
    click.option(
        "--max-body-bytes",
        type=click.IntRange(min=1),
        default=DEFAULT_MAX_BODY_BYTES,
        show_default=True,
        help="Larger bodies are answered 413.",
    ),
    click.option(
        "--control", is_flag=True, help=f"Enable the test-only control endpoints under {CONTROL_PREFIX}/."
    ),
    click.option("--access-log", is_flag=True, help="Log every request line."),
    click.option("--webhook-url", default=None, metavar="URL", help="Send signed call events here."),
    click.option(
        "--webhook-key",
        default=None,
        metavar="KEY",
        help="Key webhooks are signed with (default: first API key).",
    ),
    click.option(
        "--agent-webhook-url",
        "agent_webhook_specs",
        multiple=True,
        metavar="AGENT_ID=URL",
        help="Webhook URL of one agent, instead of --webhook-url (repeatable).",
    ),
]


def mock_options(command: F) -> F:
    """Apply every ``retell-contract mock`` option to ``command``."""
    for option in reversed(_OPTIONS):
        command = option(command)
    return command


def build_config(**flags: Any) -> MockConfig:
    """The :class:`MockConfig` the flags describe (raises MockConfigError naming the flag)."""
    try:
        return _config_from_flags(**flags)
    except MockConfigError as error:
        message = str(error)
        for name, flag in _FLAG_FOR_FIELD.items():
            if message.startswith(name):
                message = flag + message[len(name) :]
        raise MockConfigError(message) from None


def _config_from_flags(
    *,
    api_keys: tuple[str, ...],
    agent_specs: tuple[str, ...],
    seed: int | None,
    rate_limit: float,
    retry_after: int,
    payment_required_keys: tuple[str, ...],
    server_error_rate: float,
    commit_then_fail_rate: float,
    calls_file: Path | None,
    latency: float,
    token_ttl: float,
    max_body_bytes: int,
    control: bool,
    webhook_url: str | None = None,
    webhook_key: str | None = None,
    agent_webhook_specs: tuple[str, ...] = (),
) -> MockConfig:
    return MockConfig(
        agents=tuple(parse_agent(spec) for spec in agent_specs) or None,
        api_keys=api_keys or (DEFAULT_API_KEY,),
        seed=seed,
        rate_limit_rate=rate_limit,
        retry_after=retry_after,
        payment_required_keys=payment_required_keys,
        server_error_rate=server_error_rate,
        commit_then_fail_rate=commit_then_fail_rate,
        calls=load_calls_file(calls_file) if calls_file else (),
        latency_seconds=latency,
        token_ttl_seconds=token_ttl,
        max_body_bytes=max_body_bytes,
        control=control,
        webhook_url=webhook_url,
        webhook_key=webhook_key,
        agent_webhook_urls=dict(_agent_webhook(spec) for spec in agent_webhook_specs),
    )


def _agent_webhook(spec: str) -> tuple[str, str]:
    agent_id, sep, url = spec.partition("=")
    if not sep or not agent_id:
        raise MockConfigError(f"--agent-webhook-url must be AGENT_ID=URL, not {spec!r}")
    return agent_id, url


def run_mock(contract: Contract, *, host: str, port: int, access_log: bool, **flags: Any) -> None:
    """Serve the configured mock in the foreground; print its URL first and a line on stop."""
    config = build_config(**flags)
    app = create_app(config, contract=contract)
    state: MockState = app.state.mock

    def announce(url: str) -> None:
        click.echo(f"retell-contract mock: serving {url} (press Ctrl-C to stop)")
        for line in describe(config, contract, url, state=state):
            click.echo(f"  {line}")

    from retell_contract._hosting._server import serve_forever  # uvicorn: only `mock` serves

    serve_forever(app, host, port, announce=announce, access_log=access_log)
    click.echo("retell-contract mock: stopped")


def describe(
    config: MockConfig, contract: Contract, url: str, *, state: MockState | None = None
) -> list[str]:
    """What the mock serves, with keys masked (a default test key is public, so shown)."""
    agents = ", ".join(
        _describe_agent(agent) for agent in (state.agents.values() if state else config.agents_for(contract))
    )
    endpoints = [f"endpoint: {method} {url}{path}" for method, path in served_operations(contract)]
    keys = ", ".join(key if key == DEFAULT_API_KEY else _mask(key) for key in config.api_keys)
    preloaded = [f"preloaded calls: {len(config.calls)}"] if config.calls else []
    lines = [*endpoints, f"agents: {agents}", *preloaded, f"API keys: {keys}"]
    faults = [
        f"{name} {value}"
        for name, value in [
            ("429 rate", config.rate_limit_rate),
            ("500 rate", config.server_error_rate),
            ("commit-then-500 rate", config.commit_then_fail_rate),
            ("latency", config.latency_seconds),
        ]
        if value
    ]
    if config.payment_required_keys:
        faults.append(f"402 for {', '.join(_mask(key) for key in config.payment_required_keys)}")
    if faults:
        lines.append(f"faults: {'; '.join(faults)}")
    if config.webhooks_enabled:
        urls = sorted({config.webhook_url or "", *config.agent_webhook_urls.values()} - {""})
        lines.append(f"webhooks: {', '.join(urls)} (signed with {_mask(config.signing_key)})")
    if config.control:
        lines.append(f"control: {url}{CONTROL_PREFIX}/ (join, calls, calls/ID/advance, reset)")
    return lines


def _describe_agent(agent: Agent) -> str:
    names = [f"published={agent.published_version}", *(f"{tag}={v}" for tag, v in agent.tags.items())]
    return f"{agent.agent_id} (versions {', '.join(map(str, agent.versions))}; {', '.join(names)})"


def _mask(key: str) -> str:
    return f"{key[:4]}****" if len(key) > 8 else "****"
