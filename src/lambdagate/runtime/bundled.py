"""What Lambda's runtimes carry besides the language, and where lambdagate keeps its copy of it.

On Lambda a function can import, without packaging them, the runtime's own packages: boto3/botocore (and
awslambdaric's) in the Python runtimes, the AWS SDK for JavaScript v3 (`@aws-sdk/*`) in nodejs18.x and later,
v2 (`aws-sdk`) before (LDG lambda-python.md and lambda-nodejs.md, "Runtime-included SDK versions"). They come
after the code and the layers on the module search path, so a copy the function vendors shadows them.

lambdagate keeps them in one cache shared by all projects, `$LAMBDAGATE_CACHE_DIR`, else
`$XDG_CACHE_HOME/lambdagate`, else `~/.cache/lambdagate`:

    python/<X.Y>-<machine>/runtime/   awslambdaric and boto3 for an interpreter other than lambdagate's own
                                      (lambdagate's own interpreter uses the packages installed with lambdagate)
    node/sdk-v3/node_modules/         the @aws-sdk/* packages that functions import, installed on first use
    node/sdk-v2/node_modules/         aws-sdk (v2) for nodejs16.x functions that import it
    python/packages/, node/packages/  dependencies `lambdagate build` installed, by content hash
    python/pycache/                   the functions' bytecode (sys.pycache_prefix): none next to the code, whose
                                      folder Lambda mounts read-only
    tools/                            build tools (esbuild)

Each entry is complete when its `.complete` marker exists: an interrupted install is redone, never half used.
This module only says where things are; `lambdagate.build` installs them.
"""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

from .catalog import NODE_SDK_V3_FROM
from .interpreters import Interpreter
from .watch import counts_as_code

COMPLETE = ".complete"
SDK_V3_SCOPES = ("@aws-sdk/", "@smithy/")   # what Lambda's /var/runtime/node_modules holds from nodejs18.x on
SDK_V2 = "aws-sdk"
SOURCE_SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx")
# import x from 'm' / import 'm' / export ... from 'm' / import('m') / require('m')
_SPECIFIER = re.compile(r"""(?:\bfrom|\bimport|\brequire\s*\()\s*\(?\s*(['"])([^'"\s]+)\1""")


def cache_dir() -> Path:
    explicit = os.environ.get("LAMBDAGATE_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lambdagate"


def complete(folder: Path) -> bool:
    return (folder / COMPLETE).is_file()


def python_runtime_packages(interpreter: Interpreter) -> Path:
    """The folder that stands in for /var/runtime for an interpreter other than lambdagate's own."""
    major, minor = interpreter.version
    return cache_dir() / "python" / f"{major}.{minor}-{platform.machine() or 'any'}" / "runtime"


def node_sdk(major: int) -> Path:
    """The folder whose node_modules stands in for /var/runtime/node_modules of nodejs<major>.x."""
    return cache_dir() / "node" / ("sdk-v3" if major >= NODE_SDK_V3_FROM else "sdk-v2")


def sdk_package(specifier: str, major: int) -> str | None:
    """The SDK package a module specifier names (`@aws-sdk/client-s3/dist-cjs/x` -> `@aws-sdk/client-s3`), when
    it is one the runtime of that Node.js version carries."""
    if major >= NODE_SDK_V3_FROM:
        if specifier.startswith(SDK_V3_SCOPES):
            parts = specifier.split("/")
            return "/".join(parts[:2]) if len(parts) >= 2 and parts[1] else None
        return None
    return SDK_V2 if specifier == SDK_V2 or specifier.startswith(SDK_V2 + "/") else None


def sdk_installed(package: str, major: int) -> bool:
    return (node_sdk(major) / "node_modules" / package / "package.json").is_file()


def imported_sdk_packages(folder: Path, major: int) -> set[str]:
    """The SDK packages (`@aws-sdk/client-s3`, ...) that the code under `folder` imports, read from its source
    files (not from node_modules)."""
    found: set[str] = set()
    for root, dirs, files in os.walk(folder):
        relative = Path(root).relative_to(folder).parts
        dirs[:] = [d for d in dirs if d != "node_modules" and counts_as_code((*relative, d, "x"))]
        for name in files:
            if not name.endswith(SOURCE_SUFFIXES):
                continue
            try:
                text = (Path(root) / name).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            for _quote, specifier in _SPECIFIER.findall(text):
                package = sdk_package(specifier, major)
                if package is not None:
                    found.add(package)
    return found
