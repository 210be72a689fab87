"""Node.js: a function's `package.json` dependencies installed as `sam build` installs them (`npm ci` with a lock
file, else `npm install`; production dependencies only), and the AWS SDK packages that the code imports and that
Lambda's runtime carries.

Dependencies go to the shared cache under the hash of package.json, its lock file and the local Node.js major
version. The SDK goes to one folder of the shared cache per SDK major version (runtime/bundled.py), one package
at a time as functions import them: the whole SDK is some 400 packages, the functions of AWS's pattern
collection import 37 different ones.
"""

from __future__ import annotations

import json
import platform
import shutil
from pathlib import Path
from typing import Any

from ..runtime import bundled
from ..runtime.catalog import NODE_SDK_V3_FROM
from . import cache
from .steps import StepFailed, run

PACKAGE_JSON = "package.json"
LOCK_FILES = ("package-lock.json", "npm-shrinkwrap.json")
NPM_QUIET = ["--no-audit", "--no-fund", "--loglevel=error", "--update-notifier=false"]


def manifest(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / PACKAGE_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def needs_install(folder: Path) -> bool:
    """package.json names production dependencies and they are not installed next to it."""
    return bool(manifest(folder).get("dependencies")) and not (folder / "node_modules").is_dir()


def dependencies_dir(folder: Path, node_major: int) -> Path:
    parts = [(folder / name).read_bytes() for name in (PACKAGE_JSON, *LOCK_FILES) if (folder / name).is_file()]
    key = cache.digest(*parts, str(node_major), platform.machine())
    return bundled.cache_dir() / "node" / "packages" / key


def install_dependencies(folder: Path, node_major: int) -> Path:
    """The production dependencies of the package.json in `folder`, installed in the cache: its node_modules."""
    def make(target: Path) -> None:
        data = manifest(folder)
        for section in ("dependencies", "optionalDependencies"):
            for name, spec in (data.get(section) or {}).items():  # local packages, from the copy's new place
                if isinstance(spec, str) and spec.startswith("file:"):
                    data[section][name] = "file:" + str((folder / spec[5:]).resolve())
        (target / PACKAGE_JSON).write_text(json.dumps(data), encoding="utf-8")
        lock = next((name for name in LOCK_FILES if (folder / name).is_file()), None)
        if lock is not None:
            shutil.copyfile(folder / lock, target / lock)
        verb = ["ci"] if lock is not None else ["install"]
        run(["npm", *verb, "--omit=dev", *NPM_QUIET], target)

    return cache.publish(dependencies_dir(folder, node_major), make) / "node_modules"


def end_package_scope(folder: Path) -> None:
    """A package.json without "type" in `folder`, the root of the builds. Node.js takes a `.js` file for an ES
    module when the package.json nearest to it says `"type": "module"`, looking up through every parent folder
    (nodejs.org/api/packages.html "Determining module system"; Lambda's runtime decides how to load the handler
    the same way, LDG nodejs-handler). On Lambda the code is in /var/task and the layers in /opt, whose parents
    hold no package.json; builds under the project's `.lambdagate/build/` would take the project's own
    package.json for theirs, and load the CommonJS bundle of an esbuild `Format: cjs` as an ES module."""
    boundary = folder / PACKAGE_JSON
    if not boundary.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        boundary.write_text('{"description": "lambdagate: builds have no package scope above them, as /var/task '
                            'and /opt on Lambda"}\n', encoding="utf-8")


def copy_code(source: Path, target: Path) -> None:
    """The code of a source folder (cache.code_files: no node_modules, no tool state) into `target`."""
    for path in cache.code_files(source):
        copied = target / path.relative_to(source)
        copied.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, copied)


def vendored(package: str, folders: list[Path]) -> bool:
    """The function brings the package itself (its node_modules, its dependencies, a layer)."""
    return any((folder / package / PACKAGE_JSON).is_file() for folder in folders)


def sdk_missing(packages: set[str], major: int) -> list[str]:
    folder = bundled.node_sdk(major)
    listed = manifest(folder).get("dependencies") or {}
    return sorted(p for p in packages if p not in listed or not bundled.sdk_installed(p, major))


def install_sdk(packages: list[str], major: int) -> None:
    """Add packages to the shared SDK folder (npm resolves them together with those already there)."""
    folder = bundled.node_sdk(major)
    with cache.locked(folder):
        missing = sdk_missing(set(packages), major)
        if not missing:
            return
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / PACKAGE_JSON).is_file():
            (folder / PACKAGE_JSON).write_text('{"private": true, "description": "the AWS SDK packages Lambda\'s '
                                               'Node.js runtimes carry, as lambdagate\'s functions import them"}\n')
        wanted = missing if major >= NODE_SDK_V3_FROM else [f"{p}@2" for p in missing]
        run(["npm", "install", "--omit=dev", "--save", *NPM_QUIET, *wanted], folder)
        if sdk_missing(set(missing), major):
            raise StepFailed(f"npm did not install {', '.join(missing)}")
