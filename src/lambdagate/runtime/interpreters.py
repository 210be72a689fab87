"""Which local Python interpreter runs a `python3.X` function: one of that version when the machine has it, else
the closest version it has (a higher one on a tie), with a notice that names what to install.

Where interpreters are looked for:
- lambdagate's own interpreter;
- `python3.X` on PATH, except version managers' shims (a pyenv shim for a version that is not selected fails
  instead of running);
- pyenv: `$PYENV_ROOT/versions/3.X.Y/bin/python3.X` (default `~/.pyenv`);
- uv's managed interpreters: `cpython-3.X.Y-<platform>/bin/python3.X` under `$UV_PYTHON_INSTALL_DIR`, else
  `$XDG_DATA_HOME/uv/python`, else `~/.local/share/uv/python`.
An interpreter found on PATH is run once (`-c`) to confirm its version before it is used.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

Version = tuple[int, int]
OLDEST = (3, 9)          # awslambdaric and Lambda's oldest Python runtime
_PYENV_VERSION = re.compile(r"^3\.(\d+)\.\d+$")
_UV_VERSION = re.compile(r"^cpython-3\.(\d+)\.\d+-")
_ON_PATH = re.compile(r"^python3\.(\d+)$")
_SHIM_FOLDERS = ("shims",)   # pyenv, asdf, rbenv-style version managers


@dataclass(frozen=True)
class Interpreter:
    executable: str
    version: Version
    own: bool = False      # lambdagate's own: the runtime's packages are already installed for it

    @property
    def dotted(self) -> str:
        return f"{self.version[0]}.{self.version[1]}"

    @property
    def name(self) -> str:
        return f"Python {self.dotted}"


@dataclass(frozen=True)
class Choice:
    wanted: Version
    interpreter: Interpreter

    @property
    def exact(self) -> bool:
        return self.interpreter.version == self.wanted

    def advice(self) -> str:
        """What to install so that the function runs on its own version."""
        wanted = f"{self.wanted[0]}.{self.wanted[1]}"
        return (f"no Python {wanted} found on PATH, in pyenv or in uv; install one (`uv python install {wanted}` "
                f"or `pyenv install {wanted}`) and restart")


def own_interpreter() -> Interpreter:
    return Interpreter(sys.executable, (sys.version_info[0], sys.version_info[1]), own=True)


def version_of(identifier: str) -> Version:
    """(3, 12) for python3.12."""
    major, _, minor = identifier.removeprefix("python").partition(".")
    return int(major), int(minor)


class Interpreters:
    """The interpreters of this machine, looked up once; `environ` and `home` are injectable for tests."""

    _verified: dict[str, bool] = {}      # per process: an interpreter is run once to confirm its version

    def __init__(self, environ: Mapping[str, str] | None = None, home: Path | None = None,
                 own: Interpreter | None = None) -> None:
        self._environ = os.environ if environ is None else environ
        self._home = Path.home() if home is None else home
        self._own = own or own_interpreter()
        self._found: list[Interpreter] | None = None
        self._chosen: dict[Version, Choice] = {}

    def choose(self, wanted: Version) -> Choice:
        if wanted not in self._chosen:
            ranked = sorted(self.found(), key=lambda i: (abs(i.version[1] - wanted[1]) if i.version[0] == wanted[0]
                                                         else 99, -i.version[1], not i.own))
            usable = next((i for i in ranked if self._works(i)), self._own)
            self._chosen[wanted] = Choice(wanted, usable)
        return self._chosen[wanted]

    def found(self) -> list[Interpreter]:
        if self._found is None:
            found = [self._own, *self._on_path(), *self._pyenv(), *self._uv()]
            unique: dict[str, Interpreter] = {}
            for interpreter in found:
                if interpreter.version >= OLDEST:
                    unique.setdefault(os.path.realpath(interpreter.executable), interpreter)
            self._found = list(unique.values())
        return self._found

    def _on_path(self) -> list[Interpreter]:
        out = []
        for folder in self._environ.get("PATH", "").split(os.pathsep):
            if not folder or Path(folder).name in _SHIM_FOLDERS:
                continue
            try:
                names = os.listdir(folder)
            except OSError:
                continue
            for name in sorted(names):
                matched = _ON_PATH.match(name)
                path = os.path.join(folder, name)
                if matched and os.access(path, os.X_OK) and os.path.isfile(path):
                    out.append(Interpreter(path, (3, int(matched.group(1)))))
        return out

    def _pyenv(self) -> list[Interpreter]:
        root = Path(self._environ.get("PYENV_ROOT") or self._home / ".pyenv") / "versions"
        return self._installed(root, _PYENV_VERSION)

    def _uv(self) -> list[Interpreter]:
        root = self._environ.get("UV_PYTHON_INSTALL_DIR")
        if not root:
            data = self._environ.get("XDG_DATA_HOME") or str(self._home / ".local" / "share")
            root = os.path.join(data, "uv", "python")
        return self._installed(Path(root), _UV_VERSION)

    @staticmethod
    def _installed(root: Path, pattern: re.Pattern[str]) -> list[Interpreter]:
        try:
            entries = sorted(root.iterdir(), reverse=True)   # the newest patch release first
        except OSError:
            return []
        out = []
        for entry in entries:
            matched = pattern.match(entry.name)
            if matched:
                executable = entry / "bin" / f"python3.{matched.group(1)}"
                if os.access(executable, os.X_OK):
                    out.append(Interpreter(str(executable), (3, int(matched.group(1)))))
        return out

    def _works(self, interpreter: Interpreter) -> bool:
        """The interpreter runs and is the version its name says."""
        known = True if interpreter.own else self._verified.get(interpreter.executable)
        if known is None:
            try:
                done = subprocess.run([interpreter.executable, "-I", "-c",
                                       "import sys; print('%d.%d' % sys.version_info[:2])"],
                                      capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL)
                known = done.returncode == 0 and done.stdout.strip() == interpreter.dotted
            except (OSError, subprocess.TimeoutExpired):
                known = False
            self._verified[interpreter.executable] = known
        return known
