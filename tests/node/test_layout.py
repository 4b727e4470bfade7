"""The package's shape, checked: every module imports alone, imports run one way (no cycle, no
import of the assembly modules, none hidden inside a function), and SQL lives only with the
store and the tables' owner modules."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "node"

# Where SQL text may be written: the store (connection, transactions), its migrations and
# backups (statements about the file itself), and the tables' owner modules.
SQL_HOMES = ("node/store.py", "node/sqlite.py", "node/migrations.py", "node/backup.py")
SQL_HOME_PACKAGES = ("node/tables/",)

# The modules that assemble the others: nothing below them may import them.
ASSEMBLY = ("node.app", "node.cli", "node.__main__")

# SPARQL also starts with SELECT; its patterns sit in braces, which SQL never has.
SPARQL = re.compile(r"\bWHERE\s*\{")
SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|(INSERT|REPLACE)\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
    r"CREATE\s+(TABLE|INDEX|UNIQUE\s+INDEX|TRIGGER)|PRAGMA\s|SAVEPOINT\s|WHERE\s+\w+\s*(=|IN|IS))"
    # a statement's first word alone, as the first part of an f-string (f"SELECT COUNT(*) {rest}"),
    # and a statement in lower case (prose starts with a capital: "Select the place…")
    r"|^\s*SELECT\s|\bselect\s.+\sfrom\s+\w+",
    re.DOTALL,
)
# Calls that run SQL: only the store and the owners make them.
SQL_CALLS = frozenset({"execute", "executemany", "executescript", "integer"})


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def resolve(path: Path, node: ast.ImportFrom) -> str:
    """The absolute module an import names (`from ..store import X` in node/access/badge.py
    is node.store)."""
    if node.level == 0:
        return node.module or ""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def node_imports(path: Path, tree: ast.AST) -> Iterator[tuple[ast.stmt, list[str]]]:
    """Every import statement of a `node` module, with the modules it names (a `from . import
    x` names node.…x when x is a module)."""
    for stmt in ast.walk(tree):
        if isinstance(stmt, ast.Import):
            names = [a.name for a in stmt.names if a.name.split(".")[0] == "node"]
        elif isinstance(stmt, ast.ImportFrom):
            base = resolve(path, stmt)
            if base.split(".")[0] != "node":
                continue
            names = []
            for alias in stmt.names:
                sub = f"{base}.{alias.name}"
                exists = (ROOT / Path(*sub.split(".")).with_suffix(".py")).exists() or (
                    ROOT / Path(*sub.split(".")) / "__init__.py"
                ).exists()
                names.append(sub if exists else base)
        else:
            continue
        if names:
            yield stmt, names


def type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for stmt in ast.walk(tree):
        if isinstance(stmt, ast.If) and "TYPE_CHECKING" in ast.unparse(stmt.test):
            for inner in stmt.body:
                for sub in ast.walk(inner):
                    if hasattr(sub, "lineno"):
                        lines.add(sub.lineno)
    return lines


def function_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for stmt in ast.walk(tree):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for sub in ast.walk(stmt):
                if hasattr(sub, "lineno") and sub is not stmt:
                    lines.add(sub.lineno)
    return lines


def packages_run_first(name: str) -> list[str]:
    """The packages below `node` whose `__init__` runs before `name` is imported: importing
    node.tables.follows runs node/tables/__init__.py, which imports every owner."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(2, len(parts))]


def import_graph() -> dict[str, set[str]]:
    """Module → the node modules it imports when it is imported (not for type checking)."""
    graph: dict[str, set[str]] = {}
    for path in modules():
        tree = ast.parse(path.read_text(), str(path))
        typing_only = type_checking_lines(tree)
        edges = graph.setdefault(module_name(path), set())
        for stmt, names in node_imports(path, tree):
            if stmt.lineno not in typing_only:
                imported = {p for n in names for p in (*packages_run_first(n), n)}
                edges.update(n for n in imported if n != module_name(path))
    return graph


def test_no_import_inside_a_function() -> None:
    """A function-local import of a node module only hides a cycle."""
    hidden = []
    for path in modules():
        tree = ast.parse(path.read_text(), str(path))
        inside = function_lines(tree)
        for stmt, names in node_imports(path, tree):
            if stmt.lineno in inside:
                hidden.append(f"{relative(path)}:{stmt.lineno} imports {', '.join(names)}")
    assert hidden == []


