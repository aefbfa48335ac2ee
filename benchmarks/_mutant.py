"""What a mutant is, and how one is built from the correct mock and one fault."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp

from benchmarks._asgi import Request, RequestRewrite, ResponseRewrite, crash_when, rewrite
from retell_contract.contracts import Agent, load_contract
from retell_contract.runner import embedded_agents
from retell_contract.server import MockConfig, create_app

CONTRACT = load_contract()
API_KEY = "key_mutation_benchmark_5b2e9c71d4"
# The default agent (version 1) and the embedded second one (versions 1, 2, 5), here with
# version 2 published and 5 tagged "prod", so version names resolve to different numbers.
_DEFAULT, _SECOND = embedded_agents(CONTRACT)
AGENTS = (_DEFAULT, Agent(_SECOND.agent_id, _SECOND.versions, published=2, tags={"prod": 5}))


@dataclass(frozen=True)
class Mutant:
    """A server under test: ``faulty`` says whether a correct contract test must fail it.

    ``run_agents`` is what ``retell-contract run`` is told with ``--agent-id`` (versions
    ``()`` = not known to the run).
    """

    name: str
    family: str
    faulty: bool
    description: str
    build: Callable[[], ASGIApp] = field(repr=False, compare=False)
    run_agents: tuple[Agent, ...] = AGENTS

    def app(self) -> ASGIApp:
        """A fresh instance of this server (its own calls and ids)."""
        return self.build()

    @property
    def agent_specs(self) -> tuple[str, ...]:
        """``--agent-id`` values for the run: ``ID``, ``ID:1,2,5`` or ``ID:1,2,5:published=2,prod=5``."""
        return tuple(_spec(agent) for agent in self.run_agents)


def _spec(agent: Agent) -> str:
    if not agent.versions:
        return agent.agent_id
    names = [f"published={agent.published}"] if agent.published is not None else []
    names += [f"{tag}={version}" for tag, version in agent.tags.items()]
    return f"{agent.agent_id}:{','.join(map(str, agent.versions))}" + (":" + ",".join(names) if names else "")


def mock(*, agents: tuple[Agent, ...] = AGENTS, **config: Any) -> ASGIApp:
    """The correct mock with the benchmark's key and agents."""
    return create_app(MockConfig(agents=agents, api_keys=(API_KEY,), **config), contract=CONTRACT)


def answers(name: str, description: str, change: ResponseRewrite) -> Mutant:
    """A faulty server that answers differently (``change`` rewrites the mock's response)."""
    return Mutant(name, "", True, description, lambda: rewrite(mock(), response=change))


def answers_fresh(name: str, description: str, fresh: Callable[[], ResponseRewrite]) -> Mutant:
    """Like :func:`answers` for a stateful rewrite: ``fresh()`` makes one per server."""
    return Mutant(name, "", True, description, lambda: rewrite(mock(), response=fresh()))


def rewrites_fresh(
    name: str, description: str, fresh: Callable[[], tuple[RequestRewrite, ResponseRewrite]]
) -> Mutant:
    """A faulty server with a request and a response rewrite sharing state (one pair per server)."""

    def build() -> ASGIApp:
        request, response = fresh()
        return rewrite(mock(), request=request, response=response)

    return Mutant(name, "", True, description, build)


def reads(name: str, description: str, change: RequestRewrite) -> Mutant:
    """A faulty server that reads requests differently (``change`` rewrites what the mock sees)."""
    return Mutant(name, "", True, description, lambda: rewrite(mock(), request=change))


def crashes(name: str, description: str, trigger: Callable[[Request], bool]) -> Mutant:
    """A faulty server whose handler raises on requests matching ``trigger``."""
    return Mutant(name, "", True, description, lambda: crash_when(mock(), trigger))


def correct(
    name: str,
    description: str,
    *,
    config: dict[str, Any] | None = None,
    server_agents: tuple[Agent, ...] = AGENTS,
    run_agents: tuple[Agent, ...] = AGENTS,
    change: ResponseRewrite | None = None,
) -> Mutant:
    """A correct variant: configured differently, or answering the same thing differently."""

    def build() -> ASGIApp:
        app = mock(agents=server_agents, **(config or {}))
        return rewrite(app, response=change) if change is not None else app

    return Mutant(name, "correct", False, description, build, run_agents)
