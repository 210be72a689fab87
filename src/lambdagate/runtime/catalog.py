"""Every runtime identifier Lambda lists, and what lambdagate does with each.

    python3.9 ... python3.14                  awslambdaric on the local interpreter of that version, else the
                                              closest one (interpreters.py)
    nodejs16.x ... nodejs24.x                 lambdagate's bootstrap on the local `node`
    provided, provided.al2, provided.al2023   the function's own `bootstrap`
    java*, dotnet*, ruby*                     named at start-up; each invocation answers 501 (not emulated)

The identifiers and deprecation dates are those of LDG lambda-runtimes.md (supported and deprecated runtimes,
2026-11; dates as transcribed by terraform-linters/tflint-ruleset-aws aws_lambda_function_deprecated_runtime.go,
python3.14 and nodejs24.x from endoflife.date/aws-lambda). Lambda keeps invoking functions whose runtime it has
deprecated; only creating and then updating them is blocked (LDG runtime-support-policy.md): lambdagate runs them
too, with one start-up notice per runtime.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

Family = Literal["python", "nodejs", "provided", "java", "dotnet", "ruby", "go"]

PYTHON_RUNTIMES = ("python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14")
NODE_RUNTIMES = ("nodejs16.x", "nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x")
PROVIDED_RUNTIMES = ("provided.al2023", "provided.al2", "provided")
SERVED = PYTHON_RUNTIMES + NODE_RUNTIMES + PROVIDED_RUNTIMES
# Runtimes whose language lambdagate does not run (the compiled ones can run as provided.al2023 with a bootstrap).
NOT_EMULATED = {"java": "Java", "dotnet": ".NET", "ruby": "Ruby", "go": "Go"}

DEPRECATION = {
    "python3.14": date(2029, 6, 30), "python3.13": date(2029, 6, 30), "python3.12": date(2028, 10, 31),
    "python3.11": date(2026, 6, 30), "python3.10": date(2026, 6, 30), "python3.9": date(2025, 12, 15),
    "python3.8": date(2024, 10, 14), "python3.7": date(2023, 12, 4), "python3.6": date(2022, 7, 18),
    "python2.7": date(2021, 7, 15), "nodejs24.x": date(2028, 4, 30), "nodejs22.x": date(2027, 4, 30),
    "nodejs20.x": date(2026, 4, 30), "nodejs18.x": date(2025, 9, 1), "nodejs16.x": date(2024, 6, 12),
    "nodejs14.x": date(2023, 12, 4), "nodejs12.x": date(2023, 3, 31), "nodejs10.x": date(2021, 7, 30),
    "provided.al2023": date(2029, 6, 30), "provided.al2": date(2026, 6, 30), "provided": date(2024, 1, 8),
    "go1.x": date(2024, 1, 8), "java8": date(2024, 1, 8), "ruby2.7": date(2023, 11, 27),
}
# The AWS SDK each Node.js runtime carries in /var/runtime/node_modules (LDG lambda-nodejs.md, "Runtime-included
# SDK versions"): version 3 (`@aws-sdk/*`) from nodejs18.x on, version 2 (`aws-sdk`) before.
NODE_SDK_V3_FROM = 18

_FAMILY = re.compile(r"^(python|nodejs|provided|java|dotnet|ruby|go)")


class UnsupportedRuntime(Exception):
    """The function's runtime cannot run here. `fix` says what to install or change."""

    def __init__(self, message: str, fix: str, not_emulated: bool = False) -> None:
        super().__init__(message)
        self.fix = fix
        self.not_emulated = not_emulated  # a language lambdagate does not run (501), not a missing local tool


@dataclass(frozen=True)
class Runtime:
    identifier: str
    family: Family | None
    version: str              # "3.12" for python3.12, "22" for nodejs22.x, "al2023" for provided.al2023

    @property
    def served(self) -> bool:
        return self.identifier in SERVED

    @property
    def major(self) -> int:
        """Node.js's major version (22 for nodejs22.x)."""
        return int(self.version) if self.version.isdigit() else 0

    def deprecated_on(self, today: date) -> date | None:
        """The day AWS deprecated this runtime, when that day has come."""
        deprecated = DEPRECATION.get(self.identifier)
        return deprecated if deprecated is not None and deprecated <= today else None


def runtime(identifier: str) -> Runtime:
    found = _FAMILY.match(identifier)
    family: Family | None = found.group(1) if found else None  # type: ignore[assignment]
    version = identifier[found.end():] if found else ""
    if family == "nodejs":
        version = version.removesuffix(".x")
    elif family == "provided":
        version = version.lstrip(".")
    return Runtime(identifier, family, version)


def refusal(identifier: str) -> UnsupportedRuntime:
    """Why a runtime that is not served cannot run, and what to do instead."""
    described = runtime(identifier)
    served = f"lambdagate runs {PYTHON_RUNTIMES[0]}...{PYTHON_RUNTIMES[-1]}, {NODE_RUNTIMES[0]}..." \
             f"{NODE_RUNTIMES[-1]} and {', '.join(PROVIDED_RUNTIMES)}"
    language = NOT_EMULATED.get(described.family or "")
    if language is not None:
        return UnsupportedRuntime(
            f"Runtime {identifier}: lambdagate does not run {language} functions; requests to it answer 501",
            f"{served}; a compiled function can run as provided.al2023 with its own `bootstrap` executable.",
            not_emulated=True)
    if described.family in ("python", "nodejs"):
        retired = DEPRECATION.get(identifier)
        when = f" (AWS deprecated it on {retired.isoformat()})" if retired else ""
        return UnsupportedRuntime(f"Runtime {identifier}{when} is older than lambdagate runs",
                                  f"Move the function to a runtime AWS supports; {served}.")
    return UnsupportedRuntime(f"Runtime {identifier!r} is not a runtime Lambda lists",
                              f"Set Runtime to one of Lambda's identifiers; {served}.")
