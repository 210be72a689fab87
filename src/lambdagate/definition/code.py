"""Where a function's code is on this machine: a folder as is, a .zip unpacked as Lambda unpacks it, inline code
written to the file CloudFormation would create. Everything lambdagate writes goes under the state folder
(`.lambdagate/` next to the definition), or, when that cannot be written, a folder of the user's in the temporary
folder (`spare_folder`)."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from pathlib import Path


def spare_folder(state_dir: Path) -> Path:
    """Where to keep what `state_dir` should hold when it cannot be written: a folder of this user's in the
    temporary folder, one per state folder, reused by the next run."""
    tag = hashlib.sha256(str(state_dir).encode()).hexdigest()[:12]
    user = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"lambdagate-{user}" / tag


class CodeStore:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir

    def folder(self, *parts: str) -> Path:
        folder = self.state_dir.joinpath(*parts)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if os.access(folder, os.W_OK):
                return folder
        except OSError:
            pass
        folder = spare_folder(self.state_dir).joinpath(*parts)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def task_root(self, name: str, path: Path) -> Path | None:
        """The folder that becomes /var/task: `path` itself, the .zip at `path` unpacked, or a folder holding the
        one file `path` names (SAM zips a CodeUri that is a single file: a package with that file at its root);
        None if `path` does not exist."""
        if path.is_file() and zipfile.is_zipfile(path):
            return self.unzip(name, path)
        if path.is_file():
            folder = self.folder("files", name)
            shutil.copy2(path, folder / path.name)
            return folder
        return path if path.is_dir() else None

    def unzip(self, name: str, archive: Path) -> Path:
        """A deployment package is unpacked with the modes stored in it, as Lambda unpacks it."""
        target = self.folder("packages", name)
        with zipfile.ZipFile(archive) as z:
            for info in z.infolist():
                extracted = Path(z.extract(info, target))
                mode = (info.external_attr >> 16) & 0o7777
                if mode:
                    extracted.chmod(mode)
        return target

    def inline(self, name: str, code: str, runtime: str) -> Path:
        """Inline code (`Code.ZipFile`, SAM's `InlineCode`) goes in a file named `index`: `index.js` for Node.js
        (CommonJS), `index.py` for Python (CloudFormation template reference, AWS::Lambda::Function Code)."""
        folder = self.folder("inline", name)
        suffix = ".js" if runtime.startswith("nodejs") else ".py"
        (folder / ("index" + suffix)).write_text(code, encoding="utf-8")
        return folder