def test_no_module_imports_the_assembly() -> None:
    """`app` and `cli` assemble the node; a lower module that needs the node takes
    `context.Node`, so not even a type-only import of them is allowed."""
    upward = []
    for path in modules():
        name = module_name(path)
        if name in ASSEMBLY:
            continue
        tree = ast.parse(path.read_text(), str(path))
        for stmt, names in node_imports(path, tree):
            for imported in names:
                if imported in ASSEMBLY:
                    upward.append(f"{relative(path)}:{stmt.lineno} imports {imported}")
    assert upward == []


def test_imports_have_no_cycle() -> None:
    """Imports run one way: from a module, no chain of imports leads back to it (a package
    importing its own submodules, as `tables/__init__` does, is the package, not a cycle)."""
    graph = import_graph()
    for name, edges in graph.items():
        # a submodule importing its package's __init__ that imports it back is the same file
        # tree, not a layer running back up, as long as __init__ only gathers
        graph[name] = {e for e in edges if not name.startswith(e + ".")}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for nxt in sorted(graph.get(module, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert [" -> ".join(c) for c in cycles] == []


def sql_texts(tree: ast.AST) -> Iterator[tuple[int, str]]:
    docstrings = {
        id(body[0].value)
        for stmt in ast.walk(tree)
        if isinstance(stmt, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and (body := stmt.body)
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
    }
    for sub in ast.walk(tree):
        if (
            isinstance(sub, ast.Constant)
            and isinstance(sub.value, str)
            and id(sub) not in docstrings
            and SQL.search(sub.value)
            and not SPARQL.search(sub.value)
        ):
            yield sub.lineno, sub.value


def test_sql_lives_with_the_tables() -> None:
    """Routes, CLIs and handlers call the owner modules' functions, never SQL."""
    stray = []
    for path in modules():
        rel = relative(path)
        if rel in SQL_HOMES or rel.startswith(SQL_HOME_PACKAGES):
            continue
        tree = ast.parse(path.read_text(), str(path))
        stray += [f"{rel}:{lineno}" for lineno, _ in sql_texts(tree)]
    assert stray == [], "SQL outside node/tables"


def test_only_the_store_and_the_owners_run_statements() -> None:
    """SQL built elsewhere would still need a connection's `execute`: none is called outside."""
    calls = []
    for path in modules():
        rel = relative(path)
        if rel in SQL_HOMES or rel.startswith(SQL_HOME_PACKAGES):
            continue
        for sub in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(sub, ast.Call)
                and isinstance(sub.func, ast.Attribute)
                and sub.func.attr in SQL_CALLS
            ):
                calls.append(f"{rel}:{sub.lineno} .{sub.func.attr}()")
    assert calls == []


def test_the_detector_sees_sql() -> None:
    tree = ast.parse('X = "SELECT id FROM follows WHERE follower = ?"\nY = f"UPDATE t SET a = {1}"')
    assert len(list(sql_texts(tree))) == 2
    for hidden in (
        'f"SELECT COUNT(*) {where}"',
        'f"SELECT document {rest} ORDER BY a"',
        '"select id from follows where follower = ?"',
        '"REPLACE INTO t (a) VALUES (?)"',
    ):
        assert list(sql_texts(ast.parse(f"X = {hidden}"))), hidden
    prose = ast.parse('MESSAGE = "Select the place you want to follow, then update its page."')
    assert list(sql_texts(prose)) == []


def _imports_alone(name: str) -> tuple[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", f"import {name}"], capture_output=True, text=True, cwd=ROOT
    )
    return name, done.stderr.strip().splitlines()[-1] if done.returncode else ""


@pytest.mark.parametrize("package", ["node"])
def test_every_module_imports_alone(package: str) -> None:
    """Importing any one module first works: no module relies on another having been imported
    before it to break a cycle."""
    names = [module_name(p) for p in modules() if module_name(p) != "node.__main__"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        failures = {n: err for n, err in pool.map(_imports_alone, names) if err}
    assert failures == {}
