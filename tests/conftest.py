from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import RunningGateway

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
