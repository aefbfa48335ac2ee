"""The package's module graph has no cycles, counting imports inside functions too.

A lazy import breaks a cycle at run time but not in the design: the two modules still
depend on each other. Only ``if TYPE_CHECKING:`` blocks (annotations) are left out.
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
        graph[name] = {found for found in visitor.found if found in MODULES and found != name}
    return graph


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


@pytest.mark.parametrize("module", sorted(set(MODULES) - {"retell_contract.__main__"}))  # it runs the CLI
def test_every_module_imports_on_its_own(module):
    importlib.import_module(module)
