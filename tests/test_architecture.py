"""The shape of the code, checked: no two parts import each other, and every package opens with its map."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import lambdagate

ROOT = Path(lambdagate.__file__).parent


def _part(path: Path) -> str:
    """A top-level module or package: `gateway`, `observe`, `definition`, ..."""
    return path.relative_to(ROOT).with_suffix("").parts[0]


def _imports() -> dict[str, set[str]]:
    """Part -> the parts it imports (relative imports, TYPE_CHECKING ones included)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for path in ROOT.rglob("*.py"):
        me = _part(path)
        folder = list(path.relative_to(ROOT).parts[:-1])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.level:
                continue
            base = folder[:len(folder) - node.level + 1]
            target = base + (node.module.split(".") if node.module else [])
            parts = [target[0]] if target else [alias.name for alias in node.names]
            graph[me].update(p for p in parts if p != me)
    return graph


def test_no_two_parts_import_each_other() -> None:
    graph = _imports()
    cycles = sorted({tuple(sorted((a, b))) for a, targets in graph.items() for b in targets if a in graph.get(b, ())})
    assert cycles == []


def test_the_request_record_imports_neither_gateway_nor_observe() -> None:
    graph = _imports()
    assert not graph["exchange"] & {"gateway", "observe"}
    assert "observe" not in graph["gateway"] and "gateway" not in graph["observe"]


def test_every_package_opens_with_a_docstring() -> None:
    for init in ROOT.rglob("__init__.py"):
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), init


def test_the_model_is_values_that_import_only_each_other() -> None:
    """definition/model/ is what every part reads: it may import nothing of lambdagate's outside itself."""
    for path in (ROOT / "definition" / "model").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 1 or node.module in ("__future__", "dataclasses", "typing"), (path, node.module)
            assert not isinstance(node, ast.Import), path


def test_no_module_is_over_400_lines() -> None:
    """The project's rule: when a module grows past 400 lines, it is split by concept."""
    sizes = {path: len(path.read_text(encoding="utf-8").splitlines()) for path in ROOT.rglob("*.py")}
    assert {str(path.relative_to(ROOT)): n for path, n in sizes.items() if n > 400} == {}


def test_definitions_are_read_without_the_request_path() -> None:
    """Templates -> the model needs nothing of serving: a template can be loaded (doctor, explain, build) without
    the pipelines, the Lambda runtime or the observers."""
    serving = {"gateway", "httpapi", "dispatch", "runtime", "observe", "auth", "authorization", "runner", "server",
               "sync", "dashboard"}
    assert _imports()["definition"] & serving == set()


def test_the_rest_and_http_api_pipelines_meet_only_in_dispatch() -> None:
    graph = _imports()
    assert "httpapi" not in graph["gateway"] and not graph["httpapi"] & {"gateway", "dispatch"}
