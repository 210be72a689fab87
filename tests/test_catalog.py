"""Every runtime identifier Lambda lists is accepted (LDG lambda-runtimes.md); deprecated ones run with a notice,
as Lambda still invokes them; Java, .NET and Ruby are named and answer 501."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lambdagate.definition.model.function import Function
from lambdagate.definition.model.location import Location
from lambdagate.runtime.catalog import (
    NODE_RUNTIMES,
    PROVIDED_RUNTIMES,
    PYTHON_RUNTIMES,
    UnsupportedRuntime,
    refusal,
    runtime,
)
from lambdagate.runtime.interpreters import Interpreter, Interpreters
from lambdagate.runtime.launchers import Runtimes

TODAY = date(2026, 12, 2)

LISTED = [
    # (identifier, family, version, deprecated by TODAY) -- LDG lambda-runtimes.md, supported and deprecated tables
    ("python3.9", "python", "3.9", date(2025, 12, 15)),
    ("python3.10", "python", "3.10", date(2026, 6, 30)),
    ("python3.11", "python", "3.11", date(2026, 6, 30)),
    ("python3.12", "python", "3.12", None),
    ("python3.13", "python", "3.13", None),
    ("python3.14", "python", "3.14", None),
    ("nodejs16.x", "nodejs", "16", date(2024, 6, 12)),
    ("nodejs18.x", "nodejs", "18", date(2025, 9, 1)),
    ("nodejs20.x", "nodejs", "20", date(2026, 4, 30)),
    ("nodejs22.x", "nodejs", "22", None),
    ("nodejs24.x", "nodejs", "24", None),
    ("provided", "provided", "", date(2024, 1, 8)),
    ("provided.al2", "provided", "al2", date(2026, 6, 30)),
    ("provided.al2023", "provided", "al2023", None),
]


@pytest.mark.parametrize(("identifier", "family", "version", "deprecated"), LISTED, ids=[c[0] for c in LISTED])
def test_every_listed_runtime_is_served(identifier: str, family: str, version: str, deprecated: date | None) -> None:
    described = runtime(identifier)
    assert (described.family, described.version, described.served) == (family, version, True)
    assert described.deprecated_on(TODAY) == deprecated


def test_the_lists_hold_exactly_the_listed_identifiers() -> None:
    assert set(PYTHON_RUNTIMES + NODE_RUNTIMES + PROVIDED_RUNTIMES) == {c[0] for c in LISTED}


@pytest.mark.parametrize(("identifier", "message", "not_emulated"), [
    ("java21", "Runtime java21: lambdagate does not run Java functions; requests to it answer 501", True),
    ("java8.al2", "Runtime java8.al2: lambdagate does not run Java functions; requests to it answer 501", True),
    ("dotnet8", "Runtime dotnet8: lambdagate does not run .NET functions; requests to it answer 501", True),
    ("ruby3.4", "Runtime ruby3.4: lambdagate does not run Ruby functions; requests to it answer 501", True),
    ("go1.x", "Runtime go1.x: lambdagate does not run Go functions; requests to it answer 501", True),
    ("python3.8", "Runtime python3.8 (AWS deprecated it on 2024-10-14) is older than lambdagate runs", False),
    ("nodejs14.x", "Runtime nodejs14.x (AWS deprecated it on 2023-12-04) is older than lambdagate runs", False),
    ("cobol", "Runtime 'cobol' is not a runtime Lambda lists", False),
])
def test_what_is_not_served_is_named_with_what_to_do(identifier: str, message: str, not_emulated: bool) -> None:
    refused = refusal(identifier)
    assert (str(refused), refused.not_emulated) == (message, not_emulated)
    assert "lambdagate runs python3.9...python3.14, nodejs16.x...nodejs24.x" in refused.fix


def _function(runtime_id: str) -> Function:
    return Function("Fn", "Fn", "arn:aws:lambda:us-east-1:123456789012:function:Fn", runtime_id, "app.handler",
                    "/tmp", location=Location("template.yaml", 14))


def _runtimes(tmp_path: Path) -> Runtimes:
    own = Interpreter("/own/python3.12", (3, 12), own=True)
    return Runtimes(tmp_path, interpreters=Interpreters({"PATH": ""}, tmp_path, own), today=TODAY)


def test_start_up_notes_name_the_local_version_and_the_deprecation(tmp_path: Path) -> None:
    runtimes = _runtimes(tmp_path)
    assert runtimes.check(_function("python3.12")) == []
    assert runtimes.check(_function("python3.9")) == [
        "Runtime python3.9 runs on the local Python 3.12 (/own/python3.12): no Python 3.9 found on PATH, in pyenv or "
        "in uv; install one (`uv python install 3.9` or `pyenv install 3.9`) and restart",
        "Runtime python3.9: AWS deprecated it on 2025-12-15; Lambda still invokes such functions, and so does "
        "lambdagate"]
    assert runtimes.check(_function("provided.al2023")) == []


def test_a_language_lambdagate_does_not_run_is_named_with_its_place(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedRuntime) as refused:
        _runtimes(tmp_path).check(_function("dotnet8"))
    assert str(refused.value) == ("template.yaml:14: Fn: Runtime dotnet8: lambdagate does not run .NET functions; "
                                  "requests to it answer 501")
    assert refused.value.not_emulated
