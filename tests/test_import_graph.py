"""The package's module graph has no cycles, counting imports inside functions too.

A lazy import breaks a cycle at run time but not in the design: the two modules still
depend on each other. Only ``if TYPE_CHECKING:`` blocks (annotations) are left out.
Importing ``a.b.c`` from outside package ``a.b`` runs ``a/b/__init__.py`` first, so it
counts as depending on ``a.b`` too.
"""

from __future__ import annotations

import ast
import importlib
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"


def _module_names() -> dict[str, Path]:
    names = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


MODULES = _module_names()


class _Imports(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool) -> None:
        self.package = module if is_package else module.rpartition(".")[0]
        self.found: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        if "TYPE_CHECKING" not in ast.unparse(node.test):
            self.generic_visit(node)
        else:
            for child in node.orelse:
                self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        self.found.update(alias.name for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            parts = self.package.split(".")[: len(self.package.split(".")) - node.level + 1]
            base = ".".join([*parts, base] if base else parts)
        for alias in node.names:
            # ``from package import submodule`` depends on the submodule, not on the package.
            submodule = f"{base}.{alias.name}"
            self.found.add(submodule if submodule in MODULES else base)


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        visitor = _Imports(name, path.name == "__init__.py")
        visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
        targets = {found for found in visitor.found if found in MODULES}
        graph[name] = {t for target in targets for t in _with_packages(target, name) if t != name}
    return graph


def _with_packages(target: str, importer: str) -> set[str]:
    """``target`` and the packages whose ``__init__`` importing it runs, seen from ``importer``
    (none it is itself inside: those are already being imported)."""
    parts = target.split(".")
    packages = {".".join(parts[:n]) for n in range(1, len(parts))}
    outside = {p for p in packages if p in MODULES and not importer.startswith(f"{p}.")}
    return {target, *outside}


def test_there_is_no_import_cycle():
    try:
        tuple(TopologicalSorter(import_graph()).static_order())
    except CycleError as cycle:
        pytest.fail(f"import cycle: {' -> '.join(cycle.args[1])}")


def test_the_graph_sees_lazy_imports():
    """The check would pass vacuously if it missed imports inside functions."""
    graph = import_graph()
    assert "retell_contract.strategies" in graph["retell_contract.runner._search"]  # imported in a function
    assert "retell_contract.contracts" in graph["retell_contract.validation"]


def test_the_graph_sees_the_package_init_a_submodule_import_runs():
    """Importing ``webhooks._dispatch`` from ``server`` runs ``webhooks/__init__.py``: a
    cycle through a package's ``__init__`` would otherwise go unseen."""
    graph = import_graph()
    assert "retell_contract.webhooks._dispatch" in graph["retell_contract.server._webhooks"]
    assert "retell_contract.webhooks" in graph["retell_contract.server._webhooks"]
    # From inside its own package, a submodule import runs no further __init__.
    assert "retell_contract.webhooks" not in graph["retell_contract.webhooks._testing"]


@pytest.mark.parametrize("module", sorted(set(MODULES) - {"retell_contract.__main__"}))  # it runs the CLI
def test_every_module_imports_on_its_own(module):
    importlib.import_module(module)
