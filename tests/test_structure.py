"""The package's shape: each submodel of ODD §7 in its own module, no import cycles, no oversized module."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import networkx as nx
import pytest

import sim

ROOT = Path(__file__).resolve().parent.parent
SIM = ROOT / "sim"
MAX_LINES = 700
SUBMODEL_SECTIONS = {
    "utility": "7.0", "policy": "7.1", "firm_planning": "7.2", "inflows": "7.3", "matching": "7.4", "housing": "7.5",
    "retention": "7.6", "projects": "7.7", "firm_demography": "7.8", "observation": "7.9", "residents": "7.10",
    "qualification": "7.11",
    "value_added": "7.12",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in SIM.rglob("*.py")}


def _imported(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module of the package that ``name`` imports, wherever the import stands (function bodies and
    ``TYPE_CHECKING`` blocks included): a cycle hidden in a function is still a cycle of design."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        found.update(t for t in targets if t in known and t != name)
    return found


def import_graph() -> nx.DiGraph:
    modules = _modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        for target in _imported(name, path, set(modules)):
            # importing a submodule runs its package's __init__, which is not an import of the package's contents
            if not name.startswith(target + "."):
                graph.add_edge(name, target)
    return graph


def test_no_two_modules_import_each_other() -> None:
    cycles = list(nx.simple_cycles(import_graph()))
    assert not cycles, f"import cycles: {cycles}"


def test_the_cycle_check_sees_imports_inside_functions(tmp_path) -> None:
    a = tmp_path / "a.py"
    a.write_text("def f():\n    from sim import b\n")
    assert _imported("sim.a", a, {"sim.a", "sim.b"}) == {"sim.b"}


@pytest.mark.parametrize("path", sorted(SIM.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_oversized(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


@pytest.mark.parametrize("module", sorted(SUBMODEL_SECTIONS))
def test_each_submodel_opens_with_its_odd_section(module: str) -> None:
    doc = importlib.import_module(f"sim.submodels.{module}").__doc__ or ""
    section = SUBMODEL_SECTIONS[module]
    assert doc.startswith(f"§{section} "), doc[:60]
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    heading = re.search(rf"^### {re.escape(section)} .*$", odd, flags=re.M)
    assert heading and f"sim/submodels/{module}.py" in heading.group(0), f"ODD §{section} must name sim/submodels/{module}.py"


def test_every_submodule_imports_without_side_effects(capsys) -> None:
    # documentation tools import every module; none may run the CLI or print
    for info in pkgutil.walk_packages(sim.__path__, prefix="sim."):
        importlib.import_module(info.name)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
