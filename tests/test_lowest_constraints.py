"""constraints/lowest.txt pins every declared lower bound, so each bound is a version CI ran.

.ci/run installs the project with ``-c constraints/lowest.txt`` and runs the whole suite
again; a dependency missing from that file, or pinned above its bound, would leave the
bound in pyproject.toml untested.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOWER_BOUND_OPERATORS = (">=", "==", "~=")


def lower_bound(requirement: Requirement) -> Version | None:
    """The lowest version a requirement allows, or None if it declares none."""
    bounds = [
        Version(spec.version) for spec in requirement.specifier if spec.operator in LOWER_BOUND_OPERATORS
    ]
    return max(bounds, default=None)


def parse_pins(lines: Iterable[str]) -> dict[str, str]:
    """Each ``name==version`` line of a constraints file (comments and blanks skipped)."""
    pins: dict[str, str] = {}
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if text:
            requirement = Requirement(text)
            specs = list(requirement.specifier)
            pin = specs[0].version if len(specs) == 1 and specs[0].operator == "==" else f"not a pin: {text}"
            pins[canonicalize_name(requirement.name)] = pin
    return pins


def problems(runtime: Iterable[str], extra: Iterable[str], pins: dict[str, str]) -> list[str]:
    """What keeps the pins from being the declared lower bounds.

    A runtime dependency must declare a lower bound; a test-extra one without a bound
    (type stubs) has nothing to pin. Every pin must name a declared dependency.
    """
    found: list[str] = []
    declared: set[str] = set()
    for text, required in [(text, True) for text in runtime] + [(text, False) for text in extra]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        declared.add(name)
        bound = lower_bound(requirement)
        if bound is None:
            if required:
                found.append(f"{name}: no lower bound in pyproject.toml")
        elif name not in pins:
            found.append(f"{name}: not pinned (lower bound {bound})")
        elif pins[name].startswith("not a pin") or Version(pins[name]) != bound:
            found.append(f"{name}: pinned {pins[name]}, lower bound {bound}")
    found.extend(f"{name}: pinned but not a dependency" for name in sorted(pins.keys() - declared))
    return found


def test_every_lower_bound_is_pinned_in_lowest_txt() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = parse_pins((ROOT / "constraints" / "lowest.txt").read_text(encoding="utf-8").splitlines())
    assert problems(project["dependencies"], project["optional-dependencies"]["test"], pins) == []


def test_the_guard_reports_each_kind_of_mismatch() -> None:
    pins = parse_pins(["rich==13.9.4  # why", "", "PyYAML==6.0", "click>=8", "stale==1.0"])
    found = problems(["rich>=13", "pyyaml>=6", "click>=8.2", "httpx>=0.27", "anything"], ["types-x"], pins)
    assert found == [
        "rich: pinned 13.9.4, lower bound 13",
        "click: pinned not a pin: click>=8, lower bound 8.2",
        "httpx: not pinned (lower bound 0.27)",
        "anything: no lower bound in pyproject.toml",
        "stale: pinned but not a dependency",
    ]


def test_an_equal_version_spelled_shorter_matches() -> None:
    assert (
        problems(["pytest>=8.4", "schemathesis>=4.32,<5"], [], {"pytest": "8.4.0", "schemathesis": "4.32"})
        == []
    )
