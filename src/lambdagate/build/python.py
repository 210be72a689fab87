"""Python: a function's `requirements.txt` installed as `sam build` installs it (`pip install -r requirements.txt
--target`), and the runtime's own packages for interpreters other than lambdagate's.

Both are installed by the interpreter that runs the function, so that compiled packages fit it; an interpreter
without pip of its own runs lambdagate's pip (pip runs on any supported Python). Dependencies go to the shared
cache under the hash of the requirements file, the interpreter's version and the machine, so that projects and
functions with the same requirements share one install.
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from ..runtime import bundled
from ..runtime.interpreters import Interpreter
from . import cache
from .steps import StepFailed, run

REQUIREMENTS = "requirements.txt"
_PIP_WORKS: dict[str, bool] = {}


def requirements_of(folder: Path) -> Path | None:
    found = folder / REQUIREMENTS
    return found if found.is_file() else None


def packages_key(requirements: Path, interpreter: Interpreter) -> str:
    return cache.digest(requirements.read_bytes(), interpreter.dotted, platform.machine())


def packages_dir(requirements: Path, interpreter: Interpreter) -> Path:
    return bundled.cache_dir() / "python" / "packages" / packages_key(requirements, interpreter)


def pip(interpreter: Interpreter) -> tuple[list[str], dict[str, str]]:
    """The command (and environment) that runs pip for this interpreter."""
    if interpreter.own:
        return [sys.executable, "-m", "pip"], {}
    works = _PIP_WORKS.get(interpreter.executable)
    if works is None:
        done = subprocess.run([interpreter.executable, "-c", "import pip"], capture_output=True, timeout=60,
                              stdin=subprocess.DEVNULL)
        works = _PIP_WORKS[interpreter.executable] = done.returncode == 0
    if works:
        return [interpreter.executable, "-m", "pip"], {}
    # lambdagate's own pip, run by that interpreter: a folder holding only pip, put on its path
    import pip as own_pip

    shelf = bundled.cache_dir() / "tools" / f"pip-{metadata.version('pip')}"
    link = shelf / "pip"
    if not link.exists():
        shelf.mkdir(parents=True, exist_ok=True)
        link.symlink_to(Path(own_pip.__file__).parent, target_is_directory=True)
    return [interpreter.executable, "-m", "pip"], {"PYTHONPATH": str(shelf)}


def pip_install(interpreter: Interpreter, target: Path, arguments: list[str], cwd: Path) -> None:
    command, env = pip(interpreter)
    run([*command, "install", "--disable-pip-version-check", "--no-input", "--quiet", "--target", str(target),
         *arguments], cwd, {**env, "PIP_REQUIRE_VIRTUALENV": "0"})


def install_requirements(requirements: Path, interpreter: Interpreter) -> Path:
    """The requirements installed for the interpreter, from the cache or installed now (a StepFailed if pip
    fails)."""
    return cache.publish(packages_dir(requirements, interpreter), lambda folder: pip_install(
        interpreter, folder, ["-r", str(requirements)], requirements.parent))


def install_runtime_packages(interpreter: Interpreter) -> Path:
    """awslambdaric and boto3, at lambdagate's own versions or the newest before them that the interpreter can
    run (python3.9 has neither awslambdaric 4 nor today's boto3). Without an awslambdaric for the interpreter,
    lambdagate's own (pure Python but for its HTTP client, which only `--python-channel runtime-api` uses) is
    copied in."""
    target = bundled.python_runtime_packages(interpreter)

    def make(folder: Path) -> None:
        ric, boto3 = metadata.version("awslambdaric"), metadata.version("boto3")
        try:
            pip_install(interpreter, folder, [f"awslambdaric=={ric}", f"boto3<={boto3}"], folder)
        except StepFailed:
            pip_install(interpreter, folder, [f"boto3<={boto3}", "simplejson", "snapshot-restore-py"], folder)
            _copy_own_runtime_client(folder)

    return cache.publish(target, make)


def _copy_own_runtime_client(folder: Path) -> None:
    import awslambdaric  # type: ignore[import-untyped]

    source = Path(awslambdaric.__file__).parent
    shutil.copytree(source, folder / "awslambdaric", ignore=shutil.ignore_patterns("__pycache__"))
