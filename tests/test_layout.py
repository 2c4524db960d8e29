"""The house's rules about its own shape, checked on the source: each module's public names in
`__all__` (as httpx checks its own), dependencies pointing one way, test support in
tests/support, and the `slow` marker on the tests that start processes."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.settings import ROOT

PACKAGES = ("bot", "retrieval", "ingest")
# Alembic's revision scripts are loaded by path, not imported: no public API.
NOT_MODULES = ("retrieval/store/migrations/", "__main__.py")
# Module-level names that are not part of an API.
NOT_API = {"logger"}


def _modules() -> Iterator[Path]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if not any(part in path.relative_to(ROOT).as_posix() for part in NOT_MODULES):
                yield path


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _defined(tree: ast.Module) -> set[str]:
    """The public names a module defines itself (not the ones it imports)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {n for n in names if not n.startswith("_") and n not in NOT_API}


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (function-level imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def _files(*folders: str) -> list[Path]:
    return [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]


@pytest.mark.parametrize("path", list(_modules()), ids=lambda p: _module_name(p))
def test_all_lists_exactly_the_public_names(path: Path) -> None:
    module = importlib.import_module(_module_name(path))
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{path.relative_to(ROOT)} has no __all__"
    assert len(exported) == len(set(exported)), "a name listed twice"
    missing = [name for name in exported if not hasattr(module, name)]
    assert not missing, f"listed but not defined: {missing}"
    if path.name != "__init__.py":  # a package's __all__ re-exports what it chooses
        unlisted = _defined(ast.parse(path.read_text())) - set(exported)
        assert not unlisted, f"public but not in __all__ (or make it _private): {unlisted}"


def _top(module: str) -> str:
    return module.split(".")[0]


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("ingest", {"bot", "tests"}),
        ("retrieval", {"bot", "ingest", "tests"}),
        ("bot", {"tests"}),
        ("bench", {"tests"}),
        ("docs", {"tests"}),
    ],
)
def test_dependencies_point_one_way(folder: str, forbidden: set[str]) -> None:
    wrong = {
        f"{path.relative_to(ROOT)} imports {module}"
        for path in _files(folder)
        for module in _imports(path)
        if _top(module) in forbidden
    }
    assert not wrong


def test_bot_has_no_sql_or_vector_code() -> None:
    storage = {"sqlalchemy", "alembic", "psycopg", "faiss", "bm25s", "numpy", "sqlite3"}
    wrong = {
        f"{path.relative_to(ROOT)} imports {module}"
        for path in _files("bot")
        for module in _imports(path)
        if _top(module) in storage
    }
    assert not wrong


def test_telegram_is_spoken_only_in_bot_telegram() -> None:
    outside = [p for p in _files("bot", "retrieval", "ingest") if "bot/telegram" not in str(p)]
    wrong = {
        f"{path.relative_to(ROOT)} imports {module}"
        for path in outside
        for module in _imports(path)
        if _top(module) == "telegram"
    }
    assert not wrong


def test_no_test_module_imports_another() -> None:
    wrong = {
        f"{path.relative_to(ROOT)} imports {module}"
        for path in _files("tests")
        for module in _imports(path)
        if _top(module) == "tests" and not module.startswith("tests.support")
    }
    assert not wrong


def test_tests_that_start_processes_are_marked_slow() -> None:
    starts = ("run_cli(", "subprocess.run(", "subprocess.Popen(", "ANSWER_WORKERS=")
    unmarked = []
    for path in _files("tests"):
        if not path.name.startswith("test_") or path.name == "test_layout.py":
            continue
        source = path.read_text()
        for node in ast.parse(source).body:
            if not isinstance(node, ast.FunctionDef) or not node.name.startswith("test_"):
                continue
            body = ast.get_source_segment(source, node) or ""
            marks = {ast.unparse(d) for d in node.decorator_list}
            if any(s in body for s in starts) and "pytest.mark.slow" not in marks:
                unmarked.append(f"{path.relative_to(ROOT)}::{node.name}")
    assert not unmarked
