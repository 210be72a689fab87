"""`sam init`'s quick starts, each served from a fresh copy with `lambdagate serve` as a new user runs it:
Python 3.9-3.14 hello worlds (their requirements.txt installed), on the matching local interpreter or else the
closest with a notice naming what to install; Node.js 18-24 hello worlds with their npm dependency; the
TypeScript hello world bundled by esbuild, and an ES module variant with more BuildProperties."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import APPS, copy_app
from lambdagate.runtime.catalog import PYTHON_RUNTIMES
from served import Served

pytestmark = pytest.mark.slow
needs_node = pytest.mark.skipif(shutil.which("npm") is None, reason="Node.js and npm are not installed")


@pytest.fixture(scope="module")
def python_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    served = Served(copy_app(tmp_path_factory, "quickstart-python"))
    yield served
    served.close()


@pytest.mark.parametrize("runtime", PYTHON_RUNTIMES)
def test_python_hello_world_runs_on_its_version_or_says_what_to_install(python_app: Served, runtime: str) -> None:
    version = runtime.removeprefix("python")
    reply = python_app.request("GET", f"/hello/{version}")
    assert reply.status == 200, python_app.output
    body = reply.json()
    assert (body["message"], body["runtime"]) == ("hello world", f"AWS_Lambda_{runtime}")
    name = f"HelloWorld{version.replace('.', '')}Function"
    if body["python"] == version:
        assert f"{name}: Runtime {runtime} runs on" not in python_app.output
    else:
        assert re.search(rf"{name}: Runtime {runtime} runs on the local Python {body['python']} \(\S+\): no Python "
                         rf"{version} found on PATH, in pyenv or in uv; install one \(`uv python install {version}` "
                         rf"or `pyenv install {version}`\) and restart", python_app.output)


def test_python_requirements_are_installed_for_each_interpreter(python_app: Served) -> None:
    """Installed once per interpreter into the shared cache (printed only when installed now), linked from the
    project's .lambdagate/build/, never into hello_world/."""
    for runtime in PYTHON_RUNTIMES:
        built = python_app.folder / ".lambdagate" / "build" / f"HelloWorld{runtime[6:].replace('.', '')}Function"
        assert (built / "python-packages" / "requests" / "__init__.py").is_file()
    assert sorted(p.name for p in (python_app.folder / "hello_world").iterdir()) == [
        "__init__.py", "app.py", "requirements.txt"]
    assert "HelloWorld39Function: Runtime python3.9: AWS deprecated it on 2025-12-15; Lambda still invokes such " \
           "functions, and so does lambdagate" in python_app.output


@pytest.fixture(scope="module")
def node_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    if shutil.which("npm") is None:
        pytest.skip("Node.js and npm are not installed")
    served = Served(copy_app(tmp_path_factory, "quickstart-node"))
    yield served
    served.close()


@needs_node
@pytest.mark.parametrize("major", ["18", "20", "22", "24"])
def test_node_hello_world_with_its_npm_dependency(node_app: Served, major: str) -> None:
    reply = node_app.request("GET", f"/hello/{major}")
    assert reply.status == 200, node_app.output
    body = reply.json()
    assert (body["message"], body["runtime"], body["axios"]) == ("hello world", f"AWS_Lambda_nodejs{major}.x",
                                                                 "function")
    local = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    differs = f"HelloWorld{major}Function: Runtime nodejs{major}.x runs on the local node {local} ("
    assert (differs in node_app.output) is (not local.startswith(f"v{major}."))


@pytest.fixture(scope="module")
def ts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_app(tmp_path_factory, "quickstart-ts")


@pytest.fixture(scope="module")
def ts_app(ts_dir: Path) -> Iterator[Served]:
    if shutil.which("npm") is None:
        pytest.skip("Node.js and npm are not installed")
    served = Served(ts_dir)
    yield served
    served.close()


@needs_node
def test_typescript_hello_world_is_bundled_by_esbuild(ts_app: Served) -> None:
    reply = ts_app.request("GET", "/hello")
    assert (reply.status, reply.json()) == (200, {"message": "hello world"})
    assert "HelloWorldFunction: esbuild app.ts (hello-world): done" in ts_app.output


@needs_node
def test_an_es_module_bundle_with_build_properties(ts_app: Served) -> None:
    """Format esm with OutExtension .mjs, a Banner, top-level await, External @aws-sdk/* from the runtime."""
    reply = ts_app.request("GET", "/esm")
    assert reply.status == 200, ts_app.output
    body = reply.json()
    assert (body["message"], body["region"], body["sdk"]) == ("hello esm", "us-east-1", "function")
    assert body["url"].endswith("/handler.mjs")


@needs_node
def test_a_source_mapped_stack_trace_names_the_typescript_file_in_var_task(ts_app: Served, ts_dir: Path) -> None:
    assert ts_app.request("GET", "/hello?fail=1").status == 502
    output = ts_app.settled()
    assert re.search(r'"trace":\["TypeError: failing as asked","    at \w+ \(/var/task/app\.ts:\d+:\d+\)', output)
    assert str(ts_dir) not in output.split("serving on", 1)[1]


@needs_node
def test_the_source_folders_are_left_as_they_were(ts_dir: Path) -> None:
    original = APPS / "quickstart-ts"
    listed = sorted(str(p.relative_to(ts_dir)) for p in ts_dir.rglob("*") if ".lambdagate" not in p.parts)
    assert listed == sorted(str(p.relative_to(original)) for p in original.rglob("*"))


@needs_node
def test_a_code_change_rebuilds_the_bundle(ts_app: Served, ts_dir: Path) -> None:
    source = ts_dir / "hello-world" / "app.ts"
    source.write_text(source.read_text().replace("message: 'hello world'", "message: 'hello again'"))
    deadline = time.monotonic() + 30
    body = None
    while time.monotonic() < deadline:
        body = ts_app.request("GET", "/hello").json()
        if body == {"message": "hello again"}:
            break
        time.sleep(0.2)
    assert body == {"message": "hello again"}, ts_app.output
    assert "HelloWorldFunction: code changed, new environments from the next request on" in ts_app.output
    assert "EsmFunction: code changed" not in ts_app.output
