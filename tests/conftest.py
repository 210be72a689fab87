from __future__ import annotations

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
