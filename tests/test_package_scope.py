"""Builds have no package scope above them, as /var/task and /opt on Lambda: a project whose package.json says
`"type": "module"` and whose esbuild functions bundle from its root (the Powertools TypeScript example app's shape,
tests/apps/module-scope) serves its CommonJS bundle as CommonJS and its ES module bundle as an ES module
(build/node.py end_package_scope). Served by `lambdagate serve` in a subprocess, over real HTTP, on the real node."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import APPS, copy_app
from lambdagate.build.node import end_package_scope
from served import Served

needs_node = pytest.mark.skipif(shutil.which("npm") is None, reason="Node.js and npm are not installed")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_app(tmp_path_factory, "module-scope")


@pytest.fixture(scope="module")
def served(project: Path) -> Iterator[Served]:
    if shutil.which("npm") is None:
        pytest.skip("Node.js and npm are not installed")
    running = Served(project)
    yield running
    running.close()


@needs_node
def test_a_commonjs_bundle_under_a_type_module_project_loads_as_commonjs(served: Served) -> None:
    reply = served.request("GET", "/cjs")
    assert reply.status == 200, served.output
    assert reply.json() == {"format": "cjs", "loadedAs": "commonjs"}


@needs_node
def test_an_es_module_bundle_still_loads_as_an_es_module(served: Served) -> None:
    reply = served.request("GET", "/esm")
    assert reply.status == 200, served.output
    assert reply.json() == {"format": "esm", "ready": "ready", "url": "put-item.mjs"}


@needs_node
def test_the_scope_ends_in_lambdagates_build_folder_not_in_the_project(served: Served, project: Path) -> None:
    boundary = project / ".lambdagate" / "build" / "package.json"
    assert "type" not in json.loads(boundary.read_text())
    assert json.loads((project / "package.json").read_text())["type"] == "module"
    assert sorted(p.name for p in project.iterdir() if p.name != ".lambdagate") == sorted(
        p.name for p in (APPS / "module-scope").iterdir())


def test_end_package_scope_keeps_a_boundary_that_is_there(tmp_path: Path) -> None:
    end_package_scope(tmp_path / "build")
    written = (tmp_path / "build" / "package.json").read_text()
    assert json.loads(written).keys() == {"description"}
    end_package_scope(tmp_path / "build")
    assert (tmp_path / "build" / "package.json").read_text() == written
