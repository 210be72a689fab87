"""Which local interpreter runs a python3.X function: the matching one on PATH, in pyenv or in uv, else the closest,
with advice naming what to install. Fake interpreters (scripts that answer the version check) in folders laid out
as PATH, pyenv and uv lay them out; the real run on this machine's interpreters is in test_quickstarts.py."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from lambdagate.runtime.interpreters import Interpreter, Interpreters

OWN = Interpreter("/own/bin/python3.11", (3, 11), own=True)


def fake(path: Path, answers: str | None) -> Path:
    """An executable that prints `answers` for the version check (or fails when None)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho {answers}\n" if answers else "#!/bin/sh\nexit 3\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def machine(tmp_path: Path) -> dict[str, Path]:
    """A PATH folder, a pyenv shims folder, pyenv's versions and uv's interpreters."""
    folders = {"bin": tmp_path / "bin", "shims": tmp_path / ".pyenv" / "shims", "home": tmp_path / "home"}
    fake(folders["bin"] / "python3.12", "3.12")
    fake(folders["bin"] / "python3.9", None)                         # broken: fails the version check
    fake(folders["shims"] / "python3.13", "3.13")                    # a shim: never used
    fake(tmp_path / ".pyenv" / "versions" / "3.10.4" / "bin" / "python3.10", "3.10")
    fake(tmp_path / ".pyenv" / "versions" / "3.13-dev" / "bin" / "python3.13", "3.13")   # not a release
    fake(folders["home"] / ".local/share/uv/python/cpython-3.14.0-linux-x86_64-gnu/bin/python3.14", "3.14")
    return folders


def interpreters(machine: dict[str, Path], tmp_path: Path) -> Interpreters:
    environ = {"PATH": f"{machine['shims']}:{machine['bin']}", "PYENV_ROOT": str(tmp_path / ".pyenv")}
    return Interpreters(environ, machine["home"], OWN)


@pytest.mark.parametrize(("wanted", "chosen", "exact"), [
    ((3, 12), "bin/python3.12", True),                          # python3.X on PATH
    ((3, 10), ".pyenv/versions/3.10.4/bin/python3.10", True),   # pyenv
    ((3, 14), "home/.local/share/uv/python/cpython-3.14.0-linux-x86_64-gnu/bin/python3.14", True),   # uv
    ((3, 11), "/own/bin/python3.11", True),                     # lambdagate's own
    ((3, 13), "home/.local/share/uv/python/cpython-3.14.0-linux-x86_64-gnu/bin/python3.14", False),  # tie: higher
    ((3, 9), ".pyenv/versions/3.10.4/bin/python3.10", False),   # python3.9 on PATH fails its check
])
def test_the_matching_interpreter_else_the_closest(machine: dict[str, Path], tmp_path: Path,
                                                   wanted: tuple[int, int], chosen: str, exact: bool) -> None:
    choice = interpreters(machine, tmp_path).choose(wanted)
    expected = chosen if chosen.startswith("/") else str(tmp_path / chosen)
    assert (choice.interpreter.executable, choice.exact) == (expected, exact)


def test_the_advice_names_what_to_install(machine: dict[str, Path], tmp_path: Path) -> None:
    choice = interpreters(machine, tmp_path).choose((3, 13))
    assert choice.advice() == ("no Python 3.13 found on PATH, in pyenv or in uv; install one "
                               "(`uv python install 3.13` or `pyenv install 3.13`) and restart")


def test_uv_and_pyenv_locations_follow_their_variables(tmp_path: Path) -> None:
    uv = tmp_path / "uv-pythons"
    fake(uv / "cpython-3.12.3-macos-aarch64-none" / "bin" / "python3.12", "3.12")
    found = Interpreters({"PATH": "", "UV_PYTHON_INSTALL_DIR": str(uv)}, tmp_path / "nohome", OWN).choose((3, 12))
    assert found.exact and found.interpreter.executable.startswith(str(uv))
    data = tmp_path / "data"
    fake(data / "uv" / "python" / "cpython-3.10.1-linux-x86_64-gnu" / "bin" / "python3.10", "3.10")
    found = Interpreters({"PATH": "", "XDG_DATA_HOME": str(data)}, tmp_path / "nohome", OWN).choose((3, 10))
    assert found.exact and found.interpreter.executable.startswith(str(data))


def test_with_nothing_else_installed_lambdagates_own_runs_everything(tmp_path: Path) -> None:
    alone = Interpreters({"PATH": ""}, tmp_path / "nohome", OWN)
    for minor in range(9, 15):
        choice = alone.choose((3, minor))
        assert choice.interpreter is OWN and choice.exact is (minor == 11)
