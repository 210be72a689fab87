from __future__ import annotations

import contextlib
import io
import shutil
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import RunningGateway
from lambdagate import cli

APPS = Path(__file__).parent / "apps"


@pytest.fixture(scope="module")
def gateway() -> Iterator[RunningGateway]:
    """The conformance app (tests/apps/gateway): one server per test module."""
    running = RunningGateway(APPS / "gateway" / "template.yaml", watch=False)
    yield running
    running.close()


def copy_app(factory: pytest.TempPathFactory, name: str) -> Path:
    """A private copy of tests/apps/<name> (without local state), for tests that change files or read logs."""
    target = factory.mktemp(name) / "app"
    shutil.copytree(APPS / name, target, ignore=shutil.ignore_patterns(".lambdagate"))
    return target


def write_project(folder: Path, template: str, name: str = "template.yaml") -> Path:
    """A project in `folder`: `src/app.py` with a handler, and `template` (dedented) as `name`; its path."""
    (folder / "src").mkdir(exist_ok=True)
    (folder / "src" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    path = folder / name
    path.write_text(textwrap.dedent(template))
    return path


def run_cli(*argv: str, stdin: str = "") -> tuple[int, str]:
    """`lambdagate ARGV` in this process, as `cli.main` runs it: its exit code and what it wrote on stdout, with
    `stdin` as its standard input."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli.main(list(argv))
    return code, out.getvalue()
