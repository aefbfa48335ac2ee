"""Agents a target has: their versions, which one is published, and their version tags.

Today's API takes ``agent_version`` as a number or a name: ``latest`` (the highest
version), ``latest_published`` (the published one) or a version tag. :meth:`Agent.resolve`
is the one place that turns a requested version into the number a call object carries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from retell_contract.errors import UsageError

LATEST, LATEST_PUBLISHED = "latest", "latest_published"
_NO_TAGS: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True)
class Agent:
    """An agent the target knows, with the versions it has (ascending; empty if unknown).

    ``published`` is the version ``latest_published`` names (default: the highest);
    ``tags`` maps version tags to versions.
    """

    agent_id: str
    versions: tuple[int, ...]
    published: int | None = None
    tags: Mapping[str, int] = field(default_factory=lambda: _NO_TAGS, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.tags, MappingProxyType):
            object.__setattr__(self, "tags", MappingProxyType(dict(self.tags)))

    @property
    def published_version(self) -> int | None:
        """The version ``latest_published`` resolves to (None when versions are unknown)."""
        if self.published is not None:
            return self.published
        return self.versions[-1] if self.versions else None

    @property
    def version_names(self) -> tuple[str, ...]:
        """Every name this agent resolves: latest, latest_published and its tags."""
        return (LATEST, LATEST_PUBLISHED, *self.tags) if self.versions else tuple(self.tags)

    def resolve(self, requested: object) -> int | None:
        """The version a requested ``agent_version`` (omitted = None) selects, or None if none."""
        if requested is None:
            return self.versions[-1] if self.versions else None
        if isinstance(requested, bool):
            return None
        if isinstance(requested, int):
            return requested if requested in self.versions else None
        if requested == LATEST:
            return self.versions[-1] if self.versions else None
        if requested == LATEST_PUBLISHED:
            return self.published_version
        if isinstance(requested, str):
            return self.tags.get(requested)
        return None

    @classmethod
    def from_spec(cls, spec: str) -> Agent:
        """Parse the command-line form ``ID``, ``ID:1,2,5`` or ``ID:1,2,5:published=2,prod=5``.

        The third part names the published version and version tags. Raises UsageError
        naming the spec when it has no id, its versions are not non-negative integers, or
        a name points at a version the agent does not have.
        """
        agent_id, colon, rest = spec.partition(":")
        if not agent_id.strip():
            raise UsageError(f"agent {spec!r} has no id; use ID or ID:VERSION[,VERSION...]")
        if not colon:
            return cls(agent_id, ())
        versions_text, _, names_text = rest.partition(":")
        try:
            versions = tuple(sorted({int(part) for part in versions_text.split(",")}))
        except ValueError:
            raise UsageError(
                f"agent {spec!r}: versions must be comma-separated integers, e.g. {agent_id}:1,2"
            ) from None
        if any(version < 0 for version in versions):
            raise UsageError(f"agent {spec!r}: versions cannot be negative")
        published, tags = _names(spec, names_text, versions) if names_text else (None, {})
        return cls(agent_id, versions, published, tags)


def _names(spec: str, text: str, versions: tuple[int, ...]) -> tuple[int | None, dict[str, int]]:
    published: int | None = None
    tags: dict[str, int] = {}
    for part in text.split(","):
        name, equals, value = part.partition("=")
        name = name.strip()
        if not equals or not name or not value.strip().isdigit():
            raise UsageError(f"agent {spec!r}: {part!r} is not NAME=VERSION, e.g. published=2 or prod=5")
        version = int(value)
        if version not in versions:
            raise UsageError(f"agent {spec!r}: {name} names version {version}, which the agent does not have")
        if name in (LATEST, LATEST_PUBLISHED):
            raise UsageError(f"agent {spec!r}: {name!r} is resolved by the API; it cannot be a tag")
        if name == "published":
            published = version
        else:
            tags[name] = version
    return published, tags
