"""Builds are cached by the hash of what they are made from, and published whole.

A build is made in a temporary folder next to its final place and renamed into place when it is complete, under
a lock, so that two lambdagate processes never half-use or double-build one entry. A function's build is reached
through a stable symbolic link in the project's `.lambdagate/build/<LogicalId>/`, switched atomically to a new
build, so that running environments and the code watcher keep one path.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..runtime.bundled import COMPLETE
from ..runtime.watch import counts_as_code

LARGE_FILE = 1 << 20    # files above 1 MB are hashed by size and modification time, not content
PACKAGE_FOLDERS = ("node_modules",)   # dependencies: hashed through package.json and its lock file instead


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big") + data)
    return h.hexdigest()[:16]


def code_files(folder: Path) -> Iterator[Path]:
    """The files of a source folder that count as code (runtime/watch.py), without installed dependencies."""
    for root, dirs, files in os.walk(folder):
        relative = Path(root).relative_to(folder).parts
        dirs[:] = sorted(d for d in dirs if d not in PACKAGE_FOLDERS and counts_as_code((*relative, d, "x")))
        for name in sorted(files):
            if counts_as_code((*relative, name)):
                yield Path(root) / name


def tree_hash(folder: Path, *extra: str) -> str:
    h = hashlib.sha256()
    for part in extra:
        h.update(part.encode() + b"\0")
    for path in code_files(folder):
        try:
            stat = path.stat()
        except OSError:
            continue
        h.update(str(path.relative_to(folder)).encode() + b"\0")
        if stat.st_size > LARGE_FILE:
            h.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
        else:
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def publish(final: Path, make: Callable[[Path], None]) -> Path:
    """`final`, made by `make(temporary_folder)` unless it is already complete."""
    with locked(final):
        if (final / COMPLETE).is_file():
            return final
        temporary = final.with_name(f"{final.name}.tmp-{uuid.uuid4().hex[:8]}")
        temporary.mkdir(parents=True)
        try:
            make(temporary)
            (temporary / COMPLETE).write_text("")
            if final.exists():
                shutil.rmtree(final)     # an incomplete earlier attempt
            temporary.rename(final)
        finally:
            if temporary.exists():
                shutil.rmtree(temporary, ignore_errors=True)
        return final


def point(link: Path, target: Path) -> Path:
    """Make `link` a symbolic link to `target`, atomically; returns `link`."""
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() and Path(os.readlink(link)) == target:
        return link
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)
    temporary = link.with_name(f".{link.name}.{uuid.uuid4().hex[:8]}")
    temporary.symlink_to(target, target_is_directory=True)
    os.replace(temporary, link)
    return link


def prune(folder: Path, keep: Iterable[Path]) -> None:
    """Remove the earlier builds in a function's build folder, keeping those still linked."""
    kept = {p.resolve() for p in keep}
    for entry in folder.iterdir() if folder.is_dir() else ():
        if entry.is_dir() and not entry.is_symlink() and entry.resolve() not in kept and ".tmp-" not in entry.name:
            with contextlib.suppress(OSError):
                shutil.rmtree(entry)
