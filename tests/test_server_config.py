"""MockConfig checks every value on construction, with one-line errors naming it."""

from __future__ import annotations

from typing import Any

import pytest

from retell_contract.contracts import Agent
from retell_contract.errors import UsageError
from retell_contract.server import DEFAULT_API_KEY, MockConfig, MockConfigError, parse_agent
from server_support import CONTRACT


def test_defaults_serve_the_contract_default_agent_with_the_test_key() -> None:
    config = MockConfig()
    assert config.agents_for(CONTRACT) == (CONTRACT.default_agent,)
    assert config.api_keys == (DEFAULT_API_KEY,)
    assert config.token_ttl_seconds == 30


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"agents": (Agent("a", ()),)}, "agent 'a' has no versions"),
        ({"agents": (Agent("a", (2, 1)),)}, "(2, 1)"),
        ({"agents": (Agent("a", (1, 1)),)}, "(1, 1)"),
        ({"agents": (Agent("a", (-1,)),)}, "(-1,)"),
        ({"agents": (Agent("", (1,)),)}, "''"),
        ({"agents": (Agent("a", (1,)), Agent("a", (2,)))}, "'a' is configured twice"),
        ({"agents": ("a",)}, "'a'"),
        ({"agents": "a"}, "'a'"),
        ({"api_keys": ()}, "at least one key"),
        ({"api_keys": "key"}, "'key'"),
        ({"api_keys": ("has space",)}, "'has space'"),
        ({"api_keys": ("",)}, "''"),
        ({"payment_required_keys": (3,)}, "3"),
        ({"seed": "1"}, "'1'"),
        ({"seed": True}, "True"),
        ({"rate_limit_rate": 1.5}, "rate_limit_rate must be >= 0 and <= 1, not 1.5"),
        ({"rate_limit_rate": -0.1}, "-0.1"),
        ({"server_error_rate": float("nan")}, "nan"),
        ({"server_error_rate": "0.5"}, "'0.5'"),
        ({"retry_after": -1}, "retry_after must be >= 0, not -1"),
        ({"retry_after": 1.5}, "1.5"),
        ({"latency_seconds": -1}, "latency_seconds"),
        ({"latency_seconds": float("inf")}, "inf"),
        ({"token_ttl_seconds": 0}, "token_ttl_seconds must be > 0, not 0"),
        ({"max_body_bytes": 0}, "max_body_bytes must be >= 1, not 0"),
        ({"max_stored_calls": 0}, "max_stored_calls"),
        ({"extra_call_fields": {"x": object()}}, "JSON-serialisable"),
        ({"extra_call_fields": {"x": float("nan")}}, "JSON-serialisable"),
        ({"extra_call_fields": {1: "x"}}, "keys must be strings, not 1"),
        ({"extra_call_fields": ["x"]}, "['x']"),
        ({"control": "yes"}, "'yes'"),
        ({"clock": 5}, "5"),
    ],
)
def test_bad_values_raise_one_line_errors_naming_them(options: dict[str, Any], fragment: str) -> None:
    with pytest.raises(MockConfigError) as caught:
        MockConfig(**options)
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message


def test_config_errors_are_value_and_usage_errors() -> None:
    with pytest.raises(ValueError):
        MockConfig(seed="x")  # type: ignore[arg-type]
    assert issubclass(MockConfigError, UsageError)


def test_lists_are_accepted_and_stored_as_tuples() -> None:
    config = MockConfig(agents=[Agent("a", (1,))], api_keys=["k"])  # type: ignore[arg-type]
    assert config.agents == (Agent("a", (1,)),)
    assert config.api_keys == ("k",)


def test_extra_fields_are_copied_and_read_only() -> None:
    fields = {"x": [1]}
    config = MockConfig(extra_call_fields=fields)
    fields["x"].append(2)
    assert config.extra_call_fields == {"x": [1]}
    with pytest.raises(TypeError):
        config.extra_call_fields["y"] = 1  # type: ignore[index]


def test_payment_required_keys_authenticate() -> None:
    assert MockConfig(payment_required_keys=("unpaid",)).accepted_keys == {DEFAULT_API_KEY, "unpaid"}


@pytest.mark.parametrize(
    ("spec", "agent"),
    [("a1", Agent("a1", (1,))), ("a1:0", Agent("a1", (0,))), ("a1:3,1,2", Agent("a1", (1, 2, 3)))],
)
def test_parse_agent(spec: str, agent: Agent) -> None:
    assert parse_agent(spec) == agent


@pytest.mark.parametrize(
    ("spec", "fragment"), [(":1", "has no id"), ("a:x", "comma-separated"), ("a:-1", "cannot be negative")]
)
def test_parse_agent_rejects_bad_specs(spec: str, fragment: str) -> None:
    with pytest.raises(MockConfigError) as caught:
        parse_agent(spec)
    assert fragment in str(caught.value)
