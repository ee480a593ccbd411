"""The layering of docs/architecture.md, checked on the code: facts anyone can check, kept true by `make test`.

- Each module named in the table of docs/architecture.md never imports, directly or through other calfeed
  modules, what its "never imports" column lists (a module name covers its submodules: `calfeed.render`
  covers `calfeed.render.ics`). Imports made only for type checking count too.
- No function in calfeed/ is longer than `MAX_LINES` lines.

The contract is read from the document, so the document cannot drift from the code; a test below adds a
forbidden import to a copy of the package and shows the check then fails.
"""

from __future__ import annotations

import ast
import re
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "calfeed"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
MAX_LINES = 60


def module_name(package: Path, file: Path) -> str:
    parts = [package.name, *file.relative_to(package).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path) -> dict[str, set[str]]:
    """Each module of `package` → the modules it imports (relative imports resolved; `from . import x`
    names the submodule x when there is one)."""
    files = {module_name(package, file): file for file in sorted(package.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, file in files.items():
        here = name if file.name == "__init__.py" else name.rpartition(".")[0]
        imported: set[str] = set()
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"), str(file))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join([*parts, *([node.module] if node.module else [])])
                for alias in node.names:
                    imported.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base)
        graph[name] = imported
    return graph


def covers(rule: str, module: str) -> bool:
    return module == rule or module.startswith(rule + ".")


def violations(graph: Mapping[str, set[str]], contract: Mapping[str, set[str]]) -> list[str]:
    """Every import that breaks `contract` (module prefix → forbidden module prefixes), with the chain of
    calfeed modules it comes through: "calfeed.model → calfeed.x → flask"."""
    found = []
    for owner, forbidden in contract.items():
        for start in (module for module in graph if covers(owner, module)):
            for chain in _chains(graph, start):
                if any(covers(rule, chain[-1]) for rule in forbidden):
                    found.append(" → ".join(chain))
    return sorted(set(found))


def _chains(graph: Mapping[str, set[str]], start: str) -> Iterator[list[str]]:
    """Every module reachable from `start`, each with the first chain of imports that reaches it."""
    seen, stack = {start}, [[start]]
    while stack:
        chain = stack.pop()
        for imported in sorted(graph.get(chain[-1], ())):
            if imported not in seen:
                seen.add(imported)
                yield [*chain, imported]
                stack.append([*chain, imported])


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The import cycles among the package's own modules (strongly connected components of two or more)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's algorithm
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph[module] & graph.keys()):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1 or module in graph[module]:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def long_functions(package: Path, limit: int = MAX_LINES) -> list[str]:
    """Every function or method in `package` longer than `limit` lines (its def to its last line)."""
    found = []
    for file in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > limit:
                    found.append(f"{file.relative_to(package.parent)}:{node.lineno} {node.name}: {length} lines")
    return found


def documented_contract(text: str) -> dict[str, set[str]]:
    """The table of docs/architecture.md as module → forbidden modules: its first column names modules
    (`model.py`, `render/`), its last ("never imports") lists module names in backquotes."""
    contract: dict[str, set[str]] = {}
    header = None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None if not line.strip() else header
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if header[-1] != "never imports" or set(cells[0]) <= {"-", " "}:
            continue
        for owner in re.findall(r"`([^`]+)`", cells[0]):
            module = "calfeed." + owner.removesuffix(".py").removesuffix("/").replace("/", ".")
            contract[module] = set(re.findall(r"`([^`]+)`", cells[-1]))
    return contract


CONTRACT = documented_contract(ARCHITECTURE.read_text(encoding="utf-8"))


def test_the_contract_is_read_from_the_document():
    assert set(CONTRACT) >= {"calfeed.model", "calfeed.render", "calfeed.http", "calfeed.export", "calfeed.store"}
    assert {"flask", "yaml"} <= CONTRACT["calfeed.model"] and "flask" in CONTRACT["calfeed.render"]
    modules = import_graph(PACKAGE)
    for owner in CONTRACT:
        assert any(covers(owner, module) for module in modules), f"docs/architecture.md names {owner}: not a module"


def test_no_module_imports_what_the_architecture_forbids():
    assert violations(import_graph(PACKAGE), CONTRACT) == []


def test_a_forbidden_import_fails_the_contract(tmp_path):
    """The check is not vacuous: a copy of calfeed whose model imports Flask, or whose renderer imports
    the web app through another module, breaks it, and the message names the chain."""
    copy = tmp_path / "calfeed"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert violations(import_graph(copy), CONTRACT) == []
    model = copy / "model.py"
    model.write_text(model.read_text(encoding="utf-8") + "\nimport flask\n", encoding="utf-8")
    (copy / "render" / "markup.py").write_text("from ..problems import Problem\n", encoding="utf-8")
    problems = copy / "problems.py"
    problems.write_text(problems.read_text(encoding="utf-8") + "\nfrom . import web\n", encoding="utf-8")
    found = violations(import_graph(copy), CONTRACT)
    assert "calfeed.model → flask" in found
    assert any(
        chain.startswith("calfeed.render") and chain.endswith("calfeed.problems → calfeed.web") for chain in found
    )


def test_no_import_cycle_in_the_package():
    assert cycles(import_graph(PACKAGE)) == []


def test_a_cycle_is_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_function_is_longer_than_the_limit():
    assert long_functions(PACKAGE) == [], "split it: no function in calfeed/ is over 60 lines"


def test_a_long_function_is_found(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    body = "\n".join(f"    x{n} = {n}" for n in range(MAX_LINES))
    (package / "long.py").write_text(f"def short():\n    pass\n\n\ndef long():\n{body}\n", encoding="utf-8")
    assert long_functions(package) == [f"pkg/long.py:5 long: {MAX_LINES + 1} lines"]
