"""The layout's rules that imports can break (issue 12 §3): the kernel (`yizhan.core`) imports no
domain app, the apps depend on each other without a cycle, and no module takes part in an import
cycle at load time. Read from the source with `ast`, so an import inside a function counts for the
app graph as much as one at the top of a file."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]
KERNEL = "core"
# The project package's own modules (settings, URL and API roots, the CLI) wire every app together.
PROJECT_MODULES = {"settings", "urls", "api", "wsgi", "asgi", "cli", "conftest", "tests", "browser_tests"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_test(path: Path) -> bool:
    parts = path.relative_to(PACKAGE).parts
    return "tests" in parts or "browser_tests" in parts or parts[-1] == "conftest.py"


def _type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.Module, module: str, *, top_level_only: bool) -> set[str]:
    """The yizhan modules `module` imports (all of them, or only those run when it loads)."""
    found: set[str] = set()
    package = module if module.endswith("__init__") else module.rsplit(".", 1)[0]

    def visit(node: ast.AST, nested: bool) -> None:
        if _type_checking_block(node):
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("yizhan"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            if base.startswith("yizhan"):
                found.add(base)
                # `from yizhan.app import module` imports that module.
                found.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            inner = nested or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if top_level_only and inner:
                continue
            visit(child, inner)

    visit(tree, False)
    return found


def _sources() -> dict[str, tuple[Path, ast.Module]]:
    return {
        _module_name(path): (path, ast.parse(path.read_text(encoding="utf-8")))
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
    }


SOURCES = _sources()
MODULES = set(SOURCES)


def _app(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[1] in PROJECT_MODULES or parts[1].endswith(".py"):
        return None
    return parts[1]


def _resolve(name: str) -> str | None:
    """The project module an imported name refers to (a name imported from a module counts as the module)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph`, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := walk(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := walk(node)):
            return found
    return None


def test_the_kernel_imports_no_domain_app():
    offending = []
    for module, (_path, tree) in SOURCES.items():
        if _app(module) != KERNEL:
            continue
        for target in sorted(_imports(tree, module, top_level_only=False)):
            app = _app(target)
            if app is not None and app != KERNEL or target.split(".")[1:2] and target.split(".")[1] in PROJECT_MODULES:
                offending.append(f"{module} imports {target}")
    assert not offending, offending


def test_apps_depend_on_each_other_without_a_cycle():
    graph: dict[str, set[str]] = defaultdict(set)
    for module, (path, tree) in SOURCES.items():
        app = _app(module)
        if app is None or _is_test(path):
            continue
        for target in _imports(tree, module, top_level_only=False):
            other = _app(target)
            if other is not None and other != app:
                graph[app].add(other)
    assert _cycle(graph) is None, f"apps import each other in a cycle: {' → '.join(_cycle(graph))}"


def test_no_module_is_in_an_import_cycle_at_load_time():
    graph: dict[str, set[str]] = defaultdict(set)
    for module, (_path, tree) in SOURCES.items():
        for target in _imports(tree, module, top_level_only=True):
            resolved = _resolve(target)
            if resolved and resolved != module and not module.startswith(f"{resolved}."):
                graph[module].add(resolved)
    assert _cycle(graph) is None, f"modules import each other in a cycle: {' → '.join(_cycle(graph))}"


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}}, None),
        ({"a": {"b"}, "b": {"a"}}, ["a", "b", "a"]),
        ({"a": {"b"}, "b": {"c"}, "c": {"b"}}, ["b", "c", "b"]),
    ],
)
def test_the_cycle_finder_finds_cycles(graph, expected):
    assert _cycle(graph) == expected


def test_the_import_reader_sees_imports_inside_functions():
    tree = ast.parse("import os\ndef f():\n    from yizhan.orgs.models import Unit\n")
    assert _imports(tree, "yizhan.core.x", top_level_only=False) == {"yizhan.orgs.models", "yizhan.orgs.models.Unit"}
    assert _imports(tree, "yizhan.core.x", top_level_only=True) == set()
