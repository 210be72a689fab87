"""The code watcher sees only code: lambdagate's own writes, bytecode caches, `sam build`'s output, version control,
tool caches and editor files do not recycle a function; a change recycles only the functions whose folders hold
it, once per batch of changes."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import copy_app
from harness import RunningGateway
from lambdagate.definition.model.function import Build, Function
from lambdagate.runtime.watch import counts_as_code, outermost, sources, touched

CASES = [
    ("app.py", True),
    ("hello_world/app.py", True),
    ("template.yaml", True),                       # in the package of a CodeUri: . function, as on Lambda
    ("node_modules/axios/index.js", True),         # an npm install is a code change
    ("lib/data.json", True),
    (".lambdagate/logs/store.jsonl", False),        # lambdagate's own state: logs, builds
    (".lambdagate/build/Fn/code/app.js", False),
    ("__pycache__/app.cpython-312.pyc", False),
    ("pkg/__pycache__/mod.cpython-312.pyc", False),
    ("app.pyc", False),
    (".aws-sam/build/HelloWorldFunction/app.py", False),
    (".git/index", False),
    (".git", False),
    ("node_modules/.cache/esbuild/x", False),
    (".pytest_cache/v/cache/lastfailed", False),
    (".mypy_cache/3.12/app.data.json", False),
    (".venv/lib/python3.12/site-packages/x.py", False),
    (".app.py.swp", False),                         # vim
    ("4913", False),                                # vim's write test
    ("app.py~", False),                             # backup
    (".#app.py", False),                            # emacs lock
    ("#app.py#", False),                            # emacs auto-save
    (".DS_Store", False),
    ("app.py___jb_tmp___", True),                   # not JetBrains' pattern (needs the leading dot)
    ("app.py.___jb_tmp___", False),
]


@pytest.mark.parametrize(("relative", "code"), CASES, ids=[c[0] for c in CASES])
def test_what_counts_as_code(relative: str, code: bool) -> None:
    assert counts_as_code(tuple(relative.split("/"))) is code


def _function(name: str, code_dir: str, **more: object) -> Function:
    return Function(name, name, f"arn:aws:lambda:us-east-1:123456789012:function:{name}", "python3.12",
                    "app.handler", code_dir, **more)  # type: ignore[arg-type]


def test_a_change_touches_the_functions_whose_folders_hold_it_each_once() -> None:
    root, sub = _function("Root", "/p"), _function("Sub", "/p/sub")
    folders = {"/p": [root], "/p/sub": [sub]}
    assert touched(["/p/root.py", "/p/root.py"], folders) == [root]
    assert touched(["/p/sub/sub.py"], folders) == [root, sub]        # sub/ is in Root's package too
    assert touched(["/p/.lambdagate/logs/x", "/p/sub/__pycache__/sub.pyc"], folders) == []
    assert touched(["/elsewhere/x.py", "/pizza.py"], folders) == []


def test_the_ignore_rules_apply_below_the_watched_folder() -> None:
    """A template served from `.aws-sam/build/` still sees `sam build` rewrite its code."""
    built = _function("Fn", "/p/.aws-sam/build/Fn")
    assert touched(["/p/.aws-sam/build/Fn/app.py"], {"/p/.aws-sam/build/Fn": [built]}) == [built]


def test_a_built_function_is_watched_in_its_source_and_its_layers_sources() -> None:
    build = Build("Fn", "esbuild", "/p/src")
    layer = Build("Layer", "python3.12", "/p/layer-src")
    fn = _function("Fn", "/p/.lambdagate/build/Fn/code", build=build, layers=("/built/layer", "/plain/layer"),
                   layer_builds=(("/built/layer", layer),))
    assert sources(fn) == ["/p/src", "/p/layer-src", "/plain/layer"]
    assert outermost(["/p/src", "/p", "/q", "/p/src/x"]) == ["/p", "/q"]


# -- end to end: CodeUri . holds lambdagate's own state ------------------------------------------------------------
@pytest.fixture(scope="module")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_app(tmp_path_factory, "code-dot")


@pytest.fixture(scope="module")
def served(app_dir: Path) -> Iterator[RunningGateway]:
    running = RunningGateway(app_dir / "template.yaml", watch=True)
    yield running
    running.close()


def test_ten_sequential_requests_to_a_codeuri_dot_function_give_one_cold_start(served: RunningGateway) -> None:
    pids = set()
    for _ in range(10):
        reply = served.request("GET", "/root")
        assert reply.status == 200
        pids.add(reply.body.split(b"pid=")[1])
        time.sleep(0.05)   # the recorder writes logs to .lambdagate/ meanwhile; the watcher must not see them
    time.sleep(0.6)        # past the watcher's debounce
    assert served.request("GET", "/root").status == 200
    console = served.settled()
    reports = [line for line in console.splitlines() if "[RootFunction] REPORT" in line]
    assert len(reports) == 11
    assert sum("Init Duration" in line for line in reports) == 1
    assert len(pids) == 1
    assert "code changed" not in console


def _until(served: RunningGateway, path: str, prefix: bytes) -> bytes:
    deadline = time.time() + 10
    body = b""
    while time.time() < deadline:
        body = served.request("GET", path).body
        if body.startswith(prefix):
            return body
        time.sleep(0.1)
    return body


def test_a_change_recycles_only_the_functions_whose_code_it_is(served: RunningGateway, app_dir: Path) -> None:
    sub_before = served.request("GET", "/sub").body
    source = app_dir / "root.py"
    source.write_text(source.read_text().replace('VERSION = "one"', 'VERSION = "two"'))
    assert _until(served, "/root", b"two ").startswith(b"two ")
    assert served.request("GET", "/sub").body == sub_before       # same environment: not recycled
    console = served.console
    assert "RootFunction: code changed" in console and "SubFunction: code changed" not in console
    assert len(re.findall(r"RootFunction: code changed", console)) == 1


def test_a_change_in_a_subfolder_is_code_of_both(served: RunningGateway, app_dir: Path) -> None:
    source = app_dir / "sub" / "sub.py"
    source.write_text(source.read_text().replace('VERSION = "one"', 'VERSION = "three"'))
    assert _until(served, "/sub", b"three ").startswith(b"three ")
    assert "SubFunction: code changed" in served.console
